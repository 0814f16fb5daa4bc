"""Running a study: every unfinished cell, on one of three executors, into
the results store.

- ``serial``: in this process, one cell after another.
- ``process`` (default): a pool of worker processes (``spawn``, so numba and
  JAX start clean in each; compiled kernels load from their disk caches).
- ``ray``: Ray core tasks, on a cluster with ``address`` or a local Ray
  otherwise (``pip install "mesabase[ray]"``).

Workers only play episodes; this process alone writes to SQLite, one row per
finished episode, in its own transaction. A rerun skips finished cells.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from studies.spec import NO_OBJECTIVE, Cell, Study
from studies.store import ResultStore, episode_row
from worlds import InvalidParameterError, MesabaseError

EXECUTORS = ("process", "serial", "ray")


class RayMissingError(MesabaseError):
    """The ray executor was asked for without Ray installed."""


@functools.lru_cache(maxsize=64)
def _planner(name: str, budget: int | None, options: tuple):
    import planners

    return planners.make(name, budget, **dict(options))


def play_cell(study: str, cell: Cell) -> tuple[dict[str, Any], float, float]:
    """Play one cell; returns its ``episodes`` row, planner seconds and wall seconds."""
    import objectives
    import planners
    import worlds

    began = time.perf_counter()
    world = worlds.get(cell.world)
    level = world.sample(seed=cell.seed, split=cell.split, **dict(cell.overrides))
    objective = None if cell.objective == NO_OBJECTIVE else objectives.get(world, cell.objective)
    agent = planners.Agent(_planner(cell.planner, cell.budget, cell.options), objective)
    episode = planners.rollout(
        world, level, agent, cell.max_steps, threshold=cell.threshold, seed=cell.seed, scoring=cell.scoring
    )
    row = episode_row(study, cell, episode)
    return row, float(episode.planner_stats.get("seconds", 0.0)), time.perf_counter() - began


def _serial(study: str, cells: list[Cell], workers: int, address: str | None) -> Iterator:
    for cell in cells:
        yield play_cell(study, cell)


def _process_pool(study: str, cells: list[Cell], workers: int, address: str | None) -> Iterator:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # keep a few cells per worker in flight: enough to stay busy, few
        # enough that an interrupted run has little unfinished work
        pending, queue = set(), iter(cells)
        for cell in queue:
            pending.add(pool.submit(play_cell, study, cell))
            if len(pending) >= 4 * workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                cell = next(queue, None)
                if cell is not None:
                    pending.add(pool.submit(play_cell, study, cell))


def _ray(study: str, cells: list[Cell], workers: int, address: str | None) -> Iterator:
    try:
        import ray
    except ImportError:
        raise RayMissingError(
            'the ray executor needs Ray: pip install "mesabase[ray]" (or use --executor process)'
        ) from None
    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    remote = ray.remote(play_cell)
    try:
        pending = [remote.remote(study, cell) for cell in cells]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                yield ray.get(ref)
    finally:
        if started_here:
            ray.shutdown()


_RUNNERS: dict[str, Callable[..., Iterator]] = {"serial": _serial, "process": _process_pool, "ray": _ray}


def run_study(
    study: Study,
    out_dir: str | Path,
    executor: str = "process",
    workers: int | None = None,
    address: str | None = None,
    console: Console | None = None,
    progress: bool = True,
) -> dict[str, int]:
    """Play every cell of `study` not yet in ``out_dir/results.sqlite``.

    Returns counts: ``cells``, ``already`` (finished before), ``played``.
    """
    if executor not in EXECUTORS:
        raise InvalidParameterError(f"unknown executor {executor!r}; valid executors: {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise InvalidParameterError(f"workers must be a positive integer, got {workers}")
    workers = workers or max(1, os.cpu_count() or 1)
    console = console or Console()
    with ResultStore(Path(out_dir) / "results.sqlite") as store:
        store.record_study(study)
        finished = store.finished()
        todo = [cell for cell in study.cells if cell.id not in finished]
        played = 0
        results = _RUNNERS[executor](study.name, todo, workers, address)
        for row, planner_seconds, wall_seconds in _tracked(results, len(todo), study.name, console, progress):
            played += store.write(row, planner_seconds, wall_seconds)
    return {"cells": len(study.cells), "already": len(study.cells) - len(todo), "played": played}


def _tracked(results: Iterable, total: int, name: str, console: Console, show: bool) -> Iterator:
    if not show or total == 0:
        yield from results
        return
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
