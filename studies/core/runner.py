"""Playing cells: every unfinished one, on one of the executors in
`studies.core.executors` (serial, a process pool, Ray), into the results store.
Every study kind that plays episodes runs them through `play_cells`.

Workers only play episodes; this process alone writes to SQLite, one row per
finished episode, in its own transaction. A rerun skips finished cells. The
unfinished cells are handed out longest first (`studies.core.schedule`), so
that a long cell does not start last and hold up the end of the run.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import planners
import worlds
from studies.core.cells import Cell, cell_objective
from studies.core.executors import Executor, check_executor
from studies.core.folder import claim_folder, study_identity
from studies.core.schedule import order_longest_first
from studies.core.store import STORE_NAME, ResultStore, episode_row

if TYPE_CHECKING:  # rich is imported where the progress bar is drawn: pool workers never need it
    from rich.console import Console


@functools.lru_cache(maxsize=64)
def _planner(name: str, budget: int | None, options: tuple):
    return planners.make(name, budget, **dict(options))


def play_cell(study: str, cell: Cell) -> tuple[dict[str, Any], float, float]:
    """Play one cell; returns its ``episodes`` row, planner seconds and wall seconds."""
    began = time.perf_counter()
    world = worlds.get(cell.world)
    level = world.sample(seed=cell.seed, split=cell.split, **dict(cell.overrides))
    objective = cell_objective(world, cell.objective)
    agent = planners.Agent(_planner(cell.planner, cell.budget, cell.options), objective)
    episode = planners.rollout(
        world, level, agent, cell.max_steps, threshold=cell.threshold, seed=cell.seed, scoring=cell.scoring
    )
    row = episode_row(study, cell, episode)
    if not world.continuous:
        row["planner_stats"] = _with_distinct_states(row["planner_stats"], episode.states)
    return row, float(episode.planner_stats.get("seconds", 0.0)), time.perf_counter() - began


def _with_distinct_states(stats: str, states: np.ndarray) -> str:
    """The row's ``planner_stats`` JSON with ``distinct_states``: how many
    different states the episode visited, its start included (`states`:
    ``int64[T+1, S]``). Steps beyond it went back to states already seen,
    which is how the report tells a planner that loops
    (`studies.episodes.looping`) from one that ran out of steps."""
    counters = json.loads(stats)
    counters["distinct_states"] = int(len(np.unique(states, axis=0)))
    return json.dumps(counters, sort_keys=True)


@contextlib.contextmanager
def open_run(
    out_dir: str | Path,
    executor: str,
    workers: int | None,
    address: str | None,
    study: Any = None,
    kind: str | None = None,
):
    """The results store of a study folder and an executor, both closed at the
    end; bad executor options fail before the folder is touched.

    The run holds the folder (`studies.core.folder.claim_folder`) until the
    end: another process's run into it is refused, and given the `study` and
    its `kind` (a kind name), so is a folder that holds another study or this
    one with other settings."""
    check_executor(executor, workers, address)
    identity = study_identity(kind, study) if study is not None and kind is not None else None
    with (
        claim_folder(out_dir, identity) as out,
        ResultStore(out / STORE_NAME) as store,
        Executor(executor, workers, address) as running,
    ):
        yield store, running


def play_cells(
    store: ResultStore,
    name: str,
    cells: list[Cell],
    executor: Executor,
    console: Console | None = None,
    progress: bool = True,
) -> dict[str, int]:
    """Play the `cells` not yet in `store` on `executor` and write their rows;
    returns the counts ``cells``, ``already`` and ``played``."""
    from rich.console import Console

    finished = store.finished()
    todo = [cell for cell in cells if cell.id not in finished]
    if todo:
        executor.start()  # workers spawn while the cells are ordered
    todo = order_longest_first(todo, store)
    played = 0
    results = executor.map(functools.partial(play_cell, name), todo)
    for row, planner_seconds, wall_seconds in _tracked(
        results, len(todo), name, console or Console(), progress
    ):
        played += store.write(row, planner_seconds, wall_seconds)
    unique = len({cell.id for cell in cells})
    return {"cells": unique, "already": unique - len(todo), "played": played}


def _tracked(results: Iterable, total: int, name: str, console: Console, show: bool) -> Iterator:
    if not show or total == 0:
        yield from results
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn(f"[bold]{name}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} episodes/s"), TimeElapsedColumn(), TextColumn("ETA"),
        TimeRemainingColumn(),
    )  # fmt: skip
    began = time.perf_counter()
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("episodes", total=total, rate="-")
        for done, result in enumerate(results, 1):
            yield result
            rate = done / max(time.perf_counter() - began, 1e-9)
            bar.update(task, advance=1, rate=f"{rate:.1f}")
