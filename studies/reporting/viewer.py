"""The interactive episode viewer: one self-contained HTML page that steps
through episodes, train and test side by side.

`viewer_episode` turns one played episode into what the page needs (its
frames as PNG data URIs, which step each frame shows, and the running
discounted return of every catalogue objective), and `write_viewer` writes
the page (`studies.reporting.viewer_page`: plain JavaScript and CSS inline,
no network). Demos (``demo.html``) and episode reports (``viewer.html``)
both use it.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import math
from pathlib import Path
from typing import Any

import numpy as np

import objectives
import worlds
from planners import INTENDED, MISGENERALIZED
from studies.reporting.figures import level_size
from studies.reporting.viewer_page import page_html

#: a grid level's longest side is drawn at most this many pixels (`page_cell`)
LEVEL_PIXELS = 384
#: cell sizes (pixels) a grid level is drawn at, smallest and largest
CELL_RANGE = (4, 32)


@dataclasses.dataclass(frozen=True)
class ViewerEpisode:
    """One episode as the viewer shows it.

    Attributes:
        world: the world's name; base: its base objective.
        agent: the agent's label (planner x objective), as the agent select shows it.
        planner, objective: what the agent is made of.
        split, seed: the level. Panels side by side share agent and seed (an
            agent with one episode per split shows them together whatever their seeds).
        size: the level's size as shown, e.g. ``"17x17"``.
        outcome: ``intended``, ``misgeneralized`` or ``capability_failure``.
        sentence: one sentence that tells the episode's story.
        steps: T, the episode's length.
        frames: PNG data URIs, F <= max_frames of them.
        frame_steps: ``int[F]``, the step each frame shows: increasing, first 0, last T.
        returns: per catalogue objective (base first), the running discounted
            return ``float[T + 1]``: 0 before the first step, the episode's
            return after the last.
        capability, alignment: the normalised scores (NaN when undefined).
        stop_reason: why the episode ended.
    """

    world: str
    base: str
    agent: str
    planner: str
    objective: str
    split: str
    seed: int | None
    size: str
    outcome: str
    sentence: str
    steps: int
    frames: list[str]
    frame_steps: list[int]
    returns: dict[str, list[float]]
    capability: float
    alignment: float
    stop_reason: str

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (NaN and infinities become None)."""
        data = dataclasses.asdict(self)
        data["capability"], data["alignment"] = _finite(self.capability), _finite(self.alignment)
        data["returns"] = {name: [_finite(v) for v in values] for name, values in self.returns.items()}
        return data


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def frame_steps(steps: int, max_frames: int) -> np.ndarray:
    """The steps drawn as frames of an episode of `steps` steps: every step
    when there are at most `max_frames` (>= 2) states, otherwise `max_frames`
    evenly spread ones, always with 0 and `steps`. ``int64[F]``, increasing."""
    if max_frames < 2:
        raise ValueError(f"max_frames must be at least 2, got {max_frames}")
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    return np.unique(np.round(np.linspace(0, steps, max_frames)).astype(np.int64))


def running_returns(world, features: np.ndarray) -> dict[str, np.ndarray]:
    """Per catalogue objective of `world` (base first), the discounted return
    accumulated after each step of a feature trajectory ``float64[T, K]``:
    ``float64[T + 1]``, starting at 0 and ending at the episode's return."""
    world = worlds.get(world)
    out = {}
    for name, objective in objectives.catalogue(world).items():
        bound = objective.bind(world)
        rewards = bound.rewards(np.asarray(features, dtype=np.float64))
        discounted = rewards * bound.discount ** np.arange(len(rewards))
        out[name] = np.concatenate([[0.0], np.cumsum(discounted)])
    return out


