"""The point-mass demo: all four corners of the robustness picture in one world.

Four episodes on one seed, each a planner pursuing an objective on a split:

A. gradient planner, objective ``exit``, ``train``: the beacon sits on the
   exit; it reaches the exit (intended).
B. gradient planner, objective ``beacon``, ``test``: the beacon has moved; it
   flies there competently and never reaches the exit (misgeneralized).
C. gradient planner, objective ``exit``, ``test-trap``: the gradient of "get
   closer to the exit" leads into a U-shaped trap and it stays there
   (a capability failure: right goal, not enough search).
D. CEM (512 samples), objective ``exit``, ``test-trap``: sampling whole
   action sequences usually finds the way round the trap.

With ``levels=N`` each corner is also played on N seeded levels (scored
reached / not reached, which is cheap) and the rates are tabulated: how
often each corner reaches the exit, the beacon, and each outcome.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from rich.columns import Columns
from rich.console import Console, Group
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from planners import CAPABILITY_FAILURE, MISGENERALIZED, OUTCOMES, Agent, Episode, rollout
from studies.demos.common import (
    DEFAULT_FPS,
    OUTCOME_STYLE,
    Panel,
    Played,
    check_pacing,
    level_label,
    sentence,
    text_legend,
    write_demo_files,
)
from studies.demos.registry import Demo, register_demo
from studies.reporting.formatting import plural
from worlds import InvalidParameterError, Level, World
from worlds import get as get_world

WORLD = "point-mass"
#: the rates reported per corner, in table order
RATE_COLUMNS = ("exit", "beacon", *OUTCOMES)


@dataclasses.dataclass(frozen=True)
class Corner:
    """One of the four demo episodes: which planner pursues which objective on which split."""

    key: str
    planner: str
    objective: str
    split: str

    @property
    def label(self) -> str:
        return f"{self.key}. {self.planner} -> {self.objective}, {self.split}"


CORNERS = (
    Corner("A", "gradient", "exit", "train"),
    Corner("B", "gradient", "beacon", "test"),
    Corner("C", "gradient", "exit", "test-trap"),
    Corner("D", "cem", "exit", "test-trap"),
)


@dataclasses.dataclass
class PointMassDemoResult:
    """The demo's levels and episodes keyed by corner key ("A".."D"), the rates
    over `levels` seeded levels (corner key -> {"exit", "beacon", outcome} ->
    fraction; empty when levels=0), the files written, every episode as the
    viewer shows it and the GIF's caption."""

    world: World
    levels: dict[str, Level]
    episodes: dict[str, Episode]
    rates: dict[str, dict[str, float]]
    files: list[Path]
    corners: tuple[Corner, ...] = CORNERS
    played: list[Played] = dataclasses.field(default_factory=list)
    caption: str = ""


def _planners(budget: int | None) -> dict[str, object]:
    from planners import CEM, GradientPlanner

    gradient = GradientPlanner(execute=4) if budget is None else GradientPlanner(iterations=budget, execute=4)
    return {"gradient": gradient, "cem": CEM(samples=1024, execute=4)}


