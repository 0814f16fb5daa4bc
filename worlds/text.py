"""Reading the text form shared by the grid worlds: one row per line, one
legend symbol per cell, ``#`` for wall."""

from __future__ import annotations

import numpy as np

from worlds.errors import LevelFormatError
from worlds.limits import check_level_cells


def legend_line(legend: dict[str, str]) -> str:
    """``"# wall, . floor, ..."``: the legend as quoted in error messages."""
    return ", ".join(f"{symbol} {name}" for symbol, name in legend.items())


def read_grid(
    lines: list[str], legend: dict[str, str], world: str, first_line: int = 1
) -> tuple[np.ndarray, dict[str, list[tuple[int, int]]]]:
    """Check a level's grid rows and find its symbols.

    `lines` are the grid rows (already split, without header lines);
    `first_line` is the text line number of the first row, for messages.
    Returns ``uint8[H, W]`` walls (1 where ``#``) and symbol -> cells in
    reading order. Raises a one-line `LevelFormatError` naming the problem:
    an empty grid, ragged rows, a symbol outside the legend, or a grid of
    more than `worlds.limits.MAX_LEVEL_CELLS` cells (checked before any is read).
    """
    if not lines or not any(lines):
        raise LevelFormatError(f"empty {world} level text (legend: {legend_line(legend)})")
    width = len(lines[0])
    check_level_cells(len(lines), max(len(line) for line in lines), f"this {world} level", LevelFormatError)
    walls = np.zeros((len(lines), width), dtype=np.uint8)
    cells: dict[str, list[tuple[int, int]]] = {symbol: [] for symbol in legend}
    for r, line in enumerate(lines):
        if len(line) != width:
            raise LevelFormatError(
                f"line {r + first_line} has {len(line)} characters but line {first_line} has {width}; "
                "a level must be a rectangle"
            )
        for c, symbol in enumerate(line):
            if symbol not in legend:
                raise LevelFormatError(
                    f"line {r + first_line}, column {c + 1}: unexpected character {symbol!r} "
                    f"(legend: {legend_line(legend)})"
                )
            walls[r, c] = symbol == "#"
            cells[symbol].append((r, c))
    return walls, cells


def grid_lines(text: str) -> list[str]:
    """The non-blank-edged lines of a level text, trailing spaces removed."""
    return [line.rstrip() for line in text.strip("\n").splitlines()]
