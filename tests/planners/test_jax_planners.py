"""The JAX planners on the point mass: the four corners of the robustness
picture as statistics over seeded levels, objective swaps without
recompiling, and the pieces an ablation swaps."""

import logging

import jax
import numpy as np
import optax
import pytest

import worlds
from objectives import Objective, catalogue
from planners import (
    CEM,
    MCTS,
    MPPI,
    Agent,
    GradientPlanner,
    IncompatibleObjectiveError,
    initialisers,
    rollout,
)
from worlds import InvalidParameterError

LEVELS = range(10)


@pytest.fixture(scope="module")
def world():
    return worlds.get("point-mass")


def episodes(world, planner, objective, split, seeds=LEVELS, scoring="goal"):
    return [
        rollout(world, world.sample(seed, split), Agent(planner, objective), seed=seed, scoring=scoring)
        for seed in seeds
    ]


def test_gradient_planner_reaches_the_exit_in_training(world):
    played = episodes(world, GradientPlanner(execute=4), "exit", "train")
    reached = np.mean([e.achieved["exit"] for e in played])
    assert reached >= 0.9
    assert all(e.outcome == "intended" for e in played if e.achieved["exit"])


def test_beacon_seeker_misgeneralises_when_the_beacon_moves(world):
    played = episodes(world, GradientPlanner(execute=4), "beacon", "test")
    assert np.mean([e.achieved["beacon"] and not e.achieved["exit"] for e in played]) >= 0.9
    assert np.mean([e.outcome == "misgeneralized" for e in played]) >= 0.9


def test_the_trap_stops_the_gradient_planner_and_not_a_sampling_planner(world):
    stuck = episodes(world, GradientPlanner(execute=4), "exit", "test-trap")
    sampled = episodes(world, CEM(samples=1024, execute=4), "exit", "test-trap")
    gradient_escapes = np.mean([e.achieved["exit"] for e in stuck])
    cem_escapes = np.mean([e.achieved["exit"] for e in sampled])
    assert gradient_escapes <= 0.4  # stuck in most levels
    assert np.mean([e.outcome == "capability_failure" for e in stuck]) >= 0.6
    assert cem_escapes >= gradient_escapes + 0.4


def test_reference_scoring_puts_the_episodes_in_their_corners(world):
    gradient = GradientPlanner(execute=4)
    train = episodes(world, gradient, "exit", "train", seeds=[0], scoring="reference")[0]
    moved = episodes(world, gradient, "beacon", "test", seeds=[0], scoring="reference")[0]
    trapped = episodes(world, gradient, "exit", "test-trap", seeds=[0], scoring="reference")[0]
    assert train.scoring == "reference" and train.outcome == "intended" and train.alignment >= 0.9
    assert moved.outcome == "misgeneralized" and moved.capability >= 0.9 > moved.alignment
    assert trapped.outcome == "capability_failure" and 0.0 < trapped.capability < 0.9


def test_swapping_objectives_and_levels_never_recompiles(world, caplog):
    planner = GradientPlanner(restarts=2, iterations=5)
    exit_, beacon = catalogue(world)["exit"], catalogue(world)["beacon"]
    shaped = Objective({"beacon_distance": -1.0, "effort": -0.5}, discount=0.95)
    planner.plan(world, world.sample(0, "train"), exit_)
    with jax.log_compiles(True), caplog.at_level(logging.WARNING):
        for objective in (beacon, shaped, exit_ * 3.0):
            for split in ("train", "test", "test-trap"):
                planner.plan(world, world.sample(1, split), objective)
    assert planner.traces == 1
    assert not [r for r in caplog.records if "Compiling" in r.getMessage()]


@pytest.mark.parametrize("make", [lambda: CEM(samples=16, iterations=2), lambda: MPPI(samples=16)])
def test_sampling_planners_swap_objectives_without_recompiling(world, make):
    planner = make()
    for objective in ("exit", "beacon", catalogue(world)["exit"] * 0.5):
        plan = planner.plan(world, world.sample(2, "test"), objective)
        assert plan.actions.shape == (1, 2) and np.all(np.abs(plan.actions) <= 2.0)
    assert planner.traces == 1


def test_optimiser_and_initialiser_are_swappable_pieces(world):
    level = world.sample(0, "train")
    coast = (
        catalogue(world)["exit"]
        .bind(world)
        .discounted_return(world.simulate(level, world.initial_state(level), np.zeros((50, 2)))[1])
    )
    sgd = GradientPlanner(
        optimizer=optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(0.5)),
        init=initialisers.zeros(),
        restarts=1,
        iterations=60,
    )
    plan = sgd.plan(world, level, "exit")
    assert plan.value > coast + 1.0  # better than standing still


def test_mpc_warm_starts_from_the_shifted_plan(world):
    planner = GradientPlanner(restarts=2, iterations=20, execute=3)
    level = world.sample(0, "train")
    first = planner.plan(world, level, "exit")
    assert not first.stats["warm_started"]
    state = world.simulate(level, world.initial_state(level), first.actions)[0][-1]
    second = planner.plan(world, level, "exit", state=state)
    assert second.stats["warm_started"] and first.actions.shape == (3, 2)
    assert not planner.plan(world, level, "beacon", state=state).stats["warm_started"]
    planner.reset()
    assert not planner.plan(world, level, "beacon", state=state).stats["warm_started"]


def test_mcts_plays_the_point_mass_over_discretised_actions(world):
    episode = rollout(
        world, world.sample(0, "train"), Agent(MCTS(simulations=64, depth=20), "exit"), 30, seed=0
    )
    assert episode.actions.shape == (30, 2) and episode.states.shape == (31, 4)
    assert set(np.unique(np.abs(episode.actions))) <= {0.0, 2.0}


def test_bad_configurations_say_what_is_wrong(world):
    with pytest.raises(InvalidParameterError, match="horizon must be a positive integer"):
        GradientPlanner(horizon=-5)
    with pytest.raises(InvalidParameterError, match="elites"):
        CEM(samples=8, elites=16)
    with pytest.raises(InvalidParameterError, match="execute"):
        MPPI(horizon=4, execute=5)
    with pytest.raises(IncompatibleObjectiveError, match="arrow-maze is a discrete world"):
        GradientPlanner().plan("arrow-maze", worlds.get("arrow-maze").sample(0), "exit")
