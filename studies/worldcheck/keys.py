"""Keys and the heuristic over the states a planner meets: keys unique,
non-negative and under `key_bound` over every reachable state, and the
heuristic never above the true number of steps to a goal event."""

from __future__ import annotations

import numpy as np

from studies.worldcheck.core import CheckFailed, CheckSkipped, Settings, register
from studies.worldcheck.probes import kernel_heuristic, kernel_key, kernel_key_bound, require_id
from studies.worldcheck.states import levels, reachable_states, steps_to_event, walk_rng


def _continuous_states(world, level, split: str, seed: int, steps: int) -> np.ndarray:
    """``float64[T+1, S]``: a seeded random walk by the world's own `simulate`."""
    actions = walk_rng(world, split, seed).integers(len(world.actions), size=steps)
    states, _ = world.simulate(level, world.initial_state(level), actions)
    return states


@register("keys", "keys are unique, non-negative and under key_bound over every reachable state")
def keys_unique_and_bounded(world, settings: Settings) -> str:
    require_id(world)
    total = 0
    for split, seed, level in levels(world, settings):
        where = f"{world.name} {split} seed {seed}"
        if world.continuous:
            walk = _continuous_states(world, level, split, seed, settings.continuous_walk_length)
            states = list(dict.fromkeys(tuple(s) for s in walk.tolist()))
        else:
            states = reachable_states(world, split, seed)
            hint = world.capacity_hint(level)
            if len(states) > hint:
                raise CheckFailed(f"{where}: {len(states)} reachable states, over capacity_hint {hint}")
        keys = [kernel_key(world, level, state) for state in states]
        seen: dict[int, tuple] = {}
        for state, key in zip(states, keys):
            if key < 0:
                raise CheckFailed(f"{where}: state {state} has negative key {key}")
            if key in seen:
                raise CheckFailed(f"{where}: states {seen[key]} and {state} share key {key}")
            seen[key] = state
        bound = kernel_key_bound(world, level)
        if bound >= 0 and max(keys) >= bound:
            state = states[int(np.argmax(keys))]
            raise CheckFailed(f"{where}: state {state} has key {max(keys)}, not under key_bound {bound}")
        total += len(states)
    what = "distinct walk states" if world.continuous else "reachable states (reference BFS)"
    return f"{total} {what} have distinct keys within key_bound"


@register("heuristic", "the heuristic never overestimates the steps to a goal event")
def heuristic_admissible(world, settings: Settings) -> str:
    require_id(world)
    if not world.events:
        raise CheckSkipped("the world declares no events, so no objective has a goal to bound")
    checked = 0
    for split, seed, level in levels(world, settings):
        for event in world.events:
            goal = np.zeros(len(world.features))
            goal[world.feature_index(event)] = 1.0
            if world.continuous:  # no exact step counts: only the sign can be checked
                states = _continuous_states(world, level, split, seed, settings.continuous_walk_length)
                bounds = {tuple(s): np.inf for s in states.tolist()}
            else:
                states = reachable_states(world, split, seed)
                bounds = steps_to_event(world, level, states, event)
            for state, steps in bounds.items():
                value = kernel_heuristic(world, level, state, goal)
                if not 0 <= value <= steps:
                    raise CheckFailed(
                        f"{world.name} {split} seed {seed}, state {state}: heuristic towards {event!r} is "
                        f"{value:g}, but the reference needs {steps:g} step(s)"
                    )
                checked += 1
    if world.continuous:
        return f"{checked} (state, event) pairs non-negative (continuous: no exact step counts to bound)"
    return f"{checked} (state, event) pairs within the exact steps to the event"
