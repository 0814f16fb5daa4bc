"""Building blocks of figures made to be shown on a projector: a real font,
a legend strip, a titled panel, a caption frame and a grid of panels.

Every picture here is an RGB array ``uint8[height, width, 3]`` (the layout of
`worlds.World.render_rgb`), so the pieces stack with numpy and go straight
into a PNG or a GIF. Text is drawn by Pillow in DejaVu Sans, the TrueType
font that ships with matplotlib, so it looks the same on every machine.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

WHITE = (255, 255, 255)
INK = (20, 24, 32)
MUTED = (90, 96, 110)
#: space between the pieces of a figure, in pixels at scale 1
GAP = 12


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool = False):
    """DejaVu Sans (bold for titles) at `size` pixels, a Pillow TrueType font."""
    from matplotlib import font_manager
    from PIL import ImageFont

    weight = "bold" if bold else "normal"
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight=weight))
    return ImageFont.truetype(path, max(1, int(size)))


def text_width(text: str, size: int, bold: bool = False) -> int:
    """Width in pixels of one line of `text` at `size`."""
    left, _, right, _ = font(size, bold).getbbox(text)
    return int(np.ceil(right - left))


def wrap(text: str, width: int, size: int, bold: bool = False) -> list[str]:
    """`text` broken into lines no wider than `width` pixels at `size` (a
    single word wider than `width` keeps a line of its own)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and text_width(candidate, size, bold) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _line_height(size: int) -> int:
    return int(round(size * 1.3))


@functools.lru_cache(maxsize=256)
def text_block(
    text: str, width: int, size: int, bold: bool = False, color=INK, align: str = "left"
) -> np.ndarray:
    """`text` wrapped to `width` pixels on white, ``uint8[lines * 1.3 * size, width, 3]``
    (read-only: the same block is handed out again, as GIF frames repeat
    their titles); `align` is ``"left"`` or ``"center"``."""
    from PIL import Image, ImageDraw

    lines = wrap(text, width, size, bold) if text else []
    height = max(1, len(lines) * _line_height(size))
    canvas = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(canvas)
    for i, line in enumerate(lines):
        x = (width - text_width(line, size, bold)) // 2 if align == "center" else 0
        draw.text((max(0, x), i * _line_height(size)), line, font=font(size, bold), fill=color)
    block = np.array(canvas)
    block.setflags(write=False)
    return block


def pad(image: np.ndarray, height: int, width: int, align: str = "center") -> np.ndarray:
    """`image` (``uint8[h, w, 3]``) on a white ``uint8[height, width, 3]`` canvas,
    centred horizontally (``align="left"``: at the left) and at the top."""
    h, w = image.shape[:2]
    if h > height or w > width:
        raise ValueError(f"a {h}x{w} image does not fit {height}x{width}")
    canvas = np.full((height, width, 3), 255, dtype=np.uint8)
    x = 0 if align == "left" else (width - w) // 2
    canvas[:h, x : x + w] = image[..., :3]
    return canvas


def vstack(images: Sequence[np.ndarray], gap: int = GAP, align: str = "center") -> np.ndarray:
    """Images (``uint8[h_i, w_i, 3]``) one under another with `gap` white pixels
    between them, ``uint8[sum h_i + gaps, max w_i, 3]``."""
    width = max(image.shape[1] for image in images)
    rows = []
    for i, image in enumerate(images):
        if i:
            rows.append(np.full((gap, width, 3), 255, dtype=np.uint8))
        rows.append(pad(image, image.shape[0], width, align))
    return np.concatenate(rows, axis=0)


def margin(image: np.ndarray, pixels: int = GAP) -> np.ndarray:
    """`image` with a white border of `pixels` on every side."""
    return np.pad(image, ((pixels, pixels), (pixels, pixels), (0, 0)), constant_values=255)


