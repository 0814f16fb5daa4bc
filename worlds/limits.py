"""The size limits of the worlds, in one place.

Each limit is a named default plus an environment variable that raises (or
lowers) it; the functions below read the variable at call time, so a user
sets it in the shell before running mesabase. A refusal names the limit and
how to raise it in one line. The built-in splits stay far inside every limit.
"""

from __future__ import annotations

import os

from worlds.errors import InvalidParameterError, MesabaseError

#: Most cells (height x width) a grid level may have: 2**24, e.g. 4095 x 4095
#: (a 4001 maze samples in about 3 s and holds about 200 MB of arrays).
MAX_LEVEL_CELLS = 1 << 24
#: Longest default episode a point-mass level may ask for, in steps (the built-in
#: levels ask for 100); a level with a tiny ``dt`` or ``max_accel`` is refused.
MAX_HORIZON = 100_000
#: Largest magnitude of any number in a point-mass level (size, dt, max_accel,
#: positions, radii), so that the dynamics and the effort ``dt * |a|^2`` stay finite.
MAX_POINT_MASS_VALUE = 1.0e6
#: Largest `World.capacity_hint`: search buffers start at most this large and
#: grow when a search needs more, so a huge state space costs memory only when
#: it is actually explored.
MAX_CAPACITY_HINT = 1 << 20

#: limit name -> (environment variable that overrides it, default)
ENVIRONMENT = {
    "MAX_LEVEL_CELLS": ("MESABASE_MAX_LEVEL_CELLS", MAX_LEVEL_CELLS),
    "MAX_HORIZON": ("MESABASE_MAX_HORIZON", MAX_HORIZON),
}


class LimitError(InvalidParameterError):
    """A request beyond one of the documented limits (see `worlds.limits`)."""


def env_number(variable: str, default: int | float, kind: type = int) -> int | float:
    """The positive number (`kind`: int or float) in environment variable
    `variable`, or `default` when it is unset or empty; underscores are
    allowed in integers (``1_000_000``). Raises `InvalidParameterError` naming
    the variable for anything else. Every mesabase limit is read this way."""
    text = os.environ.get(variable)
    if text is None or not text.strip():
        return default
    try:
        value = kind(text.strip().replace("_", "") if kind is int else text)
    except ValueError:
        value = 0
    if not value > 0 or (kind is float and value == float("inf")):
        what = "integer" if kind is int else "number"
        raise InvalidParameterError(f"{variable} must be a positive {what}, got {text!r}")
    return value


def limit(name: str) -> int:
    """The limit called `name` (a key of `ENVIRONMENT`): its environment
    variable when set, else the default. Raises `InvalidParameterError` for a
    variable that is not a positive integer."""
    variable, default = ENVIRONMENT[name]
    return env_number(variable, default)


def how_to_raise(name: str) -> str:
    """``"MAX_LEVEL_CELLS=16777216; set MESABASE_MAX_LEVEL_CELLS to raise it"``."""
    return f"{name}={limit(name)}; set {ENVIRONMENT[name][0]} to raise it"


def check_level_cells(height: int, width: int, what: str, error: type[MesabaseError] = LimitError) -> None:
    """Refuse a `height` x `width` grid level (`what` names it, e.g. "a
    size-100001 arrow-maze level") beyond `MAX_LEVEL_CELLS`, raising `error`."""
    cells = int(height) * int(width)
    if cells > limit("MAX_LEVEL_CELLS"):
        raise error(
            f"{what} has {height} x {width} = {cells} cells, more than {how_to_raise('MAX_LEVEL_CELLS')}"
        )


def check_horizon(steps: float, what: str, error: type[MesabaseError] = LimitError) -> None:
    """Refuse a default horizon of `steps` (`what` says where it comes from)
    beyond `MAX_HORIZON`, or one that is not finite."""
    if not steps <= limit("MAX_HORIZON"):  # also catches NaN and inf
        raise error(
            f"{what} gives a default horizon of {steps:.3g} steps, more than {how_to_raise('MAX_HORIZON')}"
        )
