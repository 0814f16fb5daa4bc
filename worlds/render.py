"""Drawing helpers shared by the grid worlds: ANSI text and RGB arrays.

A world turns a level into a grid of *cell kinds* (strings such as ``"wall"``
or ``"agent"``); these helpers draw any such grid, so every world looks alike.
"""

from __future__ import annotations

import numpy as np

# kind -> (text glyph, ANSI SGR colour code, RGB fill, RGB of the mark drawn on top, mark shape)
PALETTE: dict[str, tuple[str, str, tuple, tuple | None, str | None]] = {
    "wall": ("#", "90", (46, 52, 64), None, None),
    "floor": (".", "37", (236, 236, 228), None, None),
    "path": ("o", "33", (255, 214, 102), None, None),
    "start": ("S", "1;34", (190, 210, 245), None, None),
    "exit": ("E", "1;31", (236, 236, 228), (214, 48, 49), "square"),
    "arrow": ("A", "1;32", (236, 236, 228), (39, 174, 96), "arrow"),
    "arrow_on_exit": ("*", "1;32;41", (214, 48, 49), (39, 174, 96), "arrow"),
    "agent": ("@", "1;36", (236, 236, 228), (41, 98, 255), "disc"),
    # the agent standing on a marked cell keeps that cell's colour around it
    "agent_on_exit": ("@", "1;36;41", (214, 48, 49), (41, 98, 255), "disc"),
    "agent_on_arrow": ("@", "1;36;42", (39, 174, 96), (41, 98, 255), "disc"),
    "agent_on_arrow_on_exit": ("@", "1;36;42", (39, 174, 96), (41, 98, 255), "disc"),
}


def ansi_cells(kinds: np.ndarray, color: bool = True) -> str:
    """Text picture of a ``object[H, W]`` grid of cell kinds."""
    lines = []
    for row in kinds:
        parts = []
        for kind in row:
            glyph, code = PALETTE[kind][0], PALETTE[kind][1]
            parts.append(f"\x1b[{code}m{glyph}\x1b[0m" if color else glyph)
        lines.append("".join(parts))
    return "\n".join(lines) + "\n"


def _mark(shape: str, cell: int) -> np.ndarray:
    """Boolean ``[cell, cell]`` mask of a mark drawn inside one cell."""
    y, x = np.mgrid[0:cell, 0:cell] + 0.5
    u, v = x / cell, y / cell
    if shape == "square":
        return (np.abs(u - 0.5) < 0.36) & (np.abs(v - 0.5) < 0.36)
    if shape == "disc":
        return (u - 0.5) ** 2 + (v - 0.5) ** 2 < 0.36**2
    if shape == "arrow":  # a right-pointing arrow: shaft plus head
        shaft = (u > 0.15) & (u < 0.55) & (np.abs(v - 0.5) < 0.12)
        head = (u >= 0.5) & (u < 0.88) & (np.abs(v - 0.5) < (0.88 - u) * 1.0)
        return shaft | head
    raise ValueError(f"unknown mark shape {shape!r}")


def paint_cells(kinds: np.ndarray, cell: int = 16) -> np.ndarray:
    """RGB picture of a grid of cell kinds, ``uint8[H * cell, W * cell, 3]``."""
    names = list(PALETTE)
    unknown = set(np.unique(kinds)) - set(names)
    if unknown:
        raise ValueError(f"no colours for cell kinds {sorted(unknown)}")
    codes = np.zeros(kinds.shape, dtype=np.int64)
    for i, name in enumerate(names):
        codes[kinds == name] = i
    fills = np.array([PALETTE[name][2] for name in names], dtype=np.uint8)
    image = np.repeat(np.repeat(fills[codes], cell, axis=0), cell, axis=1)
    for i, name in enumerate(names):
        _, _, _, mark_rgb, shape = PALETTE[name]
        if shape is None:
            continue
        mask = _mark(shape, cell)
        for r, c in np.argwhere(codes == i):
            image[r * cell : (r + 1) * cell, c * cell : (c + 1) * cell][mask] = mark_rgb
    return image


def path_cells(path) -> list[tuple[int, int]]:
    """The (row, col) of each state of `path` (states start with row, col); [] for None."""
    return [] if path is None else [(int(s[0]), int(s[1])) for s in path]
