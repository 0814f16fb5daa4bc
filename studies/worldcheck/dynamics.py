"""Kernels against the plain-Python reference: the same successors, features
and ends along seeded random walks over every split, and masked feature calls
that compute exactly the asked-for features.

`discrete_disagreement` and `continuous_disagreement` compare one walk and
say where it first goes wrong; the checks below call them on seeded walks,
and a test may call them on walks that hypothesis draws.
"""

from __future__ import annotations

import numpy as np

from studies.worldcheck.core import CheckFailed, Settings, register
from studies.worldcheck.probes import kernel_terminal, kernel_transition, require_id
from studies.worldcheck.states import levels, reachable_states, walk_rng
from worlds import Level, World
from worlds.python_kernels import PythonKernels

#: how close the numba kernels of a continuous world stay to its reference
CONTINUOUS_TOLERANCE = 1e-9


def _where(world: World, level: Level, state, action: int | None = None) -> str:
    place = f"{world.name} {level.split} seed {level.seed}, state {tuple(np.asarray(state).tolist())}"
    return place if action is None else f"{place}, action {action} ({world.actions[action]})"


def _terminal_disagreement(world: World, level: Level, state) -> str | None:
    """Whether the kernels and the reference disagree on `terminal` at `state`, in one line."""
    kernel_end, reference_end = kernel_terminal(world, level, state), world.reference_terminal(level, state)
    if kernel_end != reference_end:
        return f"{_where(world, level, state)}: kernel terminal {kernel_end}, reference {reference_end}"
    return None


def discrete_disagreement(world: World, level: Level, state, picks) -> str | None:
    """Walk from `state` (``int64[S]``), taking action ``pick % A`` by the
    reference for each of `picks`; at every state compare `terminal`, and for
    every action `step` and `features` (all-ones mask), kernels against the
    reference. The first disagreement in one line, or None."""
    state = np.asarray(state, dtype=np.int64)
    for pick in picks:
        if problem := _terminal_disagreement(world, level, state):
            return problem
        for action in range(len(world.actions)):
            got = kernel_transition(world, level, state, action, mask_seed=0)
            expected = world.reference_step(level, state, action)
            if tuple(got.next_state.tolist()) != tuple(expected):
                return (
                    f"{_where(world, level, state, action)}: kernel step {tuple(got.next_state.tolist())}, "
                    f"reference {tuple(expected)}"
                )
            want = tuple(world.reference_features(level, state, action, expected))
            if tuple(got.features.tolist()) != want:
                where = _where(world, level, state, action)
                return f"{where}: kernel features {got.features.tolist()}, reference {list(want)}"
        state = np.array(world.reference_step(level, state, int(pick) % len(world.actions)), dtype=np.int64)
    return None


def continuous_disagreement(world: World, level: Level, picks) -> str | None:
    """Walk from the start, action ``pick % A`` for each of `picks`, along the
    reference; the kernels' `terminal` must agree and their `step` and
    `features` stay within `CONTINUOUS_TOLERANCE`. The first disagreement, or None."""
    state = np.asarray(world.initial_state(level), dtype=np.float64)
    for pick in picks:
        if problem := _terminal_disagreement(world, level, state):
            return problem
        action = int(pick) % len(world.actions)
        got = kernel_transition(world, level, state, action, mask_seed=0)
        expected = np.asarray(world.reference_step(level, state, action), dtype=np.float64)
        gap = float(np.max(np.abs(got.next_state - expected)))
        if not gap <= CONTINUOUS_TOLERANCE:
            return (
                f"{_where(world, level, state, action)}: kernel step differs from the reference by {gap:.3g}"
            )
        want = np.asarray(world.reference_features(level, state, action, expected), dtype=np.float64)
        gap = float(np.max(np.abs(got.features - want)))
        if not gap <= CONTINUOUS_TOLERANCE:
            where = _where(world, level, state, action)
            return f"{where}: kernel features differ from the reference by {gap:.3g}"
        state = expected
    return None


def walks(world: World, settings: Settings):
    """(level, start state, picks ``int64[L]``) for every seeded walk the
    checks take: `settings.walks` per level; a discrete walk starts at a
    random reachable state, a continuous one at the start."""
    length = settings.continuous_walk_length if world.continuous else settings.walk_length
    for split, seed, level in levels(world, settings):
        rng = walk_rng(world, split, seed)
        states = None if world.continuous else reachable_states(world, split, seed)
        for _ in range(settings.walks):
            if states is None:
                start = world.initial_state(level)
            else:
                start = np.array(states[rng.integers(len(states))], dtype=np.int64)
            yield level, start, rng.integers(0, 2**31, size=length)


@register("kernels-match-reference", "kernels equal the reference on seeded random walks over every split")
def kernels_match_reference(world: World, settings: Settings) -> str:
    require_id(world)
    count = 0
    for level, start, picks in walks(world, settings):
        if world.continuous:
            problem = continuous_disagreement(world, level, picks)
        else:
            problem = discrete_disagreement(world, level, start, picks)
        if problem:
            raise CheckFailed(problem)
        count += len(picks)
    tolerance = f" within {CONTINUOUS_TOLERANCE:g}" if world.continuous else " exactly"
    summary = f"{count} states on {len(world.splits)} split(s) agree{tolerance}"
    if isinstance(world.kernels, PythonKernels):  # no numba kernels yet
        summary += " (no numba kernels: dispatch runs the Python reference itself)"
    return summary


@register("masked-features", "a masked features call computes exactly the asked-for features, 0 elsewhere")
def masked_features(world: World, settings: Settings) -> str:
    require_id(world)
    count = 0
    for level, start, picks in walks(world, settings):
        state = start
        for pick in picks:
            for action in range(len(world.actions)):
                for mask_seed in (0, 1):  # every other feature, then the complement
                    got = kernel_transition(world, level, state, action, mask_seed)
                    expected = np.where(got.mask, got.features, 0.0)
                    if not np.array_equal(got.masked, expected):
                        asked = [f for f, m in zip(world.features, got.mask) if m]
                        raise CheckFailed(
                            f"{_where(world, level, state, action)}: asked for {asked}, got "
                            f"{got.masked.tolist()}, expected {expected.tolist()}"
                        )
                count += 1
            state = world.reference_step(level, state, int(pick) % len(world.actions))
    return f"{count} transitions, two complementary masks each"
