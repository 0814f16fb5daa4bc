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


def plural(unit: str, n: int) -> str:
    """ "1 level", "8 levels", "4 optimiser seeds"."""
    return f"{n} {unit if n == 1 or unit.endswith('s') else unit + 's'}"


#: a spread this small (relative) is floating-point noise, not spread between units
_NOISE = 1e-9


def interval(mean: float, lo: float, hi: float, n: int, unit: str) -> str:
    """A mean with its 95% interval and the count at the unit that was
    resampled: "0.54 [0.18, 0.90] (n = 5 levels)". An interval with no width
    is not printed as if it were certain: "1.00 (all 8 levels equal: no
    spread to resample)"; one unit: "0.60 (n = 1 level: no interval)"."""
    if not is_finite(mean):
        return "n/a"
    if n <= 1:
        return f"{num(mean)} (n = {plural(unit, n)}: no interval)"
    if hi - lo <= _NOISE * max(1.0, abs(mean)):
        return f"{num(mean)} (all {plural(unit, n)} equal: no spread to resample)"
    shown = (num(mean), num(lo), num(hi))
    if len(set(shown)) < 3:  # a narrow interval rounded away: show more digits than look certain
        shown = tuple(f"{v:.4f}".replace("-0.0000", "0.0000") for v in (mean, lo, hi))
    return f"{shown[0]} [{shown[1]}, {shown[2]}] (n = {plural(unit, n)})"


def proportion(successes: int, n: int, lo: float, hi: float) -> str:
    """An outcome fraction with its exact (Wilson) interval: "8/8, 100% [68%, 100%]"."""
    if n == 0:
        return "n/a"
    return f"{successes}/{n}, {pct(successes / n)} [{pct(lo)}, {pct(hi)}]"


def p_value(p: float | None) -> str:
    """A p-value as text: two decimals from 0.1 up, three significant digits
    below, so that one just under 0.05 never rounds to "0.05"; "n/a" when undefined."""
    if not is_finite(p):
        return "n/a"
    return f"{p:.2f}" if p >= 0.1 else f"{p:.3g}"
