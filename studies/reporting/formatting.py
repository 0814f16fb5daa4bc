"""Numbers as report text: the same rounding and "n/a" on every page; and
CSV cells that a spreadsheet will not run as formulas."""

from __future__ import annotations

import math
import re
from typing import Any

#: first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: a plain decimal number (ASCII digits only), which no spreadsheet reads as a formula
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def is_finite(*values: float | None) -> bool:
    """True when every value is a finite number."""
    return all(v is not None and math.isfinite(v) for v in values)


def pct(fraction: float) -> str:
    """A fraction as a whole percentage."""
    return f"{100 * fraction:.0f}%"


def num(value: float | None) -> str:
    """Two decimals; "n/a" for None and NaN; never "-0.00"."""
    return "n/a" if not is_finite(value) else f"{value:.2f}".replace("-0.00", "0.00")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: text starting with one
    of `FORMULA_STARTS` gets a leading single quote, as OWASP recommends.
    Numbers, and text that is a plain number (such as "-0.25"), stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
