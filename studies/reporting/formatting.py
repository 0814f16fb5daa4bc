"""Numbers as report text: the same rounding and "n/a" on every page."""

from __future__ import annotations

import math


def is_finite(*values: float | None) -> bool:
    """True when every value is a finite number."""
    return all(v is not None and math.isfinite(v) for v in values)


def pct(fraction: float) -> str:
    """A fraction as a whole percentage."""
    return f"{100 * fraction:.0f}%"


def num(value: float | None) -> str:
    """Two decimals; "n/a" for None and NaN; never "-0.00"."""
    return "n/a" if not is_finite(value) else f"{value:.2f}".replace("-0.00", "0.00")
