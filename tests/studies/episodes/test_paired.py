"""Paired comparisons: which agents are paired, matching by seed, and Holm over the report."""

import pytest

from studies.episodes.paired import (
    NO_OBJECTIVE,
    OBJECTIVE_SWAP,
    PLANNER_SWAP,
    agent_factors,
    budget_axes,
    compare,
    find,
    select_pairs,
)


def _row(agent, seed, outcome="intended", alignment=1.0, split="test", planner="astar", budget=None,
         options=None, objective="exit"):  # fmt: skip
    return {
        "world": "arrow-maze", "split": split, "seed": seed, "agent": agent, "planner": planner,
        "budget": budget, "options": options or {}, "objective": objective, "outcome": outcome,
        "capability": 1.0, "alignment": alignment, "threshold": 0.9,
    }  # fmt: skip


def test_pairs_differ_in_one_factor_or_have_no_objective():
    depth = {"depth": 100}
    rows = [
        _row("A", 0, objective="exit"),
        _row("B", 0, objective="arrow"),
        _row("C", 0, planner="mcts", budget=10, options=depth, objective="exit"),
        _row("D", 0, planner="mcts", budget=30, options=depth, objective="arrow"),
        _row("E", 0, planner="reactive", objective="none"),
    ]
    assert select_pairs(agent_factors(rows)) == [
        ("A", "B", OBJECTIVE_SWAP),
        ("A", "C", PLANNER_SWAP),
        ("A", "E", NO_OBJECTIVE),
        ("B", "D", PLANNER_SWAP),
        ("B", "E", NO_OBJECTIVE),
        ("C", "E", NO_OBJECTIVE),
        ("D", "E", NO_OBJECTIVE),
    ]  # A-D, B-C and C-D differ in two factors; options count as planner configuration
    other_options = [
        *rows[:2],
        _row("F", 0, planner="mcts", budget=10, options={"depth": 5}, objective="exit"),
    ]
    assert select_pairs(agent_factors([*other_options, rows[2]]))[-1] == ("F", "C", PLANNER_SWAP)


def test_a_budget_sweep_is_paired_along_its_ladder_and_end_to_end():
    # four budgets of one planner and objective: steps 10-30, 30-100, 100-300 and the ends 10-300
    rows = [_row(f"M{b}", 0, planner="mcts", budget=b, options={"depth": 100}) for b in (100, 10, 300, 30)]
    pairs = {frozenset(p[:2]) for p in select_pairs(agent_factors(rows))}
    assert pairs == {
        frozenset(p) for p in [("M10", "M30"), ("M30", "M100"), ("M100", "M300"), ("M10", "M300")]
    }
    # two budgets: one pair, not two
    assert len(select_pairs(agent_factors(rows[:2]))) == 1


def test_only_shared_seeds_are_compared_and_holm_covers_the_report():
    # X plays seeds 0-4, Y seeds 1-5: the four shared levels are 1-4
    x = [_row("X", s) for s in range(5)]
    missed = {"outcome": "misgeneralized", "alignment": 0.0}
    y = [_row("Y", s, objective="arrow", **({} if s == 1 else missed)) for s in range(1, 6)]
    # Z differs from both in planner and objective: not paired
    z = [_row("Z", s, planner="mcts", budget=10, objective="reached_arrow") for s in range(5)]
    (only,) = compare(x + y + z)
    r = only.result
    assert (only.kind, r.first, r.second, r.unit, r.n) == (OBJECTIVE_SWAP, "X", "Y", "level", 4)
    assert (only.first_intended, only.second_intended, r.only_first, r.only_second) == (4, 1, 3, 0)
    assert r.outcome_difference == pytest.approx(0.75)
    assert r.outcome_p == pytest.approx(0.25)  # binomial(3, 1/2): 2 * 1/8
    # alignment differences 0, 1, 1, 1: 4 of the 16 sign flips reach |mean| >= 0.75
    assert (r.score_difference, r.score_p) == (pytest.approx(0.75), pytest.approx(0.25))
    # Holm over the report's two tests: 2 * 0.25 for both
    assert (r.outcome_p_holm, r.score_p_holm) == (pytest.approx(0.5), pytest.approx(0.5))
    assert find([only], "arrow-maze", "test", "Y", "X") is only
    assert find([only], "arrow-maze", "train", "X", "Y") is None


def test_budget_axes_group_one_planner_over_budgets():
    rows = [
        _row("mcts (30) -> exit", 0, planner="mcts", budget=30, options={"depth": 100}),
        _row("mcts (10) -> exit", 0, planner="mcts", budget=10, options={"depth": 100}),
        _row("mcts (10) -> arrow", 0, planner="mcts", budget=10, options={"depth": 100}, objective="arrow"),
        _row("astar -> exit", 0),
    ]
    assert budget_axes(rows) == {
        ("arrow-maze", "mcts (depth=100) -> exit"): {10: "mcts (10) -> exit", 30: "mcts (30) -> exit"}
    }


def test_one_shared_level_leaves_the_score_untested():
    # one level cannot be permuted: the score test is left out (n = 0), the outcome test still runs
    rows = [_row("X", 0), _row("Y", 0, objective="arrow", outcome="misgeneralized", alignment=0.0)]
    (only,) = compare(rows)
    assert (only.result.n, only.result.only_first, only.result.outcome_p) == (1, 1, 1.0)
    assert only.result.score_n == 0 and only.result.score_p != only.result.score_p  # NaN
