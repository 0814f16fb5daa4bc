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
from planners import CAPABILITY_FAILURE, MISGENERALIZED, AStar, Episode
from studies.demos.common import (
    DEFAULT_FPS,
    OUTCOME_STYLE,
    Panel,
    Played,
    check_pacing,
    level_label,
    play_each_objective,
    sentence,
    text_legend,
    write_demo_files,
)
from studies.demos.registry import Demo, register_demo
from worlds import InvalidParameterError, Level, World
from worlds import get as get_world

WORLD = "arrow-maze"
SPLITS = ("train", "test")


@dataclasses.dataclass
class DemoResult:
    """The demo's levels, its episodes keyed by (objective, split), its files
    and every episode as the viewer page shows it."""

    world: World
    levels: dict[str, Level]
    episodes: dict[tuple[str, str], Episode]
    files: list[Path]
    played: list[Played] = dataclasses.field(default_factory=list)
    caption: str = ""


def run_arrow_maze_demo(
    seed: int = 0,
    out_dir: str | Path = "mesabase-out",
    budget: int | None = None,
    console: Console | None = None,
    gif: bool = True,
    levels: int = 0,
    fps: float = DEFAULT_FPS,
    scale: float = 1.0,
) -> DemoResult:
    """Play the four demo episodes (A* with each catalogue objective on a
    train and a test level of `seed`), print them and write the PNG, the GIF
    (`fps` frames a second, pixel sizes times `scale`) and ``demo.html``.

    `budget` is A*'s max expansions (None: unbounded); this demo has no rates
    over seeded levels, so `levels` must be 0.
    """
    check_pacing(fps, scale)
    world = get_world(WORLD)
    planner = AStar(max_expansions=budget)  # validates the budget before any work
    if levels:
        raise InvalidParameterError(f"levels is only used by the point-mass demo, not by {world.name}")
    console = console or Console()
    split_levels = {split: world.sample(seed=seed, split=split) for split in SPLITS}
    names = list(catalogue(world))
    played = play_each_objective(world, planner, names, split_levels, seed, sentence)
    episodes = {(item.objective, item.split): item.episode for item in played}

    for item in played:
        level = item.level
        console.print(
            Text(
                f"\n{item.agent} ({planner!r}) on the {item.split} level "
                f"({level.height}x{level.width}, seed {seed})",
                style="bold",
            )  # fmt: skip
        )
        console.print(Text.from_ansi(world.render_ansi(level, path=item.episode.states)), end="")
    console.print(text_legend(world))
    console.print(_outcome_table(world, episodes, names))
    caption = _caption(world, split_levels, episodes)
    console.print(Text(caption, style="bold"))

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    panels = _panels(world, split_levels, episodes, names)
    heading = (
        f"{world.name}: the same A* planner pursues the exit (base) or the green arrow (proxy), seed {seed}"
    )
    intro = (
        "The same A* planner pursues the exit (the base objective) or the green arrow (a proxy). "
        "In training the arrow sits on the exit; at test the maze is larger and the arrow has moved. "
        + caption
    )
    files = write_demo_files(world, out, panels, played, heading=heading, caption=caption, intro=intro,
                             gif=gif, fps=fps, scale=scale, console=console)  # fmt: skip
    return DemoResult(world, split_levels, episodes, files, played, caption)


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


def _caption(world: World, levels, episodes) -> str:
    """One sentence on what went wrong at test: the proxy agent's episode."""
    proxy = next(name for name, _ in episodes if name != world.base)
    episode = episodes[(proxy, "test")]
    if episode.outcome == MISGENERALIZED:
        return (
            f"At test the {proxy} moved: the {proxy}-seeking agent crossed the larger maze "
            f"competently to the {proxy} and never reached the {world.base}."
        )
    base = episodes[(world.base, "test")]
    if episode.outcome == CAPABILITY_FAILURE and base.outcome == CAPABILITY_FAILURE:
        return (
            f"At test neither agent reached its goal ({base.steps} and {episode.steps} steps): "
            "a capability failure, not an objective failure."
        )
    return f"On the test level the {proxy}-seeking agent {sentence(world, episode)[3:]}"


def _panels(world: World, levels, episodes, names) -> list[Panel]:
    panels = []
    for name in names:
        for split in SPLITS:
            level, episode = levels[split], episodes[(name, split)]
            role = "base" if name == world.base else "proxy"
            panels.append(
                Panel(
                    level_label(world, level),
                    f"{name}-seeking agent ({role}): {episode.outcome.replace('_', ' ')}, "
                    f"{episode.steps} steps",
                    level,
                    episode,
                )
            )
    return panels


ARROW_MAZE_DEMO = register_demo(
    Demo(
        name=WORLD,
        description="A* pursues the exit or the green arrow: aligned in training, the arrow-seeker "
        "misgeneralizes at test",
        run=run_arrow_maze_demo,
    )
)
