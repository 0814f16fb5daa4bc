"""Per-seed numbers of a finished learning study, for reproduction verdicts:
each run's mean over its levels, grouped by setting, with intervals over
optimiser seeds (the unit of a learning study)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from studies.reporting.formatting import interval
from studies.reporting.stats import cluster_bootstrap_ci, paired_permutation_test
from studies.reproduce.measures import learned_payloads, rows_by_id

UNIT = "optimiser seed"


def runs(folder: Path) -> list[dict[str, Any]]:
    """Every run's payload with its episode rows attached under ``"rows"``
    (cell id -> row) for its test and held-out episodes."""
    payloads = learned_payloads(folder)
    ids = set()
    for p in payloads:
        for agents in p.get("evaluations", {}).values():
            for batch in agents.values():
                ids.update(batch)
        for batch in (p.get("held_out") or {}).get("episodes", {}).values():
            ids.update(batch)
    table = rows_by_id(folder, sorted(ids))
    for p in payloads:
        p["rows"] = table
    return payloads


def episodes(run: dict[str, Any], where: str, agent: str) -> list[dict[str, Any]]:
    """A run's episodes of `agent` ("learned" or a catalogue name) on a test
    split, or on its held-out levels when `where` is ``"held-out"``."""
    if where == "held-out":
        batch = (run.get("held_out") or {}).get("episodes", {}).get(agent, [])
    else:
        batch = run.get("evaluations", {}).get(where, {}).get(agent, [])
    return [run["rows"][i] for i in batch if i in run["rows"]]


def per_seed(members: Sequence[dict], where: str, agent: str, value: Callable[[dict], float]) -> list[float]:
    """Each run's mean of `value` over its episodes (runs without any are left out)."""
    means = []
    for run in members:
        values = [value(r) for r in episodes(run, where, agent)]
        if values:
            means.append(float(np.mean(values)))
    return means


def seed_interval(values: Sequence[float]) -> tuple[float, float, float, int]:
    """(mean, lo, hi, n seeds): the percentile bootstrap over seeds of their means."""
    return cluster_bootstrap_ci([[v] for v in values])


def text(values: Sequence[float]) -> str:
    """A mean over seeds with its interval and n, as report text."""
    mean, lo, hi, n = seed_interval(values)
    return interval(mean, lo, hi, n, UNIT)


def paired_p(first: Sequence[float], second: Sequence[float]) -> float:
    """The paired permutation p across seeds (NaN with fewer than two)."""
    if len(first) < 2 or len(first) != len(second):
        return math.nan
    return paired_permutation_test(first, second)[1]


def reached(goal: str) -> Callable[[dict], float]:
    """An episode's value: 1 if it reached `goal`, else 0."""
    return lambda row: float(bool(row["achieved"].get(goal)))


def base_return(base: str) -> Callable[[dict], float]:
    """An episode's value: its return under the base objective."""
    return lambda row: float(row["returns"][base])
