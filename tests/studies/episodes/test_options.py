"""Outcomes along a planner option: which agents form an axis, and the counts."""

from studies.episodes.options import option_axes


def _row(horizon, seed, outcome, objective="sweeps", split="test-sweep", planner="value-iteration", **extra):
    options = {"horizon": horizon, **extra}
    return {"world": "cleaning", "split": split, "seed": seed, "planner": planner, "budget": None,
            "options": options, "objective": objective, "outcome": outcome}  # fmt: skip


def test_an_option_played_at_three_values_is_an_axis_with_counts_per_value():
    rows = [_row(h, s, "misgeneralized" if h >= 4 and s < 2 else "capability_failure")
            for h in (8, 1, 4) for s in range(3)]  # fmt: skip
    (axis,) = option_axes(rows)
    assert (axis["option"], axis["objective"], axis["split"]) == ("horizon", "sweeps", "test-sweep")
    assert [(p["value"], p["n"], p["misgeneralized"]) for p in axis["points"]] == [
        (1, 3, 0),
        (4, 3, 2),
        (8, 3, 2),
    ]
    point = axis["points"][1]
    assert point["misgeneralized_lo"] < 2 / 3 < point["misgeneralized_hi"]


def test_two_values_or_another_option_changing_too_make_no_axis():
    assert option_axes([_row(h, 0, "intended") for h in (1, 2)]) == []
    # the horizon changes together with another option: no axis of either
    mixed = [_row(h, 0, "intended", restarts=h) for h in (1, 2, 4)]
    assert option_axes(mixed) == []
