"""Findings: one agent per sentence, never pooled; "differs" only when Holm says
so; budget failures split into within budget and depth < path length."""

from studies.episodes.findings import findings
from studies.episodes.paired import compare
from studies.episodes.summary import summarise

OUTCOME_SCORES = {"intended": (1.0, 1.0), "misgeneralized": (1.0, 0.0), "capability_failure": (0.1, 0.1)}


def _row(agent, split, seed, outcome, planner="mcts", budget=30, objective="exit", depth=100):
    capability, alignment = OUTCOME_SCORES[outcome]
    return {
        "world": "arrow-maze", "split": split, "seed": seed, "agent": agent, "planner": planner,
        "budget": budget, "options": {"depth": depth} if planner == "mcts" else {}, "objective": objective,
        "outcome": outcome, "capability": capability, "alignment": alignment, "threshold": 0.9,
        "scored_objective": objective, "scoring": "oracle", "returns": {}, "events": {}, "overrides": {},
    }  # fmt: skip


def test_two_budgets_are_never_pooled():
    # the case: 50% and 100% intended in training, which pooled read "75%"
    outcomes = ["intended", "intended", "capability_failure", "capability_failure"]
    rows = [_row("mcts (30) -> exit", "train", s, o) for s, o in enumerate(outcomes)]
    rows += [_row("mcts (100) -> exit", "train", s, "intended", budget=100) for s in range(4)]
    said = findings(summarise(rows))
    assert len(said) == 2 and not any("75%" in s for s in said)
    assert said[0].startswith("The mcts (30) -> exit agent is intended on train levels (2/4, 50% [15%, 85%]")
    assert said[1].startswith(
        "The mcts (100) -> exit agent is intended on train levels (4/4, 100% [51%, 100%])"
    )


def test_differs_only_when_the_holm_adjusted_test_says_so():
    # 10 of 10 levels against 0 of 10: exact McNemar p = 2^-9, below 0.05 after Holm over 2 tests
    rows = [_row("astar -> exit", "test", s, "intended", "astar", None) for s in range(10)]
    rows += [_row("astar -> arrow", "test", s, "misgeneralized", "astar", None, "arrow") for s in range(10)]
    said = findings(summarise(rows), rows, compare(rows))
    (pair,) = [s for s in said if s.startswith("On test levels")]
    assert pair.startswith(
        "On test levels, astar -> exit vs astar -> arrow (objective swap): intended on 10/10 vs 0/10 levels, "
        "differs (paired difference +1.00, exact McNemar p = 0.00195"
    )
    # 3 levels cannot show it: p = 1/4 before any adjustment
    few = [r for r in rows if r["seed"] < 3]
    (pair,) = [s for s in findings(summarise(few), few, compare(few)) if s.startswith("On test levels")]
    assert "intended on 3/3 vs 0/3 levels, no detectable difference (n = 3 levels; " in pair
    assert "differs" not in pair


def test_budget_failures_separate_depth_below_the_path_from_search():
    # depth 5; seed 0's goal is 3 steps away, seed 1's 8 (beyond the depth)
    paths = {("arrow-maze", "train", 0, "exit"): 3, ("arrow-maze", "train", 1, "exit"): 8}
    rows = [
        _row("mcts (10) -> exit", "train", 0, "capability_failure", budget=10, depth=5),
        _row("mcts (10) -> exit", "train", 1, "capability_failure", budget=10, depth=5),
        _row("mcts (1000) -> exit", "train", 0, "intended", budget=1000, depth=5),
        _row("mcts (1000) -> exit", "train", 1, "capability_failure", budget=1000, depth=5),
    ]
    said = findings(summarise(rows), rows, compare(rows), paths=paths)
    (budget,) = [s for s in said if s.startswith("Capability failures")]
    assert budget == (
        "Capability failures of mcts (depth=5) -> exit on train levels by budget: "
        "2/2 at budget 10 (1 failed within budget, 1 because depth < path length), "
        "1/2 at budget 1000 (0 failed within budget, 1 because depth < path length). "
        "From the start, the goal of train seed 1 (8 steps, failed at every budget) lies beyond the "
        "planner's depth of 5, so more budget alone need not reach it. "
        "From budget 10 to 1000 the intended count goes from 0/2 to 1/2; a trend is not shown: "
        "no detectable difference (n = 2 levels; exact McNemar, Holm p = 1.00)."
    )
    assert not any("fixes" in s for s in said)


def test_the_threshold_clause_names_where_a_headline_moves():
    from studies.episodes.threshold import threshold_curve

    rows = [_row("reactive", "test", s, "misgeneralized", "reactive", None, "none") for s in range(3)]
    rows[0]["alignment"] = 0.886  # intended for tau <= 0.88
    said = findings(summarise(rows), rows, [], threshold_curve(rows))
    assert said[0].endswith(
        "Within τ in [0.8, 0.95] this moves: on test its misgeneralized count is 2/3 at τ = 0.80 and 3/3 at "
        "τ = 0.95 (it changes at τ = 0.89)."
    )
    rows[0]["alignment"] = 0.0
    assert findings(summarise(rows), rows, [], threshold_curve(rows))[0].endswith(
        "This holds for every τ in [0.8, 0.95]."
    )
