"""Paired comparisons of an episode study: agents that played the same levels
(world, split and seed), compared level by level.

Which pairs: agents that differ in one factor only, the objective (same
planner, budget and options: an *objective swap*) or the planner
configuration (same objective: a *planner swap*; along a budget sweep only
neighbouring budgets and the two ends); and every agent without an
objective (objective "none", e.g. the reactive key-seeker) against every
other agent (*no objective*). Each pair is compared on every split both
played, on the seeds both played: the intended indicator with the exact
McNemar test and alignment (the base objective's score, comparable across
agents) with a paired permutation test (`studies.reporting.stats.compare_paired`).
Every test of a report is one family for Holm's adjustment.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from pathlib import Path
from typing import Any

from planners import INTENDED
from studies.reporting.formatting import spreadsheet_safe
from studies.reporting.stats import PairedComparison, adjust_comparisons, compare_paired

OBJECTIVE_SWAP, PLANNER_SWAP, NO_OBJECTIVE = "objective swap", "planner swap", "no objective"
UNIT = "level"


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One pair of agents on one split of one world.

    Attributes:
        world, split: where the pair was compared.
        kind: `OBJECTIVE_SWAP`, `PLANNER_SWAP` or `NO_OBJECTIVE`.
        first_intended, second_intended: each side's intended count on the
            `result.n` matched levels.
        result: the tests, Holm-adjusted once `adjust` has run.
    """

    world: str
    split: str
    kind: str
    first_intended: int
    second_intended: int
    result: PairedComparison

    def as_row(self) -> dict[str, Any]:
        """One line of paired.csv."""
        return {
            "world": self.world, "split": self.split, "kind": self.kind,
            "first_intended": self.first_intended, "second_intended": self.second_intended,
            **self.result.as_row(),
        }  # fmt: skip


def agent_factors(rows: list[dict[str, Any]]) -> dict[str, tuple[tuple, str]]:
    """Each agent's (planner configuration, objective), in the order agents
    first appear; the configuration is (planner, budget, options as JSON)."""
    factors: dict[str, tuple[tuple, str]] = {}
    for row in rows:
        config = (row["planner"], row["budget"], json.dumps(row.get("options") or {}, sort_keys=True))
        factors.setdefault(row["agent"], (config, row["objective"]))
    return factors


def _budget_neighbours(factors: dict[str, tuple[tuple, str]]) -> set[frozenset]:
    """Pairs of agents that differ only in budget and are next to each other on
    their budget ladder, or are its two ends: a sweep of k budgets is tested
    as k - 1 steps and one overall trend, not all k(k - 1)/2 pairs, which
    keeps Holm's family to the comparisons a budget sweep is about."""
    ladders: dict[tuple, list[tuple[int, str]]] = {}
    for agent, ((planner, budget, options), objective) in factors.items():
        if budget is not None:
            ladders.setdefault((planner, options, objective), []).append((budget, agent))
    kept = set()
    for ladder in ladders.values():
        agents = [agent for _, agent in sorted(ladder)]
        kept |= {frozenset(pair) for pair in zip(agents, agents[1:])}
        if len(agents) > 2:
            kept.add(frozenset((agents[0], agents[-1])))
    return kept


def _budget_only(config_a: tuple, config_b: tuple) -> bool:
    """Two planner configurations that differ in their budget alone."""
    return (config_a[0], config_a[2]) == (config_b[0], config_b[2]) and config_a[1] != config_b[1]


def select_pairs(factors: dict[str, tuple[tuple, str]]) -> list[tuple[str, str, str]]:
    """(first, second, kind) for every pair the module doc names, first
    before second in the order of `factors`. Agents that differ only in
    budget are paired along their budget ladder (`_budget_neighbours`)."""
    agents = list(factors)
    neighbours = _budget_neighbours(factors)
    pairs = []
    for i, first in enumerate(agents):
        for second in agents[i + 1 :]:
            (config_a, objective_a), (config_b, objective_b) = factors[first], factors[second]
            if config_a == config_b and objective_a != objective_b:
                kind = OBJECTIVE_SWAP
            elif objective_a == objective_b and config_a != config_b:
                if _budget_only(config_a, config_b) and frozenset((first, second)) not in neighbours:
                    continue
                kind = PLANNER_SWAP
            elif "none" in (objective_a, objective_b):
                kind = NO_OBJECTIVE
            else:
                continue
            pairs.append((first, second, kind))
    return pairs


