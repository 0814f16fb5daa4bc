"""Numbers a reproduction's verdict reads from a finished study folder:
episode rows picked by split, planner and objective, outcome counts with
Wilson intervals over levels, and paired tests matched by seed."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from planners.scoring import classify
from studies.core.store import ResultStore
from studies.reporting.formatting import proportion
from studies.reporting.stats import binomial_ci, mcnemar_exact


def episode_rows(folder: Path) -> list[dict[str, Any]]:
    """Every finished episode of the study in `folder`."""
    with ResultStore(Path(folder) / "results.sqlite", read_only=True) as store:
        return store.rows()


def pick(
    rows: Sequence[dict[str, Any]],
    split: str,
    objective: str | None = None,
    planner: str | None = None,
    label: str | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """The rows of one agent on one split, by seed: filtered on the objective,
    the planner's name, its label (the agent name's part before " -> ") and
    any planner options given as keywords."""
    chosen = [
        r
        for r in rows
        if r["split"] == split
        and (objective is None or r["objective"] == objective)
        and (planner is None or r["planner"] == planner)
        and (label is None or r["agent"].split(" -> ")[0] == label)
        and all((r.get("options") or {}).get(k) == v for k, v in options.items())
    ]
    return sorted(chosen, key=lambda r: r["seed"])


def count(rows: Sequence[dict[str, Any]], outcome: str, threshold: float | None = None) -> tuple[int, int]:
    """(episodes with `outcome`, episodes), re-classified at `threshold` when given."""
    if threshold is None:
        return sum(r["outcome"] == outcome for r in rows), len(rows)
    hits = sum(classify(_score(r["capability"]), _score(r["alignment"]), threshold) == outcome for r in rows)
    return hits, len(rows)


def _score(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def fraction_text(hits: int, n: int) -> str:
    """ "14/20, 70% [48%, 85%]" with the Wilson 95% interval over levels."""
    _, lo, hi = binomial_ci(hits, n)
    return proportion(hits, n, lo, hi)


def wilson(hits: int, n: int) -> tuple[float, float, float]:
    """(fraction, lo, hi) of a count of levels (Wilson 95%)."""
    return binomial_ci(hits, n)


def paired_mcnemar(
    first: Sequence[dict], second: Sequence[dict], outcome: str
) -> tuple[int, int, float, int]:
    """The exact McNemar test of `outcome` between two agents on the seeds both
    played: (only first, only second, p, n)."""
    a = {r["seed"]: r["outcome"] == outcome for r in first}
    b = {r["seed"]: r["outcome"] == outcome for r in second}
    seeds = sorted(a.keys() & b.keys())
    only_first, only_second, p = mcnemar_exact([a[s] for s in seeds], [b[s] for s in seeds])
    return only_first, only_second, p, len(seeds)


def shortest_paths(folder: Path, split: str) -> dict[str, list[int]]:
    """Per goal, the shortest path lengths from the start over the study's
    levels of `split` (``levels.csv`` of the episode report)."""
    paths: dict[str, list[int]] = {}
    table = Path(folder) / "levels.csv"
    if not table.exists():
        return paths
    with open(table, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["split"] == split and row["shortest_path"]:
                paths.setdefault(row["goal"], []).append(int(row["shortest_path"]))
    return paths
