"""The report of any study folder: its results store names the study's kind
(the ``kind`` key of the ``study`` table; episodes when absent) and that
kind writes the report (`studies.core.kinds.StudyKind.report`).

The store is opened read-only and its tables checked first: a
``results.sqlite`` that is not SQLite, or another program's database, is a
one-line `studies.core.store.ForeignStoreError`, and the file is left as it
was."""

from __future__ import annotations

from pathlib import Path

from studies.core.kinds import DEFAULT_KIND, get_kind
from studies.core.store import STORE_NAME, ResultStore


def kind_of(out_dir: str | Path) -> str:
    """The kind of the study run in `out_dir`: episodes when the folder has no
    results store yet or its store names no kind."""
    database = Path(out_dir) / STORE_NAME
    if not database.exists():  # the kind's report says there is nothing to report
        return DEFAULT_KIND
    with ResultStore(database, read_only=True) as store:  # a foreign file fails here, untouched
        return store.study_info().get("kind", DEFAULT_KIND)


def write_report(out_dir: str | Path, console=None) -> dict[str, Path]:
    """Write the report of the study run in `out_dir` with its kind's report;
    returns the written paths by name. `console` (a rich Console) hears
    progress. Raises `studies.reporting.stats.NoResultsError` for a folder
    with nothing to report."""
    return get_kind(kind_of(out_dir)).report(Path(out_dir), console=console)