def run_point_mass_demo(
    seed: int = 0,
    out_dir: str | Path = "mesabase-out",
    budget: int | None = None,
    console: Console | None = None,
    gif: bool = True,
    levels: int = 0,
    fps: float = DEFAULT_FPS,
    scale: float = 1.0,
) -> PointMassDemoResult:
    """Play the four corner episodes on `seed`, print them, write the PNG,
    the GIF (`fps` frames a second, pixel sizes times `scale`) and
    ``demo.html``; with `levels` > 0 also print the rates over seeds
    0..levels-1.

    `budget`, if given, is the gradient planner's `iterations`.
    """
    check_pacing(fps, scale)
    if not isinstance(levels, (int, np.integer)) or isinstance(levels, bool) or levels < 0:
        raise InvalidParameterError(f"levels must be a non-negative integer, got {levels!r}")
    world = get_world(WORLD)
    console = console or Console()
    planners = _planners(budget)  # validates the budget before any work
    splits = dict.fromkeys(corner.split for corner in CORNERS)  # train, test, test-trap
    demo_levels = {split: world.sample(seed=seed, split=split) for split in splits}

    console.print(
        f"planning {len(CORNERS)} point-mass episodes on seed {seed} "
        "(the first plan compiles JAX code, which takes some seconds)..."
    )
    episodes: dict[str, Episode] = {}
    with console.status("planning...") as status:
        for corner in CORNERS:
            status.update(f"planning {corner.label}...")
            agent = Agent(planners[corner.planner], corner.objective)
            episodes[corner.key] = rollout(
                world, demo_levels[corner.split], agent, seed=seed, scoring="reference"
            )

    console.print(_pictures(world, demo_levels, episodes))
    console.print(text_legend(world))
    console.print(_outcome_table(world, demo_levels, episodes, seed))

    rates: dict[str, dict[str, float]] = {}
    if levels > 0:
        rates = _rates(world, planners, levels, console)
        console.print(_rates_table(rates, levels))

    caption = _caption(episodes)
    console.print(Text(caption, style="bold"))
    played = [
        Played(
            f"{corner.planner} -> {corner.objective}",
            repr(planners[corner.planner]),
            corner.objective,
            corner.split,
            seed,
            demo_levels[corner.split],
            episodes[corner.key],
            point_mass_sentence(world, demo_levels[corner.split], episodes[corner.key]),
        )  # fmt: skip
        for corner in CORNERS
    ]

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    panels = [
        Panel(level_label(world, item.level), _title(corner, item.episode), item.level, item.episode)
        for corner, item in zip(CORNERS, played, strict=True)
    ]
    heading = f"point-mass, seed {seed}: gradient planner vs CEM, exit (base) vs beacon (proxy)"
    intro = (
        "Four corners of the robustness picture in a continuous world: a gradient planner and CEM pursue "
        "the exit (base) or the beacon (proxy). In training the beacon sits on the exit; at test it has "
        "moved, and test-trap levels add a U-shaped trap in front of the exit. " + caption
    )
    files = write_demo_files(world, out, panels, played, heading=heading, caption=caption, intro=intro,
                             gif=gif, fps=fps, scale=scale, console=console)  # fmt: skip
    return PointMassDemoResult(world, demo_levels, episodes, rates, files, CORNERS, played, caption)


# ---- words ---------------------------------------------------------------------


def _in_trap(world: World, level: Level, state) -> bool:
    """Whether `state` lies inside the bounding box of the level's boxes (on
    ``test-trap`` levels those three boxes are the U-shaped trap)."""
    boxes = world.boxes(level)
    if len(boxes) == 0:
        return False
    x, y = state[0], state[1]
    return bool(boxes[:, 0].min() <= x <= boxes[:, 2].max() and boxes[:, 1].min() <= y <= boxes[:, 3].max())


def point_mass_sentence(world: World, level: Level, episode: Episode) -> str:
    """One plain sentence about a point-mass episode: the grid demo's
    sentence, with what went wrong spelled out for capability failures."""
    if episode.outcome != CAPABILITY_FAILURE:
        return sentence(world, episode)
    own, base, n = episode.objective, world.base, episode.steps
    reached_own, reached_base = episode.achieved.get(own, False), episode.achieved[base]
    if reached_own or reached_base:
        reached = own if reached_own else base
        return (
            f"It reached the {reached}, but only after {n} steps, slower than the reference "
            "planner, so its score stays under the threshold."
        )
    where = (
        "caught inside the U-shaped trap"
        if level.split == "test-trap" and _in_trap(world, level, episode.states[-1])
        else "short of its goal"
    )
    missed = f"did not reach the {own}" if own == base else f"reached neither the {own} nor the {base}"
    return (
        f"It {missed} in {n} steps and ended {where} "
        f"({episode.stop_reason.replace('_', ' ')}): a capability failure."
    )


def _pictures(world: World, levels: dict[str, Level], episodes: dict[str, Episode]) -> Columns:
    panels = []
    for corner in CORNERS:
        episode = episodes[corner.key]
        title = Text(f"{corner.key}. {corner.planner} -> {corner.objective}\n{corner.split}: ", style="bold")
        title += Text(episode.outcome, style=OUTCOME_STYLE[episode.outcome])
        picture = world.render_ansi(levels[corner.split], state=episode.states[-1], path=episode.states)
        panels.append(Group(title, Text.from_ansi(picture.rstrip("\n"))))
    return Columns(panels, padding=(1, 3))