def page_cell(levels) -> int:
    """One cell size (pixels) for every grid level of a page, so the largest
    fits in `LEVEL_PIXELS` and a bigger maze is drawn bigger."""
    longest = max((max(level.height, level.width) for level in levels), default=1)
    return int(np.clip(LEVEL_PIXELS // max(1, longest), *CELL_RANGE))


def png_data_uri(image: np.ndarray) -> str:
    """``uint8[H, W, 3]`` as a PNG data URI; a picture of at most 256
    colours is stored with a palette (lossless, far smaller)."""
    from PIL import Image

    pixels = np.ascontiguousarray(image, dtype=np.uint8)
    packed = pixels[..., 0].astype(np.uint32) << 16 | pixels[..., 1].astype(np.uint32) << 8 | pixels[..., 2]
    colours, index = np.unique(packed.ravel(), return_inverse=True)
    if len(colours) <= 256:  # exact: the picture's own colours as the palette
        height, width = pixels.shape[:2]
        picture = Image.frombytes("P", (width, height), index.astype(np.uint8).tobytes())
        rgb = np.stack([colours >> 16, colours >> 8 & 255, colours & 255], axis=1).astype(np.uint8)
        picture.putpalette(rgb.tobytes())
    else:  # anti-aliased lines (continuous worlds): 64 colours look the same and keep pages small
        picture = Image.fromarray(pixels).quantize(
            colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def story(episode: ViewerEpisode) -> str:
    """One plain sentence about what an episode shows, from its outcome and scores."""
    scores = f"capability {_score(episode.capability)}, alignment {_score(episode.alignment)}"
    stop = episode.stop_reason.replace("_", " ")
    own, base, n = episode.objective, episode.base, episode.steps
    if own == "none":  # a policy without an objective (e.g. the reactive planner)
        own = "its policy's target"
    if episode.outcome == MISGENERALIZED:
        return (
            f"It pursued {own} competently but not the base objective {base} ({scores}): "
            "its capability generalised, its objective did not."
        )
    if episode.outcome == INTENDED and own == base:
        return f"It pursued the base objective {base} and did well ({scores}, {n} steps)."
    if episode.outcome == INTENDED:
        return f"It pursued {own}, and that served the base objective {base} here too ({scores})."
    return f"It failed at its own objective {own} ({scores}; {n} steps, {stop}): a capability failure."


def _score(value: float) -> str:
    text = f"{value:.2f}" if math.isfinite(value) else "n/a"
    return "0.00" if text == "-0.00" else text


def viewer_episode(
    world,
    level,
    episode,
    *,
    agent: str,
    planner: str,
    objective: str,
    split: str,
    seed: int | None,
    sentence: str = "",
    cell: int | None = None,
    max_frames: int = 200,
) -> ViewerEpisode:
    """Render `episode` (a `planners.Episode` played on `level`) for the viewer.

    Frame t is ``world.render_rgb(level, state=states[t], path=states[:t+1])``
    for at most `max_frames` steps (`frame_steps`). Grid worlds are drawn at
    `cell` pixels per cell (None: `page_cell` of this level; pass one
    `page_cell` for every episode of a page so sizes compare); continuous
    worlds at their own scale. An empty `sentence` gets `story`'s.
    """
    world = worlds.get(world)
    size = {}
    if not world.continuous:
        size = {"cell": int(cell) if cell is not None else page_cell([level])}
    shown = frame_steps(episode.steps, max_frames)
    frames = [
        png_data_uri(world.render_rgb(level, state=episode.states[t], path=episode.states[: t + 1], **size))
        for t in shown
    ]
    returns = running_returns(world, episode.features)
    shown_episode = ViewerEpisode(
        world=world.name,
        base=world.base,
        agent=agent,
        planner=planner,
        objective=objective,
        split=split,
        seed=None if seed is None else int(seed),
        size=level_size(world, level),
        outcome=episode.outcome,
        sentence=sentence,
        steps=int(episode.steps),
        frames=frames,
        frame_steps=[int(t) for t in shown],
        returns={name: [float(v) for v in values] for name, values in returns.items()},
        capability=float(episode.capability),
        alignment=float(episode.alignment),
        stop_reason=episode.stop_reason,
    )
    return shown_episode if sentence else dataclasses.replace(shown_episode, sentence=story(shown_episode))


def legend_of(world) -> list[tuple[str, np.ndarray]]:
    """The world's legend entries (label, ``uint8[h, w, 3]`` swatch), or none
    where the world cannot give them."""
    entries = getattr(worlds.get(world), "legend_entries", None)
    return list(entries()) if entries is not None else []


def write_viewer(
    path: str | Path,
    title: str,
    episodes: list[ViewerEpisode],
    legend: list[tuple[str, np.ndarray]] | None = None,
    intro: str = "",
) -> Path:
    """Write the viewer page of `episodes` to `path` (one HTML file, no
    network) and return its path. `legend`: (label, ``uint8[h, w, 3]``
    swatch) pairs shown for every episode; None: each world's
    ``legend_entries()``. `intro`: a paragraph of plain text under the title."""
    if not episodes:
        raise ValueError("the viewer needs at least one episode")
    names = list(dict.fromkeys(e.world for e in episodes))
    if legend is None:
        legends = {name: legend_of(name) for name in names}
    else:
        legends = {name: list(legend) for name in names}
    encoded = {
        name: [{"label": str(label), "image": png_data_uri(np.asarray(swatch))} for label, swatch in entries]
        for name, entries in legends.items()
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_html(title, [e.as_dict() for e in episodes], encoded, intro), encoding="utf-8")
    return path
