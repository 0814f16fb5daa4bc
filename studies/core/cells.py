"""Cells: the unit of play every study kind shares.

A cell is one episode, fixed by (world, split, seed, planner, budget, options,
objective, episode settings). Its id is a hash of exactly those values, so the
same study always has the same cells, whatever order they run in, and the
results store keys its rows on it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import objectives

#: a cell's ``objective`` for a policy that pursues none (the reactive policy)
NO_OBJECTIVE = "none"


@dataclasses.dataclass(frozen=True)
class Cell:
    """One episode of a study. `budget` is None for the planner's default."""

    world: str
    split: str
    seed: int
    planner: str
    budget: int | None
    options: tuple[tuple[str, Any], ...]
    objective: str
    max_steps: int | None
    threshold: float
    scoring: str
    overrides: tuple[tuple[str, Any], ...]
    label: str

    @property
    def id(self) -> str:
        """16 hex digits, a hash of every value that shapes the episode."""
        payload = json.dumps(dataclasses.asdict(self), sort_keys=True, default=list)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @property
    def agent(self) -> str:
        """The agent's label in reports: planner (budget) -> objective."""
        return f"{self.label} -> {self.objective}"

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "options": dict(self.options), "overrides": dict(self.overrides)}


def cell_objective(world, text: str):
    """The objective a cell's ``objective`` field names: a catalogue name,
    ``"none"`` (no objective: None) or an objective's JSON (`Objective.to_json`),
    as the base optimiser's candidates are stored."""
    if text == NO_OBJECTIVE:
        return None
    if text.startswith("{"):
        return objectives.Objective.from_json(text)
    return objectives.get(world, text)
