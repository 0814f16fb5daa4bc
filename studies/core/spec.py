"""Study files: reading one (a TOML path, or the name of a built-in or shipped
study), handing it to its kind's parser, and the small checks every kind's
parser shares.

A study file names its kind with ``kind = "..."`` (``"episodes"`` when left
out); `load` looks the kind up in `studies.core.kinds`, so this module knows
no kind. Errors are one `StudyError` line naming the file and the key.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import planners
from studies.core.kinds import DEFAULT_KIND, StudyKind, get_kind, kind_names
from studies.core.limits import MAX_SEEDS, Limit, memory_note
from studies.core.plugin_studies import ShippedStudy, shipped_studies
from worlds import MesabaseError

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin"


class StudyError(MesabaseError, ValueError):
    """A study file that cannot be read or does not describe a valid study."""


def builtin_names() -> list[str]:
    """The built-in studies (``studies/builtin/*.toml``), by name."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def shipped() -> dict[str, ShippedStudy]:
    """The studies installed packages ship (`studies.core.plugin_studies`), by name."""
    return shipped_studies(tuple(builtin_names()))


def study_names() -> list[str]:
    """Every study that runs by name: the built-in ones, then the shipped ones."""
    return builtin_names() + sorted(shipped())


def study_path(path_or_name: str | Path) -> Path:
    """The file of a study: `path_or_name` itself, or the built-in or shipped
    study of that name when it has no suffix and no such file exists (a
    folder of that name, such as a results folder, does not hide the study)."""
    path = Path(path_or_name)
    if path.suffix or path.is_file():
        return path
    builtin = BUILTIN_DIR / f"{path_or_name}.toml"
    if builtin.exists():
        return builtin
    if str(path_or_name) in shipped():
        return shipped()[str(path_or_name)].path
    known = ", ".join(study_names())
    raise StudyError(f"no study file or study named {str(path_or_name)!r}; studies: {known}")


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed TOML of a study file; unreadable or malformed files are a `StudyError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StudyError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise StudyError(f"{path}: not UTF-8 text: {error.reason} at byte {error.start}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StudyError(f"{path}: not valid TOML: {error}") from None


def load(path_or_name: str | Path, seeds: int | None = None):
    """Read a study file, or a built-in or shipped study by name (`study_names`),
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
    reject_non_finite(str(path), data)
    if seeds is not None:  # named as the user gave it, before any kind maps it onto a key
        positive_int(str(path), "--seeds", seeds, MAX_SEEDS)
    kind = get_kind(name)
    return kind, kind.parse(data, str(path), seeds)


# ---- checks shared by the kinds' parsers ---------------------------------------------


def fail(source: str, key: str, message: str) -> StudyError:
    """The error for `key` of the study file `source`: ``source: key: message``
    (``key: message`` when `source` is empty: the caller adds it)."""
    return StudyError(f"{source}: {key}: {message}" if source else f"{key}: {message}")


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


def positive_int(source: str, key: str, value, limit: Limit | None = None) -> int:
    """`value` if it is a positive integer (not a bool), at most `limit` when one is given."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise fail(source, key, f"expected a positive integer, got {value!r}")
    within(source, key, limit, value)
    return value


def within(source: str, key: str, limit: Limit | None, estimate: int, cells: bool = False) -> None:
    """A `StudyError` for `key` if `estimate` is over `limit` (with a memory
    estimate when it counts cells); nothing when there is no limit."""
    refusal = limit and limit.refusal(estimate, memory_note(estimate) if cells else "")
    if refusal:
        raise fail(source, key, refusal)


def reject_non_finite(source: str, data, key: str = "") -> None:
    """A `StudyError` naming the first NaN or infinite number anywhere in `data`
    (nested tables and arrays): no setting of any study takes one."""
    if isinstance(data, float) and not math.isfinite(data):
        raise fail(source, key or "<file>", f"expected a finite number, got {data!r}")
    if isinstance(data, dict):
        for name, value in data.items():
            reject_non_finite(source, value, f"{key}.{name}" if key else str(name))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            reject_non_finite(source, value, f"{key}[{index}]")


def make_planner(source: str, key: str, name, budget, options, budget_key: str | None = None):
    """The planner a study's planner table describes (``key`` is its key path;
    `budget_key` the budget's, default ``key.budget``), built now so that its
    own checks run when the file is read. An error names the option
    (``key.options.depth``) or the budget that the planner refused."""
    name = expect(source, f"{key}.name", name, str, "a planner name")
    if name not in planners.PLANNERS:
        valid = ", ".join(sorted(planners.PLANNERS))
        raise fail(source, f"{key}.name", f"unknown planner {name!r}; valid planners: {valid}")
    options = expect(source, f"{key}.options", options, dict, "a table of constructor arguments")
    argument = planners.BUDGET_ARGUMENT.get(name)
    if budget is not None and argument in options:
        raise fail(
            source, f"{key}.options.{argument}",
            f"{name}'s budget is {argument}: give it as the budget, not as an option as well",
        )  # fmt: skip
    try:
        planner = planners.make(name, None, **options)
    except (MesabaseError, TypeError, ValueError, OverflowError) as error:
        raise fail(source, _culprit(key, name, options), _one_line(error)) from None
    if budget is None:
        return planner
    try:
        return planners.make(name, budget, **options)
    except (MesabaseError, TypeError, ValueError, OverflowError) as error:
        raise fail(source, budget_key or f"{key}.budget", _one_line(error)) from None


def _culprit(key: str, name: str, options: dict) -> str:
    """The key path of the first option the planner refuses on its own, else
    of the options table (a combination of options is at fault)."""
    for option, value in options.items():
        try:
            planners.make(name, None, **{option: value})
        except (MesabaseError, TypeError, ValueError, OverflowError):
            return f"{key}.options.{option}"
    return f"{key}.options"


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def reject_unknown_keys(source: str, data: dict, valid: set[str], prefix: str = "") -> None:
    """A `StudyError` naming the first key of `data` not in `valid`, with the valid ones."""
    unknown = set(data) - valid
    if unknown:
        raise fail(
            source, prefix + sorted(unknown)[0], f"unknown key; valid keys: {', '.join(sorted(valid))}"
        )
