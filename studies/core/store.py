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

A store is only ever opened on a file that is one: an existing file that is
not SQLite, or a SQLite database with other tables, is refused with a
`ForeignStoreError` before anything is written to it. ``read_only=True``
opens the file with SQLite's ``mode=ro``, as `mesabase report` does.
"""

from __future__ import annotations

import json
import math
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

from studies.core.cells import Cell
from worlds import MesabaseError

#: the results store's file name in a study folder
STORE_NAME = "results.sqlite"

#: how to get out of a folder that holds something else
START_FRESH = "pass another --out, or delete the folder to start over"

#: what a refusal of a file that is not a store says
_LEFT_ALONE = "mesabase leaves it as it is: use another folder (--out) for results"

#: the tables of a results store; a database with any other is not ours
TABLES = ("episodes", "timings", "study", "learned")

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


class ForeignStoreError(MesabaseError):
    """A ``results.sqlite`` that is not SQLite, or not a mesabase results store."""


class FolderOwnedError(MesabaseError):
    """A folder whose store holds another study, or the same study with other settings."""


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to `path` (SQLite's ``mode=ro``)."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=60.0)


def store_tables(db: sqlite3.Connection, path: Path) -> set[str]:
    """The tables of the results store open as `db`: a subset of `TABLES`
    (empty for a new database); `ForeignStoreError` for anything else."""
    try:
        objects = list(db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        tables = {name for kind, name in objects if kind == "table"}
        columns = (
            [row[1] for row in db.execute("PRAGMA table_info(episodes)")] if "episodes" in tables else []
        )
    except sqlite3.DatabaseError as error:
        raise ForeignStoreError(f"{path} is not a mesabase results store ({error}); {_LEFT_ALONE}") from None
    foreign = sorted({name for _, name in objects} - set(TABLES))
    if foreign or (columns and tuple(columns) != EPISODE_COLUMNS):
        what = f"table {foreign[0]!r}" if foreign else "another episodes table"
        raise ForeignStoreError(f"{path} is not a mesabase results store (it has {what}); {_LEFT_ALONE}")
    return tables


def check_store_file(path: str | Path) -> set[str]:
    """The tables of the store at `path`, read without writing (none if it
    does not exist or is empty); `ForeignStoreError` if it is not a store."""
    path = Path(path)
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return set()
    if not path.is_file():
        raise ForeignStoreError(f"{path} is not a file; {_LEFT_ALONE}")
    db = _read_only(path)
    try:
        return store_tables(db, path)
    finally:
        db.close()


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
    """The ``results.sqlite`` of one study folder (``":memory:"`` for a store
    that lives only in this process). `read_only` opens an existing file
    without ever writing to it: every query then sees empty tables where the
    file has none."""

    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        in_memory = str(path) == ":memory:"
        if read_only:
            if not self.path.is_file():
                raise FileNotFoundError(2, "no such results store", str(self.path))
            self._db = _read_only(self.path)
            self._tables = store_tables(self._db, self.path)
            return
        if not in_memory:
            check_store_file(self.path)  # refuse a foreign file before touching it
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit off: each `write` is one explicit transaction
        self._db = sqlite3.connect(self.path, timeout=60.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: a commit reaches the WAL file before `write` returns, so a
        # killed process loses nothing; only a power cut could lose the last rows
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._tables = set(TABLES)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def record_info(self, info: dict[str, str]) -> None:
        """Set keys of the ``study`` table: name, description, source, ``kind``
        (how `studies.reporting.report.write_report` finds the kind again) and
        whatever else the kind keeps there. A ``name`` or ``kind`` other than
        the one stored is a `FolderOwnedError`: a folder holds one study."""
        held = self.study_info()
        for key in ("name", "kind"):
            if key in info and key in held and info[key] != held[key]:
                raise FolderOwnedError(
                    f"{self.path.parent} holds the study {held.get('name')!r} ({held.get('kind')}), not "
                    f"{info.get('name', held.get('name'))!r} ({info.get('kind', held.get('kind'))}); "
                    f"{START_FRESH}"
                )
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO study (key, value) VALUES (?, ?)", info.items())

    def learned_keys(self) -> set[str]:
        if "learned" not in self._tables:
            return set()
        return {row[0] for row in self._db.execute("SELECT run_key FROM learned")}

    def write_learned(self, key: str, payload: dict[str, Any]) -> None:
        """Store one learning run's result in one transaction."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO learned VALUES (?, ?)", (key, _json(payload)))

    def learned(self) -> list[dict[str, Any]]:
        """Every learning run's payload, ordered by run key."""
        if "learned" not in self._tables:
            return []
        return [json.loads(p) for (p,) in self._db.execute("SELECT payload FROM learned ORDER BY run_key")]

    def study_info(self) -> dict[str, str]:
        if "study" not in self._tables:
            return {}
        return dict(self._db.execute("SELECT key, value FROM study"))

    def finished(self) -> set[str]:
        """The ids of the cells already stored."""
        if "episodes" not in self._tables:
            return set()
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

    def timings(self) -> list[dict[str, Any]]:
        """Per finished cell, what shapes its cost (world, split, planner,
        budget, options and overrides as JSON text, objective, max_steps,
        steps) and its planner and wall seconds: what
        `studies.core.schedule` learns from. Ordered by cell id."""
        if not {"episodes", "timings"} <= self._tables:
            return []
        columns = ("cell_id", "world", "split", "planner", "budget", "options", "objective", "max_steps",
                   "overrides", "steps")  # fmt: skip
        query = (
            f"SELECT {', '.join('e.' + c for c in columns)}, t.planner_seconds, t.wall_seconds "
            "FROM episodes e JOIN timings t ON t.cell_id = e.cell_id ORDER BY e.cell_id"
        )
        names = (*columns, "planner_seconds", "wall_seconds")
        return [dict(zip(names, values)) for values in self._db.execute(query)]

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
        if "episodes" not in self._tables:
            found = []
        elif cell_ids is None:
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
