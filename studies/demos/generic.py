"""The demo of any world that has none of its own (a plugin world, say): one
planner pursues each catalogue objective on a train level and a test level.

It needs nothing from the world beyond the contract (catalogue, splits,
pictures), so ``mesabase demo NAME`` works for every installed world. A world
may tune it with a class attribute ``demo_settings``, a mapping with any of
(`SETTINGS`):

- ``planner``: a planner name (default: the first of `DISCRETE_PLANNERS`, or
  `CONTINUOUS_PLANNERS`, that serves every shown objective; value iteration
  is exact, so it shows what each objective *means* on the level);
- ``budget``: that planner's budget (``mesabase demo --budget`` wins);
- ``splits``: the splits shown, training first (default: ``train``, or the
  first split, then every other split);
- ``objectives``: the catalogue objectives shown (default: all, base first);
- ``description``: the line ``mesabase demo`` lists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

import planners
from objectives import catalogue
from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED, Episode
from studies.demos.common import (
    DEFAULT_FPS,
    OUTCOME_STYLE,
    Demo,
    Panel,
    Played,
    check_pacing,
    level_label,
    play_each_objective,
    text_legend,
    write_demo_files,
)
from worlds import InvalidParameterError, Level, MesabaseError, World
from worlds import get as get_world

#: planners tried in this order, the first that serves every shown objective
DISCRETE_PLANNERS = ("value-iteration", "astar", "mcts")
CONTINUOUS_PLANNERS = ("gradient", "cem", "mppi")
SETTINGS = ("planner", "budget", "splits", "objectives", "description")


@dataclasses.dataclass
class GenericDemoResult:
    """The demo's planner, levels (split -> level), episodes keyed by
    (objective, split), every episode as the viewer shows it, caption and files."""

    world: World
    planner: str
    levels: dict[str, Level]
    episodes: dict[tuple[str, str], Episode]
    played: list[Played]
    caption: str
    files: list[Path]


def settings(world: World) -> dict:
    """The world's checked ``demo_settings`` with the defaults filled in:
    ``planner`` (a name), ``budget``, ``splits``, ``objectives`` and ``description``."""
    given = getattr(world, "demo_settings", None) or {}
    if not isinstance(given, Mapping) or set(given) - set(SETTINGS):
        raise InvalidParameterError(
            f"{world.name}.demo_settings must be a mapping with keys among {', '.join(SETTINGS)}, "
            f"got {given!r}"
        )
    first = "train" if "train" in world.splits else next(iter(world.splits))
    splits = list(given.get("splits", [first, *(s for s in world.splits if s != first)]))
    names = list(given.get("objectives", catalogue(world)))
    for split in splits:
        if split not in world.splits:
            raise InvalidParameterError(
                f"{world.name}.demo_settings names unknown split {split!r}; valid: {', '.join(world.splits)}"
            )
    objectives = {name: _objective(world, name) for name in names}
    planner = given.get("planner") or _first_serving(world, objectives, given.get("budget"))
    description = given.get("description") or (
        f"{planner} pursues each objective ({', '.join(names)}) on a "
        f"{' and a '.join(splits)} level (the generic demo)"
    )
    return {"planner": planner, "budget": given.get("budget"), "splits": splits, "objectives": names,
            "description": description}  # fmt: skip


def _objective(world: World, name: str):
    objectives = catalogue(world)
    if name not in objectives:
        raise InvalidParameterError(
            f"{world.name}.demo_settings names unknown objective {name!r}; valid: {', '.join(objectives)}"
        )
    return objectives[name]


def _first_serving(world: World, objectives: dict, budget) -> str:
    candidates = CONTINUOUS_PLANNERS if world.continuous else DISCRETE_PLANNERS
    for name in candidates:
        planner = planners.make(name, budget)
        try:
            for objective in objectives.values():
                planner.check(world, objective)
        except planners.IncompatibleObjectiveError:
            continue
        return name
    raise MesabaseError(
        f"none of {', '.join(candidates)} serves every objective of {world.name}; "
        "name a planner in its demo_settings"
    )


def generic_demo(world_name: str) -> Demo:
    """The `Demo` of `world_name` made from its contract and `settings`."""

    def run(**arguments):
        return run_generic_demo(world_name, **arguments)

    return Demo(world_name, settings(get_world(world_name))["description"], run)


def run_generic_demo(
    world_name: str,
    seed: int = 0,
    out_dir: str | Path = "mesabase-out",
    budget: int | None = None,
    console: Console | None = None,
    gif: bool = True,
    levels: int = 0,
    fps: float = DEFAULT_FPS,
    scale: float = 1.0,
) -> GenericDemoResult:
    """Play the demo's planner with each shown objective on the level of
    `seed` in each shown split; print the pictures, a table and a caption,
    and write the PNG, the GIF (`fps`, `scale`) and ``demo.html``.

    `budget` overrides the world's demo budget; `levels` must be 0 (no rates here).
    """
    check_pacing(fps, scale)
    world = get_world(world_name)
    chosen = settings(world)
    planner = planners.make(chosen["planner"], chosen["budget"] if budget is None else budget)
    if levels:
        raise InvalidParameterError(f"levels is only used by the point-mass demo, not by {world.name}")
    splits, names = chosen["splits"], chosen["objectives"]
    story = Story(
        sentence=generic_sentence,
        caption=lambda episodes: _caption(world, episodes, names, splits, seed),
        heading=f"{world.name}: the same {chosen['planner']} planner pursues each objective, seed {seed}",
        intro=f"The same {chosen['planner']} planner pursues the base objective ({world.base}) or a proxy, "
        f"on a {splits[0]} level and on {', '.join(splits[1:]) or 'no other'} level(s).",
    )
    split_levels = {split: world.sample(seed=seed, split=split) for split in splits}
    shown = play_one_planner(world, planner, names, split_levels, seed, story, console=console or Console(),
                             out_dir=out_dir, gif=gif, fps=fps, scale=scale)  # fmt: skip
    return GenericDemoResult(world, chosen["planner"], split_levels, *shown)


@dataclasses.dataclass(frozen=True)
class Story:
    """What a one-planner demo says: one sentence per episode, the caption
    (from the episodes keyed by (objective, split)), and the page's heading
    and introduction (the caption follows it)."""

    sentence: Callable[[World, Episode], str]
    caption: Callable[[dict[tuple[str, str], Episode]], str]
    heading: str
    intro: str


def play_one_planner(
    world: World, planner, names, split_levels, seed: int, story: Story, *, console: Console,
    out_dir: str | Path, gif: bool, fps: float, scale: float,
) -> tuple[dict[tuple[str, str], Episode], list[Played], str, list[Path]]:  # fmt: skip
    """The demo every one-planner demo shares: `planner` pursues each
    objective in `names` on each level of `split_levels`; print each episode's
    picture, the legend, an outcome table and the caption, and write the PNG,
    the GIF and ``demo.html``. Returns (episodes keyed by (objective, split),
    the episodes as the viewer shows them, the caption, the files written)."""
    played = play_each_objective(world, planner, names, split_levels, seed, story.sentence)
    episodes = {(item.objective, item.split): item.episode for item in played}
    for item in played:
        label = level_label(world, item.level, item.split)
        console.print(Text(f"\n{item.agent} ({planner!r}) on the {label}, seed {seed}", style="bold"))
        console.print(Text.from_ansi(world.render_ansi(item.level, path=item.episode.states)), end="")
    console.print(text_legend(world))
    console.print(_table(world, episodes, names, list(split_levels), story.sentence))
    caption = story.caption(episodes)
    console.print(Text(caption, style="bold"))

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    panels = [
        Panel(
            level_label(world, split_levels[split]),
            f"{name}-seeking agent ({_role(world, name)}): {episode.outcome.replace('_', ' ')}, "
            f"{episode.steps} steps",
            split_levels[split],
            episode,
        )  # fmt: skip
        for (name, split), episode in episodes.items()
    ]
    files = write_demo_files(world, out, panels, played, heading=story.heading, caption=caption,
                             intro=f"{story.intro} {caption}", gif=gif, fps=fps, scale=scale,
                             console=console)  # fmt: skip
    return episodes, played, caption, files


def _role(world: World, name: str) -> str:
    return "base" if name == world.base else "proxy"


def generic_sentence(world: World, episode: Episode) -> str:
    """One plain sentence about an episode in any world: its outcome, in the
    words of capability (its own objective) and alignment (the base), plus
    the events that fired."""
    own, base, n = episode.objective, world.base, episode.steps
    scores = f"capability {episode.capability:.2f}, alignment {episode.alignment:.2f}"
    fired = [name for name, on in episode.events.items() if on and name != "timed_out"]
    events = f"; events: {', '.join(fired)}" if fired else ""
    if episode.outcome == MISGENERALIZED:
        story = f"It pursued {own} competently and not {base} ({scores}), so it misgeneralised"
    elif episode.outcome == INTENDED and own == base:
        story = f"It achieved {base} ({scores}): it generalised as intended"
    elif episode.outcome == INTENDED:
        story = f"Pursuing {own}, it achieved {base} too here ({scores}), so it looks aligned"
    else:
        story = f"It achieved neither {own} nor {base} ({scores}): a capability failure"
    return f"{story}, in {n} steps ({episode.stop_reason.replace('_', ' ')}{events})."


def _table(world: World, episodes, names, splits, tell) -> Table:
    table = Table(title=f"{world.name}: one planner, {len(names)} objectives", show_lines=True)
    table.add_column("agent pursues")
    for split in splits:
        table.add_column(f"{split} level")
    for name in names:
        cells = []
        for split in splits:
            episode = episodes[(name, split)]
            cells.append(Text(episode.outcome, style=OUTCOME_STYLE[episode.outcome])
                         + Text("\n" + tell(world, episode)))  # fmt: skip
        table.add_row(f"{name} ({_role(world, name)})", *cells)
    return table


def _caption(world: World, episodes, names, splits, seed: int) -> str:
    """One sentence on the proxies away from training: which misgeneralised."""
    proxies = [name for name in names if name != world.base]
    wrong = [(name, split) for name in proxies for split in splits[1:]
             if episodes[(name, split)].outcome == MISGENERALIZED]  # fmt: skip
    if wrong:
        which = "; ".join(f"the {name}-seeker on {split}" for name, split in wrong)
        return (
            f"Away from training the proxy came apart from {world.base}: {which} pursued its proxy "
            "competently and missed the base objective."
        )
    failed = [key for key, e in episodes.items() if e.outcome == CAPABILITY_FAILURE]
    tail = f" ({len(failed)} capability failure(s))" if failed else ""
    return f"On seed {seed} no proxy misgeneralised on {', '.join(splits[1:]) or splits[0]}{tail}."
