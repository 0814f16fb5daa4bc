"""Study files: reading one (a TOML path or a built-in name), handing it to
its kind's parser, and the small checks every kind's parser shares.

A study file names its kind with ``kind = "..."`` (``"episodes"`` when left
out); `load` looks the kind up in `studies.core.kinds`, so this module knows
no kind. Errors are one `StudyError` line naming the file and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from studies.core.kinds import DEFAULT_KIND, StudyKind, get_kind, kind_names
from worlds import MesabaseError

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin"


class StudyError(MesabaseError, ValueError):
    """A study file that cannot be read or does not describe a valid study."""


def builtin_names() -> list[str]:
    """The built-in studies (``studies/builtin/*.toml``), by name."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def study_path(path_or_name: str | Path) -> Path:
    """The file of a study: `path_or_name` itself, or the built-in study of
    that name when it has no suffix and no such file exists (a folder of
    that name, such as a results folder, does not hide the built-in)."""
    path = Path(path_or_name)
    if path.suffix or path.is_file():
        return path
    builtin = BUILTIN_DIR / f"{path_or_name}.toml"
    if not builtin.exists():
        raise StudyError(
            f"no study file or built-in study {str(path_or_name)!r}; built-in studies: "
            f"{', '.join(builtin_names())}"
        )
    return builtin


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed TOML of a study file; unreadable or malformed files are a `StudyError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StudyError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StudyError(f"{path}: not valid TOML: {error}") from None


def load(path_or_name: str | Path, seeds: int | None = None):
    """Read a study file, or a built-in study by name (see `builtin_names`),
    and parse it with its kind (``kind = ...``, default ``"episodes"``).

    `seeds` (the command line's ``--seeds``) replaces the study's replication
    unit, which each kind chooses: levels per split for episode studies,
    evaluation levels for learning studies, seeds for analysis studies.
    """
    return load_with_kind(path_or_name, seeds)[1]


def load_with_kind(path_or_name: str | Path, seeds: int | None = None) -> tuple[StudyKind, Any]:
    """`load`, returning the study's kind as well: (kind, study)."""
    path = study_path(path_or_name)
    data = read_toml(path)
    name = data.pop("kind", DEFAULT_KIND)
    if not isinstance(name, str) or name not in kind_names():
        raise StudyError(f"{path}: kind: unknown study kind {name!r}; valid: {', '.join(kind_names())}")
    kind = get_kind(name)
    return kind, kind.parse(data, str(path), seeds)


# ---- checks shared by the kinds' parsers ---------------------------------------------


def fail(source: str, key: str, message: str) -> StudyError:
    """The error for `key` of the study file `source`: ``source: key: message``."""
    return StudyError(f"{source}: {key}: {message}")


def expect(source: str, key: str, value, kind: type, what: str):
    """`value` if it is a `kind` (a bool is no number), else a `StudyError`
    saying that `what` was expected."""
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise fail(source, key, f"expected {what}, got {value!r}")
    return value


def expect_names(source: str, key: str, value) -> list[str]:
    """A name or a non-empty list of names, as a list."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise fail(source, key, f"expected a name or a non-empty list of names, got {value!r}")
    return value


def positive_int(source: str, key: str, value) -> int:
    """`value` if it is a positive integer (not a bool)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise fail(source, key, f"expected a positive integer, got {value!r}")
    return value


def reject_unknown_keys(source: str, data: dict, valid: set[str], prefix: str = "") -> None:
    """A `StudyError` naming the first key of `data` not in `valid`, with the valid ones."""
    unknown = set(data) - valid
    if unknown:
        raise fail(
            source, prefix + sorted(unknown)[0], f"unknown key; valid keys: {', '.join(sorted(valid))}"
        )
