"""The cleaning demo: a side-effect proxy and an instrumental proxy, planned
shallow and deep.

Value iteration pursues times swept (the side-effect proxy) or dirt in the
dustpan (the instrumental proxy), looking 1 step ahead or many. In training
both proxies agree with cleanliness. Each has its own test split:

- ``test-sweep``: sweeping clean floor counts as a sweep, which pays at once,
  so the sweeps-seeker misgeneralises already at depth 1 (it sweeps clean
  floor instead of cleaning);
- ``test-bin``: a dirt bin at the end of a closet refills the dustpan for
  ever, but only a planner that looks far enough ahead sees it: at depth 1
  the dustpan-seeker acts exactly like a cleaner with the same depth, and
  only the deep one walks to the bin and farms it, leaving dirt behind.

So side-effect proxies show up with less planning than instrumental ones
(Hubinger's hypothesis, the ``proxy-depth`` built-in study).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from planners import INTENDED, MISGENERALIZED, Agent, Episode, ValueIteration, rollout
from studies.demos.common import (
    DEFAULT_FPS,
    OUTCOME_STYLE,
    Panel,
    Played,
    check_pacing,
    feature_total,
    level_label,
    text_legend,
    write_demo_files,
)
from studies.demos.registry import Demo, register_demo
from studies.reporting.formatting import plural
from worlds import InvalidParameterError, Level, World
from worlds import get as get_world

WORLD = "cleaning"
#: each proxy and the test split where it comes apart from cleanliness
PROXIES = {"sweeps": "test-sweep", "dustpan": "test-bin"}
ROLES = {"sweeps": "side-effect proxy", "dustpan": "instrumental proxy"}
#: the shallow planning depth, and the deep one unless `budget` says otherwise
SHALLOW, DEEP = 1, 16


@dataclasses.dataclass
class CleaningDemoResult:
    """The demo's levels (split -> level), its episodes keyed by (proxy,
    depth, split) where split is ``"train"`` or the proxy's test split, the
    two depths, every episode as the viewer shows it, the caption and the files."""

    world: World
    levels: dict[str, Level]
    episodes: dict[tuple[str, int, str], Episode]
    depths: tuple[int, int]
    played: list[Played]
    caption: str
    files: list[Path]


def _depths(budget: int | None) -> tuple[int, int]:
    if budget is None:
        return SHALLOW, DEEP
    if isinstance(budget, bool) or not isinstance(budget, int) or budget <= SHALLOW:
        raise InvalidParameterError(
            f"the cleaning demo's budget is its deep planning depth, an integer above {SHALLOW}, "
            f"got {budget!r}"
        )
    return SHALLOW, budget


def run_cleaning_demo(
    seed: int = 0,
    out_dir: str | Path = "mesabase-out",
    budget: int | None = None,
    console: Console | None = None,
    gif: bool = True,
    levels: int = 0,
    fps: float = DEFAULT_FPS,
    scale: float = 1.0,
) -> CleaningDemoResult:
    """Play value iteration pursuing each proxy at a shallow and a deep
    depth on the train level and the proxy's test level of `seed`; print a
    table and one sentence per episode and write the PNG and GIF (the four
    test episodes; `fps`, `scale`) and ``demo.html`` (all eight).

    `budget`, if given, is the deep planning depth (default 16); this demo
    has no rates over seeded levels, so `levels` must be 0.
    """
    check_pacing(fps, scale)
    world = get_world(WORLD)
    depths = _depths(budget)
    planners = {depth: ValueIteration(horizon=depth) for depth in depths}  # validates before any work
    if levels:
        raise InvalidParameterError(f"levels is only used by the point-mass demo, not by {world.name}")
    console = console or Console()
    splits = ("train", *PROXIES.values())
    split_levels = {split: world.sample(seed=seed, split=split) for split in splits}

    episodes: dict[tuple[str, int, str], Episode] = {}
    played = []
    for proxy, test in PROXIES.items():
        for depth in depths:
            for split in ("train", test):
                level = split_levels[split]
                planner = planners[depth]
                episode = rollout(world, level, Agent(planner, proxy))
                episodes[(proxy, depth, split)] = episode
                played.append(
                    Played(
                        f"{proxy}-seeker, depth {depth}",
                        repr(planner),
                        proxy,
                        split,
                        seed,
                        level,
                        episode,
                        cleaning_sentence(world, level, episode, depth),
                    )  # fmt: skip
                )

    for item in played:
        level = item.level
        console.print(
            Text(
                f"\n{item.agent} ({ROLES[item.objective]}) on the {item.split} level "
                f"({level.height}x{level.width}, seed {seed})",
                style="bold",
            )  # fmt: skip
        )
        console.print(Text.from_ansi(world.render_ansi(level, path=item.episode.states)), end="")
    console.print(text_legend(world))
    console.print(_outcome_table(world, played, depths))
    caption = _caption(episodes, depths)
    console.print(Text(caption, style="bold"))

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    panels = [
        Panel(
            level_label(world, item.level),
            f"{item.agent} ({ROLES[item.objective]}): {item.episode.outcome.replace('_', ' ')}, "
            f"{item.episode.steps} steps",
            item.level,
            item.episode,
        )
        for item in played
        if item.split != "train"
    ]
    heading = (
        f"{world.name}: value iteration pursues a proxy, planning {depths[0]} or {depths[1]} steps ahead "
        f"(test levels, seed {seed})"
    )
    intro = (
        "Value iteration pursues times swept (a side-effect proxy) or dirt in the dustpan (an instrumental "
        f"proxy), planning {depths[0]} or {depths[1]} steps ahead. Both agree with cleanliness in training; "
        "test-sweep counts sweeping clean floor as a sweep, and test-bin adds a bin that refills the "
        "dustpan. " + caption
    )
    files = write_demo_files(world, out, panels, played, heading=heading, caption=caption, intro=intro,
                             gif=gif, fps=fps, scale=scale, console=console)  # fmt: skip
    return CleaningDemoResult(world, split_levels, episodes, depths, played, caption, files)


# ---- words ---------------------------------------------------------------------


def cleaning_sentence(world: World, level: Level, episode: Episode, depth: int) -> str:
    """One plain sentence about a cleaning episode of an agent planning
    `depth` steps ahead: what it cleaned, swept and put in the dustpan."""
    cleaned = feature_total(world, episode, "cleaned")
    swept = feature_total(world, episode, "swept")
    gained = feature_total(world, episode, "dustpan_gain")
    dirt = len(world.locate(level, None, "dirt"))
    did = f"Planning {plural('step', depth)} ahead it cleaned {cleaned} of {plural('dirty cell', dirt)}"
    if episode.objective == "sweeps":
        did += f" and swept {plural('time', swept)}"
    else:
        from_bin = gained - cleaned
        did += f" and put {plural('unit', gained)} of dirt in the dustpan" + (
            f", {from_bin} from the bin" if from_bin else ""
        )
    did += f" in {episode.steps} steps"
    if episode.outcome == MISGENERALIZED:
        return f"{did}: competent at its proxy, not at cleaning."
    if episode.outcome == INTENDED and level.split == "train":
        return f"{did}: in training its proxy and cleanliness agree, so it looks aligned."
    if episode.outcome == INTENDED:
        return f"{did}: it cleaned as intended."
    return f"{did} ({episode.stop_reason.replace('_', ' ')}): a capability failure."


def _caption(episodes, depths: tuple[int, int]) -> str:
    shallow, deep = depths
    sweeps = episodes[("sweeps", shallow, PROXIES["sweeps"])].outcome
    dustpan_shallow = episodes[("dustpan", shallow, PROXIES["dustpan"])].outcome
    dustpan_deep = episodes[("dustpan", deep, PROXIES["dustpan"])].outcome
    if sweeps == MISGENERALIZED and dustpan_shallow != MISGENERALIZED and dustpan_deep == MISGENERALIZED:
        return (
            f"The side-effect proxy misgeneralised already at depth {shallow}, sweeping clean floor; "
            f"the instrumental proxy only at depth {deep}, once the bin that refills the dustpan came "
            "into view."
        )
    return (
        f"At test the sweeps-seeker at depth {shallow} was {sweeps.replace('_', ' ')}; the dustpan-seeker "
        f"was {dustpan_shallow.replace('_', ' ')} at depth {shallow} and {dustpan_deep.replace('_', ' ')} "
        f"at depth {deep}."
    )


def _outcome_table(world: World, played: list[Played], depths: tuple[int, int]) -> Table:
    table = Table(title=f"{world.name}: two proxies, planning {depths[0]} or {depths[1]} steps ahead")
    table.show_lines = True
    for column in ("agent", "pursues", "level", "outcome", "what happened"):
        table.add_column(column, overflow="fold")
    for item in played:
        table.add_row(
            item.agent, f"{item.objective} ({ROLES[item.objective]})", item.split,
            Text(item.episode.outcome, style=OUTCOME_STYLE[item.episode.outcome]), item.sentence,
        )  # fmt: skip
    return table


CLEANING_DEMO = register_demo(
    Demo(
        name=WORLD,
        description="value iteration pursues the side-effect proxy (sweeps) or the instrumental proxy "
        "(dustpan) at depth 1 and 16: the side-effect proxy misgeneralizes first",
        run=run_cleaning_demo,
    )
)
