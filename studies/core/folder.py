"""A study's output folder: where it is when no ``--out`` is given, the checks
before anything is written there, and the claim a run holds on it.

A folder belongs to one study. Its results store records the study's name,
kind and a fingerprint of its settings (a hash of the normalised study: its
cells, runs or units, so ``--seeds`` counts); a run of another study, or of
the same study with other settings, into that folder is refused with one line
saying what differs. To start fresh, pass another ``--out`` or delete the
folder. Resuming the same study with the same settings plays what is missing.

A run also holds an exclusive lock (``results.lock``, `fcntl.flock`) on the
folder while it plays, so two runs into one folder never both play the same
cells: the second is refused. The kernel drops the lock when the process
ends, even by SIGKILL. (Where `fcntl` does not exist, on Windows, there is no
lock.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from studies.core.limits import FALLBACK_NAME_MAX
from studies.core.store import START_FRESH, STORE_NAME, FolderOwnedError, ResultStore, check_store_file
from worlds import MesabaseError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, runs are not serialised
    fcntl = None

#: where `mesabase run` writes a study named N without ``--out``: ``mesabase-out/N``
DEFAULT_ROOT = Path("mesabase-out")

#: the lock file a run holds in its folder
LOCK_NAME = "results.lock"

#: fields of a study object that do not change its results
_UNSCORED_FIELDS = ("name", "description", "source")


class OutputFolderError(MesabaseError):
    """An output folder that cannot be made or written, or a study name unfit to be one."""


class FolderBusyError(OutputFolderError):
    """Another run holds the folder's lock."""


