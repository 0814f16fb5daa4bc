"""The JAX planners' objective: `trajectory_return`'s two formulations
(rewards accumulated step by step for batched calls, computed after the scan
for single sequences) against the numba twin's episode return and against
each other's gradients. The world is reached only through its continuous
contract (`world.jax_dynamics`)."""

import functools

import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings

import worlds
from objectives import Objective, catalogue
from planners.jax_trajectory import ObjectiveArrays, trajectory_return

WORLD = worlds.get("point-mass")
DYNAMICS = WORLD.jax_dynamics
FEATURES = list(WORLD.features)
HORIZON = 40

levels = st.builds(
    lambda seed, split: WORLD.sample(seed=seed, split=split),
    st.integers(0, 30),
    st.sampled_from(["train", "test", "test-trap"]),
)
random_objectives = st.builds(
    lambda weights, terminal, step_cost, discount: Objective(
        dict(zip(FEATURES, weights)),
        terminal=frozenset(f for f, t in zip(FEATURES, terminal) if t),
        step_cost=step_cost,
        discount=discount,
    ),
    st.lists(st.floats(-2.0, 2.0), min_size=len(FEATURES), max_size=len(FEATURES)),
    st.lists(st.booleans(), min_size=len(FEATURES), max_size=len(FEATURES)),
    st.floats(0.0, 0.5),
    st.floats(0.8, 1.0),
)
catalogue_objectives = st.sampled_from(sorted(catalogue(WORLD))).map(lambda name: catalogue(WORLD)[name])
objectives = st.one_of(catalogue_objectives, random_objectives)


def _numba_episode_return(level, actions, objective):
    """The numba twin's episode, cut where the world or the objective ends
    it, scored by `BoundObjective.discounted_return`."""
    bound = objective.bind(WORLD)
    states, features = WORLD.simulate(level, WORLD.initial_state(level), actions)
    world_ended = len(features) < len(actions)
    fires = np.flatnonzero((features[:, bound.terminal != 0] != 0).any(axis=1))
    if len(fires):
        return bound.discounted_return(features[: fires[0] + 1]), True
    return bound.discounted_return(features), world_ended


def _arrays(level, objective):
    bound = objective.bind(WORLD)
    return (
        jnp.asarray(WORLD.arrays(level)),
        jnp.asarray(WORLD.initial_state(level)),
        ObjectiveArrays(*(jnp.asarray(a, dtype=jnp.float64) for a in ObjectiveArrays.of(bound))),
    )


def _value(actions, params, start, arrays, batched):
    return trajectory_return(DYNAMICS, params, start, actions, arrays, batched=batched)[0]


# module level, so hypothesis examples reuse one compilation each
_return = jax.jit(functools.partial(trajectory_return, DYNAMICS), static_argnames="batched")
_value_and_grad = jax.jit(jax.value_and_grad(_value), static_argnames="batched")


@settings(max_examples=40, deadline=None)
@given(levels, objectives, st.integers(0, 2**31 - 1), st.floats(0.5, 3.0))
def test_trajectory_return_is_the_numba_episode_return(level, objective, seed, scale):
    actions = np.random.default_rng(seed).uniform(-scale, scale, size=(HORIZON, 2))
    expected, expected_reached = _numba_episode_return(level, actions, objective)
    with jax.enable_x64(True):
        params, start, arrays = _arrays(level, objective)
        for batched in (True, False):
            value, reached = _return(params, start, jnp.asarray(actions), arrays, batched=batched)
            assert abs(float(value) - expected) <= 1e-9 * max(1.0, abs(expected)), batched
            assert bool(reached) == expected_reached, batched


@settings(max_examples=40, deadline=None)
@given(levels, objectives, st.integers(0, 2**31 - 1))
def test_both_formulations_have_the_same_gradient(level, objective, seed):
    # accelerations up to the bound and beyond: contacts, edges and clipping
    actions = np.random.default_rng(seed).uniform(-3.0, 3.0, size=(HORIZON, 2))
    with jax.enable_x64(True):
        params, start, arrays = _arrays(level, objective)
        actions = jnp.asarray(actions)
        value, grad = _value_and_grad(actions, params, start, arrays, batched=False)
        stepwise_value, stepwise_grad = _value_and_grad(actions, params, start, arrays, batched=True)
    assert abs(float(value) - float(stepwise_value)) <= 1e-9 * max(1.0, abs(float(stepwise_value)))
    np.testing.assert_allclose(np.asarray(grad), np.asarray(stepwise_grad), rtol=1e-7, atol=1e-9)
