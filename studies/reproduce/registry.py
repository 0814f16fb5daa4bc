"""The registry of reproductions: one curated study per published result, and
how to read its verdict from the finished results folder.

A `Reproduction` names the paper and its claim, the paper's own figure where
one is published, the built-in study that tests the claim (with the smaller
settings of ``--quick``), and a `judge` that reads the folder and returns a
`Verdict`. Entries register themselves when `studies.reproduce.entries` is
imported, so adding a reproduction is one new entry and no other change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from worlds import UnknownNameError

REPRODUCED, PARTLY, NOT_REPRODUCED = "reproduced", "partly", "not reproduced"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED)
#: the row of a reproduction that has no ``--quick`` variant, in a quick run
NOT_RUN_QUICK = "not run with --quick"


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What one reproduction found.

    Attributes:
        ours: our number(s), each with its interval and unit.
        verdict: one of `VERDICTS`.
        why: one or two sentences: what the data shows and what limits it.
        figure: a PNG drawn for the row (in the reproduction's folder), or None.
    """

    ours: str
    verdict: str
    why: str
    figure: Path | None = None


@dataclasses.dataclass(frozen=True)
class Reproduction:
    """One published result and the study that tests it.

    Attributes:
        name: the name on the command line (``mesabase reproduce NAME``).
        paper: authors, year and title (or the source text).
        claim: the claim, in one sentence.
        paper_figure: the paper's own figure or table for the claim, or why
            there is none.
        study: the built-in study that is run.
        quick: changes to the study's TOML for ``--quick`` (deep-merged), or
            None when no small variant is quick (e.g. a cold JAX compile of
            an unrolled optimiser): ``--quick`` then lists the row unrun.
        judge: ``judge(folder) -> Verdict`` reads the finished study.
    """

    name: str
    paper: str
    claim: str
    paper_figure: str
    study: str
    quick: Mapping[str, Any] | None
    judge: Callable[[Path], Verdict]

    def command(self, quick: bool) -> str:
        """The command that reruns this row."""
        return f"mesabase reproduce {self.name}" + (" --quick" if quick else "")


_REPRODUCTIONS: dict[str, Reproduction] = {}


def register(reproduction: Reproduction) -> Reproduction:
    """Add `reproduction` (a second registration of a name replaces the first)."""
    _REPRODUCTIONS[reproduction.name] = reproduction
    return reproduction


def reproduction_names() -> list[str]:
    """Every registered reproduction, in registration order."""
    return list(_REPRODUCTIONS)


def get_reproduction(name: str) -> Reproduction:
    """The reproduction called `name`; an unknown name lists the valid ones."""
    try:
        return _REPRODUCTIONS[name]
    except KeyError:
        raise UnknownNameError("reproduction", name, [*_REPRODUCTIONS, "all"]) from None
