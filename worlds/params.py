"""Checking values at the worlds' boundary: generator parameters (integers,
inclusive ranges of them, probabilities, real numbers and flags) and actions.

Each helper returns the value in the form the generators and kernels use and
raises a one-line `InvalidParameterError` naming the value otherwise, so a bad
override (a string, NaN, a bool for a count, ...) fails before any level is
drawn and a bad action before any kernel runs.
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

import numpy as np

from worlds.errors import InvalidParameterError


class InvalidActionError(InvalidParameterError):
    """An action a world cannot take: the wrong type, shape or range."""


def is_int(value: Any) -> bool:
    """Whether `value` is a Python or numpy integer (a bool is not)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_real(value: Any) -> bool:
    """Whether `value` is a Python or numpy integer or float (not a bool, not complex)."""
    return is_int(value) or isinstance(value, (float, np.floating))


def int_range(name: str, value: Any, minimum: int) -> tuple[int, int]:
    """`value` (an integer or an inclusive ``(low, high)`` range of them) as
    ``(low, high)``; raises `InvalidParameterError` naming `name` otherwise."""
    try:
        low, high = (value, value) if is_int(value) else tuple(value)
        if not all(is_int(v) for v in (low, high)):
            raise TypeError
        low, high = int(low), int(high)
    except (TypeError, ValueError):
        low, high = minimum - 1, minimum - 1
    if low < minimum or low > high:
        raise InvalidParameterError(
            f"{name} must be an integer >= {minimum} or a (low, high) range of them, got {value!r}"
        )
    return low, high


def odd_range(name: str, value: Any, minimum: int) -> tuple[int, int]:
    """Like `int_range`, narrowed to the odd numbers it holds (maze sizes)."""
    try:
        low, high = int_range(name, value, minimum)
    except InvalidParameterError:
        low, high = 0, -1
    odd_low, odd_high = low + (low % 2 == 0), high - (high % 2 == 0)
    if odd_low > odd_high:
        raise InvalidParameterError(
            f"{name} must be an odd integer >= {minimum} or a (low, high) range holding one, got {value!r}"
        )
    return odd_low, odd_high


def integer(name: str, value: Any, minimum: int) -> int:
    """`value` as an int when it is an integer >= `minimum` (not a bool, not 2.5)."""
    if not is_int(value) or value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def real(name: str, value: Any, low: float, high: float, *, open_low: bool = False) -> float:
    """`value` as a float when it is a finite real number in ``[low, high]``
    (``(low, high]`` with `open_low`)."""
    inside = is_real(value) and math.isfinite(value) and (value > low if open_low else value >= low)
    if not (inside and value <= high):
        bracket = "(" if open_low else "["
        raise InvalidParameterError(
            f"{name} must be a finite number in {bracket}{low:g}, {high:g}], got {value!r}"
        )
    return float(value)


def probability(name: str, value: Any) -> float:
    """`value` as a float when it is a finite real number in [0, 1]."""
    return real(name, value, 0.0, 1.0)


def real_range(name: str, value: Any, low: float, high: float) -> tuple[float, float]:
    """A ``(low, high)`` pair of finite reals inside ``[low, high]``, in order."""
    try:
        first, second = value
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a (low, high) pair of numbers, got {value!r}") from None
    pair = real(name, first, low, high), real(name, second, low, high)
    if pair[0] > pair[1]:
        raise InvalidParameterError(f"{name} must be a (low, high) pair with low <= high, got {value!r}")
    return pair


def flag(name: str, value: Any) -> int:
    """`value` as 0 or 1 when it is a bool or the integer 0 or 1."""
    if not isinstance(value, (bool, int, np.integer, np.bool_)) or value not in (0, 1):
        raise InvalidParameterError(f"{name} must be 0 or 1 (or a bool), got {value!r}")
    return int(value)


def describe(value: Any) -> str:
    """`value` for a one-line message: arrays by shape and dtype, anything
    else by a shortened repr."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"{reprlib.repr(value)} ({type(value).__name__})".replace("\n", " ")


def discrete_action(action: Any, actions: tuple[str, ...]) -> int:
    """`action` as an int when it is an integer (Python, numpy, or a 0-d
    integer array) in ``range(len(actions))``; raises `InvalidActionError`
    otherwise (bools, floats such as 1.7, -1 and arrays of other shapes too)."""
    value = action[()] if isinstance(action, np.ndarray) and action.shape == () else action
    if not (is_int(value) and 0 <= value < len(actions)):
        named = ", ".join(f"{i} {name}" for i, name in enumerate(actions))
        raise InvalidActionError(
            f"an action must be an integer in range({len(actions)}) ({named}), got {describe(action)}"
        )
    return int(value)