def check_study_name(name: Any) -> str:
    """`name` if it can be a folder name under `DEFAULT_ROOT`; else one line saying why."""
    fix = 'set name = "..." in the study file, or pass --out'
    if not isinstance(name, str) or not name.strip():
        raise OutputFolderError(f"a study's name must be a non-empty text, got {name!r}; {fix}")
    separators = {"/", "\\", os.sep, os.altsep} - {None}
    if any(s in name for s in separators) or name in (".", ".."):
        raise OutputFolderError(
            f"the study name {name!r} is not a plain folder name (no path separators, not '.' or '..'); {fix}"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise OutputFolderError(f"the study name {name!r} holds control characters; {fix}")
    try:
        limit = os.pathconf(".", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no such query on this system
        limit = FALLBACK_NAME_MAX
    if len(name.encode("utf-8")) > limit:
        raise OutputFolderError(
            f"the study name is {len(name.encode('utf-8'))} bytes, over the filesystem's limit of "
            f"{limit} bytes for a folder name; {fix}"
        )
    return name


def default_out_dir(name: Any) -> Path:
    """The folder of a study run without ``--out``: ``mesabase-out/<name>``."""
    return DEFAULT_ROOT / check_study_name(name)


def prepare_out_dir(out_dir: str | Path) -> Path:
    """Make `out_dir` (and its parents) and check that it can be written; one
    `OutputFolderError` line otherwise."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out} is a file, not a folder; pass --out a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFolderError(f"cannot make the folder {out}: {error.strerror or error}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputFolderError(f"cannot write to the folder {out}: permission denied; pass --out another")
    return out


# ---- what a folder holds --------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-ready form of `value` for fingerprints (numpy values, paths, sets)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    return str(value)


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=_plain, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class FolderIdentity:
    """What a folder holds: the study's `name`, its `kind`, the `fingerprint`
    of its settings and, per settings field, a short summary (``count`` of
    items or a short ``value``, and a ``hash``) used to say what differs."""

    name: str
    kind: str
    fingerprint: str
    settings: dict[str, dict[str, Any]]

    def as_info(self) -> dict[str, str]:
        """The keys this identity sets in the store's ``study`` table."""
        return {
            "name": self.name, "kind": self.kind, "fingerprint": self.fingerprint,
            "settings": json.dumps(self.settings, sort_keys=True),
        }  # fmt: skip


def study_identity(kind: str, study: Any) -> FolderIdentity:
    """The identity of `study` (of kind `kind`): every field but its name,
    description and source file goes into the fingerprint. A study object
    that is not a dataclass has only its name and kind checked."""
    if not dataclasses.is_dataclass(study):
        return FolderIdentity(str(study.name), kind, "", {})
    fields = {k: v for k, v in dataclasses.asdict(study).items() if k not in _UNSCORED_FIELDS}
    settings = {}
    for field, value in fields.items():
        summary: dict[str, Any] = {"hash": _digest(value)}
        if isinstance(value, list | tuple):
            summary["count"] = len(value)
        elif len(text := json.dumps(value, default=_plain)) <= 40:
            summary["value"] = text
        settings[field] = summary
    return FolderIdentity(str(study.name), kind, _digest(fields), settings)


def _differences(stored: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]) -> list[str]:
    """One phrase per settings field that differs: 'cells (48 there, 24 now)'."""
    phrases = []
    for field in sorted(set(stored) | set(now)):
        there, here = stored.get(field, {}), now.get(field, {})
        if there.get("hash") == here.get("hash"):
            continue
        for key in ("count", "value"):
            if key in there and key in here and there[key] != here[key]:
                phrases.append(f"{field} ({there[key]} there, {here[key]} now)")
                break
        else:
            phrases.append(f"{field} (other contents)")
    return phrases


def check_identity(out: Path, info: dict[str, str], identity: FolderIdentity) -> None:
    """Refuse, with one `FolderOwnedError` line, a folder whose store (its
    ``study`` table `info`) holds another study or other settings. A store
    from before fingerprints were kept is checked on name and kind only."""
    held_name, held_kind = info.get("name"), info.get("kind")
    if held_name is None and held_kind is None:
        return  # a new store
    held_kind = held_kind or "episodes"  # stores without a kind are episode studies'
    if (held_name, held_kind) != (identity.name, identity.kind):
        raise FolderOwnedError(
            f"{out} holds the {held_kind} study {held_name!r}, not the {identity.kind} study "
            f"{identity.name!r}; {START_FRESH}"
        )
    fingerprint = info.get("fingerprint")
    if fingerprint and fingerprint != identity.fingerprint:
        try:
            stored = json.loads(info.get("settings") or "{}")
        except json.JSONDecodeError:
            stored = {}
        what = ", ".join(_differences(stored, identity.settings)) or "its settings"
        raise FolderOwnedError(
            f"{out} holds the study {identity.name!r} with other settings: {what}; {START_FRESH}"
        )


# ---- the claim ------------------------------------------------------------------------

#: folders this process has claimed, with how many claims are open on each
_HELD: dict[Path, int] = {}


def _lock(out: Path):
    """The open lock file of `out`, exclusively locked; `FolderBusyError` if another process holds it."""
    handle = open(out / LOCK_NAME, "a+", encoding="utf-8")  # noqa: SIM115 (held until the claim ends)
    if fcntl is None:
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip() or "unknown"
        handle.close()
        raise FolderBusyError(
            f"another run holds this folder ({out}, pid {pid}); wait for it to end, or pass another --out"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


@contextlib.contextmanager
def claim_folder(out_dir: str | Path, identity: FolderIdentity | None = None) -> Iterator[Path]:
    """Hold `out_dir` for one run: make it, lock it against other processes,
    and (given `identity`) check that its store holds this study with these
    settings, then record them. Claims nest within one process (the CLI
    claims, then the kind's run claims again). Yields the folder."""
    out = prepare_out_dir(out_dir)
    check_store_file(out / STORE_NAME)  # a foreign file: refused before the lock file is made
    key = out.resolve()
    handle = None if key in _HELD else _lock(out)
    _HELD[key] = _HELD.get(key, 0) + 1
    try:
        if identity is not None:
            with ResultStore(out / STORE_NAME) as store:
                check_identity(out, store.study_info(), identity)
                store.record_info(identity.as_info())
        yield out
    finally:
        _HELD[key] -= 1
        if not _HELD[key]:
            del _HELD[key]
            if handle is not None:
                handle.close()  # closing the file drops the lock
