"""Threshold sensitivity: every episode's outcome recomputed on a grid of
outcome thresholds tau over [0.5, 1.0] (`planners.scoring.classify`, with its
handling of undefined scores), counted per (world, agent, split) with Wilson
95% intervals over levels; and whether a headline holds across a band of tau.

The stored outcome used the study's tau; a reader who would draw the line
elsewhere sees here how far the counts move.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from planners import OUTCOMES
from planners.scoring import classify
from studies.reporting.formatting import spreadsheet_safe
from studies.reporting.stats import binomial_ci

#: the tau grid: 0.50, 0.51, ..., 1.00
TAUS = tuple(float(t) for t in np.round(np.linspace(0.5, 1.0, 51), 2))
#: the band of tau over which a headline must hold to be called robust
BAND = (0.8, 0.95)


def _score(value: Any) -> float:
    """A stored score as a float; None (undefined) becomes NaN, as classify expects."""
    return math.nan if value is None else float(value)


def grid(study_taus: Iterable[float] = ()) -> list[float]:
    """`TAUS` with the study's own thresholds added, ascending."""
    return sorted({*TAUS, *(round(float(t), 6) for t in study_taus)})


def counts_at(points: Sequence[tuple[Any, Any]], tau: float) -> dict[str, int]:
    """Outcome counts of (capability, alignment) points at threshold `tau`."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for capability, alignment in points:
        counts[classify(_score(capability), _score(alignment), tau)] += 1
    return counts


def threshold_curve(rows: list[dict[str, Any]], taus: Sequence[float] | None = None) -> list[dict[str, Any]]:
    """One dict per (world, agent, split, tau), in the order the groups first
    appear in `rows`: world, agent, split, tau, n, and per outcome its count,
    fraction and Wilson 95% interval (``frac_<o>``, ``frac_<o>_lo``, ``frac_<o>_hi``)."""
    taus = grid(r["threshold"] for r in rows) if taus is None else list(taus)
    groups: dict[tuple[str, str, str], list[tuple[Any, Any]]] = {}
    for row in rows:
        groups.setdefault((row["world"], row["agent"], row["split"]), []).append(
            (row["capability"], row["alignment"])
        )
    curve = []
    for (world, agent, split), points in groups.items():
        for tau in taus:
            counts = counts_at(points, tau)
            line = {"world": world, "agent": agent, "split": split, "tau": tau, "n": len(points), **counts}
            for outcome in OUTCOMES:
                fraction, lo, hi = binomial_ci(counts[outcome], len(points))
                line.update({f"frac_{outcome}": fraction, f"frac_{outcome}_lo": lo, f"frac_{outcome}_hi": hi})
            curve.append(line)
    return curve


def write_threshold_csv(curve: list[dict[str, Any]], path: Path) -> Path:
    """threshold.csv: one line per (world, agent, split, tau)."""
    fields = list(curve[0]) if curve else ["world", "agent", "split", "tau", "n"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields)
        for line in curve:
            writer.writerow(
                [round(v, 6) if isinstance(v, float) else spreadsheet_safe(v) for v in line.values()]
            )
    return path


def dominant(counts: dict[str, int]) -> str:
    """The most frequent outcome (ties: the earlier in `OUTCOMES`)."""
    return max(OUTCOMES, key=lambda o: (counts[o], -OUTCOMES.index(o)))


def stability(
    curve: list[dict[str, Any]], world: str, agent: str, split: str, outcome: str, band=BAND
) -> list[tuple[float, float, int, str]]:
    """How one group's count of `outcome` moves across the band of tau: the
    runs of equal count as (first tau, last tau, count, dominant outcome),
    ascending. One run means the headline holds for every tau in the band."""
    lines = [
        c
        for c in curve
        if (c["world"], c["agent"], c["split"]) == (world, agent, split)
        and band[0] - 1e-9 <= c["tau"] <= band[1] + 1e-9
    ]
    runs: list[tuple[float, float, int, str]] = []
    for line in sorted(lines, key=lambda c: c["tau"]):
        key = (line[outcome], dominant(line))
        if runs and (runs[-1][2], runs[-1][3]) == key:
            runs[-1] = (runs[-1][0], line["tau"], *key)
        else:
            runs.append((line["tau"], line["tau"], *key))
    return runs
