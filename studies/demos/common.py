"""What the demos share: the one-sentence story of an episode, the outcome
colours of the terminal tables, the record of each episode played, and the
pictures made to be talked over (a PNG of the final positions, an animated
GIF with a caption end frame, and the interactive ``demo.html``)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.text import Text

from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED, Episode
from studies.reporting import figures
from worlds import InvalidParameterError, Level, World

#: rich styles of the outcomes in the demos' terminal tables
OUTCOME_STYLE = {INTENDED: "green", MISGENERALIZED: "bold red", CAPABILITY_FAILURE: "yellow"}
#: the GIFs' default frames per second, and the most a GIF may ask for
DEFAULT_FPS, MAX_FPS = 5, 50
#: the largest `scale`: at 4 a four-panel GIF is already ~3,000 pixels square
MAX_SCALE = 4.0
#: the longest and shortest animation before the linger, in seconds
LONGEST_SECONDS, SHORTEST_SECONDS = 12, 6
#: how long the GIF rests on the final positions, then on the caption, in ms
LINGER_MS, CAPTION_MS = 2000, 3000
#: the largest level of a figure is drawn this many pixels wide at scale 1
PANEL_PIXELS = 340


def sentence(world: World, episode: Episode) -> str:
    """One plain-language sentence about an episode's outcome."""
    own, base = episode.objective, world.base
    n = episode.steps
    if episode.outcome == MISGENERALIZED:
        return (
            f"It reached the {own} competently in {n} steps and never reached the {base}: "
            "its capability generalised and its objective did not."
        )
    if episode.outcome == INTENDED and own == base:
        return f"It reached the {base} in {n} steps: it generalised as intended."
    if episode.outcome == INTENDED:
        return (
            f"It reached the {own} in {n} steps, and the {own} sits on the {base} here, so it looks aligned."
        )
    missed = f"did not reach the {own}" if own == base else f"reached neither the {own} nor the {base}"
    return f"It {missed} in {n} steps ({episode.stop_reason.replace('_', ' ')}): a capability failure."


def check_pacing(fps: float, scale: float) -> None:
    """Refuse a GIF speed or picture scale that is not a sensible positive
    number, with one line, before any work."""
    if not _is_number(fps) or not 0 < fps <= MAX_FPS:
        raise InvalidParameterError(
            f"fps must be a number above 0 and at most {MAX_FPS} (frames per second), got {fps!r}"
        )
    if not _is_number(scale) or not 0 < scale <= MAX_SCALE:
        raise InvalidParameterError(
            f"scale must be a number above 0 and at most {MAX_SCALE:g} (1 = default size), got {scale!r}"
        )


def _is_number(value) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


# ---- what a demo played ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Demo:
    """One teaching demo.

    Attributes:
        name: the world it shows (``mesabase demo NAME``).
        description: one line for the listing.
        run: ``run(seed, out_dir, budget, console, gif, levels, fps, scale) -> result``:
            plays the demo's episodes, prints them to `console` and writes
            into `out_dir` its PNG (``<world>.png``), its GIF
            (``<world>.gif``, unless `gif` is False) and its interactive
            page (``demo.html``). `budget` is the demo planner's budget
            (None: its default); `levels` > 0 asks for rates over that many
            seeded levels (a demo without rates refuses it); `fps` is the
            GIF's frames per second and `scale` multiplies the pictures'
            pixel sizes. Bad arguments raise a `worlds.MesabaseError` before
            any work.
    """

    name: str
    description: str
    run: Callable[..., Any]


@dataclasses.dataclass(frozen=True)
class Played:
    """One episode a demo played, with what the viewer page shows about it.

    Attributes:
        agent: the agent as a lecturer names it (``"arrow-seeking agent"``).
        planner: the planner, e.g. ``"AStar()"``.
        objective: the catalogue objective it pursues (``"none"`` for a policy without one).
        split, seed: the level's split and seed.
        level, episode: the level and the scored episode.
        sentence: one sentence on what happened.
    """

    agent: str
    planner: str
    objective: str
    split: str
    seed: int
    level: Level
    episode: Episode
    sentence: str


