"""The summary of an episode study: one row per (world, agent, split) with
its count of levels (``n``; the ``unit`` of replication is the level, a seed
of a split that every agent plays), outcome counts and fractions with Wilson 95% intervals over levels
(`studies.reporting.stats.binomial_ci`), mean capability and alignment with
bootstrap 95% CIs over levels (`studies.reporting.stats.bootstrap_ci`), the mean return of every
catalogue objective and the rate of every event, and the episodes that did
not finish (``did_not_finish``: ran to the step limit) and of those, the ones
that ``looped`` (`studies.episodes.looping`); and its ``summary.csv``.

Undefined (NaN) scores are left out of the means and counted.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

import planners
import worlds
from planners import OUTCOMES
from studies.episodes import looping
from studies.reporting.formatting import spreadsheet_safe
from studies.reporting.stats import binomial_ci, bootstrap_ci
from worlds import MesabaseError

#: the two scores of an episode, summarised with CIs
AXES = ("capability", "alignment")
#: the unit of replication: a level (a seed of a split), played by every agent
UNIT = "level"


def world_info(name: str) -> tuple[str | None, list[str], list[str]]:
    """(base objective, catalogue order, split order) of a world; empty if unknown."""
    try:
        world = worlds.get(name)
    except MesabaseError:
        return None, [], []
    return world.base, list(world.objectives), list(world.splits)


def _rank(value: Any, order: list) -> tuple[int, str]:
    """A sort key: the position in `order`, unknown values last by name."""
    return (order.index(value) if value in order else len(order), str(value))


def _group_key(row: dict[str, Any]) -> tuple:
    """Sort order: world, planner (registry order), budget, objective (catalogue
    order), agent label, split (train first)."""
    _, catalogue, splits = world_info(row["world"])
    budget = -1 if row["budget"] is None else row["budget"]
    return (
        row["world"],
        _rank(row["planner"], list(planners.PLANNERS)),
        budget,
        _rank(row["objective"], catalogue),
        row["agent"],
        _rank(row["split"], ["train", *splits]),
    )


def _mean(values: Iterable[Any]) -> float:
    """The mean of the finite values (bools count as 0/1); NaN if there are none."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return float(np.mean(finite)) if finite else math.nan


def _summary_row(rows: list[dict[str, Any]], paths: dict | None = None) -> dict[str, Any]:
    """The summary of one (world, agent, split) group of episode rows."""
    first, n = rows[0], len(rows)
    out = {key: first[key] for key in ("world", "agent", "split", "planner", "budget", "objective")}
    out["scored_objective"] = "; ".join(sorted({r["scored_objective"] for r in rows}))
    out["threshold"] = first["threshold"]
    out["scoring"] = "; ".join(sorted({r["scoring"] for r in rows}))
    out["n"] = n
    out["unit"] = UNIT  # what n counts and what every interval resampled
    counts = {o: sum(r["outcome"] == o for r in rows) for o in OUTCOMES}
    out.update(counts)
    for o in OUTCOMES:
        # an outcome fraction over levels gets an exact binomial (Wilson) interval, not a bootstrap
        out[f"frac_{o}"], out[f"frac_{o}_lo"], out[f"frac_{o}_hi"] = binomial_ci(counts[o], n)
    # episodes that ran to their step limit, and those of them that looped
    out.update(looping.counts(rows, paths))
    for axis in AXES:
        values = [r[axis] for r in rows]
        mean, lo, hi = bootstrap_ci(values)
        out.update({f"{axis}_mean": mean, f"{axis}_lo": lo, f"{axis}_hi": hi})
        out[f"{axis}_nan"] = sum(v is None or not math.isfinite(v) for v in values)
    catalogue = world_info(first["world"])[1]
    for name in sorted(
        dict.fromkeys(k for r in rows for k in r["returns"]), key=lambda k: _rank(k, catalogue)
    ):
        out[f"return_{name}"] = _mean(r["returns"].get(name) for r in rows)
    for name in dict.fromkeys(k for r in rows for k in r["events"]):
        out[f"event_{name}"] = _mean(r["events"].get(name) for r in rows)
    return out


def summarise(rows: list[dict[str, Any]], paths: dict | None = None) -> list[dict[str, Any]]:
    """One summary dict per (world, agent, split), in report order. `paths`
    (shortest paths by `studies.episodes.paths.level_key`) lets the looping
    count judge rows stored without a count of distinct states."""
    groups: dict[tuple, list] = {}
    for row in sorted(rows, key=_group_key):
        groups.setdefault((row["world"], row["agent"], row["split"]), []).append(row)
    return [_summary_row(group, paths) for group in groups.values()]


def _format(value: Any) -> Any:
    """A CSV cell: floats rounded, undefined values blank, text safe from
    spreadsheet formulas (`studies.reporting.formatting.spreadsheet_safe`)."""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else round(value, 6)
    return "" if value is None else spreadsheet_safe(value)


def write_summary_csv(summary: list[dict[str, Any]], path: Path) -> Path:
    """summary.csv: one line per summary row; blank where a value is undefined.
    Column names come from the study (objective and event names), so they are
    made spreadsheet-safe as well."""
    fields = list(dict.fromkeys(key for row in summary for key in row))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow([spreadsheet_safe(field) for field in fields])
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writerows({k: _format(v) for k, v in row.items()} for row in summary)
    return path
