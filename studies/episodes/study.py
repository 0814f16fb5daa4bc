"""The episode study kind (the default): cells from a TOML file
(`studies.episodes.spec`), played into the results store, reported by
`studies.episodes.report`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console

from studies.core.kinds import DEFAULT_KIND, StudyKind, register_kind
from studies.core.runner import open_run, play_cells
from studies.episodes.report import write_episode_report
from studies.episodes.spec import Study, parse


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
    with open_run(out_dir, executor, workers, address, study=study, kind=DEFAULT_KIND) as (store, running):
        store.record_info(
            {"name": study.name, "description": study.description, "source": study.source,
             "kind": DEFAULT_KIND, "cells": str(len(study.cells))}
        )  # fmt: skip
        return play_cells(store, study.name, study.cells, running, console, progress)


def _parse(data: dict[str, Any], source: str, seeds: int | None) -> Study:
    if seeds is not None:  # levels per split
        data = {**data, "seeds": seeds}
    return parse(data, source)


def _headline(study: Study, out: Path) -> str:
    return f"study [bold]{study.name}[/]: {len(study.cells)} episodes -> {out / 'results.sqlite'}"


def _describe_counts(counts: Mapping[str, int]) -> str:
    return (
        f"{counts['played']} episode(s) played, {counts['already']} already finished, "
        f"{counts['cells']} in all"
    )


EPISODES = register_kind(
    StudyKind(
        name=DEFAULT_KIND,
        description="episodes of every planner x objective on seeded levels of each split",
        parse=_parse,
        run=run_study,
        report=write_episode_report,
        headline=_headline,
        describe_counts=_describe_counts,
    )
)