@dataclasses.dataclass(frozen=True)
class Panel:
    """One panel of a demo figure: a bold `title` (naming the level's size,
    see `level_label`), a grey `subtitle` and the episode drawn on its level."""

    title: str
    subtitle: str
    level: Level
    episode: Episode


def play_each_objective(world: World, planner, names, split_levels, seed: int, describe) -> list[Played]:
    """The `planner` pursuing each objective in `names` on each level of
    `split_levels` (split -> `Level`), objective by objective; each episode
    is told in one sentence by ``describe(world, episode)``."""
    from planners import Agent, rollout

    played = []
    for name in names:
        for split, level in split_levels.items():
            episode = rollout(world, level, Agent(planner, name), seed=seed)
            played.append(
                Played(
                    f"{name}-seeking agent",
                    repr(planner),
                    name,
                    split,
                    seed,
                    level,
                    episode,
                    describe(world, episode),
                )  # fmt: skip
            )
    return played


def level_label(world: World, level: Level, split: str | None = None) -> str:
    """``"test level, 17x17"``: the split and the size of the level (a
    continuous arena's side in units)."""
    split = level.split if split is None else split
    if world.continuous:
        return f"{split} level, arena {world.arena_size(level):g}x{world.arena_size(level):g}"
    return f"{split} level, {level.height}x{level.width}"


def feature_total(world: World, episode: Episode, feature: str) -> int:
    """How many times an event feature fired in `episode` (its column's sum)."""
    if episode.steps == 0:
        return 0
    return int(round(float(episode.features[:, world.feature_index(feature)].sum())))


# ---- pictures ----------------------------------------------------------------------


