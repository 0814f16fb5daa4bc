"""Longest-first scheduling: the order a study's pending cells are handed to
the executor in, largest estimated cost first.

A pool finishes when its last cell does, so one long cell submitted late
leaves every other worker idle at the end (the arrow-maze study's MCTS cell
that loops for 2,116 steps is half of its serial time). Starting the longest
cells first lets the short ones fill in around them.

The estimate of a cell, in seconds where the store can tell:

- **learned**: where cells of the same agent on the same split (`group_key`:
  world, split, planner, budget, options, objective, step limit, overrides)
  have finished, the median of their wall seconds (`ResultStore.timings`);
- **modelled** otherwise: `work`, the planner's work per plan times the plans
  an episode may need on the cell's level (`level_size`), scaled to seconds by
  the median seconds per unit of work of the learned groups of the same
  planner, or of any planner, when there are any (else left in units: only
  the order matters).

Ties (every cell of one learned group) go to the larger level, then to the
study's own order, so the order is a deterministic function of the cells and
the store. Nothing here changes which cells run: only their order.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import statistics
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import worlds
from planners.registry import BUDGET_ARGUMENT, PLANNERS, planner_class
from studies.core.cells import Cell
from worlds import MesabaseError

#: distinct levels sampled to size the pending cells (about a millisecond each);
#: beyond this, each (world, split, overrides) is sized by its seed 0
MAX_SAMPLED_LEVELS = 1000


@dataclasses.dataclass(frozen=True)
class LevelSize:
    """What a cell's cost grows with: grid cells of its level (1 for a
    continuous level) and the episode's step limit."""

    cells: int
    max_steps: int


GroupKey = tuple[str, str, str, Any, str, str, Any, str]


def _json(value: Mapping[str, Any]) -> str:
    """The JSON text the store keeps for options and overrides."""
    return json.dumps(dict(value), sort_keys=True)


def group_key(cell: Cell) -> GroupKey:
    """The agent and split of a cell: every field but the seed (and the label)."""
    return (
        cell.world, cell.split, cell.planner, cell.budget, _json(dict(cell.options)), cell.objective,
        cell.max_steps, _json(dict(cell.overrides)),
    )  # fmt: skip


def _row_key(row: Mapping[str, Any]) -> GroupKey:
    """`group_key` of a stored row (options and overrides as the store's JSON text)."""
    return (
        row["world"], row["split"], row["planner"], row["budget"], _json(json.loads(row["options"])),
        row["objective"], row["max_steps"], _json(json.loads(row["overrides"])),
    )  # fmt: skip


@functools.lru_cache(maxsize=8192)
def _sample_size(world_name: str, split: str, seed: int, overrides: tuple, max_steps: int | None):
    world = worlds.get(world_name)
    level = world.sample(seed=seed, split=split, **dict(overrides))
    steps = max_steps if max_steps is not None else world.default_max_steps(level)
    return LevelSize(int(level.height * level.width), int(steps))


def level_size(cell: Cell, sample_seed: bool = True) -> LevelSize:
    """The size of the level a cell plays (sampled: levels are cheap to draw
    and deterministic); with `sample_seed` False, that of seed 0 of its split."""
    seed = cell.seed if sample_seed else 0
    try:
        return _sample_size(cell.world, cell.split, seed, cell.overrides, cell.max_steps)
    except (MesabaseError, TypeError, ValueError):  # a level that cannot be drawn fails in its cell
        return LevelSize(1, cell.max_steps or 1)


def _params(cell: Cell) -> dict[str, Any]:
    """The planner's constructor arguments: its defaults where its class is
    already imported (the JAX planners are not imported just to order cells),
    then the cell's options and budget."""
    entry = PLANNERS.get(cell.planner)
    if isinstance(entry, str) and entry.partition(":")[0] in sys.modules:
        entry = planner_class(cell.planner)
    params: dict[str, Any] = {}
    if isinstance(entry, type):
        for name, parameter in inspect.signature(entry.__init__).parameters.items():
            if parameter.default is not inspect.Parameter.empty:
                params[name] = parameter.default
    params.update(dict(cell.options))
    argument = BUDGET_ARGUMENT.get(cell.planner)
    if cell.budget is not None and argument is not None:
        params[argument] = cell.budget
    return params


def _number(params: Mapping[str, Any], name: str, default: float) -> float:
    value = params.get(name)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


