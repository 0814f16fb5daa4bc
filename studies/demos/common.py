"""What the demos share: the one-sentence story of an episode, the outcome
colours of the terminal tables and the animated 2 x 2 GIF of four episodes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED, Episode
from worlds import World

#: rich styles of the outcomes in the demos' terminal tables
OUTCOME_STYLE = {INTENDED: "green", MISGENERALIZED: "bold red", CAPABILITY_FAILURE: "yellow"}


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


def write_episodes_gif(world: World, panels, path: Path, panel: int = 300) -> Path:
    """An animated GIF of four episodes in a 2 x 2 grid, each growing step by
    step. `panels`: four (title, level, episode, pixels per unit or cell)."""
    import imageio.v3 as iio
    from PIL import Image, ImageDraw

    longest = max(episode.steps for _, _, episode, _ in panels)
    stride = max(1, int(np.ceil((longest + 1) / 110)))  # keep the GIF under ~120 frames
    times = list(range(0, longest + 1, stride))
    if times[-1] != longest:
        times.append(longest)
    label_height, gap = 18, 8
    frames = []
    for t in times:
        canvas = Image.new("RGB", (2 * panel + 3 * gap, 2 * (panel + label_height) + 3 * gap), "white")
        draw = ImageDraw.Draw(canvas)
        for index, (title, level, episode, cell) in enumerate(panels):
            upto = min(t, episode.steps)
            image = world.render_rgb(
                level, state=episode.states[upto], path=episode.states[: upto + 1], cell=cell
            )
            x = gap + (index % 2) * (panel + gap)
            y = gap + (index // 2) * (panel + label_height + gap)
            draw.text((x, y), title, fill=(0, 0, 0))
            canvas.paste(Image.fromarray(image), (x, y + label_height))
        frames.append(np.asarray(canvas))
    frames.extend([frames[-1]] * 10)  # linger on the final positions
    iio.imwrite(path, np.stack(frames), duration=90, loop=0)
    return path
