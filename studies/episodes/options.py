"""Outcomes along a planner option: agents of one planner, budget and
objective that differ only in one numeric option (a value-iteration horizon,
an MCTS depth) played at three values or more, e.g. the ``proxy-depth``
study. Each point is an outcome count over levels with its Wilson interval."""

from __future__ import annotations

import json
from typing import Any

from planners import OUTCOMES
from studies.reporting.stats import binomial_ci

#: how many values an option needs before it is drawn as an axis
MIN_VALUES = 3


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def option_axes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One axis per (world, planner, budget, objective, split, option name):
    ``{"world", "planner", "budget", "objective", "split", "option",
    "points": [{"value", "n", <outcome>, <outcome>_lo, <outcome>_hi}, ...]}``
    with points in increasing option value. Only options that vary while every
    other option stays fixed, at `MIN_VALUES` values or more, make an axis."""
    groups: dict[tuple, dict[Any, list[dict[str, Any]]]] = {}
    for row in rows:
        options = row.get("options") or {}
        for name, value in options.items():
            if not _numeric(value):
                continue
            rest = json.dumps({k: v for k, v in sorted(options.items()) if k != name})
            key = (row["world"], row["planner"], row["budget"], rest, row["objective"], row["split"], name)
            groups.setdefault(key, {}).setdefault(value, []).append(row)
    axes = []
    for (world, planner, budget, _, objective, split, name), by_value in groups.items():
        if len(by_value) < MIN_VALUES:
            continue
        points = []
        for value in sorted(by_value):
            played = by_value[value]
            point: dict[str, Any] = {"value": value, "n": len(played)}
            for outcome in OUTCOMES:
                hits = sum(r["outcome"] == outcome for r in played)
                _, lo, hi = binomial_ci(hits, len(played))
                point.update({outcome: hits, f"{outcome}_lo": lo, f"{outcome}_hi": hi})
            points.append(point)
        axes.append({"world": world, "planner": planner, "budget": budget, "objective": objective,
                     "split": split, "option": name, "points": points})  # fmt: skip
    return axes
