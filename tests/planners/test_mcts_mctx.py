"""The MCTS benchmark's known-answer problem and agreement check, ours against mctx."""

import numpy as np
import pytest

from benchmarks import registry
from benchmarks import task_mcts as task
from worlds.arrow_maze import kernels as k


@pytest.fixture(scope="module")
def problem():
    return task.problem("quick")


def test_the_checked_problem_has_one_first_action_that_reaches_the_exit(maze, problem):
    # three steps from the exit with a horizon of three: on the test maze the
    # start is a corridor cell whose two moves are right (towards the exit)
    # and left (away), so only right can reach the exit in time
    assert problem.exit_distance == problem.depth == 3 and problem.checked
    assert problem.good_actions == {maze.actions.index("right")}
    (row, col), tiles = problem.start, problem.level.grid[k.TILES]
    moves = {a for a in range(4) if tiles[row + k.ROW_STEP[a], col + k.COL_STEP[a]] != k.WALL}
    assert moves == {maze.actions.index("right"), maze.actions.index("left")}


def test_the_check_refuses_a_wrong_tree_in_a_batch(problem):
    right, left = 1, 3
    task.check(problem, {"ours": right, "batched": np.full(16, right)})
    with pytest.raises(AssertionError, match="1 of 16 trees"):
        task.check(problem, {"batched": np.array([right] * 15 + [left])})
    with pytest.raises(AssertionError, match="not actions"):
        task.check(problem, {"ours": 4})


def test_the_timed_problem_has_its_exit_beyond_the_horizon():
    timed = task.timing_problem("quick")
    assert timed.exit_distance > timed.depth == task.DEPTH and not timed.checked
    task.check(timed, {"any move": 3})  # nothing known: any action will do
    with pytest.raises(AssertionError):
        task.check(timed, {"no move": -1})


def test_work_counts_the_simulations_of_every_tree(problem):
    assert task.work(problem, "mesabase-tree") == 256
    assert task.work(problem, "mctx-muzero-16") == 16 * 256
    assert task.work(problem, "mctx-muzero-64") == 64 * 256


@pytest.mark.parametrize("name", ["mesabase", "mesabase-tree", "mesabase-max"])
def test_our_searches_choose_the_known_answer(problem, name):
    run = registry.implementations("mcts")[name].prepare(problem)
    task.check(problem, {name: [run() for _ in range(20)]})


@pytest.mark.slow  # each mctx search compiles for several seconds
@pytest.mark.parametrize("name", ["mctx-muzero-16", "mctx-gumbel-16"])
def test_every_tree_of_a_batched_mctx_search_agrees_with_ours(problem, name):
    pytest.importorskip("mctx")
    runs = {n: registry.implementations("mcts")[n].prepare(problem) for n in (name, "mesabase-tree")}
    results = {n: run() for n, run in runs.items()}
    assert np.shape(results[name]) == (16,)
    task.check(problem, results)
    assert set(np.unique(results[name])) == {results["mesabase-tree"]}
