"""The arrow-maze demo: one planner, two objectives, a train level and a test level.

On the training level the proxy (the green arrow) sits on the exit, so the
arrow-seeking agent looks aligned. On the test level the arrow has moved: the
same agent navigates the larger maze competently, to the wrong place. That is
"mesa != base": capability generalises, the objective does not.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from objectives import catalogue
from planners import Agent, AStar, Episode, rollout
from studies.demos.common import OUTCOME_STYLE, sentence, write_episodes_gif
from studies.demos.registry import Demo, register_demo
from worlds import InvalidParameterError, Level, World
from worlds import get as get_world

WORLD = "arrow-maze"
SPLITS = ("train", "test")


@dataclasses.dataclass
class DemoResult:
    """The demo's levels, its episodes keyed by (objective, split), and its files."""

    world: World
    levels: dict[str, Level]
    episodes: dict[tuple[str, str], Episode]
    files: list[Path]


def run_arrow_maze_demo(
    seed: int = 0,
    out_dir: str | Path = "mesabase-out",
    budget: int | None = None,
    console: Console | None = None,
    gif: bool = True,
    levels: int = 0,
) -> DemoResult:
    """Play the four demo episodes (A* with each catalogue objective on a
    train and a test level of `seed`), print them and write the PNG and GIF.

    `budget` is A*'s max expansions (None: unbounded); this demo has no rates
    over seeded levels, so `levels` must be 0.
    """
    world = get_world(WORLD)
    planner = AStar(max_expansions=budget)  # validates the budget before any work
    if levels:
        raise InvalidParameterError(f"levels is only used by the point-mass demo, not by {world.name}")
    console = console or Console()
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
            style = OUTCOME_STYLE[episode.outcome]
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


ARROW_MAZE_DEMO = register_demo(
    Demo(
        name=WORLD,
        description="A* pursues the exit or the green arrow: aligned in training, the arrow-seeker "
        "misgeneralizes at test",
        run=run_arrow_maze_demo,
    )
)
