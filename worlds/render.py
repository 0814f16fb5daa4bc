"""Drawing helpers shared by the grid worlds: ANSI text and RGB arrays.

A world turns a level into a grid of *cell kinds* (strings such as ``"wall"``
or ``"exit"``); these helpers draw any such grid, so every world looks alike.

Pictures are drawn in layers, so that nothing important hides another thing:

1. each cell's fill; a cell the path visited, if its own fill is plain floor,
   takes the colour of the time of its last visit (`time_colours`: light early,
   dark late), so a long wandering episode is drawn whole;
2. each cell's mark (the exit's red square, the green arrow, a key, ...);
   collected keys and cleaned dirt stay as faint "ghost" marks with an edge;
3. a small dark dot on every cell the path visited more than once;
4. the agent as a blue ring *outline* with a thin white rim, so the mark under
   it stays visible.

The text form has one glyph per cell and no layers: there the agent is ``@``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from worlds.errors import MesabaseError

FLOOR_RGB = (236, 236, 228)
AGENT_RGB = (41, 98, 255)
#: the path's time ramp, early -> late: pale pink, magenta, dark purple (hues
#: no goal, item or dirt uses, so a path cell never reads as one of them)
RAMP = np.array([(250, 200, 225), (222, 84, 160), (88, 24, 108)], dtype=np.float64)
REVISIT_RGB = (24, 24, 32)
HALO_RGB = (255, 255, 255)

# kind -> (text glyph, ANSI SGR colour code, RGB fill, RGB of the mark drawn on top, mark shape)
PALETTE: dict[str, tuple[str, str, tuple, tuple | None, str | None]] = {
    "wall": ("#", "90", (46, 52, 64), None, None),
    "floor": (".", "37", FLOOR_RGB, None, None),
    "path": ("o", "33", tuple(int(v) for v in RAMP[1]), None, None),
    "start": ("S", "1;34", (190, 210, 245), None, None),
    "exit": ("E", "1;31", FLOOR_RGB, (214, 48, 49), "square"),
    "arrow": ("A", "1;32", FLOOR_RGB, (39, 174, 96), "arrow"),
    "arrow_on_exit": ("*", "1;32;41", (214, 48, 49), (39, 174, 96), "arrow"),
    "agent": ("@", "1;36", FLOOR_RGB, AGENT_RGB, "ring"),
    # text only: the agent standing on a marked cell keeps that cell's colour around it
    # (RGB pictures draw the cell's own kind with the ring on top instead)
    "agent_on_exit": ("@", "1;36;41", (214, 48, 49), AGENT_RGB, "ring"),
    "agent_on_arrow": ("@", "1;36;42", (39, 174, 96), AGENT_RGB, "ring"),
    "agent_on_arrow_on_exit": ("@", "1;36;42", (39, 174, 96), AGENT_RGB, "ring"),
    # a marker, not a cell kind: the dot on a cell visited more than once
    "revisit": ("o", "33", tuple(int(v) for v in RAMP[1]), REVISIT_RGB, "dot"),
}

#: kind -> plain-English label of what a viewer sees (legend strips, docs).
LABELS: dict[str, str] = {
    "wall": "wall",
    "floor": "floor",
    "path": "path (light = early, dark = late)",
    "start": "start",
    "exit": "exit",
    "arrow": "green arrow (proxy)",
    "arrow_on_exit": "green arrow on the exit",
    "agent": "agent (blue ring: where it is)",
    "agent_on_exit": "agent on the exit",
    "agent_on_arrow": "agent on the green arrow",
    "agent_on_arrow_on_exit": "agent on the green arrow on the exit",
    "revisit": "cell visited more than once (dot)",
}

#: "ghost" kinds (a collected key, cleaned dirt) -> RGB of the edge drawn round
#: their faint mark. In text a ghost reads as its glyph (``.``) or, on the path, ``o``.
GHOSTS: dict[str, tuple] = {}


#: kind -> who added it: ``"worlds.render"`` for the kinds above, else the
#: module of the world that called `add_kinds`
OWNERS: dict[str, str] = dict.fromkeys(PALETTE, "worlds.render")
_MARK_SHAPES = (None, "square", "disc", "arrow", "ring", "dot")


class PaletteClashError(MesabaseError, ValueError):
    """Two worlds draw the same cell kind differently, or a kind is incomplete."""


def add_kinds(
    owner: str,
    palette: dict[str, tuple[str, str, tuple, tuple | None, str | None]],
    labels: dict[str, str],
    ghosts: dict[str, tuple] | None = None,
) -> None:
    """Add a world's own cell kinds to the shared palette, every world's
    pictures being drawn from one table. `owner` is the world's module
    (``__name__``); `palette` maps kind -> (text glyph, ANSI SGR code, RGB
    fill, RGB of the mark or None, mark shape or None) as in `PALETTE`;
    `labels` gives each kind's legend text; `ghosts` maps a kind drawn as a
    faint "ghost" (a collected key) to the RGB of its edge.

    Raises `PaletteClashError` when another world already added a kind of the
    same name drawn differently (rename one of them: ``"lava_goal"``), when a
    kind has no label, or when an entry is malformed. Adding the same entry
    again, or an owner re-adding its own kinds, is allowed."""
    ghosts = ghosts or {}
    for kind, entry in palette.items():
        problem = _entry_problem(entry)
        if problem:
            raise PaletteClashError(f"{owner}: cell kind {kind!r}: {problem}")
        if kind not in labels:
            raise PaletteClashError(f"{owner}: cell kind {kind!r} has no label; give it one in `labels`")
        before = OWNERS.get(kind)
        if before not in (None, owner) and (PALETTE[kind], LABELS[kind]) != (entry, labels[kind]):
            raise PaletteClashError(
                f"{owner}: cell kind {kind!r} is already drawn differently by {before}; "
                f"give one of them another name, e.g. {kind + '_' + owner.split('.')[0]!r}"
            )
    for kind in ghosts:
        if kind not in palette:
            raise PaletteClashError(f"{owner}: ghost kind {kind!r} is not one of the kinds added")
    for kind, entry in palette.items():
        PALETTE[kind], LABELS[kind] = entry, labels[kind]
        OWNERS.setdefault(kind, owner)
    GHOSTS.update(ghosts)


def _entry_problem(entry) -> str:
    if not isinstance(entry, tuple) or len(entry) != 5:
        return "expected (glyph, ANSI code, RGB fill, mark RGB or None, mark shape or None)"
    glyph, _, fill, mark, shape = entry
    if not (isinstance(glyph, str) and len(glyph) == 1):
        return f"the glyph must be one character, not {glyph!r}"
    if not _is_rgb(fill) or not (mark is None or _is_rgb(mark)):
        return "fill and mark colours must be (r, g, b) with each value in 0..255"
    if shape not in _MARK_SHAPES:
        return f"unknown mark shape {shape!r}; one of {', '.join(map(str, _MARK_SHAPES[1:]))} or None"
    if (mark is None) != (shape is None):
        return "a mark needs both its colour and its shape"
    return ""


def _is_rgb(value) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and all(isinstance(v, int | np.integer) and 0 <= v <= 255 for v in value)
    )


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


def _mark(shape: str, cell: int, shrink: float = 0.0) -> np.ndarray:
    """Boolean ``[cell, cell]`` mask of a mark drawn inside one cell; `shrink`
    (a fraction of the cell) pulls a square's or disc's outline inwards."""
    y, x = np.mgrid[0:cell, 0:cell] + 0.5
    u, v = x / cell, y / cell
    r2 = (u - 0.5) ** 2 + (v - 0.5) ** 2
    if shape == "square":
        half = 0.36 - shrink
        return (np.abs(u - 0.5) < half) & (np.abs(v - 0.5) < half)
    if shape == "disc":
        return r2 < (0.36 - shrink) ** 2
    if shape == "ring":  # the agent: an outline that leaves the middle of the cell visible
        return (r2 < 0.45**2) & (r2 >= 0.33**2)
    if shape == "halo":  # a white rim round the ring, so it shows on dark path cells too
        return (r2 < 0.5**2) & (r2 >= 0.45**2)
    if shape == "dot":  # the revisit marker
        return r2 < max(0.13, 1.2 / cell) ** 2
    if shape == "arrow":  # a right-pointing arrow: shaft plus head
        shaft = (u > 0.15) & (u < 0.55) & (np.abs(v - 0.5) < 0.12)
        head = (u >= 0.5) & (u < 0.88) & (np.abs(v - 0.5) < (0.88 - u) * 1.0)
        return shaft | head
    raise ValueError(f"unknown mark shape {shape!r}")


def time_colours(times: np.ndarray) -> np.ndarray:
    """The path ramp at `times` in [0, 1] (0 = early): ``uint8[*times.shape, 3]``."""
    t = np.clip(np.asarray(times, dtype=np.float64), 0.0, 1.0) * (len(RAMP) - 1)
    low = np.minimum(np.floor(t).astype(np.int64), len(RAMP) - 2)
    frac = (t - low)[..., None]
    return np.rint(RAMP[low] * (1 - frac) + RAMP[low + 1] * frac).astype(np.uint8)


def visit_times(path: Sequence[tuple[int, int]] | None, shape: tuple[int, int]):
    """Per cell of a ``shape`` grid: the time of the last visit, ``float64[H, W]``
    in [0, 1] (step / last step; NaN where never visited), and the number of
    path states in the cell, ``int64[H, W]`` (standing still counts again)."""
    last = np.full(shape, np.nan)
    visits = np.zeros(shape, dtype=np.int64)
    cells = list(path or ())
    span = max(len(cells) - 1, 1)
    for i, (r, c) in enumerate(cells):
        last[r, c] = i / span
        visits[r, c] += 1
    return last, visits


def _stamp(image: np.ndarray, cells, cell: int, mask: np.ndarray, rgb) -> None:
    for r, c in cells:
        image[r * cell : (r + 1) * cell, c * cell : (c + 1) * cell][mask] = rgb


def paint_cells(
    kinds: np.ndarray,
    cell: int = 16,
    path: Sequence[tuple[int, int]] | None = None,
    agent: tuple[int, int] | None = None,
) -> np.ndarray:
    """RGB picture of a grid of cell kinds, ``uint8[H * cell, W * cell, 3]``.

    Args:
        kinds: ``object[H, W]`` kind names from `PALETTE`.
        path: the (row, col) of each step (see `path_cells`): visited cells
            whose own fill is floor are coloured by the time of their last
            visit, and cells visited more than once get a dark dot.
        agent: (row, col) where a blue ring is drawn over the cell.
    """
    names = list(PALETTE)
    unknown = set(np.unique(kinds)) - set(names)
    if unknown:
        raise ValueError(f"no colours for cell kinds {sorted(unknown)}")
    codes = np.zeros(kinds.shape, dtype=np.int64)
    for i, name in enumerate(names):
        codes[kinds == name] = i
    fills = np.array([PALETTE[name][2] for name in names], dtype=np.uint8)
    cell_rgb = fills[codes]
    last, visits = visit_times(path, kinds.shape)
    floor_like = np.array([PALETTE[n][2] == FLOOR_RGB or n == "path" for n in names])[codes]
    timed = floor_like & ~np.isnan(last)
    cell_rgb[timed] = time_colours(last[timed])
    image = np.repeat(np.repeat(cell_rgb, cell, axis=0), cell, axis=1)
    for i, name in enumerate(names):
        _, _, _, mark_rgb, shape = PALETTE[name]
        if shape is None or not (codes == i).any():
            continue
        mask = _mark(shape, cell)
        _stamp(image, np.argwhere(codes == i), cell, mask, mark_rgb)
        if shape == "ring":
            _stamp(image, np.argwhere(codes == i), cell, _mark("halo", cell), HALO_RGB)
        if name in GHOSTS:
            edge = mask & ~_mark(shape, cell, shrink=max(1.0, cell / 12) / cell)
            _stamp(image, np.argwhere(codes == i), cell, edge, GHOSTS[name])
    _stamp(image, np.argwhere(visits >= 2), cell, _mark("dot", cell), REVISIT_RGB)
    if agent is not None:
        _stamp(image, [agent], cell, _mark("ring", cell), AGENT_RGB)
        _stamp(image, [agent], cell, _mark("halo", cell), HALO_RGB)
    return image


def legend_swatch(kind: str, cell: int = 24) -> np.ndarray:
    """The picture of one kind as a render draws it, ``uint8[cell, cell, 3]``.

    ``"path"`` shows the time ramp left (early) to right (late); ``"agent"``
    the ring on floor; ``"revisit"`` the dot on a mid-ramp path cell.
    """
    if kind == "path":
        ramp = time_colours(np.linspace(0.0, 1.0, cell))
        return np.repeat(ramp[None, :, :], cell, axis=0)
    return paint_cells(np.array([[kind]], dtype=object), cell)


def path_cells(path) -> list[tuple[int, int]]:
    """The (row, col) of each state of `path` (states start with row, col); [] for None."""
    return [] if path is None else [(int(s[0]), int(s[1])) for s in path]
