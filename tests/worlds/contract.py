"""What the world-contract suite checks with: the registered worlds and
splits, kernel calls through `worlds.dispatch`, reachable states and the
sections of a world's module docstring.

Everything here is generic: a world registered in `worlds.registry` is picked
up by `WORLDS` and `WORLD_SPLITS` with no test edit.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from collections import deque

import numpy as np

import worlds
from worlds import dispatch

WORLDS = worlds.names()
WORLD_SPLITS = [(name, split) for name in WORLDS for split in worlds.get(name).splits]
DISCRETE_WORLD_SPLITS = [(name, split) for name, split in WORLD_SPLITS if not worlds.get(name).continuous]
CONTINUOUS_WORLD_SPLITS = [(name, split) for name, split in WORLD_SPLITS if worlds.get(name).continuous]
#: STYLE.md item 11: Minigrid's environment sections, plus Features and Splits
DOCSTRING_SECTIONS = (
    "Description",
    "Action Space",
    "Rewards",
    "Termination",
    "Registered Configurations",
    "Features",
    "Splits",
)
#: how close the numba kernels of a continuous world stay to its reference
#: (tests/worlds/test_point_mass.py holds the JAX twin to the same 1e-9)
CONTINUOUS_TOLERANCE = 1e-9


@dataclasses.dataclass(frozen=True)
class KernelTransition:
    """One transition as the dispatch kernels compute it.

    Attributes:
        next_state: the successor in the world's own state form (``int64[S]``
            for a discrete world, ``float64[S]`` for a continuous one).
        features: ``float64[K]`` with every feature computed (all-ones mask).
        masked: ``float64[K]`` computed with `mask` ``bool[K]``.
        mask: which features the masked call asked for.
    """

    next_state: np.ndarray
    features: np.ndarray
    masked: np.ndarray
    mask: np.ndarray


def kernel_transition(world, level, state, action: int, mask_seed: int) -> KernelTransition:
    """`state` under action index `action` through `worlds.dispatch`; the
    masked feature call asks for a pattern chosen by `mask_seed`."""
    words = world.kernel_state(state)
    out = np.empty(world.state_size, dtype=np.int64)
    dispatch.step(world.world_id, level.grid, level.params, words, action, out)
    n = len(world.features)
    features = np.empty(n)
    dispatch.features(world.world_id, level.grid, level.params, words, action, out, np.ones(n), features)
    mask = (np.arange(n) + mask_seed) % 2 == 0
    masked = np.empty(n)
    dispatch.features(world.world_id, level.grid, level.params, words, action, out, mask * 1.0, masked)
    return KernelTransition(world.state_from_kernel(out).copy(), features, masked, mask)


def kernel_terminal(world, level, state) -> bool:
    return bool(dispatch.terminal(world.world_id, level.grid, level.params, world.kernel_state(state)))


def kernel_key(world, level, state) -> int:
    return int(dispatch.key(world.world_id, level.grid, level.params, world.kernel_state(state)))


def kernel_key_bound(world, level) -> int:
    return int(dispatch.key_bound(world.world_id, level.grid, level.params))


@functools.lru_cache(maxsize=64)
def reachable_states(name: str, split: str, seed: int) -> tuple[tuple[int, ...], ...]:
    """Every state reachable from the start of level (`seed`, `split`) of
    the discrete world `name`, sorted, by the reference dynamics."""
    world = worlds.get(name)
    return tuple(sorted(world.to_networkx(world.sample(seed, split), reference=True).nodes))


def steps_to_event(world, level, states, event: str) -> dict[tuple[int, ...], float]:
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


def docstring_sections(world) -> dict[str, str]:
    """Section title -> body of the docstring of the module that defines
    `world`'s class. A title is a line that starts in the first column (after
    the one-line summary); its body is the indented lines below it."""
    text = sys.modules[type(world).__module__].__doc__ or ""
    sections: dict[str, str] = {}
    title = None
    for line in text.splitlines()[1:]:
        if line and not line[0].isspace():
            title = line.strip()
            sections[title] = ""
        elif title is not None:
            sections[title] += line.strip() + "\n"
    return sections


def section(sections: dict[str, str], name: str) -> str | None:
    """The body of the section titled `name` (a title may go on, as in
    ``Features (per transition, ...)``), or None when there is none."""
    for title, body in sections.items():
        if re.match(rf"{re.escape(name)}\b", title):
            return body
    return None
