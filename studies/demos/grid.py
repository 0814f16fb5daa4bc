"""The teaching demo: one planner, two objectives, a train level and a test level.

On the training level the proxy (the green arrow) sits on the exit, so the
arrow-seeking agent looks aligned. On the test level the arrow has moved: the
same agent navigates the larger maze competently, to the wrong place. That is
"mesa != base": capability generalises, the objective does not.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from objectives import catalogue
from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED, Agent, AStar, Episode, rollout
from worlds import InvalidParameterError, Level, MesabaseError, World
from worlds import get as get_world

if TYPE_CHECKING:
    from studies.demos.point_mass import PointMassDemoResult

DEMO_WORLDS = ("arrow-maze", "point-mass")
SPLITS = ("train", "test")
_OUTCOME_STYLE = {INTENDED: "green", MISGENERALIZED: "bold red", CAPABILITY_FAILURE: "yellow"}


@dataclasses.dataclass
class DemoResult:
    """The demo's levels, its episodes keyed by (objective, split), and its files."""

    world: World
    levels: dict[str, Level]
    episodes: dict[tuple[str, str], Episode]
    files: list[Path]


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
    return (
        f"It reached neither the {own} nor the {base} in {n} steps "
        f"({episode.stop_reason.replace('_', ' ')}): a capability failure."
    )


def run_demo(
    world_name: str = "arrow-maze",
    seed: int = 0,
    out_dir: str | Path = "mesabase-out",
    budget: int | None = None,
    console: Console | None = None,
    gif: bool = True,
    levels: int = 0,
) -> DemoResult | PointMassDemoResult:
    """Play the four demo episodes, print them and write the PNG and GIF.

    The point-mass demo is `studies.demos.point_mass.run_point_mass_demo`
    (`budget` is then the gradient planner's iterations, and `levels` > 0 adds
    a table of rates over that many seeded levels); no other demo uses `levels`.
    """
    world = get_world(world_name)
    if world.name not in DEMO_WORLDS:
        raise MesabaseError(f"no demo for world {world.name!r} yet; demos: {', '.join(DEMO_WORLDS)}")
    if world.name == "point-mass":
        from studies.demos.point_mass import run_point_mass_demo  # imports JAX only when needed

        return run_point_mass_demo(
            seed=seed, out_dir=out_dir, budget=budget, console=console, gif=gif, levels=levels
        )
    if levels:
        raise InvalidParameterError(f"levels is only used by the point-mass demo, not by {world.name}")
    console = console or Console()
    planner = AStar(max_expansions=budget)
    split_levels = {split: world.sample(seed=seed, split=split) for split in SPLITS}
    names = list(catalogue(world))
    episodes = {
        (name, split): rollout(world, split_levels[split], Agent(planner, name))
        for name in names
        for split in SPLITS
    }

    for (name, split), episode in episodes.items():
        level = split_levels[split]
        console.print(
            Text(
                f"\n{name}-seeking agent ({planner!r}) on the {split} level "
                f"({level.height}x{level.width}, seed {seed})",
                style="bold",
            )  # fmt: skip
        )
        console.print(Text.from_ansi(world.render_ansi(level, path=episode.states)), end="")
    console.print(_outcome_table(world, episodes, names))

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = [_write_png(world, split_levels, episodes, names, out / f"{world.name}.png")]
    if gif:
        files.append(_write_gif(world, split_levels, episodes, names, out / f"{world.name}.gif"))
    for path in files:
        console.print(f"wrote {path}")
    return DemoResult(world, split_levels, episodes, files)


def _outcome_table(world: World, episodes, names) -> Table:
    table = Table(title=f"{world.name}: one planner, two objectives", show_lines=True)
    table.add_column("agent pursues")
    for split in SPLITS:
        table.add_column(f"{split} level")
    for name in names:
        cells = []
        for split in SPLITS:
            episode = episodes[(name, split)]
            style = _OUTCOME_STYLE[episode.outcome]
            cells.append(Text(episode.outcome, style=style) + Text("\n" + sentence(world, episode)))
        label = f"{name}" + (" (base)" if name == world.base else " (proxy)")
        table.add_row(label, *cells)
    return table


def _title(world: World, name: str, split: str, episode: Episode) -> str:
    return f"{name}-seeking agent, {split}: {episode.outcome.replace('_', ' ')}"


def _write_png(world: World, levels, episodes, names, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(names), len(SPLITS), figsize=(10, 10))
    for i, name in enumerate(names):
        for j, split in enumerate(SPLITS):
            episode = episodes[(name, split)]
            ax = axes[i, j]
            ax.imshow(world.render_rgb(levels[split], state=episode.states[-1], path=episode.states))
            ax.set_title(_title(world, name, split, episode), fontsize=11)
            ax.set_axis_off()
    fig.suptitle(
        f"{world.name}: the same A* planner, objective '{names[0]}' vs '{names[1]}'\n"
        "green arrow = proxy, red square = exit, blue = agent, amber = path",
        fontsize=12,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _write_gif(world: World, levels, episodes, names, path: Path, panel: int = 300) -> Path:
    panels = []
    for name in names:
        for split in SPLITS:
            level, episode = levels[split], episodes[(name, split)]
            cell = max(2, panel // max(level.height, level.width))
            panels.append((_title(world, name, split, episode), level, episode, cell))
    return write_episodes_gif(world, panels, path, panel)


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