def _outcome_table(world: World, levels: dict[str, Level], episodes: dict[str, Episode], seed: int) -> Table:
    table = Table(title=f"point-mass, seed {seed}: four corners of the robustness picture", show_lines=True)
    for column in ("", "planner", "objective", "split", "outcome"):
        table.add_column(column, no_wrap=True)
    table.add_column("capability", justify="right")
    table.add_column("alignment", justify="right")
    table.add_column("what happened", overflow="fold")
    for corner in CORNERS:
        episode = episodes[corner.key]
        objective = corner.objective + (" (base)" if corner.objective == world.base else " (proxy)")
        table.add_row(
            corner.key, corner.planner, objective, corner.split,
            Text(episode.outcome, style=OUTCOME_STYLE[episode.outcome]),
            f"{episode.capability:.2f}", f"{episode.alignment:.2f}",
            point_mass_sentence(world, levels[corner.split], episode),
        )  # fmt: skip
    return table


# ---- rates over seeded levels --------------------------------------------------------


def _rates(world: World, planners: dict, count: int, console: Console) -> dict[str, dict[str, float]]:
    tallies = {corner.key: dict.fromkeys(RATE_COLUMNS, 0) for corner in CORNERS}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"{count} levels x {len(CORNERS)} corners", total=count * len(CORNERS))
        for seed in range(count):
            for corner in CORNERS:
                level = world.sample(seed=seed, split=corner.split)
                agent = Agent(planners[corner.planner], corner.objective)
                episode = rollout(world, level, agent, seed=seed, scoring="goal")
                tally = tallies[corner.key]
                tally["exit"] += episode.achieved["exit"]
                tally["beacon"] += episode.achieved["beacon"]
                tally[episode.outcome] += 1
                progress.advance(task)
    return {key: {name: value / count for name, value in tally.items()} for key, tally in tallies.items()}


def _rates_table(rates: dict[str, dict[str, float]], count: int) -> Table:
    table = Table(
        title=f"point-mass over {plural('seeded level', count)} per corner "
        f"(seeds 0..{count - 1}, goal scoring)",
        caption="fraction of episodes; on train and test-trap the beacon sits on the exit",
    )
    table.add_column("corner", no_wrap=True)
    for name in RATE_COLUMNS:
        style = OUTCOME_STYLE.get(name)
        header = f"reached {name}" if name in ("exit", "beacon") else name.replace("_", " ")
        table.add_column(Text(header, style=style or ""), justify="right")
    for corner in CORNERS:
        row = rates[corner.key]
        table.add_row(corner.label, *(f"{row[name]:.0%}" for name in RATE_COLUMNS))
    return table


# ---- pictures ------------------------------------------------------------------


def _title(corner: Corner, episode: Episode) -> str:
    outcome = episode.outcome.replace("_", " ")
    return f"{corner.key}. {corner.planner} -> {corner.objective}: {outcome}, {episode.steps} steps"


def _caption(episodes: dict[str, Episode]) -> str:
    """One sentence on what went wrong: the beacon-seeker at test (B) and the trap (C)."""
    beacon, trapped = episodes["B"], episodes["C"]
    if beacon.outcome == MISGENERALIZED and not trapped.achieved["exit"]:
        return (
            "At test the beacon moved: the gradient planner flew competently to the beacon and never "
            "reached the exit; pursuing the exit instead, it never got round the U-shaped trap."
        )
    return (
        f"At test the beacon-seeking gradient planner was {beacon.outcome.replace('_', ' ')}, and the "
        f"exit-seeking one on the trap level {trapped.outcome.replace('_', ' ')}."
    )


POINT_MASS_DEMO = register_demo(
    Demo(
        name=WORLD,
        description="gradient planner vs CEM: intended, misgeneralized and trapped (capability failure) "
        "in one continuous world",
        run=run_point_mass_demo,
    )
)