def budget_axes(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[int, str]]:
    """Agents swept over budgets: (world, name) -> {budget: agent}, budgets
    ascending, for every planner, options and objective played at two budgets
    or more; the name reads "mcts (depth=100) -> exit"."""
    groups: dict[tuple[str, str], dict[int, str]] = {}
    for row in rows:
        if row["budget"] is None:
            continue
        options = ", ".join(f"{k}={v}" for k, v in sorted((row.get("options") or {}).items()))
        name = f"{row['planner']}{f' ({options})' if options else ''} -> {row['objective']}"
        groups.setdefault((row["world"], name), {})[row["budget"]] = row["agent"]
    return {key: dict(sorted(agents.items())) for key, agents in groups.items() if len(agents) > 1}


def _by_seed(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[int, dict[str, Any]]]:
    """Episode rows by (world, agent, split), then by seed."""
    table: dict[tuple[str, str, str], dict[int, dict[str, Any]]] = {}
    for row in rows:
        table.setdefault((row["world"], row["agent"], row["split"]), {})[int(row["seed"])] = row
    return table


def _alignment(row: dict[str, Any]) -> float:
    return math.nan if row["alignment"] is None else float(row["alignment"])


def _testable(first: list[float], second: list[float]) -> tuple[list[float], list[float]]:
    """The two sides' scores, or all NaN (untested, n = 0) when fewer than two
    levels have both: one level cannot be permuted, and scipy's
    permutation_test refuses it."""
    both = sum(math.isfinite(a) and math.isfinite(b) for a, b in zip(first, second))
    if both >= 2:
        return first, second
    return [math.nan] * len(first), [math.nan] * len(second)


def compare(rows: list[dict[str, Any]]) -> list[Comparison]:
    """Every selected pair on every (world, split) both agents played, matched
    by seed, Holm-adjusted over the whole list (one report's family); agents
    are paired in the order they first appear in `rows`."""
    table = _by_seed(rows)
    found = []
    for world in dict.fromkeys(r["world"] for r in rows):
        mine = [r for r in rows if r["world"] == world]
        pairs = select_pairs(agent_factors(mine))
        for split in dict.fromkeys(r["split"] for r in mine):
            for first, second, kind in pairs:
                a, b = table.get((world, first, split), {}), table.get((world, second, split), {})
                seeds = sorted(a.keys() & b.keys())
                if not seeds:
                    continue
                a_ok = [a[s]["outcome"] == INTENDED for s in seeds]
                b_ok = [b[s]["outcome"] == INTENDED for s in seeds]
                a_score, b_score = _testable(
                    [_alignment(a[s]) for s in seeds], [_alignment(b[s]) for s in seeds]
                )
                result = compare_paired(
                    first,
                    second,
                    a_ok,
                    b_ok,
                    a_score,
                    b_score,
                    unit=UNIT,
                    outcome="intended",
                    score="alignment",
                )
                found.append(Comparison(world, split, kind, sum(a_ok), sum(b_ok), result))
    adjusted = adjust_comparisons([c.result for c in found])
    return [dataclasses.replace(c, result=r) for c, r in zip(found, adjusted, strict=True)]


def family_size(comparisons: list[Comparison]) -> int:
    """How many tests Holm's adjustment covered: every defined p of the report."""
    values = [p for c in comparisons for p in (c.result.outcome_p, c.result.score_p)]
    return sum(math.isfinite(p) for p in values)


def find(comparisons: list[Comparison], world: str, split: str, first: str, second: str) -> Comparison | None:
    """The comparison of two agents on a split, in either order (None if not made)."""
    for c in comparisons:
        if (c.world, c.split) == (world, split) and {c.result.first, c.result.second} == {first, second}:
            return c
    return None


def write_paired_csv(comparisons: list[Comparison], path: Path) -> Path:
    """paired.csv: one line per comparison (see `Comparison.as_row`)."""
    rows = [c.as_row() for c in comparisons]
    fields = list(rows[0]) if rows else ["world", "split", "kind", "first", "second", "unit", "n"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields)
        for row in rows:
            writer.writerow(
                ["" if isinstance(v, float) and not math.isfinite(v) else
                 round(v, 6) if isinstance(v, float) else spreadsheet_safe(v) for v in row.values()]
            )  # fmt: skip
    return path
