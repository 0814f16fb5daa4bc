"""The MCTS task: one decision on a 31 x 31 arrow maze, ours against mctx.

Every implementation searches the ``"exit"`` objective (reward 1 on entering
the exit, which ends the episode; discount 0.99) with the same budget of
simulations per tree, the same horizon and the same uniformly random rollouts
(over the moves that change the cell), and returns its chosen first action
(one per tree).

Ours, one tree per call:

- ``"mesabase"``: classic UCT (mean backups) with the transposition table
  (the default): a simulation that steps into a known state keeps selecting
  instead of rolling out, so it rolls out far less than mctx;
- ``"mesabase-tree"``: mean backups, ``transpositions=False``: a plain tree,
  one new node and one rollout to the horizon per simulation, the work mctx
  does (the equal-work comparison);
- ``"mesabase-max"``: our default max backup, with transpositions.

mctx (`benchmarks.mctx_peer`), jitted, on the CPU: ``"mctx-muzero"`` and
``"mctx-gumbel"`` search one tree per call; ``"mctx-muzero-16"``,
``"mctx-muzero-64"`` and ``"mctx-gumbel-16"`` search a batch of 16 or 64
trees per `muzero_policy` / `gumbel_muzero_policy` call, as mctx is meant to
be used, each tree with the full budget from the same root.

`work` counts the simulations of a run (trees x simulations), so every ratio
is per simulation; as both sides run the same simulations per tree it is also
the ratio per tree. ``*_equal_work`` ratios pit ``"mesabase-tree"`` against
the peer, the others ``"mesabase"``.

Two problems. The checked one (`problem`, ``start="horizon"``) has a known
answer: the corridor cell 3 steps from the exit on the maze start's shortest
path, with a horizon of 3 steps, so only one first action (right, along the
corridor; the other move leads away) reaches the exit within the horizon and
every other action is worth exactly 0. Every implementation, every tree of a
batch, must choose it: at 256 simulations all did in 300 of our decisions and
320 mctx trees per policy, with and without transpositions. (A horizon of 4
there is already a coin toss for the plain trees at 256 simulations, ours 92 %
and mctx MuZero 87 %: the tree needs 340 nodes to cover every path, and a
random rollout finds the exit 1 time in 8 or fewer.) The timed one
(`timing_problem`, ``start="maze"``) starts at the maze's own start, 152
steps from the exit, with a horizon of 100: nothing to find, so every
rollout runs to the horizon on both sides and the work per simulation is the
same; its check only asserts that the actions are valid.

    problem = problem("quick")                # 256 simulations, the known answer
    run = implementations["mctx-muzero-16"].prepare(problem)   # compiles
    check(problem, {"mctx-muzero-16": run()})  # 16 actions, all must be right
"""

from __future__ import annotations

import dataclasses

import numpy as np

from benchmarks.registry import Implementation
from worlds import Level
from worlds.arrow_maze import kernels as k

SIZE, DEPTH = 31, 100
#: the checked problem: its start's distance to the exit, which is also its horizon
HORIZON_DISTANCE = 3
SCALES = {"quick": 256, "full": 1024}
STARTS = ("horizon", "maze")
#: mctx trees per call, by implementation
BATCHES = {
    "mctx-muzero": 1,
    "mctx-gumbel": 1,
    "mctx-muzero-16": 16,
    "mctx-muzero-64": 64,
    "mctx-gumbel-16": 16,
}


