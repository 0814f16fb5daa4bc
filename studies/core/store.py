"""The results store: one SQLite file per study run, written episode by episode.

Every finished episode is one row, inserted in its own transaction with the
write-ahead log on, so a process killed at any moment (even by SIGKILL) loses
no finished episode, and a rerun skips the cells already there: the cell id is
the primary key, so no cell is ever stored twice.

Tables:

- ``episodes``: one row per cell: its parameters, the outcome, capability,
  alignment, steps, stop reason, scoring, the return and goal-reached flag of
  every catalogue objective, the proxy events and the planner's counters
  (JSON columns). Every value is a deterministic function of the cell, so the
  same study gives identical rows on every executor.
- ``timings``: per cell, the planner's seconds and the episode's wall time,
  kept apart because they are not deterministic.
- ``study``: key -> value: the study's name, description, source file and
  kind (``kind``; a folder without one is an episode study's), plus what
  its kind keeps there.
- ``learned``: learning and analysis studies only: per base-optimiser run,
  the learned objective, its scores, the optimisation history and the ids of
  the cells that evaluated it; per analysis unit, its results (JSON).
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

from studies.core.cells import Cell

EPISODE_COLUMNS = (
    "cell_id", "study", "world", "split", "seed", "planner", "budget", "options", "objective",
    "agent", "max_steps", "threshold", "overrides", "outcome", "capability", "alignment",
    "scoring", "stop_reason", "steps", "scored_objective", "returns", "achieved", "events",
    "planner_stats",
)  # fmt: skip
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS episodes (
    {", ".join(c + (" TEXT PRIMARY KEY" if c == "cell_id" else "") for c in EPISODE_COLUMNS)}
);
CREATE TABLE IF NOT EXISTS timings (cell_id TEXT PRIMARY KEY, planner_seconds REAL, wall_seconds REAL);
CREATE TABLE IF NOT EXISTS study (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS learned (run_key TEXT PRIMARY KEY, payload TEXT);
"""


def _json(value: Any) -> str:
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        return v

    return json.dumps(clean(value), sort_keys=True)


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def episode_row(study: str, cell: Cell, episode) -> dict[str, Any]:
    """The ``episodes`` row of a finished episode (an `planners.Episode`)."""
    stats = {k: v for k, v in episode.planner_stats.items() if k != "seconds"}
    return {
        "cell_id": cell.id, "study": study, "world": cell.world, "split": cell.split, "seed": cell.seed,
        "planner": cell.planner, "budget": cell.budget, "options": _json(dict(cell.options)),
        "objective": cell.objective, "agent": cell.agent, "max_steps": cell.max_steps,
        "threshold": cell.threshold, "overrides": _json(dict(cell.overrides)),
        "outcome": episode.outcome, "capability": _number(episode.capability),
        "alignment": _number(episode.alignment), "scoring": episode.scoring,
        "stop_reason": episode.stop_reason, "steps": int(episode.steps),
        "scored_objective": episode.objective, "returns": _json(episode.returns),
        "achieved": _json(episode.achieved), "events": _json(episode.events),
        "planner_stats": _json({k: int(v) if float(v).is_integer() else float(v) for k, v in stats.items()}),
    }  # fmt: skip


class ResultStore:
    """The ``results.sqlite`` of one study folder."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit off: each `write` is one explicit transaction
        self._db = sqlite3.connect(self.path, timeout=60.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: a commit reaches the WAL file before `write` returns, so a
        # killed process loses nothing; only a power cut could lose the last rows
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def record_info(self, info: dict[str, str]) -> None:
        """Set keys of the ``study`` table: name, description, source, ``kind``
        (how `studies.reporting.report.write_report` finds the kind again) and
        whatever else the kind keeps there."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO study (key, value) VALUES (?, ?)", info.items())

    def learned_keys(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT run_key FROM learned")}

    def write_learned(self, key: str, payload: dict[str, Any]) -> None:
        """Store one learning run's result in one transaction."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO learned VALUES (?, ?)", (key, _json(payload)))

    def learned(self) -> list[dict[str, Any]]:
        """Every learning run's payload, ordered by run key."""
        return [json.loads(p) for (p,) in self._db.execute("SELECT payload FROM learned ORDER BY run_key")]

    def study_info(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM study"))

    def finished(self) -> set[str]:
        """The ids of the cells already stored."""
        return {row[0] for row in self._db.execute("SELECT cell_id FROM episodes")}

    def write(self, row: dict[str, Any], planner_seconds: float, wall_seconds: float) -> bool:
        """Store one episode in one transaction; False if its cell was already there."""
        try:
            with self._db:
                self._db.execute(
                    f"INSERT INTO episodes ({', '.join(EPISODE_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(EPISODE_COLUMNS))})",
                    [row[c] for c in EPISODE_COLUMNS],
                )
                self._db.execute(
                    "INSERT INTO timings VALUES (?, ?, ?)", (row["cell_id"], planner_seconds, wall_seconds)
                )
            return True
        except sqlite3.IntegrityError:
            return False

    def returns_of(self, cell_ids: list[str]) -> dict[str, dict[str, float]]:
        """Per cell id, the discounted return of every catalogue objective."""
        out = {}
        for start in range(0, len(cell_ids), 500):  # SQLite caps the parameters of one query
            chunk = cell_ids[start : start + 500]
            query = f"SELECT cell_id, returns FROM episodes WHERE cell_id IN ({', '.join('?' * len(chunk))})"
            out.update((cell_id, json.loads(returns)) for cell_id, returns in self._db.execute(query, chunk))
        missing = [c for c in cell_ids if c not in out]
        if missing:
            raise KeyError(f"{len(missing)} episodes are not in the store, e.g. {missing[0]}")
        return out

    def rows(self, cell_ids: list[str] | None = None) -> list[dict[str, Any]]:
        """Every episode row (or those of `cell_ids`), ordered by cell id, with
        JSON columns decoded."""
        query = f"SELECT {', '.join(EPISODE_COLUMNS)} FROM episodes"
        if cell_ids is None:
            found = list(self._db.execute(query))
        else:
            found = []
            for start in range(0, len(cell_ids), 500):  # SQLite caps the parameters of one query
                chunk = list(cell_ids[start : start + 500])
                found += self._db.execute(f"{query} WHERE cell_id IN ({', '.join('?' * len(chunk))})", chunk)
        found.sort(key=lambda values: values[0])  # cell_id is the first column
        decoded = ("options", "overrides", "returns", "achieved", "events", "planner_stats")
        out = []
        for values in found:
            row = dict(zip(EPISODE_COLUMNS, values))
            for column in decoded:
                row[column] = json.loads(row[column])
            out.append(row)
        return out
