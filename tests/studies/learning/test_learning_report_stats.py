"""The learning report's statistics (issue 18): the optimiser seed as the unit
of replication, held-out levels disjoint from the training levels, diversity
points by count of diverse levels, old results without held-out episodes,
and a tiny study end to end."""

from __future__ import annotations

import pytest

from studies.core.store import ResultStore
from studies.learning import study as learning
from studies.learning.diversity import points
from studies.learning.heldout import held_out_levels
from studies.learning.runs import HELD_OUT, Run
from studies.learning.scores import setting_tests
from studies.learning.seedstats import between_seed_test, paired_seed_test, seed_interval, smallest_p
from studies.learning.study import run_learning
from studies.reporting.report import write_report
from studies.reporting.stats import bootstrap_ci

AWAY = {"arrow_at_exit_prob": 0.0}


def _episode(seed: int, exit_: bool, ret: float) -> dict:
    return {"cell_id": f"c{seed}", "seed": seed, "achieved": {"exit": exit_, "arrow": not exit_},
            "returns": {"exit": ret}}  # fmt: skip


def _run(seed: int, learned: list[bool], base: list[bool], fraction: float = 0.0, levels: int = 20) -> Run:
    """A hand-made run: its learned and base objective's held-out episodes
    (reach the exit or not; return 1 or 0)."""
    episodes, ids = {}, {"learned": [], "exit": []}
    for agent, outcomes in (("learned", learned), ("exit", base)):
        for level, reached in enumerate(outcomes):
            cell = f"{seed}-{agent}-{level}"
            episodes[cell] = {**_episode(level, reached, float(reached)), "cell_id": cell}
            ids[agent].append(cell)
    config = {"world": "arrow-maze", "levels": levels, "mixture": {"fraction": fraction, "overrides": AWAY}}
    payload = {
        "point": {"mixture.fraction": fraction, "levels": levels, "seed": seed}, "config": config,
        "weights": {"reached_exit": 1.0, "reached_arrow": 0.0}, "evaluations": {},
        "train_scores": [1.0] * len(learned), "base_scores": [1.0] * len(learned),
        "held_out": {"split": "train", "levels": list(range(levels, levels + len(learned))), "episodes": ids},
    }  # fmt: skip
    return Run(payload, episodes)


def test_intervals_resample_optimiser_seeds_not_pooled_episodes():
    # three seeds of ten held-out levels: two reach the exit everywhere, one nowhere
    runs = [
        _run(0, [True] * 10, [True] * 10),
        _run(1, [False] * 10, [True] * 10),
        _run(2, [True] * 10, [True] * 10),
    ]
    (_, _, reach) = setting_tests("s", runs, "exit")
    assert (reach.where, reach.measure) == (HELD_OUT, "reaches exit")
    mean, lo, hi, n = reach.first_ci
    # the seed is the unit: 3 seed means (1, 0, 1); a resample of all three from
    # the failing seed has probability 1/27 > 2.5%, so the interval reaches 0
    assert n == 3 and mean == pytest.approx(2 / 3) and (lo, hi) == (0.0, 1.0)
    pooled = bootstrap_ci([float(e["achieved"]["exit"]) for r in runs for e in r.held_out["learned"]])
    assert pooled[1] > 0.4  # 30 pooled episodes would claim a far narrower interval
    assert seed_interval([[1.0] * 10, [0.0] * 10, [1.0] * 10]) == reach.first_ci
    # paired over seeds: differences (0, -1, 0); an exact sign-flip test of 3 seeds cannot go below 0.25
    assert reach.paired and reach.difference[0] == pytest.approx(-1 / 3) and reach.difference[3] == 3
    assert reach.p == pytest.approx(1.0) and smallest_p(3) == 0.25 and smallest_p(4) == 0.125


def test_a_paired_test_with_four_seeds_cannot_go_below_one_eighth():
    test = paired_seed_test("s", HELD_OUT, "m", [[1.0, 1.0]] * 4, [[0.0, 0.0]] * 4)
    assert test.p == pytest.approx(0.125) and test.difference[:3] == (1.0, 1.0, 1.0)
    assert test.difference_short() == "1.00 (no spread over seeds)"


def test_settings_are_independent_groups_of_seeds():
    test = between_seed_test("a vs b", "test", "m", [[1.0], [1.0], [0.9]], [[0.0], [0.1], [0.0]], ("a", "b"))
    # 3 + 3 seeds: 20 relabellings, the observed split is the most extreme of both tails
    assert not test.paired and test.p == pytest.approx(2 / 20)
    assert test.first_ci[3] == 3 and test.second_ci[3] == 3
    assert test.difference[0] == pytest.approx(2.9 / 3 - 0.1 / 3)
    object.__setattr__(test, "p_holm", test.p)
    assert test.phrase() == "no detectable difference (n = 3 and 3 optimiser seeds)"