@dataclasses.dataclass(frozen=True)
class Problem:
    """One decision: `simulations` per tree from `start` (row, column) on
    `level`, with a horizon of `depth` steps.

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


def on_the_way(level: Level, steps: int) -> tuple[int, int]:
    """The cell `steps` from the exit on a shortest path from the level's start
    (the first good action at each step, in the order up, right, down, left)."""
    cell = (int(level.params[k.START_R]), int(level.params[k.START_C]))
    while level.grid[k.EXIT_DISTANCE][cell] > steps:
        action = min(good_actions(level, cell))
        cell = (cell[0] + int(k.ROW_STEP[action]), cell[1] + int(k.COL_STEP[action]))
    return cell


def timing_problem(scale: str | int) -> Problem:
    """The problem `benchmarks.ratios` times: the maze's own start, 152 steps
    from the exit, horizon 100; every rollout runs the whole horizon."""
    return problem(scale, start="maze")


def problem(scale: str | int, start: str = "horizon") -> Problem:
    """``"quick"``: 256 simulations, ``"full"``: 1024, an int: that many; all on
    the 31 x 31 test maze (seed 0). `start`: ``"horizon"`` (the known answer,
    checked) or ``"maze"`` (timed)."""
    simulations = SCALES[scale] if isinstance(scale, str) else int(scale)
    if start not in STARTS:
        raise ValueError(f"start must be one of {', '.join(STARTS)}, got {start!r}")
    level = _world().sample(seed=0, split="test", size=SIZE)
    if start == "horizon":
        cell, depth = on_the_way(level, HORIZON_DISTANCE), HORIZON_DISTANCE
    else:
        cell, depth = (int(level.params[k.START_R]), int(level.params[k.START_C])), DEPTH
    return Problem(
        level=level,
        start=cell,
        simulations=simulations,
        depth=depth,
        good_actions=good_actions(level, cell),
        checked=int(level.grid[k.EXIT_DISTANCE][cell]) <= depth,
    )


def check(problem: Problem, results: dict[str, int | np.ndarray]) -> None:
    """Every action valid; on a checked problem every choice (every tree of a
    batch) a good action, so ours and the peers agree on the known answer."""
    for name, result in results.items():
        actions = np.atleast_1d(np.asarray(result))
        assert actions.size >= 1 and np.isin(actions, range(k.N_ACTIONS)).all(), (
            f"{name} chose {result!r}, not actions"
        )
        if problem.checked:
            wrong = [int(a) for a in actions if int(a) not in problem.good_actions]
            assert not wrong, (
                f"{name} chose {wrong} in {len(wrong)} of {actions.size} trees from {problem.start} "
                f"(exit {problem.exit_distance} steps away, horizon {problem.depth}) with "
                f"{problem.simulations} simulations; only {sorted(problem.good_actions)} reach the exit"
            )


def work(problem: Problem, name: str) -> int:
    """Simulations per run: trees per call times simulations per tree."""
    return BATCHES.get(name, 1) * problem.simulations


def _prepare_mesabase(backup: str, transpositions: bool = True):
    def prepare(problem: Problem):
        from planners import MCTS

        world = _world()
        planner = MCTS(
            simulations=problem.simulations,
            depth=problem.depth,
            backup=backup,
            rollout="random",
            transpositions=transpositions,
        )
        state = np.array(problem.start, dtype=np.int64)
        planner.plan(world, problem.level, "exit", state=state)  # compile / load, size the buffers

        def run() -> int:
            return int(planner.plan(world, problem.level, "exit", state=state).actions[0])

        return run

    return prepare


def _search(problem: Problem, policy: str, batch: int = 1):
    from benchmarks.mctx_peer import MctxSearch

    return MctxSearch(
        problem.level, problem.simulations, problem.depth, policy, start=problem.start, batch=batch
    )


def _prepare_mctx(policy: str, batch: int):
    def prepare(problem: Problem):
        search = _search(problem, policy, batch)
        search.compile()
        search()  # the first call's one-off costs outside the timing

        def run() -> int | np.ndarray:
            actions = search()[0]
            return int(actions[0]) if batch == 1 else actions

        return run

    return prepare


def compile_seconds(problem: Problem, policy: str = "muzero") -> float:
    """Seconds to trace, lower and compile the mctx search for `problem`
    (``"muzero"`` or ``"gumbel"``, one tree), measured afresh, past JAX's caches."""
    return _search(problem, policy).compile(fresh=True)


IMPLEMENTATIONS = [
    Implementation("mesabase", ours=True, prepare=_prepare_mesabase("mean")),
    Implementation("mesabase-tree", ours=True, prepare=_prepare_mesabase("mean", transpositions=False)),
    Implementation("mesabase-max", ours=True, prepare=_prepare_mesabase("max")),
    *(
        Implementation(name, ours=False, prepare=_prepare_mctx(name.split("-")[1], batch), requires="mctx")
        for name, batch in BATCHES.items()
    ),
]


def _ratio(peer: str, equal_work: bool) -> tuple[str, str, str]:
    """(ours, peer, description) of a per-simulation ratio against `peer`."""
    policy = "Gumbel MuZero" if "gumbel" in peer else "MuZero"
    ours = "ours a plain tree (equal work)" if equal_work else "ours with transpositions"
    description = f"per simulation; mctx {policy}, {BATCHES[peer]} tree(s) per call; {ours}"
    return ("mesabase-tree" if equal_work else "mesabase", peer, description)


RATIOS = {
    "mcts_vs_mctx": _ratio("mctx-muzero", False),
    "mcts_vs_mctx_gumbel": _ratio("mctx-gumbel", False),
    "mcts_vs_mctx_equal_work": _ratio("mctx-muzero", True),
    "mcts_vs_mctx_gumbel_equal_work": _ratio("mctx-gumbel", True),
    "mcts_vs_mctx_batched16": _ratio("mctx-muzero-16", False),
    "mcts_vs_mctx_batched16_equal_work": _ratio("mctx-muzero-16", True),
    "mcts_vs_mctx_batched64": _ratio("mctx-muzero-64", False),
    "mcts_vs_mctx_batched64_equal_work": _ratio("mctx-muzero-64", True),
    "mcts_vs_mctx_gumbel_batched16_equal_work": _ratio("mctx-gumbel-16", True),
}

SCALING = (
    "simulations",
    [64, 256],  # quick: each new count is a new mctx compile (several seconds)
    [64, 256, 1024, 4096, 8192],
    ["mesabase", "mesabase-tree", "mctx-muzero", "mctx-gumbel"],
)
