"""Longest-first scheduling (`studies.core.schedule`) on hand-made cells."""

import json

from studies.core import Cell, ResultStore, play_cell, play_cells
from studies.core.schedule import LevelSize, level_size, order_longest_first, work
from studies.core.store import EPISODE_COLUMNS


def _cell(size, planner="astar", budget=None, objective="exit", seed=0, split="train"):
    label = planner if budget is None else f"{planner} ({budget})"
    options = (("depth", 100),) if planner == "mcts" else ()
    return Cell(
        world="arrow-maze", split=split, seed=seed, planner=planner, budget=budget, options=options,
        objective=objective, max_steps=None, threshold=0.9, scoring="auto", overrides=(("size", size),),
        label=label,
    )  # fmt: skip


def _row(cell):
    """A stored row of `cell` with made-up results (only the cost fields matter here)."""
    row = dict.fromkeys(EPISODE_COLUMNS)
    row.update(
        cell_id=cell.id, study="s", world=cell.world, split=cell.split, seed=cell.seed, planner=cell.planner,
        budget=cell.budget, options=json.dumps(dict(cell.options)), objective=cell.objective,
        agent=cell.agent, max_steps=cell.max_steps, threshold=cell.threshold,
        overrides=json.dumps(dict(cell.overrides)), outcome="intended", scoring="oracle",
        stop_reason="objective_ended", steps=10, scored_objective=cell.objective, returns="{}",
        achieved="{}", events="{}", planner_stats="{}",
    )  # fmt: skip
    return row


def _names(cells):
    return [(c.planner, c.budget, dict(c.overrides)["size"], c.seed) for c in cells]


def test_level_size_and_work_are_hand_computable():
    # a 9 x 9 maze: 81 cells, and the world's default step limit 4 * 81
    assert level_size(_cell(9)) == LevelSize(81, 324)
    # MCTS: simulations x depth per plan, a plan per step of the step limit
    assert work(_cell(9, "mcts", 30), LevelSize(81, 324)) == 30 * 100 * 324
    # A*: at most every cell, once; capped by max_expansions
    assert work(_cell(9), LevelSize(81, 324)) == 81
    capped = Cell(**{**_cell(9).__dict__, "options": (("max_expansions", 10),)})
    assert work(capped, LevelSize(81, 324)) == 10
    # the reactive policy: one unit per step
    assert work(_cell(9, "reactive", objective="none"), LevelSize(81, 324)) == 324


def test_without_timings_the_largest_planner_and_level_go_first():
    cells = [_cell(size, planner, budget) for size in (9, 15) for planner, budget in
             (("astar", None), ("mcts", 30), ("mcts", 300))]  # fmt: skip
    ordered = order_longest_first(cells)
    # 300 x 100 x 900 > 300 x 100 x 324 > 30 x 100 x 900 > 30 x 100 x 324 > 225 > 81
    assert _names(ordered) == [
        ("mcts", 300, 15, 0), ("mcts", 300, 9, 0), ("mcts", 30, 15, 0), ("mcts", 30, 9, 0),
        ("astar", None, 15, 0), ("astar", None, 9, 0),
    ]  # fmt: skip


def test_the_order_is_deterministic_keeps_every_cell_once_and_ties_keep_study_order():
    exit_, arrow = _cell(9, "mcts", 30), _cell(9, "mcts", 30, objective="arrow")  # same level and work
    cells = [_cell(9), exit_, arrow, _cell(9), exit_]
    ordered = order_longest_first(cells)
    assert ordered == order_longest_first(cells)
    assert ordered == [exit_, arrow, _cell(9)]
    assert order_longest_first([arrow, exit_, _cell(9)]) == [arrow, exit_, _cell(9)]
    assert order_longest_first([]) == []


def test_timings_in_the_store_override_the_model():
    slow_astar = [_cell(9, seed=seed) for seed in range(4)]
    mcts = [_cell(9, "mcts", 30, seed=seed) for seed in range(4)]
    # the model alone puts MCTS first
    assert order_longest_first([slow_astar[3], mcts[3]]) == [mcts[3], slow_astar[3]]
    with ResultStore(":memory:") as store:
        # finished cells: A* took 3, 5 and 100 s (median 5), MCTS 1 s
        for cell, seconds in [(slow_astar[0], 3.0), (slow_astar[1], 100.0), (slow_astar[2], 5.0),
                              (mcts[0], 1.0)]:  # fmt: skip
            assert store.write(_row(cell), seconds, seconds)
        assert order_longest_first([mcts[3], slow_astar[3]], store) == [slow_astar[3], mcts[3]]


def test_untimed_agents_are_scaled_by_the_timed_ones():
    timed = [_cell(9, "mcts", 30, seed=seed) for seed in range(3)]
    big = _cell(9, "mcts", 300, seed=2)  # 10x the work of a timed MCTS (30) cell
    astar = _cell(15, seed=2)  # modelled far below both, but timed at 2 s
    with ResultStore(":memory:") as store:
        assert store.write(_row(timed[0]), 1.0, 1.0)
        assert store.write(_row(_cell(15, seed=0)), 2.0, 2.0)
        # MCTS (30): 1 s learned; MCTS (300): 10x its work, so about 10 s; A*: 2 s learned
        assert order_longest_first([astar, timed[1], big], store) == [big, astar, timed[1]]


def test_the_store_reports_timings_of_finished_cells_only():
    with ResultStore(":memory:") as store:
        assert store.timings() == []
        cell = _cell(9, "mcts", 30)
        store.write(_row(cell), 0.5, 0.75)
        (timing,) = store.timings()
        assert (timing["cell_id"], timing["planner_seconds"], timing["wall_seconds"]) == (cell.id, 0.5, 0.75)
        assert json.loads(timing["options"]) == {"depth": 100} and timing["split"] == "train"


class _Recording:
    """A serial executor that records the cells it is handed."""

    def __init__(self):
        self.handed, self.started = [], 0

    def start(self):
        self.started += 1

    def map(self, function, items):
        self.handed.append([item.id for item in items])
        return (function(item) for item in items)


def test_play_cells_hands_out_the_longest_first_and_resumes_without_duplicates():
    cells = [_cell(size, seed=seed) for size in (7, 11, 9) for seed in range(2)]
    with ResultStore(":memory:") as store:
        first = _Recording()
        assert store.write(*play_cell("s", cells[0]))  # one cell finished before the run
        counts = play_cells(store, "s", [*cells, cells[1]], first, progress=False)
        assert counts == {"cells": 6, "already": 1, "played": 5}
        assert first.handed == [[c.id for c in order_longest_first(cells[1:])]]
        assert [dict(c.overrides)["size"] for c in order_longest_first(cells[1:])] == [11, 11, 9, 9, 7]
        again = _Recording()
        assert play_cells(store, "s", cells, again, progress=False) == {"cells": 6, "already": 6, "played": 0}
        assert again.handed == [[]] and again.started == 0
        assert sorted(store.finished()) == sorted(c.id for c in cells)
