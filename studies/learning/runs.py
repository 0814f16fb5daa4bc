"""A learning study's finished runs as its report reads them: each run's
payload with its episodes attached, grouped into settings.

A setting is a sweep point without its optimiser seed: runs that differ only
in their seed are repeats of one setting, and the optimiser seed is the unit
of replication (levels are nested in it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studies.core.store import ResultStore

_TIE = 1e-9

#: where a run's objectives are scored besides the evaluation splits
IN_SAMPLE = "in-sample"
HELD_OUT = "held-out"


def settings_key(point: dict[str, Any]) -> tuple:
    """A run's sweep point without its optimiser seed: runs that differ only in
    seed are repeats of one setting. Numbers sort by value."""
    items = [(k, v) for k, v in point.items() if k != "seed"]
    return tuple(
        sorted((k, (0, v, "") if isinstance(v, (int, float)) else (1, 0, json.dumps(v))) for k, v in items)
    )


def label(point: dict[str, Any]) -> str:
    """A setting's name: its sweep values without the seed ("all" for none)."""
    return ", ".join(f"{k.split('.')[-1]} {v}" for k, v in sorted(point.items()) if k != "seed") or "all"


def tied(history: list[dict[str, Any]]) -> float:
    """The fraction of candidates whose training base return ties the best:
    near 1 when training cannot tell the candidates apart (a prior's penalty
    is left out: it is a preference, not evidence)."""
    best = max(e["score"] for e in history)
    return sum(e["score"] >= best - _TIE for e in history) / len(history)


class Run:
    """One learning run's payload with its episodes attached.

    Attributes:
        payload: the ``learned`` table's payload; point: its sweep values;
        seed: its optimiser seed; weights: the learned weights.
        played: split -> agent -> episode rows on the evaluation split.
        held_out: agent -> episode rows on its held-out training-distribution
            levels; None for a run stored before held-out scoring.
    """

    def __init__(self, payload: dict[str, Any], episodes: dict[str, dict[str, Any]]):
        self.payload = payload
        self.point = payload["point"]
        self.seed = int(self.point.get("seed", payload["config"].get("seed", 0)))
        self.weights: dict[str, float] = payload["weights"]
        self.played = {
            split: {agent: [episodes[i] for i in ids if i in episodes] for agent, ids in agents.items()}
            for split, agents in payload["evaluations"].items()
        }
        held_out = payload.get("held_out")
        self.held_out = (
            None
            if held_out is None
            else {
                agent: [episodes[i] for i in ids if i in episodes]
                for agent, ids in held_out["episodes"].items()
            }
        )

    def selected(self) -> str:
        """The feature with the largest weight."""
        return max(self.weights, key=lambda f: (self.weights[f], f))

    def episodes(self, where: str, agent: str) -> list[dict[str, Any]]:
        """The episode rows of `agent` ("learned" or a catalogue name) on a
        split or `HELD_OUT`; empty when it was not played there."""
        if where == HELD_OUT:
            return (self.held_out or {}).get(agent, [])
        return self.played.get(where, {}).get(agent, [])

    def values(self, where: str, agent: str, measure: str, base: str) -> list[float]:
        """Per level ``[L]``, `agent`'s base return (`measure` "return") or
        whether it achieved the base objective's goal ("goal", 0/1), on a split,
        `HELD_OUT` or `IN_SAMPLE` (the training levels, return only; the base
        objective is then "base")."""
        if where == IN_SAMPLE:
            if measure != "return":
                return []
            return list(self.payload["train_scores" if agent == "learned" else "base_scores"])
        rows = self.episodes(where, agent)
        if measure == "return":
            return [float(r["returns"][base]) for r in rows]
        return [float(bool(r["achieved"][base])) for r in rows]


def load(out: Path) -> tuple[dict[str, str], list[Run], str]:
    """(study info, the finished runs, the world's name) of the study in `out`."""
    with ResultStore(out / "results.sqlite", read_only=True) as store:
        info, payloads = store.study_info(), store.learned()
        wanted = set()
        for payload in payloads:
            sources = list(payload["evaluations"].values()) + [
                payload.get("held_out", {}).get("episodes", {})
            ]
            wanted |= {i for agents in sources for ids in agents.values() for i in ids}
        episodes = {r["cell_id"]: r for r in store.rows(sorted(wanted))}
    world = payloads[0]["config"]["world"] if payloads else ""
    return info, [Run(p, episodes) for p in payloads], world


def group(runs: list[Run]) -> dict[tuple, list[Run]]:
    """The runs by setting (`settings_key`), in setting order, each sorted by seed."""
    groups: dict[tuple, list[Run]] = {}
    for run in sorted(runs, key=lambda r: (settings_key(r.point), r.seed)):
        groups.setdefault(settings_key(run.point), []).append(run)
    return groups