# planner -> (work of one plan, plans per episode), from its parameters and the level;
# rough on purpose: they only rank cells whose agents have no timings yet
_PlanCost = Callable[[Mapping[str, Any], LevelSize], float]
_WORK: dict[str, tuple[_PlanCost, _PlanCost]] = {
    # A* expands at most every cell, and plans once unless its plan is cut short
    "astar": (lambda p, s: min(s.cells, _number(p, "max_expansions", s.cells)), lambda p, s: 1.0),
    # MCTS: simulations of up to `depth` steps per plan, one plan per step
    "mcts": (
        lambda p, s: _number(p, "simulations", 1000) * _number(p, "depth", 100),
        lambda p, s: s.max_steps,
    ),
    # value iteration: sweeps over every state (the horizon, or ~ a thousand sweeps to converge)
    "value-iteration": (lambda p, s: s.cells * _number(p, "horizon", 1000), lambda p, s: 1.0),
    "reactive": (lambda p, s: 1.0, lambda p, s: s.max_steps),
    "gradient": (
        lambda p, s: _number(p, "iterations", 100) * _number(p, "restarts", 8) * _number(p, "horizon", 50),
        lambda p, s: s.max_steps / max(1.0, _number(p, "execute", 1)),
    ),
    "cem": (
        lambda p, s: _number(p, "samples", 256) * _number(p, "iterations", 8) * _number(p, "horizon", 50),
        lambda p, s: s.max_steps / max(1.0, _number(p, "execute", 1)),
    ),
    "mppi": (
        lambda p, s: _number(p, "samples", 256) * _number(p, "horizon", 50),
        lambda p, s: s.max_steps / max(1.0, _number(p, "execute", 1)),
    ),
}


def work(cell: Cell, size: LevelSize) -> float:
    """A cell's modelled cost in units of work (roughly: states touched),
    at least 1: the planner's work per plan times its plans in an episode of
    ``size.max_steps`` steps. An unknown planner plans once per step."""
    per_plan, plans = _WORK.get(cell.planner, (lambda p, s: s.cells, lambda p, s: s.max_steps))
    params = _params(cell)
    return max(1.0, float(per_plan(params, size)) * float(plans(params, size)))


def learned_seconds(timings: Iterable[Mapping[str, Any]]) -> dict[GroupKey, float]:
    """Per `group_key`, the median wall seconds of its finished cells
    (`timings`: the store's rows, `studies.core.store.ResultStore.timings`)."""
    seconds: dict[GroupKey, list[float]] = {}
    for row in timings:
        if row.get("wall_seconds") is not None:
            seconds.setdefault(_row_key(row), []).append(float(row["wall_seconds"]))
    return {key: statistics.median(values) for key, values in seconds.items()}


def estimates(cells: Sequence[Cell], learned: Mapping[GroupKey, float]) -> list[tuple[float, float]]:
    """Per cell, (estimated seconds or units, modelled work): the learned
    median of its group, else its modelled work scaled by the median seconds
    per unit of the learned groups among `cells` of the same world and
    planner (of any, when there are none)."""
    distinct = {(c.world, c.split, c.seed, c.overrides, c.max_steps) for c in cells}
    sample_seed = len(distinct) <= MAX_SAMPLED_LEVELS
    units = [work(cell, level_size(cell, sample_seed)) for cell in cells]
    by_group: dict[GroupKey, list[float]] = {}
    for cell, unit in zip(cells, units):
        by_group.setdefault(group_key(cell), []).append(unit)
    # seconds per unit of each learned group; units compare best within a planner
    rates: dict[tuple[str, str], list[float]] = {}
    for key, group_units in by_group.items():
        if key in learned:
            rates.setdefault((key[0], key[2]), []).append(learned[key] / statistics.median(group_units))
    everywhere = [rate for values in rates.values() for rate in values]
    out = []
    for cell, unit in zip(cells, units):
        key = group_key(cell)
        if key in learned:
            out.append((learned[key], unit))
            continue
        near = rates.get((cell.world, cell.planner)) or everywhere
        out.append((unit * (statistics.median(near) if near else 1.0), unit))
    return out


def order_longest_first(cells: Iterable[Cell], store=None) -> list[Cell]:
    """`cells` (duplicates dropped), largest estimated cost first; `store` (a
    `ResultStore`, or None) supplies the timings of finished cells. The same
    cells and store always give the same order."""
    cells = list(dict.fromkeys(cells))
    learned = learned_seconds(store.timings()) if store is not None else {}
    keyed = estimates(cells, learned)
    order = sorted(range(len(cells)), key=lambda i: (-keyed[i][0], -keyed[i][1], i))
    return [cells[i] for i in order]
