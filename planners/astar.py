"""A*: optimal shortest plans to a goal objective, with a real-time fallback."""

from __future__ import annotations

import time

import numpy as np

from objectives import Objective
from planners import astar_kernel as ak
from planners import corridor_astar_kernel as ck
from planners import grid_astar_kernel as gk
from planners.base import IncompatibleObjectiveError, Plan, PlannerBase, refuse_continuous, resolve
from planners.hashtable import KeyTable
from planners.limits import checked_bool, checked_int
from planners.trajectory import plan_return
from worlds import GridNavigation, Level, World
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


def grid_problem(world: World, level: Level, bound, start: np.ndarray):
    """``(walls, moves, reverse, targets, tile_rewards)`` for the grid kernels
    when the level is plain grid navigation and every terminal feature of the
    objective fires on entering a known tile; None when only the generic
    kernel applies. ``tile_rewards`` maps each target tile to the summed
    weight of the features that entering it fires."""
    nav = world.navigation(level)
    if nav is None or nav.walls.size > gk.MAX_CELLS or len(nav.moves) > gk.MAX_ACTIONS:
        return None
    kinds: dict[tuple[int, int], int] = {}
    tile_rewards: dict[tuple[int, int], float] = {}
    for name, weight, terminal in zip(bound.feature_names, bound.weights, bound.terminal, strict=True):
        if terminal == 0.0:
            continue
        if name not in nav.event_tiles:
            return None
        kind = gk.GOAL if weight > 0.0 else gk.PRUNED
        tile = nav.event_tiles[name]
        kinds[tile] = min(kinds.get(tile, kind), kind)
        tile_rewards[tile] = tile_rewards.get(tile, 0.0) + float(weight)
    for tile in nav.terminal_tiles:
        kinds.setdefault(tile, gk.DEAD_END)
    if (int(start[0]), int(start[1])) in kinds:
        return None  # starting on a target tile is an edge case left to the generic kernel
    rows = [(r, c, kind) for (r, c), kind in sorted(kinds.items())]
    targets = np.array(rows, dtype=np.int64).reshape(-1, 3)
    offsets = [tuple(move) for move in nav.moves.tolist()]
    reverse = [offsets.index((-dr, -dc)) if (-dr, -dc) in offsets else -1 for dr, dc in offsets]
    return nav.walls, nav.moves, np.array(reverse, dtype=np.int64), targets, tile_rewards


def self_loop_goals(nav: GridNavigation | None, objective: Objective) -> bool:
    """Whether a move that leaves the state unchanged (a bump, a sweep of
    clean floor) might fire one of `objective`'s goals on a level whose grid
    navigation is `nav` (``world.navigation(level)``). False only when every
    goal feature fires on entering its tile (`GridNavigation.event_tiles`),
    which staying put never does; the generic kernel then skips such moves
    untested."""
    if nav is None:
        return True
    goals = [f for f, w in objective.weights.items() if w > 0 and f in objective.terminal]
    return any(goal not in nav.event_tiles for goal in goals)


def grid_plan_value(
    bound, moves: np.ndarray, tile_rewards, start: np.ndarray, actions, complete: bool
) -> float:
    """The objective's return along a grid kernel's plan, without stepping it.

    Exact by construction of the grid search: a goal objective rewards only
    terminal features, every one of them fires on entering its tile, and a
    plan enters no target tile but, when complete, its last cell. So the
    return is the discounted step costs plus, on the last step, the weights
    of the features its goal tile fires. The tests check it against
    simulating the plan through the world's kernels.
    """
    steps = len(actions)
    gamma = bound.discount
    discounted_steps = steps if gamma == 1.0 else (1.0 - gamma**steps) / (1.0 - gamma)
    value = -bound.step_cost * discounted_steps
    if complete and steps:
        end = start[:2] + moves[actions].sum(axis=0)
        value += gamma ** (steps - 1) * tile_rewards.get((int(end[0]), int(end[1])), 0.0)
    return float(value)


