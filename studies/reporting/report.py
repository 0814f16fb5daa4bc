"""The report of any study folder: its results store names the study's kind
(the ``kind`` key of the ``study`` table; episodes when absent) and that
kind writes the report (`studies.core.kinds.StudyKind.report`)."""

from __future__ import annotations

from pathlib import Path

from studies.core.kinds import DEFAULT_KIND, get_kind
from studies.core.store import ResultStore


def kind_of(out_dir: str | Path) -> str:
    """The kind of the study run in `out_dir`: episodes when the folder has no
    results store yet or its store names no kind."""
    database = Path(out_dir) / "results.sqlite"
    if not database.exists():  # the kind's report says there is nothing to report
        return DEFAULT_KIND
    with ResultStore(database) as store:
        return store.study_info().get("kind", DEFAULT_KIND)


def write_report(out_dir: str | Path, console=None) -> dict[str, Path]:
    """Write the report of the study run in `out_dir` with its kind's report;
    returns the written paths by name. `console` (a rich Console) hears
    progress. Raises `studies.reporting.stats.NoResultsError` for a folder
    with nothing to report."""
    return get_kind(kind_of(out_dir)).report(Path(out_dir), console=console)
