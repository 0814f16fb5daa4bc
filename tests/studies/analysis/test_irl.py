"""Tabular maximum-causal-entropy IRL (studies.analysis.irl): soft value iteration,
occupancies, the MCE gradient, the depth-limited planner model, recovery of
known weights, revealed objectives on real levels and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import objectives
import planners
import worlds
from studies.analysis import irl as I
from worlds import InvalidParameterError

THETA = np.array([1.0, -0.5, 0.8, -1.2])
HORIZON = 12
#: stay, up, right, down, left
MOVES = ((0, 0), (-1, 0), (0, 1), (1, 0), (0, -1))


def grid_mdp(absorbing=(), seed=0, size=5, n_features=4) -> I.TabularMDP:
    """A size x size room with deterministic moves (walls stop them) and
    random per-(state, action) features from a seeded rng."""
    rng = np.random.default_rng(seed)
    next_index = np.empty((size * size, len(MOVES)), dtype=np.int64)
    for s in range(size * size):
        row, col = divmod(s, size)
        for a, (dr, dc) in enumerate(MOVES):
            next_index[s, a] = min(max(row + dr, 0), size - 1) * size + min(max(col + dc, 0), size - 1)
    features = rng.random((size * size, len(MOVES), n_features))
    is_absorbing = np.isin(np.arange(size * size), list(absorbing))
    return I.TabularMDP(next_index, features, is_absorbing, start=0)


def cosine(a, b) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def expert(mdp, theta=THETA, horizon=HORIZON, temperature=1.0):
    return I.soft_value_iteration(mdp, mdp.reward(theta), horizon, temperature)


# ---- occupancy --------------------------------------------------------------------


@pytest.mark.parametrize("absorbing", [(), (1, 6, 12)])
def test_occupancy_sums_to_the_horizon_each_step_to_one(absorbing):
    mdp = grid_mdp(absorbing)
    soft = expert(mdp)
    assert soft.shape == (HORIZON, 25, 5)
    np.testing.assert_allclose(soft.sum(axis=2), 1.0, atol=1e-12)
    uniform = np.full((25, 5), 0.2)
    for policy, horizon in ((soft, None), (soft[0], HORIZON), (uniform, HORIZON)):
        occupancy = I.occupancy(mdp, policy, horizon)
        assert occupancy.shape == (HORIZON, 25)
        np.testing.assert_allclose(occupancy.sum(axis=1), 1.0, atol=1e-12)
        assert occupancy.sum() == pytest.approx(HORIZON)
        if absorbing:  # absorbing states collect mass and keep it
            ended = occupancy[:, list(absorbing)].sum(axis=1)
            assert ended[0] == 0 < ended[-1] and np.all(np.diff(ended) >= -1e-12)
    if absorbing:
        assert ended[-1] > 0.5  # the uniform policy's


def test_occupancy_on_a_real_level_keeps_the_goals_mass():
    maze = worlds.get("arrow-maze")
    level = maze.sample(1, "test", size=7)
    mdp = I.mdp_of(maze, level, ("reached_exit", "reached_arrow", "bumped_wall"))
    model = planners.default_oracle().model(maze, level)
    assert mdp.n_states == model.size + 1 and mdp.absorbing[-1] and mdp.absorbing[:-1].sum() == 1
    assert mdp.goal_features == ("reached_exit", "reached_arrow")
    occupancy = I.occupancy(mdp, I.soft_value_iteration(mdp, mdp.reward([3.0, 1.0, -1.0]), 30))
    assert occupancy.sum() == pytest.approx(30) and occupancy[-1, mdp.absorbing].sum() > 0.5


# ---- recovery of known weights ------------------------------------------------------


@pytest.mark.parametrize("absorbing", [(), (7, 12)])
def test_exact_expert_occupancy_recovers_the_weights(absorbing):
    mdp = grid_mdp(absorbing)
    demos = I.Demonstrations.exact(mdp, expert(mdp))
    np.testing.assert_allclose(
        demos.feature_counts, I.expected_feature_counts(mdp, expert(mdp)), rtol=1e-12
    )  # fmt: skip
    result = I.fit_irl([mdp], [demos], l2=0.0)
    assert cosine(result.theta, THETA) > 0.99
    np.testing.assert_allclose(result.theta, THETA, atol=1e-4)  # identified, scale included
    assert result.history[-1]["grad_norm"] < 1e-4 < result.history[0]["grad_norm"]
    assert result.history[-1]["loss"] < result.history[0]["loss"]
    assert list(result.weights) == ["f0", "f1", "f2", "f3"]
    assert np.linalg.norm(list(result.normalised.values())) == pytest.approx(1.0)


def test_two_hundred_sampled_trajectories_recover_the_weights():
    mdp = grid_mdp((12,))
    trajectories = I.sample_trajectories(mdp, expert(mdp), HORIZON, n=200, seed=1)
    result = I.fit_irl([mdp], [trajectories])
    assert cosine(result.theta, THETA) > 0.9
    adam = I.fit_irl([mdp], [trajectories], optimizer="adam", iterations=300, lr=0.05)
    assert cosine(adam.theta, THETA) > 0.9


def test_levels_pool_their_gradients():
    """Two MDPs with the same features, half the demonstrations on each."""
    first, second = grid_mdp(seed=0), grid_mdp(seed=1)
    demos = [I.sample_trajectories(m, expert(m), HORIZON, n=100, seed=2) for m in (first, second)]
    pooled = I.fit_irl([first, second], demos)
    assert cosine(pooled.theta, THETA) > 0.9
    loss, grad = I.irl_loss([first, second], demos, THETA)
    parts = [I.irl_loss([m], [d], THETA) for m, d in zip((first, second), demos)]
    assert loss == pytest.approx(np.mean([p[0] for p in parts]))
    np.testing.assert_allclose(grad, np.mean([p[1] for p in parts], axis=0))


# ---- the MCE gradient ----------------------------------------------------------------


def test_mce_gradient_is_zero_at_the_expert_weights():
    mdp = grid_mdp((7, 12))
    for temperature, discount in ((1.0, 1.0), (0.5, 1.0), (1.0, 0.9)):
        policy = I.soft_value_iteration(mdp, mdp.reward(THETA), HORIZON, temperature, discount)
        demos = I.Demonstrations.exact(mdp, policy, discount=discount)
        options = {"temperature": temperature, "discount": discount}
        _, grad = I.irl_loss([mdp], [demos], THETA, **options)
        np.testing.assert_allclose(grad, 0.0, atol=1e-10)
        theta, step = THETA + 0.3, 1e-6  # the discounted loss is the MCE dual: its gradient too
        _, grad = I.irl_loss([mdp], [demos], theta, **options)
        for k in range(4):
            bump = np.eye(4)[k] * step
            up = I.irl_loss([mdp], [demos], theta + bump, **options)[0]
            down = I.irl_loss([mdp], [demos], theta - bump, **options)[0]
            assert (up - down) / (2 * step) == pytest.approx(grad[k], abs=1e-6)


def test_mce_gradient_is_demonstrated_minus_expected_counts_and_matches_the_likelihood():
    mdp, temperature = grid_mdp((7, 12)), 0.7
    theta = np.array([0.3, 0.2, -0.4, 0.1])
    trajectories = I.sample_trajectories(mdp, expert(mdp), HORIZON, n=40, seed=3)
    # cut some short where they are not absorbed: agents with fewer steps to act
    trajectories = [
        I.Trajectory(t.states[:6], t.actions[:5]) if i % 3 == 0 and len(t.actions) > 5 else t
        for i, t in enumerate(trajectories)
    ]
    demos = I.Demonstrations.from_trajectories(mdp, trajectories, HORIZON)
    assert 5 in demos.horizons and HORIZON in demos.horizons
    loss, grad = I.irl_loss([mdp], [trajectories], theta, temperature=temperature, horizon=HORIZON)

    # the negative log-likelihood, each trajectory under its own horizon's policy
    nll, expected = 0.0, np.zeros(4)
    for length, share in demos.horizons.items():
        policy = I.soft_value_iteration(mdp, mdp.reward(theta), length, temperature)
        expected += share * I.expected_feature_counts(mdp, policy)
    for states, actions in trajectories:
        length = HORIZON if mdp.absorbing[states[-1]] or len(actions) == HORIZON else len(actions)
        policy = I.soft_value_iteration(mdp, mdp.reward(theta), length, temperature)
        nll -= sum(np.log(policy[t, s, a]) for t, (s, a) in enumerate(zip(states, actions)))
    assert loss == pytest.approx(nll / len(trajectories), rel=1e-10)

    counts = I.demonstration_counts(mdp, trajectories, HORIZON)
    np.testing.assert_allclose(grad, (expected - counts) / temperature, atol=1e-10)
    step = 1e-6
    for k in range(4):
        bump = np.eye(4)[k] * step
        up = I.irl_loss([mdp], [trajectories], theta + bump, temperature=temperature, horizon=HORIZON)[0]
        down = I.irl_loss([mdp], [trajectories], theta - bump, temperature=temperature, horizon=HORIZON)[0]
        assert (up - down) / (2 * step) == pytest.approx(grad[k], abs=1e-6)


# ---- the depth-limited planner model ----------------------------------------------------


def test_lookahead_values_are_what_the_depth_limited_oracle_acts_on():
    maze = worlds.get("arrow-maze")
    level = maze.sample(1, "test", size=9)
    names = ("reached_exit", "bumped_wall", "reached_arrow")
    weights = {"reached_exit": 1.0, "bumped_wall": -0.3, "reached_arrow": 0.5}
    objective = objectives.Objective(weights, {"reached_exit"}, discount=0.9)
    mdp = I.mdp_of(maze, level, names, goals=("reached_exit",))
    for depth in (1, 3, 6):
        _, q_values = planners.ValueIteration(horizon=depth).solve(maze, level, objective)
        ours = I.lookahead_q(mdp, mdp.reward(list(weights.values())), depth, discount=0.9)
        np.testing.assert_allclose(ours[:-1], q_values, atol=1e-12)


def test_depth_limited_gradient_matches_finite_differences():
    mdp = grid_mdp((12,))
    policy = I.depth_limited_policy(mdp, mdp.reward(THETA), 3)
    trajectories = I.sample_trajectories(mdp, policy, HORIZON, n=30, seed=4)
    theta = np.array([0.7, -0.2, 0.5, -0.9])
    options = {"planner_model": "depth-limited", "depth": 3, "temperature": 0.8}
    _, grad = I.irl_loss([mdp], [trajectories], theta, **options)
    step = 1e-6
    for k in range(4):
        bump = np.eye(4)[k] * step
        up = I.irl_loss([mdp], [trajectories], theta + bump, **options)[0]
        down = I.irl_loss([mdp], [trajectories], theta - bump, **options)[0]
        assert (up - down) / (2 * step) == pytest.approx(grad[k], abs=1e-6)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_depth_limited_model_recovers_a_depth_limited_planner(depth):
    mdp = grid_mdp((12,))
    policy = I.depth_limited_policy(mdp, mdp.reward(THETA), depth)
    assert policy.shape == (25, 5)
    sampled = I.sample_trajectories(mdp, policy, HORIZON, n=200, seed=5)
    fitted = I.fit_irl([mdp], [sampled], planner_model="depth-limited", depth=depth)
    assert cosine(fitted.theta, THETA) > 0.9
    exact = I.Demonstrations.exact(mdp, policy, HORIZON)
    fitted = I.fit_irl([mdp], [exact], planner_model="depth-limited", depth=depth, l2=0.0)
    assert cosine(fitted.theta, THETA) > 0.999
    assert fitted.objective.name == f"revealed (depth-limited, depth {depth})"


def test_the_right_planner_model_explains_a_myopic_planner_better():
    """Armstrong & Mindermann: rationalised as optimal, a myopic planner's
    behaviour reveals different weights, and explains it less well."""
    mdp = grid_mdp((12,))
    exact = I.Demonstrations.exact(mdp, I.depth_limited_policy(mdp, mdp.reward(THETA), 1), HORIZON)
    right = I.fit_irl([mdp], [exact], planner_model="depth-limited", depth=1, l2=0.0)
    wrong = I.fit_irl([mdp], [exact], planner_model="optimal", l2=0.0)
    assert cosine(right.theta, THETA) > 0.999 > cosine(wrong.theta, THETA)
    assert right.history[-1]["loss"] < wrong.history[-1]["loss"]  # both: cross-entropy per demonstration


# ---- revealed objectives on real levels -------------------------------------------------


def test_exit_seeker_on_test_mazes_reveals_the_exit():
    maze = worlds.get("arrow-maze")
    levels = [maze.sample(seed, "test", size=7) for seed in range(6)]
    names = ("reached_exit", "reached_arrow", "bumped_wall")
    revealed = {}
    for goal in ("exit", "arrow"):
        agent = planners.Agent(planners.ValueIteration(), goal)
        episodes = [planners.rollout(maze, level, agent, seed=0) for level in levels]
        revealed[goal] = I.irl(maze, levels, episodes, features=names)
    exit_seeker, arrow_seeker = revealed["exit"], revealed["arrow"]
    assert exit_seeker.weights["reached_exit"] > exit_seeker.weights["reached_arrow"]
    assert exit_seeker.weights["bumped_wall"] < 0
    assert arrow_seeker.weights["reached_arrow"] > arrow_seeker.weights["reached_exit"]
    # the exit-seeker walks through the arrow on some levels: the arrow did not end its
    # episode, so it is no goal of its model, and the fitted objective ends at the exit only
    assert exit_seeker.objective.terminal == {"reached_exit"}
    assert exit_seeker.objective.discount == 0.99
    episode = planners.rollout(
        maze, levels[0], planners.Agent(planners.ValueIteration(), exit_seeker.objective)
    )
    assert episode.achieved["exit"]


def test_reactive_key_seeker_reveals_keys_over_chests():
    chests_keys = worlds.get("chests-keys")
    assert I.default_features(chests_keys) == ("collected_key", "opened_chest")
    levels = [chests_keys.sample(seed, "test") for seed in range(12)]
    agent = planners.Agent(planners.Reactive(), None)
    episodes = [planners.rollout(chests_keys, level, agent, seed=0) for level in levels]
    result = I.irl(chests_keys, levels, episodes)
    assert result.weights["collected_key"] > result.weights["opened_chest"]
    assert result.objective.terminal == frozenset()  # no goals in this world


# ---- bad input ----------------------------------------------------------------------


def test_bad_input_gets_one_clear_line():
    maze = worlds.get("arrow-maze")
    level = maze.sample(0, "test", size=7)
    episode = planners.rollout(maze, level, planners.Agent(planners.ValueIteration(), "exit"))
    cases = [
        ({"planner_model": "greedy"}, "unknown planner model 'greedy'; valid planner models"),
        ({"planner_model": "depth-limited"}, "needs depth="),
        ({"planner_model": "depth-limited", "depth": 0}, "depth must be a positive integer"),
        ({"depth": 2}, "depth applies only to planner_model='depth-limited'"),
        ({"features": ("reached_moon",)}, "unknown arrow-maze feature 'reached_moon'"),
        ({"temperature": -1.0}, "temperature must be a positive number"),
        ({"optimizer": "sgd"}, "unknown optimizer 'sgd'"),
    ]
    for options, message in cases:
        with pytest.raises(InvalidParameterError, match=message) as error:
            I.irl(maze, [level], [episode], **options)
        assert "\n" not in str(error.value)
    for levels, episodes in (([], []), ([level], [[]])):
        with pytest.raises(InvalidParameterError, match="at least one episode"):
            I.irl(maze, levels, episodes)
    with pytest.raises(InvalidParameterError, match="1 levels but 2 episode lists"):
        I.irl(maze, [level], [episode, episode])
    with pytest.raises(InvalidParameterError, match="point-mass is continuous"):
        I.irl("point-mass", [None], [[]])
    with pytest.raises(InvalidParameterError, match="an episode of chests-keys"):
        other = worlds.get("chests-keys")
        I.irl(
            maze,
            [level],
            [planners.rollout(other, other.sample(0), planners.Agent(planners.Reactive(), None))],
        )
    mdp = grid_mdp()
    with pytest.raises(InvalidParameterError, match="starts in state 3"):
        I.fit_irl([mdp], [[([3, 4], [2])]])
    with pytest.raises(InvalidParameterError, match="does not follow the MDP at step 1"):
        I.fit_irl([mdp], [[([0, 7], [2])]])
    with pytest.raises(InvalidParameterError, match="a stationary policy"):
        I.occupancy(mdp, np.full((25, 5), 0.2))
