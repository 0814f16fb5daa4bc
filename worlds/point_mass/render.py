"""Pictures of point-mass levels: RGB arrays (Pillow) and ANSI text.

World coordinates have y pointing up; both pictures put high y at the top.
Colours follow `worlds.render.PALETTE`: obstacles are drawn like walls, the
exit red, the beacon green (the grid worlds' arrow), the start light blue and
the point itself as a blue ring with a small centre dot. Layers, bottom to
top: floor, obstacles, start, paths (narrower than the start's disc), exit and
beacon, the point, so that the goals stay visible under a path that ends on
them and inside the ring.

Each path is a line in its own colour (`PATH_COLOURS`, cycled) whose middle
runs from a light tint of that colour (early) to a dark shade (late), so a
long episode reads as one. `LEGEND` names every colour and marker;
`legend_swatches` draws them.

Text glyphs (`render_ansi`): ``#`` obstacle, ``.`` free, ``E`` exit, ``B``
beacon, ``*`` beacon on the exit, ``S`` start, ``o`` path, ``@`` the point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from worlds.point_mass import layout as L
from worlds.render import LABELS, PALETTE

FLOOR = PALETTE["floor"][2]
OBSTACLE = PALETTE["wall"][2]
EXIT = PALETTE["exit"][3]
BEACON = PALETTE["arrow"][3]
START = PALETTE["start"][2]
START_EDGE = (70, 110, 190)
AGENT = PALETTE["agent"][3]
#: one colour per path, cycled; the first is a darker twin of PALETTE's path colour
PATH_COLOURS = (
    (243, 156, 18),
    (142, 68, 173),
    (22, 160, 133),
    (232, 67, 147),
    (120, 85, 60),
    (0, 150, 220),
)
#: how far a path's time ramp runs towards white (early) and black (late)
_TINT, _SHADE = 0.7, 0.55

#: legend entry -> label, in reading order (see `legend_swatches`)
LEGEND = {
    "obstacle": "obstacle",
    "exit": "exit",
    "beacon": "green beacon (proxy)",
    "beacon_on_exit": "green beacon on the exit (ring)",
    "start": "start",
    "path": LABELS["path"],
    "point": "point mass (blue ring: where it is)",
}

#: ANSI text cells per unit of arena, on each axis
ANSI_CELLS_PER_UNIT = 2
#: glyph -> ANSI SGR colour code, matching `worlds.render.PALETTE`
GLYPH_CODES = {
    "#": PALETTE["wall"][1],
    ".": PALETTE["floor"][1],
    "E": PALETTE["exit"][1],
    "B": PALETTE["arrow"][1],
    "*": PALETTE["arrow_on_exit"][1],
    "S": PALETTE["start"][1],
    "o": PALETTE["path"][1],
    "@": PALETTE["agent"][1],
}
#: glyph -> meaning, for the text picture
GLYPHS = {
    "#": "obstacle",
    ".": "free space",
    "E": "exit",
    "B": "green beacon",
    "*": "green beacon on the exit",
    "S": "start",
    "o": "path",
    "@": "point mass",
}


# ---- RGB ------------------------------------------------------------------


def render_rgb(world, level, state=None, paths=None, scale: int = 40) -> np.ndarray:
    """The level as ``uint8[H, W, 3]`` with ``H = W = round(size * scale)``.

    Args:
        state: the point's state ``float[4]`` (x, y, vx, vy), drawn as a blue ring.
        paths: a list of state sequences (each ``float[T, 4]``), drawn as
            lines in `PATH_COLOURS` order, each coloured by time inside; None
            entries are skipped but still use up their colour, so path i
            keeps its colour.
        scale: pixels per arena unit.
    """
    p = world.arrays(level)
    size = float(p[L.SIZE])
    pixels = max(1, round(size * scale))
    image = Image.new("RGB", (pixels, pixels), FLOOR)
    draw = ImageDraw.Draw(image)
    to_px = _pixel_mapping(size, scale)
    _draw_obstacles(draw, p, to_px, scale)
    _dot(draw, to_px(p[L.START_X], p[L.START_Y]), max(3.0, 0.18 * scale), START, START_EDGE)
    for i, path in enumerate(paths or ()):
        if path is not None:
            _draw_path(draw, path, to_px, PATH_COLOURS[i % len(PATH_COLOURS)], scale)
    _draw_regions(draw, p, to_px, scale)
    if state is not None:
        _point(draw, to_px(state[0], state[1]), scale)
    return np.asarray(image, dtype=np.uint8).copy()


def legend_swatches(cell: int = 24) -> dict[str, np.ndarray]:
    """`LEGEND` entry -> its picture as a render draws it, ``uint8[cell, cell, 3]``."""
    out = {}
    for name in LEGEND:
        image = Image.new("RGB", (cell, cell), FLOOR)
        draw = ImageDraw.Draw(image)
        centre, radius = (cell / 2, cell / 2), cell * 0.36
        if name == "obstacle":
            draw.rectangle([0, 0, cell - 1, cell - 1], fill=OBSTACLE)
        elif name == "exit":
            _dot(draw, centre, radius, EXIT)
        elif name == "beacon":
            _dot(draw, centre, radius, BEACON)
        elif name == "beacon_on_exit":
            _dot(draw, centre, radius, EXIT)
            _dot(draw, centre, radius, None, BEACON, width=max(2, round(radius / 3)))
        elif name == "start":
            _dot(draw, centre, cell * 0.3, START, START_EDGE)
        elif name == "path":
            y = cell / 2
            _draw_path(
                draw, [(x, y) for x in np.linspace(1, cell - 1, 8)], lambda x, y: (x, y), PATH_COLOURS[0], 48
            )
        elif name == "point":
            _point(draw, centre, cell * 1.6)
        out[name] = np.asarray(image, dtype=np.uint8).copy()
    return out


def _pixel_mapping(size: float, scale: float):
    """World (x, y) -> image (column, row) in pixels, as floats; y is flipped."""

    def to_px(x: float, y: float) -> tuple[float, float]:
        return float(x) * scale, (size - float(y)) * scale

    return to_px


def _dot(draw, centre, radius: float, fill, outline=None, width: int = 1) -> None:
    """A disc of `radius` pixels round `centre` (column, row)."""
    (cx, cy), r = centre, radius
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill, outline=outline, width=width)


def _draw_regions(draw, p: np.ndarray, to_px, scale: float) -> None:
    """The exit as a red disc; the beacon as a green disc, or as a green ring
    when it overlaps the exit (so both stay visible)."""
    exit_xy, exit_r = (p[L.EXIT_X], p[L.EXIT_Y]), p[L.EXIT_R]
    beacon_xy, beacon_r = (p[L.BEACON_X], p[L.BEACON_Y]), p[L.BEACON_R]
    _dot(draw, to_px(*exit_xy), exit_r * scale, EXIT)
    beacon_px = to_px(*beacon_xy)
    if np.hypot(beacon_xy[0] - exit_xy[0], beacon_xy[1] - exit_xy[1]) < exit_r + beacon_r:
        ring = max(2, round(beacon_r * scale / 3))
        _dot(draw, beacon_px, beacon_r * scale, None, BEACON, width=ring)
    else:
        _dot(draw, beacon_px, beacon_r * scale, BEACON)


def _draw_obstacles(draw, p: np.ndarray, to_px, scale: float) -> None:
    """Boxes ``float64[B, 4]`` and discs ``float64[D, 3]`` in the wall colour."""
    for x0, y0, x1, y1 in L.boxes_of(p):
        (left, bottom), (right, top) = to_px(x0, y0), to_px(x1, y1)
        draw.rectangle([left, top, right - 1, bottom - 1], fill=OBSTACLE)
    for x, y, r in L.discs_of(p):
        _dot(draw, to_px(x, y), r * scale, OBSTACLE)


def _point(draw, centre, scale: float) -> None:
    """The point mass: a blue ring (the goal under it stays visible) round a small blue dot."""
    radius = max(3.0, 0.2 * scale)
    _dot(draw, centre, radius, None, AGENT, width=max(2, round(scale / 12)))
    _dot(draw, centre, max(1.0, 0.04 * scale), AGENT)


def time_ramp(colour, times: np.ndarray) -> np.ndarray:
    """A path's colour by time: a tint of `colour` at 0 (early), `colour` at
    0.5 and a shade at 1 (late), ``uint8[len(times), 3]``."""
    base = np.asarray(colour, dtype=np.float64)
    t = np.clip(np.asarray(times, dtype=np.float64), 0.0, 1.0)[:, None]
    early = base + (255.0 - base) * _TINT * (1 - 2 * t)
    late = base * (1 - _SHADE * (2 * t - 1))
    return np.rint(np.where(t < 0.5, early, late)).astype(np.uint8)


def _draw_path(draw, path, to_px, colour, scale: float) -> None:
    """One state sequence ``float[T, 4]`` as a line in `colour` whose middle
    is coloured by time (`time_ramp`); a dot when T == 1."""
    points = [to_px(s[0], s[1]) for s in path]
    if not points:
        return
    width = max(3, round(scale / 8))
    if len(points) == 1:
        _dot(draw, points[0], width, colour)
        return
    draw.line(points, fill=colour, width=width, joint="curve")
    inner = max(1, width - 2)
    times = (np.arange(len(points) - 1) + 0.5) / (len(points) - 1)
    for (a, b), rgb in zip(zip(points[:-1], points[1:]), time_ramp(colour, times)):
        draw.line([a, b], fill=tuple(int(v) for v in rgb), width=inner)


# ---- ANSI text ------------------------------------------------------------


def render_ansi(world, level, state=None, path=None, color: bool = True) -> str:
    """The level as text: ``ANSI_CELLS_PER_UNIT`` cells per unit on each axis
    (a 20 x 20 grid for a 10 x 10 arena), one character per cell, top row =
    highest y, ending with a newline.

    Glyphs: ``#`` a cell an obstacle overlaps, ``.`` free, ``E`` exit, ``B``
    beacon, ``*`` beacon on the exit, ``S`` start, ``o`` the cells `path`
    (a sequence of states ``float[T, 4]``) passes through, ``@`` `state`.
    Regions mark the cells whose centre lies inside them, plus the cell
    holding their centre.
    """
    glyphs = ansi_glyphs(world, level, state=state, path=path)
    lines = []
    for row in glyphs:
        if color:
            lines.append("".join(f"\x1b[{GLYPH_CODES[g]}m{g}\x1b[0m" for g in row))
        else:
            lines.append("".join(row))
    return "\n".join(lines) + "\n"


def ansi_glyphs(world, level, state=None, path=None) -> np.ndarray:
    """The text picture's glyphs, ``str[N, N]`` with ``N = ceil(size * ANSI_CELLS_PER_UNIT)``."""
    p = world.arrays(level)
    n = max(1, int(np.ceil(p[L.SIZE] * ANSI_CELLS_PER_UNIT - 1e-9)))
    cell = p[L.SIZE] / n
    glyphs = np.where(_obstacle_cells(p, n, cell), "#", ".")
    for r, c in _path_cells(path, p[L.SIZE], n, cell):
        glyphs[r, c] = "o"
    glyphs[_cell_of(p[L.START_X], p[L.START_Y], p[L.SIZE], n, cell)] = "S"
    exit_cells = _region_cells(p, L.EXIT_X, n, cell)
    beacon_cells = _region_cells(p, L.BEACON_X, n, cell)
    glyphs[exit_cells] = "E"
    glyphs[beacon_cells] = "B"
    glyphs[exit_cells & beacon_cells] = "*"
    if state is not None:
        glyphs[_cell_of(state[0], state[1], p[L.SIZE], n, cell)] = "@"
    return glyphs