class _GridWorkspace:
    """Per-cell buffers of the grid kernels, kept between calls (each search
    leaves ``cell_code`` as it found it)."""

    def __init__(self, cells: int, entries: int, max_heuristic: int):
        self.cell_code = np.empty(cells, dtype=np.int32)
        self.cell_degree = np.empty(cells, dtype=np.uint8)
        self.level: Level | None = None  # the level whose walls cell_code marks
        self.actions = np.empty(cells, dtype=np.int64)
        # f = g + h is at most the number of cells plus the largest heuristic
        self.head = np.empty(cells + max_heuristic + 2, dtype=np.int32)
        self.entry_node = np.empty(entries, dtype=np.int32)
        self.entry_next = np.empty(entries, dtype=np.int32)
        self.stats = np.zeros(3, dtype=np.int64)

    def prepare(self, level: Level, walls: np.ndarray, moves: np.ndarray) -> None:
        """Mark the walls and open-neighbour counts of `level`, unless the last
        search was on it too (levels are immutable, so the marks still hold)."""
        if self.level is not level:
            gk.mark_walls(walls, self.cell_code)
            ck.mark_degrees(walls, moves, self.cell_degree)
            self.level = level

    def fits(self, cells: int, entries: int) -> bool:
        return self.cell_code.shape[0] == cells and self.entry_node.shape[0] >= entries


class _Workspace:
    """Search buffers kept between calls, grown when a search runs out."""

    def __init__(self, capacity: int, state_size: int, num_features: int, key_bound: int):
        self.capacity = capacity
        self.node_state = np.empty((capacity, state_size), dtype=np.int64)
        self.node_parent = np.empty(capacity, dtype=np.int64)
        self.node_action = np.empty(capacity, dtype=np.int64)
        self.node_g = np.empty(capacity)
        self.node_h = np.empty(capacity)
        self.node_closed = np.empty(capacity, dtype=np.bool_)
        # f of a node is at most its depth plus its heuristic, and a node is
        # pushed once per improvement of its g; grown on demand if either runs out.
        self.head = np.empty(2 * capacity + 64, dtype=np.int64)
        self.entry_node = np.empty(4 * capacity, dtype=np.int64)
        self.entry_next = np.empty(4 * capacity, dtype=np.int64)
        self.cursor = np.zeros(3, dtype=np.int64)
        self.keys = KeyTable(capacity, key_bound)
        self.states = np.empty((2, state_size), dtype=np.int64)
        self.masks = np.empty((3, num_features), dtype=np.float64)
        self.stats = np.zeros(3, dtype=np.int64)

    def fits(self, capacity: int, state_size: int, num_features: int, key_bound: int) -> bool:
        return (
            self.capacity >= capacity
            and self.node_state.shape[1] == state_size
            and self.masks.shape[1] == num_features
            and self.keys.fits(capacity, key_bound)
        )