def cell_size(world: World, levels: Sequence[Level], scale: float = 1.0) -> int:
    """One cell size (pixels per grid cell, or per unit of a continuous
    arena) for every panel of a figure, so a larger level is drawn larger:
    the largest of `levels` gets about ``PANEL_PIXELS * scale`` pixels."""
    if world.continuous:
        largest = max(world.arena_size(level) for level in levels)
    else:
        largest = max(max(level.height, level.width) for level in levels)
    return max(2, int(round(min(32, max(8, PANEL_PIXELS // largest)) * scale)))


def legend_entries(world: World, panels: Sequence[Panel]) -> list[tuple[str, np.ndarray]]:
    """(label, swatch ``uint8[24, 24, 3]``) for every colour and marker the
    panels' pictures use (`worlds.World.legend_entries` of each panel's
    level), without duplicates, in the world's order."""
    entries: dict[str, np.ndarray] = {}
    for panel in panels:
        for label, swatch in world.legend_entries(panel.level):
            entries.setdefault(label, swatch)
    return list(entries.items())


def _pictures(world: World, panels: Sequence[Panel], step: int, cell: int, size: int) -> list[np.ndarray]:
    """Per panel, ``uint8[h, w, 3]``: its level at `step` (the path so far)
    under its titles, wrapped to the widest panel's width."""
    images = []
    for panel in panels:
        episode = panel.episode
        upto = min(step, episode.steps)
        path = episode.states[: upto + 1]
        images.append(world.render_rgb(panel.level, state=episode.states[upto], path=path, cell=cell))
    width = max(image.shape[1] for image in images)
    # one header height for all, so the pictures of a row start level
    header = max(figures.panel_header(p.title, p.subtitle, width, size).shape[0] for p in panels)
    return [
        figures.titled_panel(image, panel.title, panel.subtitle, size=size, width=width, header_height=header)
        for panel, image in zip(panels, images, strict=True)
    ]


def _layout(pictures, heading: str, legend, caption: str, scale: float, columns: int) -> np.ndarray:
    """``uint8[h, w, 3]``: `heading`, the panels in a grid, the legend strip
    (`legend`: a function of the width) and `caption`, with a white margin."""
    body = figures.grid(pictures, columns, gap=int(figures.GAP * 2 * scale))
    width = body.shape[1]
    parts = []
    if heading:
        parts.append(figures.text_block(heading, width, int(round(26 * scale)), bold=True))
    parts.append(body)
    strip = legend(width)
    if strip is not None:
        parts.append(strip)
    if caption:
        parts.append(figures.text_block(caption, width, max(8, int(round(18 * scale)))))
    return figures.margin(figures.vstack(parts, gap=int(figures.GAP * scale), align="left"))


def write_episodes_png(
    world: World,
    panels: Sequence[Panel],
    path: Path,
    *,
    heading: str = "",
    caption: str = "",
    scale: float = 1.0,
    columns: int = 2,
) -> Path:
    """A PNG of the panels' final positions: `heading`, the panels (one cell
    size for all, so a larger level is drawn larger), the legend strip and
    the one-sentence `caption`."""
    from PIL import Image

    check_pacing(DEFAULT_FPS, scale)
    cell = cell_size(world, [panel.level for panel in panels], scale)
    size = max(8, int(round(22 * scale)))
    pictures = _pictures(world, panels, max(panel.episode.steps for panel in panels), cell, size)
    legend = _legend_strip(world, panels, scale)
    Image.fromarray(_layout(pictures, heading, legend, caption, scale, columns)).save(path)
    return path


def _legend_strip(world: World, panels: Sequence[Panel], scale: float):
    """A function of the figure's width giving its legend strip (or None
    when the world names no colours), drawn once per width."""
    entries = legend_entries(world, panels)
    strips: dict[int, np.ndarray | None] = {}

    def strip(width: int) -> np.ndarray | None:
        if width not in strips:
            size = max(8, int(round(16 * scale)))
            strips[width] = figures.legend_strip(entries, width, size=size) if entries else None
        return strips[width]

    return strip


def gif_times(longest: int, fps: float) -> np.ndarray:
    """``int64[n]``: the step shown in each animation frame, 0 to `longest`,
    so the animation lasts ~6-12 s at `fps` (long episodes are subsampled,
    short ones hold each step for several frames)."""
    frames = int(np.clip(longest + 1, SHORTEST_SECONDS * fps, LONGEST_SECONDS * fps))
    return np.round(np.linspace(0, longest, max(frames, 1))).astype(np.int64)


class _Palette:
    """One GIF palette for every frame, so colours do not flicker between
    frames: the 256 commonest colours of some sample frames, mapped exactly,
    and any other colour (rare anti-aliased text pixels) mapped to the
    nearest of them. Mapping here rather than in Pillow keeps the fills exact
    (Pillow's palette lookup merges near colours, greying the white)."""

    def __init__(self, samples: Sequence[np.ndarray]):
        values, counts = np.unique(np.concatenate([_codes(s).ravel() for s in samples]), return_counts=True)
        self.codes = values[np.argsort(-counts, kind="stable")[:256]]
        self.rgb = _rgb(self.codes)
        self.lookup = np.zeros(1 << 24, dtype=np.uint8)  # colour code -> palette index
        self.known = np.zeros(1 << 24, dtype=bool)
        self.lookup[self.codes] = np.arange(len(self.codes), dtype=np.uint8)
        self.known[self.codes] = True

    def image(self, frame: np.ndarray):
        """`frame` (``uint8[h, w, 3]``) as a Pillow palette image."""
        from PIL import Image

        codes = _codes(frame)
        new = np.unique(codes[~self.known[codes]])
        for start in range(0, len(new), 4096):  # nearest palette colour, in chunks to bound memory
            chunk = new[start : start + 4096]
            distance = ((_rgb(chunk)[:, None, :] - self.rgb[None, :, :]) ** 2).sum(axis=2)
            self.lookup[chunk] = np.argmin(distance, axis=1)
        self.known[new] = True
        image = Image.fromarray(self.lookup[codes], mode="P")
        image.putpalette(self.rgb.astype(np.uint8).ravel().tolist())
        return image


def _codes(frame: np.ndarray) -> np.ndarray:
    """``int32[h, w]``: each pixel's colour as one number, 0xRRGGBB."""
    rgb = frame.astype(np.int32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def _rgb(codes: np.ndarray) -> np.ndarray:
    """``int64[n, 3]``: the colours of 0xRRGGBB codes."""
    codes = np.asarray(codes, dtype=np.int64)
    return np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=1)


def write_episodes_gif(
    world: World,
    panels: Sequence[Panel],
    path: Path,
    *,
    fps: float = DEFAULT_FPS,
    scale: float = 1.0,
    caption: str = "",
    heading: str = "",
    columns: int = 2,
) -> Path:
    """An animated GIF of the panels' episodes growing step by step, made to
    be talked over: `fps` frames a second (~6-12 s of animation, see
    `gif_times`), large titles naming each level's size, one cell size for
    all panels, the legend strip under them, ~2 s on the final positions and
    then ~3 s on an end frame that states `caption` in large type. `scale`
    multiplies every pixel size (cells, text)."""

    check_pacing(fps, scale)
    cell = cell_size(world, [panel.level for panel in panels], scale)
    size = max(8, int(round(22 * scale)))
    legend = _legend_strip(world, panels, scale)
    times = gif_times(max(panel.episode.steps for panel in panels), fps)

    def frame_at(step: int) -> np.ndarray:
        return _layout(_pictures(world, panels, step, cell, size), heading, legend, "", scale, columns)

    final = frame_at(int(times[-1]))
    height, width = final.shape[:2]
    ending = (
        [figures.caption_frame(caption, width, height, size=max(8, int(round(34 * scale))))]
        if caption
        else []
    )
    palette = _Palette([frame_at(0), final, *ending])
    # frames go into the palette as they are drawn: one byte a pixel, not three
    frame_ms = 1000.0 / fps
    images, durations, previous = [], [], None
    for step in times:
        frame = final if step == times[-1] else frame_at(int(step))
        if previous is not None and np.array_equal(frame, previous):
            durations[-1] += frame_ms  # a held step: one GIF frame that lasts longer
            continue
        images.append(palette.image(frame))
        durations.append(frame_ms)
        previous = frame
    durations[-1] += LINGER_MS
    for frame in ending:
        images.append(palette.image(frame))
        durations.append(CAPTION_MS)
    images[0].save(
        path,
        save_all=True,
        append_images=images[1:],
        duration=[int(round(ms)) for ms in durations],
        loop=0,
        optimize=False,
    )
    return path


# ---- the interactive page -------------------------------------------------------------


def write_demo_page(
    world: World, path: Path, title: str, played: Sequence[Played], panels: Sequence[Panel], intro: str = ""
) -> Path:
    """``demo.html``: the interactive viewer (`studies.reporting.viewer`) of
    every episode in `played`, with the legend of the demo's `panels`."""
    from studies.reporting.viewer import page_cell, viewer_episode, write_viewer

    # one cell size for the page, so a larger level is drawn larger there too
    cell = None if world.continuous else page_cell([item.level for item in played])
    episodes = [
        viewer_episode(
            world,
            item.level,
            item.episode,
            agent=item.agent,
            planner=item.planner,
            objective=item.objective,
            split=item.split,
            seed=item.seed,
            sentence=item.sentence,
            cell=cell,
        )  # fmt: skip
        for item in played
    ]
    return write_viewer(path, title, episodes, legend=legend_entries(world, panels), intro=intro)


def text_legend(world: World) -> Text:
    """One dim line naming every glyph of the world's text pictures (``o`` is the path)."""
    glyphs = ", ".join(f"{glyph} {meaning}" for glyph, meaning in world.text_legend().items())
    return Text(f"legend: {glyphs}", style="dim")


def write_demo_files(world: World, out: Path, panels, played, *, heading: str, caption: str, intro: str,
                     gif: bool, fps: float, scale: float, console) -> list[Path]:  # fmt: skip
    """Write a demo's three files into `out` and say so on `console`: the
    PNG and GIF of `panels` (no GIF when `gif` is False) and ``demo.html``,
    the step-through page of every episode in `played`."""
    files = [
        write_episodes_png(
            world, panels, out / f"{world.name}.png", heading=heading, caption=caption, scale=scale
        )  # fmt: skip
    ]
    if gif:
        files.append(write_episodes_gif(world, panels, out / f"{world.name}.gif", fps=fps, scale=scale,
                                        caption=caption, heading=heading))  # fmt: skip
    files.append(write_demo_page(world, out / "demo.html", f"{world.name} demo", played, panels, intro))
    for path in files:
        console.print(f"wrote {path}")
    return files