def test_held_out_levels_follow_the_training_seeds_and_mixture_count():
    seeds, overrides = held_out_levels(10, 10, {}, {"fraction": 0.2, "overrides": AWAY})
    assert seeds == tuple(range(10, 20))  # none of the training seeds 0..9
    # round(0.2 x 10) = 2 levels, spread evenly: (i + 1) * 2 // 10 steps up at i = 4 and i = 9
    assert [i for i, o in enumerate(overrides) if o == AWAY] == [4, 9]
    assert overrides[0] == {}
    seeds, overrides = held_out_levels([3, 7], 3, {"size": 7}, None)
    assert seeds == (8, 9, 10) and overrides == [{"size": 7}] * 3


def test_diversity_points_merge_fractions_with_the_same_count():
    runs = [_run(s, [True], [True], fraction=p) for p in (0.0, 0.01, 0.02, 0.05) for s in (0, 1)]
    found = points(runs)
    # at 20 levels, p = 0.01 and 0.02 round to 0 arrow-away levels: the same training set as p = 0
    assert list(found) == ["0 of 20 levels", "1 of 20 levels"]
    zero = found["0 of 20 levels"]
    assert zero.fractions == [0.0, 0.01, 0.02] and [r.seed for r in zero.members] == [0, 1]
    assert zero.repeats == 4  # the same seed on the same levels is one run, counted once
    assert found["1 of 20 levels"].fractions == [0.05]


TINY = dict(
    report="diversity",
    world="arrow-maze",
    features=["reached_exit", "reached_arrow"],
    levels=3,
    optimizer="random",
    evaluations=2,
    max_steps=60,
    mixture={"fraction": 0.0, "overrides": AWAY},
    planner={"name": "value-iteration"},
    evaluate={"splits": ["test"], "levels": 2, "objectives": ["arrow"], "scoring": "goal", "held_out": 2},
    sweep={"mixture.fraction": [0.0, 0.34], "seed": [0, 1]},
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    study = learning.parse({"name": "tiny", "kind": "learn", **TINY}, "<test>")
    assert run_learning(study, out, executor="serial", progress=False)["learned"] == 4
    return study, out


def test_a_tiny_learning_study_scores_held_out_levels_and_reports_by_seed(tiny):
    study, out = tiny
    with ResultStore(out / "results.sqlite") as store:
        payloads = store.learned()
        stored = {r["cell_id"]: r for r in store.rows()}
    for payload in payloads:
        held = payload["held_out"]
        assert held["levels"] == [3, 4] and held["split"] == "train"  # after the training seeds 0..2
        assert set(held["episodes"]) == {"learned", "exit"}
        rows = [stored[i] for ids in held["episodes"].values() for i in ids]
        assert {r["seed"] for r in rows} == {3, 4} and {r["split"] for r in rows} == {"train"}
        # the base objective is played on the test split even when evaluate.objectives leaves it out
        assert set(payload["evaluations"]["test"]) == {"learned", "exit", "arrow"}
        mixed = payload["point"]["mixture.fraction"] > 0  # round(0.34 x 2) = 1 held-out level away
        assert [r["overrides"] for r in rows[:2]] == ([{}, AWAY] if mixed else [{}, {}])
    text = write_report(out)["markdown"].read_text()
    assert "Unit of replication: the optimiser seed" in text and "n = 2 optimiser seeds" in text
    assert "held-out: 2 fresh training-distribution levels" in text
    assert "in-sample: the levels selection saw" in text
    assert (out / "learning-tests.csv").read_text().count("\n") > 4


def test_old_results_without_held_out_still_report_and_a_rerun_adds_them(tiny):
    study, out = tiny
    with ResultStore(out / "results.sqlite") as store:
        for payload in store.learned():
            old = {k: v for k, v in payload.items() if k != "held_out"}
            store.write_learned(learning.LearningRun(payload["config"], payload["point"]).key, old)
    text = write_report(out)["markdown"].read_text()
    assert "not scored on held-out levels" in text and "held-out: 2 fresh" not in text
    counts = run_learning(study, out, executor="serial", progress=False)
    assert counts == {"runs": 4, "already": 4, "learned": 0}
    with ResultStore(out / "results.sqlite") as store:
        assert all(p["held_out"]["levels"] == [3, 4] for p in store.learned())
    assert "held-out: 2 fresh training-distribution levels" in write_report(out)["markdown"].read_text()


def test_the_episode_count_includes_held_out_and_its_size_is_checked():
    from studies.core.spec import StudyError

    config = learning.parse({"name": "t", "kind": "learn", **TINY}, "<test>").runs[0].config
    base = learning._episodes(config)
    more = learning._episodes({**config, "evaluate": {**config["evaluate"], "held_out": 5}})
    assert more - base == 2 * (5 - 2)  # two agents on each held-out level
    with pytest.raises(StudyError, match="evaluate.held_out: held_out must be a positive integer"):
        learning.parse(
            {"name": "t", "kind": "learn", **TINY, "evaluate": {**TINY["evaluate"], "held_out": 0}}, "x"
        )
