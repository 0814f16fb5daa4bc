"""Equivalent (planner, reward) pairs, worked by hand on a 3x3 maze:

    #####
    #S.E#      S at (1, 1), the exit E two steps right at (1, 3),
    #.#.#      the arrow A at (3, 1); the exit is also reachable the
    #A..#      long way round, S -> down -> down -> right -> right -> up -> up.
    #####

R = reached_exit (1 on entering E), discount 0.99."""

from __future__ import annotations

import math

import numpy as np
import pytest

import objectives
import planners
import worlds
from studies.analysis import identifiability as ident
from studies.analysis import study as analysis
from studies.analysis.epic import TabularReward, epic
from studies.analysis.irl import Trajectory, lookahead_q, mdp_of
from studies.analysis.report import write_analysis_report

TINY = "#####\n#S.E#\n#.#.#\n#A..#\n#####\n"
GAMMA, TAU = 0.99, 0.01
UP, RIGHT, DOWN, LEFT = range(4)


@pytest.fixture(scope="module")
def maze():
    world = worlds.get("arrow-maze")
    level = world.parse(TINY)
    mdp = mdp_of(world, level, ident.FEATURES, goals=["reached_exit"])
    r = mdp.reward(np.array([1.0, 0.0]))
    return world, level, mdp, r


def _policy(mdp, planner, reward, **options):
    return ident.policy(mdp, planner, reward, discount=GAMMA, temperature=TAU, **options)


def _shaped(mdp, r):
    v = ident.action_values(mdp, r, GAMMA).max(axis=1)
    return r + GAMMA * v[mdp.next_index] - v[:, None], v


def test_optimal_values_are_the_oracles_and_worked_by_hand(maze):
    world, level, mdp, r = maze
    q = ident.action_values(mdp, r, GAMMA)
    # from S: right, then right into the exit: V*(S) = 0.99 * 1
    assert q[0].max() == pytest.approx(0.99, abs=1e-15) and q[0].argmax() == RIGHT
    assert q[1, RIGHT] == 1.0  # (1, 2) -> the exit
    exit_only = objectives.Objective({"reached_exit": 1.0}, {"reached_exit"}, discount=GAMMA)
    _, oracle_q = planners.ValueIteration().solve(world, level, exit_only)
    live = ~mdp.absorbing[: len(oracle_q)]
    np.testing.assert_allclose(q[: len(oracle_q)][live], oracle_q[live], atol=1e-12)


def test_anti_optimal_with_minus_r_acts_exactly_like_optimal_with_r(maze):
    _, _, mdp, r = maze
    optimal, anti = _policy(mdp, "optimal", r), _policy(mdp, "anti-optimal", -r)
    assert np.max(np.abs(optimal - anti)) <= 1e-12
    # and the optimal planner does strongly prefer going right from S
    assert optimal[0, RIGHT] > 0.5
    # while anti-optimal with R itself avoids the exit: the pair is (anti-optimal, -R), not (anti-optimal, R)
    assert _policy(mdp, "anti-optimal", r)[1, RIGHT] < 1e-6


@pytest.mark.parametrize("depth", [1, 3])
def test_a_depth_limited_planner_with_the_shaped_reward_acts_optimally(maze, depth):
    _, _, mdp, r = maze
    shaped, _ = _shaped(mdp, r)
    optimal = _policy(mdp, "optimal", r)
    assert np.max(np.abs(_policy(mdp, "depth-limited", shaped, depth=depth) - optimal)) <= 1e-12
    # the lookahead is the IRL depth-limited model's, step for step
    np.testing.assert_allclose(
        ident.action_values(mdp, r, GAMMA, depth=depth), lookahead_q(mdp, r, depth, GAMMA), atol=1e-15
    )
    # without the shaping the depth-1 planner sees nothing at S (the exit is 2 steps away): uniform there
    np.testing.assert_allclose(_policy(mdp, "depth-limited", r, depth=1)[0], 0.25)


def test_the_uniform_planner_matches_any_planner_with_a_zero_reward(maze):
    _, _, mdp, r = maze
    zero = np.zeros_like(r)
    uniform = _policy(mdp, "uniform", r)
    assert np.all(uniform == 0.25)
    for planner in ("optimal", "anti-optimal", "depth-limited"):
        assert np.max(np.abs(_policy(mdp, planner, zero) - uniform)) <= 1e-12


