"""Checking generator parameters given as an integer or an inclusive range."""

from __future__ import annotations

from typing import Any

import numpy as np

from worlds.errors import InvalidParameterError


def int_range(name: str, value: Any, minimum: int) -> tuple[int, int]:
    """`value` (an integer or an inclusive ``(low, high)`` range of them) as
    ``(low, high)``; raises `InvalidParameterError` naming `name` otherwise."""
    try:
        low, high = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
        if not all(isinstance(v, (int, np.integer)) for v in (low, high)):
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