def _cell_bounds(n: int, cell: float, size: float):
    """Per-cell ``float64[N, N]`` arrays x0, x1, y0, y1 (row 0 at the top)."""
    cols = np.arange(n) * cell
    rows = size - (np.arange(n) + 1) * cell
    x0, y0 = np.meshgrid(cols, rows)
    return x0, x0 + cell, y0, y0 + cell


def _obstacle_cells(p: np.ndarray, n: int, cell: float) -> np.ndarray:
    """``bool[N, N]``: cells that a box or disc overlaps with non-zero area."""
    x0, x1, y0, y1 = _cell_bounds(n, cell, p[L.SIZE])
    hit = np.zeros((n, n), dtype=bool)
    for bx0, by0, bx1, by1 in L.boxes_of(p):
        hit |= (bx0 < x1) & (bx1 > x0) & (by0 < y1) & (by1 > y0)
    for cx, cy, r in L.discs_of(p):
        dx = np.maximum(np.maximum(x0 - cx, cx - x1), 0.0)
        dy = np.maximum(np.maximum(y0 - cy, cy - y1), 0.0)
        hit |= dx * dx + dy * dy < r * r
    return hit


def _region_cells(p: np.ndarray, slot: int, n: int, cell: float) -> np.ndarray:
    """``bool[N, N]``: cells whose centre is in the disc region at `slot`
    (x, y, r), plus the cell holding the region's centre."""
    x0, x1, y0, y1 = _cell_bounds(n, cell, p[L.SIZE])
    cx, cy, r = p[slot], p[slot + 1], p[slot + 2]
    inside = np.hypot((x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy) <= r
    inside[_cell_of(cx, cy, p[L.SIZE], n, cell)] = True
    return inside


def _cell_of(x: float, y: float, size: float, n: int, cell: float) -> tuple[int, int]:
    """The (row, col) of the cell holding world point (x, y), clipped to the grid."""
    col = min(max(int(np.floor(x / cell)), 0), n - 1)
    row = min(max(n - 1 - int(np.floor(y / cell)), 0), n - 1)
    return row, col


def _path_cells(path: Sequence | None, size: float, n: int, cell: float) -> set[tuple[int, int]]:
    """The cells a path's segments pass through, sampled every quarter cell."""
    if path is None:
        return set()
    points = np.array([(s[0], s[1]) for s in path], dtype=np.float64).reshape(-1, 2)
    cells = {_cell_of(x, y, size, n, cell) for x, y in points}
    for a, b in zip(points[:-1], points[1:]):
        count = int(np.ceil(np.hypot(*(b - a)) / (cell / 4)))
        for t in np.linspace(0.0, 1.0, count + 1)[1:-1]:
            cells.add(_cell_of(*(a + t * (b - a)), size, n, cell))
    return cells
