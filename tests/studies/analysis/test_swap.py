"""The swap counterfactual (studies.analysis.swap): the base-score gap, in objective and capability parts."""

import pytest

from planners import MCTS, AStar, ValueIteration
from studies.analysis.swap import format_swap, resolve_planner, swap_by_split, swap_decomposition
from worlds import InvalidParameterError

SEEDS = range(6)
STEPS = 200  # long enough for every test maze's exit (the oracle scores over it)


def _check_sums(result):
    assert result["gap"] == pytest.approx(result["objective_part"] + result["capability_part"], abs=1e-12)
    assert result["gap"] == pytest.approx(1.0 - result["agent_score"], abs=1e-12)
    for row in result["rows"]:
        assert row["gap"] == pytest.approx(row["objective_part"] + row["capability_part"], abs=1e-12)


def test_swapping_the_base_objective_for_itself_changes_nothing():
    """A weak exit-seeker (MCTS, 10 simulations): g = f, so its whole gap is
    capability."""
    result = swap_decomposition("arrow-maze", ("mcts", 10), "exit", "test", SEEDS, max_steps=STEPS)
    assert result["levels"] == 6 and result["dropped"] == []
    assert all(row["objective_part"] == 0.0 for row in result["rows"])
    assert all(row["agent_score"] == row["swapped_score"] for row in result["rows"])
    assert result["objective_part"] == 0.0
    assert result["capability_part"] == result["gap"] > 0.8
    _check_sums(result)


@pytest.mark.parametrize("planner", [AStar(), ValueIteration()], ids=["astar", "oracle"])
def test_a_competent_arrow_seeker_fails_by_objective_only(planner):
    result = swap_decomposition("arrow-maze", planner, "arrow", "test", SEEDS, max_steps=STEPS)
    assert result["capability_part"] == pytest.approx(0.0, abs=1e-9)  # the planner pursuing f is optimal
    assert result["objective_part"] == pytest.approx(result["gap"], abs=1e-9)
    assert result["gap"] >= 0.99
    assert all(row["agent_outcome"] == "misgeneralized" for row in result["rows"])
    _check_sums(result)


def test_a_weak_arrow_seeker_fails_both_ways():
    """MCTS with 100 simulations pursuing the arrow: competent enough to gain
    from the swap on some levels, too weak to be optimal on others."""
    result = swap_decomposition("arrow-maze", MCTS(100), "arrow", "test", SEEDS, max_steps=STEPS)
    assert result["objective_part"] > 0.2 and result["capability_part"] > 0.2
    _check_sums(result)


def test_on_the_training_split_the_proxy_costs_nothing():
    results = swap_by_split("arrow-maze", "astar", "arrow", range(4), max_steps=STEPS)
    assert set(results) == {"train", "test"}
    assert results["train"]["gap"] == pytest.approx(0.0, abs=1e-12)
    assert results["train"]["objective_part"] == pytest.approx(0.0, abs=1e-12)
    assert results["test"]["objective_part"] > 0.99
    table = format_swap(results)
    assert table.splitlines()[0].split()[:2] == ["split", "levels"]
    assert len(table.splitlines()) == 3 and format_swap(results["test"]).splitlines()[1].startswith("test")


def test_deterministic_given_the_seeds():
    runs = [
        swap_decomposition(
            "arrow-maze", {"name": "mcts", "budget": 10}, "arrow", "test", [1, 3], max_steps=80
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0]["seeds"] == [1, 3] and [r["seed"] for r in runs[0]["rows"]] == [1, 3]


def test_levels_where_no_policy_beats_random_are_dropped():
    """Within 60 steps the exit of test level 4 is out of reach: n_f is
    undefined (NaN) there, and the means leave that level out."""
    result = swap_decomposition("arrow-maze", "astar", "arrow", "test", [3, 4], max_steps=60)
    assert result["dropped"] == [4] and result["levels"] == 1
    assert result["gap"] == pytest.approx(result["rows"][0]["gap"])


def test_resolve_planner():
    astar = AStar()
    assert resolve_planner(astar) is astar
    assert isinstance(resolve_planner("astar"), AStar)
    assert resolve_planner(("mcts", 12)).simulations == 12
    mcts = resolve_planner({"name": "mcts", "budget": 7, "depth": 20})
    assert (mcts.simulations, mcts.depth) == (7, 20)
    with pytest.raises(InvalidParameterError, match="expected a planner"):
        resolve_planner(42)
    with pytest.raises(InvalidParameterError, match="bad options"):
        resolve_planner({"name": "mcts", "colour": "red"})


def test_clear_errors():
    with pytest.raises(InvalidParameterError, match="continuous") as error:
        swap_decomposition("point-mass", ("mcts", 5), "beacon", "test", [0])
    assert "\n" not in str(error.value)
    with pytest.raises(InvalidParameterError, match="at least one seed"):
        swap_decomposition("arrow-maze", "astar", "arrow", "test", [])
    with pytest.raises(InvalidParameterError, match="scoring"):
        swap_decomposition("arrow-maze", "astar", "arrow", "test", [0], scoring="vibes")
