"""A*: optimal shortest plans to a goal objective, with a real-time fallback."""

from __future__ import annotations

import time

import numpy as np

from objectives import Objective
from planners import astar_kernel as ak
from planners.base import IncompatibleObjectiveError, Plan, resolve
from planners.hashtable import KeyTable
from planners.trajectory import simulate
from worlds import InvalidParameterError, Level, World
from worlds.dispatch import key_bound


def goal_objective_problem(objective: Objective) -> str | None:
    """Why `objective` is not a goal objective A* can serve, or None if it is.

    A goal objective rewards only terminal features, all with the same positive
    weight, and has a non-negative step cost; shortest paths to any of its
    goals then maximise its return.
    """
    goals = {f: w for f, w in objective.weights.items() if f in objective.terminal and w > 0}
    if not goals:
        return "has no terminal feature with a positive weight"
    if len(set(goals.values())) > 1:
        return f"values its goals differently ({goals})"
    rewarded = sorted(f for f, w in objective.weights.items() if w != 0 and f not in objective.terminal)
    if rewarded:
        return f"rewards non-terminal features {rewarded}"
    if objective.step_cost < 0:
        return f"pays for living (step_cost {objective.step_cost} < 0)"
    return None


class _Workspace:
    """Search buffers kept between calls, grown when a search runs out."""

    def __init__(self, capacity: int, state_size: int, key_bound: int):
        self.capacity = capacity
        self.node_state = np.empty((capacity, state_size), dtype=np.int64)
        self.node_parent = np.empty(capacity, dtype=np.int64)
        self.node_action = np.empty(capacity, dtype=np.int64)
        self.node_g = np.empty(capacity)
        self.node_h = np.empty(capacity)
        self.node_closed = np.empty(capacity, dtype=np.bool_)
        heap = 4 * capacity
        self.heap_f, self.heap_h = np.empty(heap), np.empty(heap)
        self.heap_node = np.empty(heap, dtype=np.int64)
        self.keys = KeyTable(capacity, key_bound)
        self.stats = np.zeros(3, dtype=np.int64)

    def fits(self, capacity: int, state_size: int, key_bound: int) -> bool:
        return (
            self.capacity >= capacity
            and self.node_state.shape[1] == state_size
            and self.keys.fits(capacity, key_bound)
        )


class AStar:
    """A* over the world kernels for goal objectives.

    Args:
        max_expansions: the budget; None for unbounded. When it runs out the
            plan leads to the most promising frontier node (lowest f, then
            lowest h) and is marked incomplete; an agent executes it and
            replans from there (real-time search).

    Every step costs 1 and the heuristic is the world's admissible bound, so a
    complete plan is a shortest path to the nearest goal. Ties on f go to the
    smaller h.
    """

    name = "astar"

    def __init__(self, max_expansions: int | None = None):
        if max_expansions is not None and (
            not isinstance(max_expansions, (int, np.integer)) or max_expansions < 1
        ):
            raise InvalidParameterError(
                f"AStar max_expansions must be a positive integer or None, got {max_expansions!r}"
            )
        self.max_expansions = max_expansions
        self._workspace: _Workspace | None = None

    def __repr__(self) -> str:
        return f"AStar(max_expansions={self.max_expansions})"

    def check(self, world: World, objective: Objective) -> None:
        problem = goal_objective_problem(objective)
        if problem is not None:
            raise IncompatibleObjectiveError(
                f"A* needs a goal objective, and {objective.name!r} {problem}; "
                "use reach(...) or a planner that serves general objectives"
            )
        objective.bind(world)

    def plan(
        self,
        world: World | str,
        level: Level,
        objective: Objective | str,
        state: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> Plan:
        problem = resolve(self, world, level, objective, state)
        world, bound, start = problem.world, problem.bound, problem.start
        budget = -1 if self.max_expansions is None else int(self.max_expansions)
        began = time.perf_counter()
        capacity = max(64, world.capacity_hint(level) + 1)
        if self.max_expansions is not None:
            capacity = min(capacity, 4 * self.max_expansions * len(world.actions) + 64)
        keys_below = key_bound(world.world_id, level.grid, level.params)
        while True:
            ws = self._workspace
            if ws is None or not ws.fits(capacity, world.state_size, keys_below):
                ws = self._workspace = _Workspace(capacity, world.state_size, keys_below)
            status, node = ak.astar_search(
                world.world_id, level.grid, level.params, start, bound.weights, bound.terminal, budget,
                ws.node_state, ws.node_parent, ws.node_action, ws.node_g, ws.node_h, ws.node_closed,
                ws.heap_f, ws.heap_h, ws.heap_node, ws.keys.rows, ws.keys.begin(), ws.keys.hashed, ws.stats,
            )  # fmt: skip
            if status != ak.OUT_OF_MEMORY:
                break
            capacity = 2 * ws.capacity
        actions = np.empty(0, dtype=np.int64)
        if node >= 0:
            out = np.empty(int(ws.node_g[node]) + 1, dtype=np.int64)
            actions = out[: ak.trace_actions(ws.node_parent, ws.node_action, node, out)].copy()
        seconds = time.perf_counter() - began
        _, feats = simulate(world, level, start, actions)
        return Plan(
            actions=actions,
            value=bound.discounted_return(feats),
            complete=status == ak.FOUND,
            stats={
                "expansions": int(ws.stats[ak.EXPANSIONS]),
                "generated": int(ws.stats[ak.GENERATED]),
                "status": ("found", "budget_exhausted", "no_path")[status],
                "rollout_steps": 0,
                "seconds": seconds,
            },
        )
