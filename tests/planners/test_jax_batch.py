"""`plan_batch`: the JAX planners plan many levels in one call (`jax.vmap`
over the levels' arrays) and return what `plan` returns level by level, up to
float rounding."""

import jax
import numpy as np
import pytest

import worlds
from planners import CEM, MPPI, GradientPlanner

LEVELS = [(0, "train"), (1, "test"), (2, "test-trap"), (3, "train")]
MAKERS = {
    "gradient": lambda: GradientPlanner(restarts=1, iterations=20, execute=2),
    "gradient-restarts": lambda: GradientPlanner(restarts=3, iterations=20),
    "cem": lambda: CEM(samples=32, iterations=3),
    "mppi": lambda: MPPI(samples=32, iterations=2),
}


@pytest.fixture(scope="module")
def world():
    return worlds.get("point-mass")


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_a_batch_plans_what_plan_plans_level_by_level(world, name):
    levels = [world.sample(seed, split) for seed, split in LEVELS]
    # in float64: a one-restart batch runs the rollout's step-by-step form
    # (`trajectory_return`), whose float32 rounding Adam would carry along
    with jax.enable_x64(True):
        batch = MAKERS[name]().plan_batch(world, levels, "exit", rng=np.random.default_rng(5))
        # the same seeds: `plan_batch` draws them from the generator in level order
        single, generator = MAKERS[name](), np.random.default_rng(5)
        each = [single.plan(world, level, "exit", rng=generator) for level in levels]
    assert len(batch) == len(levels)
    for together, alone in zip(batch, each):
        np.testing.assert_allclose(together.stats["planned"], alone.stats["planned"], atol=1e-6)
        np.testing.assert_allclose(together.actions, alone.actions, atol=1e-6)
        assert together.value == pytest.approx(alone.value, rel=1e-6, abs=1e-6)
        assert together.complete == alone.complete
        assert together.stats["batch"] == len(levels) and not together.stats["warm_started"]
    # the levels differ, so the plans do: a batch is not one plan repeated
    assert len({round(plan.value, 3) for plan in batch}) == len(levels)


def test_a_batch_starts_where_it_is_told_and_keeps_no_warm_start(world):
    level = world.sample(0, "train")
    start = world.initial_state(level)
    states = np.stack([start, start + np.array([1.0, 0.0, 0.0, 0.0])])
    planner = GradientPlanner(restarts=1, iterations=10)
    with jax.enable_x64(True):
        plans = planner.plan_batch(world, [level, level], "exit", states=states, rng=np.random.default_rng(0))
        alone = GradientPlanner(restarts=1, iterations=10, warm_start=False)
        generator = np.random.default_rng(0)
        each = [alone.plan(world, level, "exit", state=state, rng=generator) for state in states]
    for together, single in zip(plans, each):
        assert together.value == pytest.approx(single.value, rel=1e-6)
    assert plans[0].value != pytest.approx(plans[1].value)
    assert not planner.plan(world, level, "exit").stats["warm_started"]


def test_an_empty_batch_is_no_plans(world):
    assert GradientPlanner().plan_batch(world, [], "exit") == []
