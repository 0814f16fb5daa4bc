"""The MCTS task: one decision on a 31 x 31 arrow maze, ours against mctx.

Every implementation searches the ``"exit"`` objective (reward 1 on entering
the exit, which ends the episode; discount 0.99) with the same budget of
simulations, a horizon of 100 steps and uniformly random rollouts, and returns
its chosen first action. ``"mesabase"`` is classic UCT (mean backups), the
like-for-like peer of mctx; ``"mesabase-max"`` is our default max backup. The
mctx searches (`benchmarks.mctx_peer`) run one tree on the CPU.

Where the search starts: the maze's own start is 152 steps from the exit on
the test maze, beyond the 100-step horizon, so no search there sees a reward
and every first action is as good as any other: nothing to check. The checked
problems (``start="exit"``, the default) start instead on the corridor cell
next to the exit along the start's shortest path. That is the start where all
agree reliably (every seed we tried, 64 to 4096 simulations). Further away,
2 to 12 steps from the exit, the mctx searches pick a shortest-path first
action in only 25-95 % of decisions, more simulations barely helping (a
detour or a wall bump costs a step, 1 % of the value at discount 0.99, within
their rollout noise), and ours in 85-100 %. Once found, the exit takes most
simulations there: ours end on the exit edge, mctx descends into the
terminal node's subtree, so that start times the trees more than the
rollouts. ``start="maze"`` keeps the maze's start, for timing with
full-length rollouts; its check only asserts that the actions are valid.

    problem = problem("quick")                # 256 simulations, start by the exit
    run = implementations["mctx-muzero"].prepare(problem)   # compiles
    check(problem, {"mctx-muzero": run()})
"""

from __future__ import annotations

import dataclasses

import numpy as np

from benchmarks.registry import Implementation
from worlds import Level
from worlds.arrow_maze import kernels as k

SIZE, DEPTH = 31, 100
SCALES = {"quick": 256, "full": 1024}
STARTS = ("exit", "maze")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One decision: `simulations` from `start` (row, column) on `level`.

    Attributes:
        good_actions: the first actions on a shortest path to the exit.
        checked: whether `check` asserts that every choice is a good action
            (False where the exit lies beyond the horizon).
    """

    level: Level
    start: tuple[int, int]
    simulations: int
    depth: int
    good_actions: frozenset[int]
    checked: bool

    @property
    def exit_distance(self) -> int:
        return int(self.level.grid[k.EXIT_DISTANCE][self.start])


def _world():
    import worlds

    return worlds.get("arrow-maze")


def good_actions(level: Level, cell: tuple[int, int]) -> frozenset[int]:
    """The actions from `cell` into a cell one step nearer the exit."""
    distance = level.grid[k.EXIT_DISTANCE]
    tiles = level.grid[k.TILES]
    good = set()
    for action in range(k.N_ACTIONS):
        r, c = cell[0] + int(k.ROW_STEP[action]), cell[1] + int(k.COL_STEP[action])
        inside = 0 <= r < tiles.shape[0] and 0 <= c < tiles.shape[1]
        if inside and tiles[r, c] != k.WALL and distance[r, c] == distance[cell] - 1:
            good.add(action)
    return frozenset(good)


def next_to_exit(level: Level) -> tuple[int, int]:
    """The cell one step from the exit on a shortest path from the level's start
    (the first good action at each step, in the order up, right, down, left)."""
    cell = (int(level.params[k.START_R]), int(level.params[k.START_C]))
    while level.grid[k.EXIT_DISTANCE][cell] > 1:
        action = min(good_actions(level, cell))
        cell = (cell[0] + int(k.ROW_STEP[action]), cell[1] + int(k.COL_STEP[action]))
    return cell


def timing_problem(scale: str | int) -> Problem:
    """The problem `benchmarks.ratios` times: the maze's own start, 152 steps
    from the exit. Next to the exit (the checked problem) our search stops at
    the terminal exit while mctx keeps growing a subtree under it, which
    flatters us; from the start both spend their budget on rollouts."""
    return problem(scale, start="maze")


def problem(scale: str | int, start: str = "exit") -> Problem:
    """``"quick"``: 256 simulations, ``"full"``: 1024, an int: that many; all on
    the 31 x 31 test maze (seed 0). `start`: ``"exit"`` (checked) or ``"maze"``."""
    simulations = SCALES[scale] if isinstance(scale, str) else int(scale)
    if start not in STARTS:
        raise ValueError(f"start must be one of {', '.join(STARTS)}, got {start!r}")
    level = _world().sample(seed=0, split="test", size=SIZE)
    if start == "exit":
        cell = next_to_exit(level)
    else:
        cell = (int(level.params[k.START_R]), int(level.params[k.START_C]))
    exit_distance = int(level.grid[k.EXIT_DISTANCE][cell])
    return Problem(
        level=level,
        start=cell,
        simulations=simulations,
        depth=DEPTH,
        good_actions=good_actions(level, cell),
        checked=start == "exit" and exit_distance <= DEPTH,
    )


def check(problem: Problem, results: dict[str, int]) -> None:
    for name, action in results.items():
        assert action in range(k.N_ACTIONS), f"{name} chose {action!r}, not an action"
        if problem.checked:
            assert action in problem.good_actions, (
                f"{name} chose action {action} from {problem.start} (exit {problem.exit_distance} steps "
                f"away) with {problem.simulations} simulations; the shortest paths start with "
                f"{sorted(problem.good_actions)}"
            )


def _prepare_mesabase(backup: str):
    def prepare(problem: Problem):
        from planners import MCTS

        world = _world()
        planner = MCTS(simulations=problem.simulations, depth=problem.depth, backup=backup, rollout="random")
        state = np.array(problem.start, dtype=np.int64)
        planner.plan(world, problem.level, "exit", state=state)  # compile / load, size the buffers

        def run() -> int:
            return int(planner.plan(world, problem.level, "exit", state=state).actions[0])

        return run

    return prepare


def _search(problem: Problem, policy: str):
    from benchmarks.mctx_peer import MctxSearch

    return MctxSearch(problem.level, problem.simulations, problem.depth, policy, start=problem.start)


def _prepare_mctx(policy: str):
    def prepare(problem: Problem):
        search = _search(problem, policy)
        search.compile()
        search()  # the first call's one-off costs outside the timing

        def run() -> int:
            return search()[0]

        return run

    return prepare


def compile_seconds(problem: Problem, policy: str = "muzero") -> float:
    """Seconds to trace, lower and compile the mctx search for `problem`
    (``"muzero"`` or ``"gumbel"``), measured afresh, past JAX's caches."""
    return _search(problem, policy).compile(fresh=True)


IMPLEMENTATIONS = [
    Implementation("mesabase", ours=True, prepare=_prepare_mesabase("mean")),
    Implementation("mesabase-max", ours=True, prepare=_prepare_mesabase("max")),
    Implementation("mctx-muzero", ours=False, prepare=_prepare_mctx("muzero"), requires="mctx"),
    Implementation("mctx-gumbel", ours=False, prepare=_prepare_mctx("gumbel"), requires="mctx"),
]

RATIOS = {
    "mcts_vs_mctx": ("mesabase", "mctx-muzero"),
    "mcts_vs_mctx_gumbel": ("mesabase", "mctx-gumbel"),
}

SCALING = (
    "simulations",
    [64, 256],  # quick: each new count is a new mctx compile (several seconds)
    [64, 256, 1024, 4096, 8192],
    ["mesabase", "mctx-muzero", "mctx-gumbel"],
)
