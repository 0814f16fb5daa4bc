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

from objectives import catalogue
from planners import CAPABILITY_FAILURE, MISGENERALIZED, AStar, Episode
from studies.demos.common import DEFAULT_FPS, Played, check_pacing, sentence
from studies.demos.generic import Story, play_one_planner
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
    story = Story(
        sentence=sentence,
        caption=lambda episodes: _caption(world, episodes),
        heading=f"{world.name}: the same A* planner pursues the exit (base) or the green arrow (proxy), "
        f"seed {seed}",
        intro="The same A* planner pursues the exit (the base objective) or the green arrow (a proxy). "
        "In training the arrow sits on the exit; at test the maze is larger and the arrow has moved.",
    )
    split_levels = {split: world.sample(seed=seed, split=split) for split in SPLITS}
    episodes, played, caption, files = play_one_planner(
        world, planner, list(catalogue(world)), split_levels, seed, story, console=console or Console(),
        out_dir=out_dir, gif=gif, fps=fps, scale=scale,
    )  # fmt: skip
    return DemoResult(world, split_levels, episodes, files, played, caption)


def _caption(world: World, episodes) -> str:
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


ARROW_MAZE_DEMO = register_demo(
    Demo(
        name=WORLD,
        description="A* pursues the exit or the green arrow: aligned in training, the arrow-seeker "
        "misgeneralizes at test",
        run=run_arrow_maze_demo,
    )
)
