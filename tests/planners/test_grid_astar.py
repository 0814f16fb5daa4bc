"""The grid-specialised A* kernel against the generic one: same plans, same
counts, on seeded levels, every kind of goal objective, budgets and starts."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objectives import Objective, reach
from planners import AStar
from planners import astar_kernel as ak
from planners import grid_astar_kernel as gk
from planners.astar import grid_problem

OBJECTIVES = {
    "exit": "exit",
    "arrow": "arrow",
    "either": reach("exit") + reach("arrow"),
    # entering the arrow ends this objective's episode for nothing: pruned
    "exit, arrow forbidden": Objective({"reached_exit": 1.0}, {"reached_exit", "reached_arrow"}),
    "costly exit": Objective({"reached_exit": 2.0}, {"reached_exit"}, step_cost=0.1, discount=0.9),
}


def both(maze, level, objective, budget=None, state=None):
    grid = AStar(max_expansions=budget, jump_corridors=False).plan(maze, level, objective, state=state)
    generic = AStar(max_expansions=budget, specialise=False).plan(maze, level, objective, state=state)
    return grid, generic


def assert_same(grid, generic):
    assert grid.actions.tolist() == generic.actions.tolist()
    assert grid.complete == generic.complete
    assert grid.value == pytest.approx(generic.value, rel=1e-12, abs=1e-12)
    for stat in ("expansions", "generated", "status"):
        assert grid.stats[stat] == generic.stats[stat], stat


@pytest.mark.parametrize("split", ["train", "test"])
@pytest.mark.parametrize("name", list(OBJECTIVES))
def test_grid_kernel_matches_generic_kernel(maze, split, name):
    for seed in range(25):
        level = maze.sample(seed, split)
        grid, generic = both(maze, level, OBJECTIVES[name])
        assert grid.stats["kernel"] == "grid" and generic.stats["kernel"] == "generic"
        assert_same(grid, generic)
        corridors = AStar().plan(maze, level, OBJECTIVES[name])
        assert corridors.stats["kernel"] == "corridors"
        assert_equally_good(corridors, generic)


def assert_equally_good(plan, reference):
    """Same length, value and status; the path may be another shortest one."""
    assert len(plan.actions) == len(reference.actions)
    assert plan.complete == reference.complete and plan.stats["status"] == reference.stats["status"]
    assert plan.value == pytest.approx(reference.value, rel=1e-12, abs=1e-12)
    assert plan.stats["expansions"] <= reference.stats["expansions"]


@settings(max_examples=60)
@given(
    seed=st.integers(0, 10_000),
    budget=st.one_of(st.none(), st.integers(1, 40)),
    name=st.sampled_from(sorted(OBJECTIVES)),
    start_index=st.integers(0, 10_000),
)
def test_grid_kernel_matches_generic_kernel_from_any_start_and_budget(maze, seed, budget, name, start_index):
    level = maze.sample(seed, "test", size=15)
    floor = np.argwhere(level.grid[0] == 0)
    state = floor[start_index % len(floor)].astype(np.int64)
    grid, generic = both(maze, level, OBJECTIVES[name], budget=budget, state=state)
    assert_same(grid, generic)
    if budget is None:
        assert_equally_good(AStar().plan(maze, level, OBJECTIVES[name], state=state), generic)


def test_objectives_with_a_terminal_feature_off_the_grid_use_the_generic_kernel(maze):
    level = maze.sample(0, "test")
    bumping_ends = Objective({"reached_exit": 1.0}, {"reached_exit", "bumped_wall"})
    assert AStar().plan(maze, level, bumping_ends).stats["kernel"] == "generic"


def test_running_out_of_queue_entries_is_reported_and_leaves_the_cells_clean(maze):
    level = maze.sample(3, "test", size=41)
    walls, moves, reverse, targets, _ = grid_problem(
        maze, level, reach("exit").bind(maze), maze.initial_state(level)
    )
    cells = walls.size
    code = np.empty(cells, dtype=np.int32)
    gk.mark_walls(walls, code)
    marked = code.copy()
    head = np.empty(cells + 100, dtype=np.int32)
    entries = np.empty(4, dtype=np.int32), np.empty(4, dtype=np.int32)
    actions, stats = np.empty(cells, dtype=np.int64), np.zeros(3, dtype=np.int64)
    start = maze.initial_state(level)
    status, length = gk.grid_astar_search(
        *walls.shape,
        moves,
        reverse,
        int(start[0]),
        int(start[1]),
        targets,
        -1,
        code,
        head,
        *entries,
        actions,
        stats,
    )
    assert status == ak.OUT_OF_MEMORY and length == 0
    assert (code == marked).all()


def test_a_planner_reuses_its_cells_across_searches_and_levels(maze):
    planner = AStar()
    level, other = maze.sample(4, "test", size=31), maze.sample(5, "test", size=31)
    first = planner.plan(maze, level, "exit")
    planner.plan(maze, level, "arrow")
    planner.plan(maze, level, "exit", state=np.array([1, 1]))
    marked = np.empty(level.grid[0].size, dtype=np.int32)
    gk.mark_walls(level.grid[0], marked)
    assert (planner._grid_workspace.cell_code == marked).all()
    assert planner.plan(maze, level, "exit").actions.tolist() == first.actions.tolist()
    fresh = AStar().plan(maze, other, "exit")
    assert planner.plan(maze, other, "exit").actions.tolist() == fresh.actions.tolist()