class AStar(PlannerBase):
    """A* over the world kernels for goal objectives.

    Args:
        max_expansions: the budget; None for unbounded. When it runs out the
            plan leads to the most promising frontier node (lowest f, then
            the latest generated) and is marked incomplete; an agent executes it and
            replans from there (real-time search).
        specialise: on levels that are plain grid navigation (see
            `worlds.GridNavigation`), use the grid kernel, which returns the
            same plan with less memory traffic; False forces the generic one.
        jump_corridors: with `specialise` and no budget, walk each corridor in
            one step (`planners.corridor_astar_kernel`): the same path lengths
            and values, far fewer expansions; ties may pick another of the
            equally short paths.

    Every step costs 1 and the heuristic is the world's admissible bound, so a
    complete plan is a shortest path to the nearest goal. The open list is a
    bucket queue over whole-number f, and ties on f go to the node generated
    last (depth first), which keeps the frontier short on mazes.
    """

    name = "astar"
    #: a budget (max expansions) small enough for a conformance test
    small_budget = 200

    def __init__(
        self, max_expansions: int | None = None, specialise: bool = True, jump_corridors: bool = True
    ):
        if max_expansions is not None:
            max_expansions = checked_int("AStar", "max_expansions", max_expansions, limit="expansions")
        self.max_expansions = max_expansions
        self.specialise = checked_bool("AStar", "specialise", specialise)
        self.jump_corridors = checked_bool("AStar", "jump_corridors", jump_corridors)
        self._workspace: _Workspace | None = None
        self._grid_workspace: _GridWorkspace | None = None
        self._last_self_loop_goals: tuple[Level, Objective, bool] | None = None

    def __repr__(self) -> str:
        return f"AStar(max_expansions={self.max_expansions})"

    def check(self, world: World, objective: Objective) -> None:
        refuse_continuous(self, world)
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
        grid = grid_problem(world, level, bound, start) if self.specialise else None
        if grid is None:
            status, actions, stats = self._search(world, level, problem.objective, bound, start, budget)
            kernel = "generic"
            value = plan_return(world, level, start, actions, bound)
        else:
            walls, moves, reverse, targets, tile_rewards = grid
            status, actions, stats, kernel = self._search_grid(
                level, walls, moves, reverse, targets, start, budget
            )
            value = grid_plan_value(bound, moves, tile_rewards, start, actions, status == ak.FOUND)
        seconds = time.perf_counter() - began
        return Plan(
            actions=actions,
            value=value,
            complete=status == ak.FOUND,
            stats={
                "expansions": int(stats[ak.EXPANSIONS]),
                "generated": int(stats[ak.GENERATED]),
                "status": ("found", "budget_exhausted", "no_path")[status],
                "kernel": kernel,
                "rollout_steps": 0,
                "seconds": seconds,
            },
        )

    def _self_loop_goals(self, world: World, level: Level, objective: Objective) -> bool:
        """`self_loop_goals` on `level`, kept for the last level and objective
        planned for (both immutable; a rollout replans with the same pair)."""
        last = self._last_self_loop_goals
        if last is None or last[0] is not level or last[1] is not objective:
            last = self._last_self_loop_goals = (
                level,
                objective,
                self_loop_goals(world.navigation(level), objective),
            )
        return last[2]

    def _capacity(self, world: World, level: Level) -> int:
        capacity = max(64, world.capacity_hint(level) + 1)
        if self.max_expansions is not None:
            capacity = min(capacity, 4 * self.max_expansions * len(world.actions) + 64)
        return capacity

    def _search(self, world, level, objective, bound, start, budget):
        capacity = self._capacity(world, level)
        keys_below = key_bound(world.world_id, level.grid, level.params)
        while True:
            ws = self._workspace
            shape = (capacity, world.state_size, len(world.features), keys_below)
            if ws is None or not ws.fits(*shape):
                ws = self._workspace = _Workspace(*shape)
            status, node = ak.astar_search(
                world.world_id, level.grid, level.params, start, bound.weights, bound.terminal, budget,
                self._self_loop_goals(world, level, objective),
                ws.node_state, ws.node_parent, ws.node_action, ws.node_g, ws.node_h, ws.node_closed,
                ws.head, ws.entry_node, ws.entry_next, ws.cursor,
                ws.keys.rows, ws.keys.begin(), ws.keys.hashed, ws.states, ws.masks, ws.stats,
            )  # fmt: skip
            if status != ak.OUT_OF_MEMORY:
                break
            capacity = 2 * ws.capacity
        actions = np.empty(0, dtype=np.int64)
        if node >= 0:
            out = np.empty(int(ws.node_g[node]) + 1, dtype=np.int64)
            actions = out[: ak.trace_actions(ws.node_parent, ws.node_action, node, out)].copy()
        return status, actions, ws.stats

    def _search_grid(self, level, walls, moves, reverse, targets, start, budget):
        height, width = walls.shape
        cells = height * width
        entries = max(64, min(cells, 4 * budget + 64) if budget >= 0 else cells)
        while True:
            ws = self._grid_workspace
            if ws is None or not ws.fits(cells, entries):
                ws = self._grid_workspace = _GridWorkspace(cells, entries, height + width)
            ws.prepare(level, walls, moves)
            kernel = "corridors" if budget < 0 and self.jump_corridors and (reverse >= 0).all() else "grid"
            if kernel == "corridors":
                status, length = ck.corridor_astar_search(
                    height, width, moves, reverse, int(start[0]), int(start[1]), targets, ws.cell_code,
                    ws.cell_degree, ws.head, ws.entry_node, ws.entry_next, ws.actions, ws.stats,
                )  # fmt: skip
            else:
                status, length = gk.grid_astar_search(
                    height, width, moves, reverse, int(start[0]), int(start[1]), targets, budget,
                    ws.cell_code, ws.head, ws.entry_node, ws.entry_next, ws.actions, ws.stats,
                )  # fmt: skip
            if status != ak.OUT_OF_MEMORY:
                break
            entries = 2 * ws.entry_node.shape[0]
        return status, ws.actions[:length].copy(), ws.stats, kernel
