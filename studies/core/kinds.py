"""The registry of study kinds: each kind says how it reads its TOML, runs,
resumes and reports, so that loading, the CLI and `report` look a kind up here
instead of switching on it.

A study file names its kind with ``kind = "..."`` (``"episodes"`` when left
out). A kind module builds one `StudyKind` and passes it to `register_kind`
when it is imported; `studies.kinds` imports every built-in kind module, and
`get_kind` and `kind_names` import `studies.kinds` on their first call (the
package face hands them that import through `before_first_lookup`), so every
built-in kind is registered before any lookup. (Importing the kinds only
then keeps a process that just plays cells, a pool worker, from importing the
reporting and analysis code.) Adding a kind is one new module plus one line
there: no other kind changes.

This module sits at the bottom of `studies`: it imports no kind at import time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from worlds import UnknownNameError

#: the kind a study file has when it says nothing
DEFAULT_KIND = "episodes"


@dataclasses.dataclass(frozen=True)
class StudyKind:
    """One kind of study, as a bundle of small functions.

    A kind's study object may be anything with a ``name`` (the default
    results folder is ``mesabase-out/<name>``, so the name must be a plain
    folder name: `studies.core.folder.check_study_name`); only the kind's own
    functions look inside it. A frozen dataclass is best: every field but
    ``name``, ``description`` and ``source`` goes into the fingerprint that
    ties a folder to the study's settings.

    Attributes:
        name: the value of ``kind`` in a study file, and of ``kind`` in the
            store's ``study`` table, which is how `report` finds the kind again.
        description: one line for ``mesabase`` listings.
        parse: ``parse(data, source, seeds) -> study``: `data` is the parsed
            TOML without its ``kind`` key, `source` names the file in error
            messages and `seeds` (or None) is the command line's ``--seeds``,
            which each kind maps onto its own replication unit. Raises
            `studies.core.spec.StudyError` with one line naming the key.
        run: ``run(study, out, *, executor, workers, address, console) -> dict``:
            plays what is not yet in ``out/results.sqlite`` (so a rerun resumes)
            and returns counts for `describe_counts`. It opens the folder with
            ``studies.core.runner.open_run(..., study=study, kind=NAME)``, which
            holds the folder's lock and refuses a folder that holds another
            study or other settings (`studies.core.folder`).
        report: ``report(out, console=None) -> dict[str, Path]``: writes the
            report of the folder (`console`, a rich Console, hears progress)
            and returns the written files by name; raises
            `studies.reporting.stats.NoResultsError` when there is nothing to
            report.
        headline: ``headline(study, out) -> str``: the line printed before a
            run (the study's name and how many units it has).
        describe_counts: ``describe_counts(counts) -> str``: the line printed
            after a run.
        unit: the kind's unit of replication, what its report's intervals
            resample and count ("level"; "optimiser seed" for learning
            studies, with levels nested in each seed). docs/statistics.md.
    """

    name: str
    description: str
    parse: Callable[[dict[str, Any], str, int | None], Any]
    run: Callable[..., Mapping[str, int]]
    report: Callable[..., dict[str, Path]]
    headline: Callable[[Any, Path], str]
    describe_counts: Callable[[Mapping[str, int]], str]
    unit: str = "level"


_KINDS: dict[str, StudyKind] = {}


def register_kind(kind: StudyKind) -> StudyKind:
    """Add `kind` to the registry (a second registration of a name replaces
    the first, so that reloading a module is harmless)."""
    _KINDS[kind.name] = kind
    return kind


#: called once, before the first lookup: the package face (`studies/__init__.py`)
#: adds the import of `studies.kinds` here, so this bottom module names no kind
_BEFORE_FIRST_LOOKUP: list = []


def before_first_lookup(load) -> None:
    """Call `load()` before the first `get_kind` or `kind_names` (it registers kinds)."""
    _BEFORE_FIRST_LOOKUP.append(load)


def _register_builtin_kinds() -> None:
    while _BEFORE_FIRST_LOOKUP:
        _BEFORE_FIRST_LOOKUP.pop(0)()


def get_kind(name: str) -> StudyKind:
    """The kind called `name`; an unknown name lists the registered ones."""
    _register_builtin_kinds()
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownNameError("study kind", name, _KINDS) from None


def kind_names() -> list[str]:
    """Every registered kind: the default first, then by name."""
    _register_builtin_kinds()
    return sorted(_KINDS, key=lambda name: (name != DEFAULT_KIND, name))
