"""The states a check looks at: the levels it samples, every reachable state
of a discrete level (by the reference dynamics) and seeded random walks.

No hypothesis here (it is a test extra): walks come from
``numpy.random.default_rng`` seeded by the world, split and level seed.
"""

from __future__ import annotations

import functools
import zlib
from collections import deque
from collections.abc import Iterator

import numpy as np

from studies.worldcheck.core import Settings
from worlds import Level, World


def levels(world: World, settings: Settings) -> Iterator[tuple[str, int, Level]]:
    """(split, seed, level) for every split and each of `settings.seeds()`."""
    for split in world.splits:
        for seed in settings.seeds():
            yield split, seed, world.sample(seed, split)


def walk_rng(world: World, split: str, seed: int) -> np.random.Generator:
    """The generator of a level's random walks: one stream per (world, split, seed)."""
    return np.random.default_rng([seed, zlib.crc32(f"{world.name}/{split}".encode())])


@functools.lru_cache(maxsize=64)
def reachable_states(world: World, split: str, seed: int) -> tuple[tuple[int, ...], ...]:
    """Every state reachable from the start of level (`seed`, `split`) of the
    discrete `world`, sorted, by the reference dynamics. Cached per world
    object (worlds hash by identity), so a world whose reference is broken
    never shares an entry with the registered one."""
    graph = world.to_networkx(world.sample(seed, split), reference=True)
    return tuple(sorted(graph.nodes))


def steps_to_event(world: World, level: Level, states, event: str) -> dict[tuple[int, ...], float]:
    """Fewest transitions from each of `states` up to and including one that
    fires `event` (inf where none can), by the reference dynamics: what an
    admissible `heuristic` with that goal must never exceed."""
    index = world.feature_index(event)
    predecessors: dict[tuple[int, ...], list] = {s: [] for s in states}
    steps = {s: np.inf for s in states}
    for state in states:
        if world.reference_terminal(level, state):
            continue
        for action in range(len(world.actions)):
            nxt = world.reference_step(level, state, action)
            if world.reference_features(level, state, action, nxt)[index] != 0:
                steps[state] = 1.0
            elif nxt in predecessors:
                predecessors[nxt].append(state)
    frontier = deque(s for s in states if steps[s] == 1.0)
    while frontier:  # breadth-first backwards from the firing transitions
        state = frontier.popleft()
        for before in predecessors[state]:
            if steps[before] == np.inf:
                steps[before] = steps[state] + 1
                frontier.append(before)
    return steps