def panel_header(title: str, subtitle: str, width: int, size: int = 22) -> np.ndarray:
    """A bold `title` over a smaller grey `subtitle`, both wrapped to `width`:
    ``uint8[h, width, 3]``. `size` is the title's pixel height (the subtitle
    is 3/4 of it)."""
    parts = [text_block(title, width, size, bold=True)]
    if subtitle:
        parts.append(text_block(subtitle, width, max(1, int(size * 0.75)), color=MUTED))
    return vstack(parts, gap=max(2, size // 4), align="left")


def titled_panel(
    image: np.ndarray,
    title: str,
    subtitle: str = "",
    size: int = 22,
    width: int | None = None,
    header_height: int = 0,
) -> np.ndarray:
    """`image` (``uint8[h, w, 3]``) under its `panel_header`, wrapped to the
    panel's width (`width`, default and at least ``w``):
    ``uint8[header + h, max(w, width), 3]``. The header is padded to at
    least `header_height` pixels, so panels side by side line up."""
    width = max(image.shape[1], width or 0)
    header = panel_header(title, subtitle, width, size)
    header = pad(header, max(header.shape[0], header_height), width, align="left")
    return vstack([header, image[..., :3]], gap=max(2, size // 4), align="left")


def grid(panels: Sequence[np.ndarray], columns: int, gap: int = GAP) -> np.ndarray:
    """Panels (``uint8[h_i, w_i, 3]``) in rows of `columns`, every slot as large
    as the largest panel and each panel at its slot's top left, so panels
    drawn at one cell size keep their relative sizes."""
    height = max(panel.shape[0] for panel in panels)
    width = max(panel.shape[1] for panel in panels)
    rows = []
    for start in range(0, len(panels), columns):
        row = [pad(panel, height, width, align="left") for panel in panels[start : start + columns]]
        row += [np.full((height, width, 3), 255, dtype=np.uint8)] * (columns - len(row))
        spacer = np.full((height, gap, 3), 255, dtype=np.uint8)
        pieces = [row[0]]
        for panel in row[1:]:
            pieces += [spacer, panel]
        rows.append(np.concatenate(pieces, axis=1))
    return vstack(rows, gap=gap)


def legend_strip(entries: Sequence[tuple[str, np.ndarray]], width: int, size: int = 16) -> np.ndarray:
    """A legend: each entry's swatch (``uint8[s, s, 3]``, scaled to the text
    height) followed by its label, wrapping onto as many rows as `width`
    pixels need. Returns ``uint8[rows * row height, width, 3]`` (a 1-pixel
    white strip when there are no entries)."""
    from PIL import Image, ImageDraw

    if not entries:
        return np.full((1, width, 3), 255, dtype=np.uint8)
    swatch = int(round(size * 1.4))
    row_height = swatch + max(4, size // 2)
    spacing = size  # between entries
    placed: list[tuple[int, int, str, np.ndarray]] = []
    x = y = 0
    for label, picture in entries:
        item = swatch + size // 3 + text_width(label, size)
        if x and x + item > width:
            x, y = 0, y + row_height
        placed.append((x, y, label, picture))
        x += item + spacing
    canvas = Image.new("RGB", (width, y + row_height), WHITE)
    draw = ImageDraw.Draw(canvas)
    for x, y, label, picture in placed:
        tile = Image.fromarray(np.ascontiguousarray(picture[..., :3]).astype(np.uint8))
        canvas.paste(tile.resize((swatch, swatch), Image.NEAREST), (x, y))
        draw.rectangle((x, y, x + swatch - 1, y + swatch - 1), outline=(160, 160, 160))
        text_y = y + (swatch - _line_height(size)) // 2 + 1
        draw.text((x + swatch + size // 3, text_y), label, font=font(size), fill=INK)
    return np.asarray(canvas)


def caption_frame(text: str, width: int, height: int, size: int = 34) -> np.ndarray:
    """`text` in large type, wrapped and centred on a white
    ``uint8[height, width, 3]`` frame (the end frame of a GIF). The type
    shrinks until the text fits."""
    inner = max(1, width - 4 * GAP)
    while True:
        block = text_block(text, inner, size, align="center")
        if block.shape[0] <= height - 2 * GAP or size <= 8:
            break
        size = int(size * 0.85)
    block = block[: max(1, height - 2 * GAP)]
    frame = np.full((height, width, 3), 255, dtype=np.uint8)
    top = (height - block.shape[0]) // 2
    left = (width - block.shape[1]) // 2
    frame[top : top + block.shape[0], left : left + block.shape[1]] = block
    return frame


def level_size(world, level) -> str:
    """A level's size as shown: ``"17x17"`` (rows x columns), or a continuous
    world's arena (``"arena 10x10"``)."""
    if world.continuous and hasattr(world, "arena_size"):
        side = world.arena_size(level)
        return f"arena {side:g}x{side:g}"
    return f"{level.height}x{level.width}"