def test_epic_sees_r_and_minus_r_as_opposite_and_the_shaping_as_nothing(maze):
    _, _, mdp, r = maze
    _, v = _shaped(mdp, r)
    R = TabularReward(r)
    assert epic(R, TabularReward(-r), mdp.next_index, GAMMA) == pytest.approx(1.0, abs=1e-12)
    assert epic(R, TabularReward(r, v), mdp.next_index, GAMMA) == pytest.approx(0.0, abs=1e-7)
    assert epic(R, TabularReward(np.zeros_like(r)), mdp.next_index, GAMMA) == pytest.approx(0.5)


def test_knowing_the_planner_separates_r_from_minus_r(maze):
    _, _, mdp, r = maze
    # S -> right -> right into the exit (the extra absorbing state)
    demo = Trajectory(np.array([0, 1, mdp.n_states - 1]), np.array([RIGHT, RIGHT]))
    pairs = {
        "optimal / R": _policy(mdp, "optimal", r),
        "anti-optimal / -R": _policy(mdp, "anti-optimal", -r),
        "optimal / -R": _policy(mdp, "optimal", -r),
    }
    ll = {name: ident.log_likelihood(pi, [demo]) for name, pi in pairs.items()}
    assert ll["optimal / R"] == ll["anti-optimal / -R"]
    # under -R the last step (into the exit) costs 1 / temperature = 100 nats against its alternatives
    assert ll["optimal / R"] - ll["optimal / -R"] > 90
    # by hand: with R, the step into the exit has Q = 1 against 0.99^2 or 0.99^3 for the others
    q = ident.action_values(mdp, r, GAMMA)[1]
    expected = q[RIGHT] / TAU - math.log(np.exp(q / TAU).sum())
    assert ident.log_likelihood(pairs["optimal / R"], [Trajectory(np.array([1]), np.array([RIGHT]))]) == (
        pytest.approx(expected, abs=1e-12)
    )


def test_the_second_environment_swaps_the_exit_and_the_arrow(maze):
    world, level, _, _ = maze
    swapped = ident.swapped_level(world, level)
    assert world.format(swapped) == "#####\n#S.A#\n#.#.#\n#E..#\n#####\n"


def _study(seeds=2):
    data = {
        "name": "tiny",
        "kind": "analysis",
        "analysis": "equivalent-pairs",
        "seeds": seeds,
        "size": [7, 7],
    }
    return analysis.parse(data, "<test>")


def test_the_study_shows_equal_pairs_and_what_separates_them(tmp_path):
    study = _study()
    assert [u["seed"] for u in study.units] == [0, 1]
    counts = analysis.run_analysis(study, tmp_path, executor="serial", progress=False)
    assert counts["computed"] == 2
    summary = ident.summary(tmp_path)
    assert summary["levels"] == 2 and summary["max_likelihood_gap"] <= 1e-9
    assert summary["max_policy_gap"] <= 1e-12
    assert summary["epic"]["anti-optimal / -R"] == pytest.approx(1.0)
    restored = summary["restored"]
    assert restored["planner_known"]["-R"]["hi"] < 0  # R beats -R under the known planner on every level
    assert restored["planner_known"]["shaped"]["mean"] == pytest.approx(0.0, abs=1e-6)
    assert restored["second_environment"]["anti-optimal / -R"]["mean"] == 0.0
    assert restored["second_environment"]["depth-limited / shaped R"]["hi"] < 0
    assert (
        restored["simplicity"]["depth-limited / shaped R"]["nonzero"]
        > restored["simplicity"]["optimal / R"]["nonzero"]
    )
    text = write_analysis_report(tmp_path)["markdown"].read_text()
    assert "## what restores identifiability" in text and "(n = 2 levels)" in text
    assert (tmp_path / "equivalent-pairs.png").exists()


def test_seeds_picks_the_number_of_levels_and_bad_values_are_refused():
    assert len(analysis.parse({**_data(), "seeds": 10}, "<test>", 3).units) == 3
    with pytest.raises(analysis.StudyError, match="reward.bumped_wall"):
        analysis.parse({**_data(), "reward": {"bumped_wall": 1.0}}, "<test>")
    with pytest.raises(analysis.StudyError, match="split"):
        analysis.parse({**_data(), "split": "train"}, "<test>")
    with pytest.raises(analysis.StudyError, match="temperature"):
        analysis.parse({**_data(), "temperature": 0}, "<test>")


def _data():
    return {"name": "tiny", "kind": "analysis", "analysis": "equivalent-pairs", "size": [7, 7]}
