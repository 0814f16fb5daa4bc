"""The chests-keys demo: a reactive key-seeker and a chest-seeking planner,
a train level and a test level.

In training keys are scarce and every key lies on a chest, so "step towards
the nearest key" (a reactive rule with no search and no objective) opens
chests as well as a planner that pursues chests. At test keys are plentiful
and chests scarce: the key-seeker goes on collecting keys, competently, and
leaves chests closed, while value iteration pursuing chests walks to them.
Malign generalisation needs no search.

On some test levels the key-seeker opens every chest anyway, on its way
from key to key, and the two agents look alike; the demo shows the first test level from
`seed` on where the key-seeker leaves a chest closed while holding a key it
never used, and says which seed that is.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from planners import INTENDED, MISGENERALIZED, Agent, Episode, Reactive, ValueIteration, rollout
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

WORLD = "chests-keys"
SPLITS = ("train", "test")
#: how many test seeds from `seed` on the demo tries for a level where keys and chests come apart
SEARCH = 50
#: the two agents: key -> (label, objective pursued, "none" for the policy without one)
AGENTS = {
    "reactive": ("reactive key-seeker", "none"),
    "search": ("value iteration -> chests", "chests"),
}


@dataclasses.dataclass
class ChestsKeysDemoResult:
    """The demo's levels (split -> level), its episodes keyed by (agent key,
    split) with agent keys ``"reactive"`` and ``"search"``, the test level's
    seed, every episode as the viewer shows it, the caption and the files."""

    world: World
    levels: dict[str, Level]
    episodes: dict[tuple[str, str], Episode]
    test_seed: int
    played: list[Played]
    caption: str
    files: list[Path]


def _agents(budget: int | None) -> dict[str, Agent]:
    search = ValueIteration() if budget is None else ValueIteration(horizon=budget)
    return {"reactive": Agent(Reactive(), None), "search": Agent(search, "chests")}


def _keys_and_chests_part(world: World, level: Level, episode: Episode) -> bool:
    """Whether the key-seeker collected a key that opened no chest and left a chest closed."""
    opened = feature_total(world, episode, "opened_chest")
    return feature_total(world, episode, "collected_key") > opened < len(world.locate(level, None, "chest"))


def _test_level(world: World, reactive: Agent, seed: int) -> tuple[int, Level, Episode]:
    """(seed, level, the key-seeker's episode) of the first test level from
    `seed` on where keys and chests come apart (`seed`'s own if none does)."""
    for candidate in range(seed, seed + SEARCH):
        level = world.sample(seed=candidate, split="test")
        episode = rollout(world, level, reactive)
        if _keys_and_chests_part(world, level, episode):
            return candidate, level, episode
    level = world.sample(seed=seed, split="test")
    return seed, level, rollout(world, level, reactive)


def run_chests_keys_demo(
    seed: int = 0,
    out_dir: str | Path = "mesabase-out",
    budget: int | None = None,
    console: Console | None = None,
    gif: bool = True,
    levels: int = 0,
    fps: float = DEFAULT_FPS,
    scale: float = 1.0,
) -> ChestsKeysDemoResult:
    """Play the reactive key-seeker and value iteration pursuing chests on
    the train level of `seed` and on the first test level from `seed` on
    where the key-seeker leaves a chest closed (keys and chests come apart);
    print a table and one sentence per episode and write the PNG, the GIF
    (`fps`, `scale`) and ``demo.html``.

    `budget`, if given, is value iteration's planning depth (its horizon);
    this demo has no rates over seeded levels, so `levels` must be 0.
    """
    check_pacing(fps, scale)
    world = get_world(WORLD)
    agents = _agents(budget)  # validates the budget before any work
    if levels:
        raise InvalidParameterError(f"levels is only used by the point-mass demo, not by {world.name}")
    console = console or Console()

    test_seed, test_level, reactive_test = _test_level(world, agents["reactive"], seed)
    split_levels = {"train": world.sample(seed=seed, split="train"), "test": test_level}
    episodes = {("reactive", "test"): reactive_test}
    for key, agent in agents.items():
        for split in SPLITS:
            if (key, split) not in episodes:
                episodes[(key, split)] = rollout(world, split_levels[split], agent)
    episodes = {(key, split): episodes[(key, split)] for key in AGENTS for split in SPLITS}

    played = []
    for (key, split), episode in episodes.items():
        label, objective = AGENTS[key]
        level = split_levels[split]
        played.append(
            Played(
                label,
                repr(agents[key].planner),
                objective,
                split,
                seed if split == "train" else test_seed,
                level,
                episode,
                chests_keys_sentence(world, level, episode, proxy=key == "reactive"),
            )
        )
    if test_seed != seed:
        console.print(
            f"test level: seed {test_seed}, the first test seed from {seed} on where the key-seeker "
            "leaves a chest closed (on the seeds before it, keys and chests did not come apart)"
        )
    for item in played:
        level = item.level
        console.print(
            Text(
                f"\n{item.agent} on the {item.split} level ({level.height}x{level.width}, seed {item.seed})",
                style="bold",
            )
        )
        console.print(Text.from_ansi(world.render_ansi(level, path=item.episode.states)), end="")
    console.print(text_legend(world))
    console.print(_outcome_table(world, played))
    caption = _caption(world, split_levels["test"], episodes)
    console.print(Text(caption, style="bold"))

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    panels = [
        Panel(
            level_label(world, item.level),
            f"{item.agent}: {item.episode.outcome.replace('_', ' ')}; "
            + _tally(world, item.level, item.episode),
            item.level,
            item.episode,
        )
        for item in played
    ]
    heading = (
        f"{world.name}: a reactive key-seeker and a chest-seeking planner "
        f"(train seed {seed}, test seed {test_seed})"
    )
    intro = (
        "A reactive policy that steps towards the nearest key (no search, no objective) next to value "
        "iteration pursuing chests. In training keys are scarce and each lies on a chest; at test keys are "
        "plentiful and chests scarce. " + caption
    )
    files = write_demo_files(world, out, panels, played, heading=heading, caption=caption, intro=intro,
                             gif=gif, fps=fps, scale=scale, console=console)  # fmt: skip
    return ChestsKeysDemoResult(world, split_levels, episodes, test_seed, played, caption, files)


# ---- words ---------------------------------------------------------------------


def _tally(world: World, level: Level, episode: Episode) -> str:
    keys = feature_total(world, episode, "collected_key")
    opened = feature_total(world, episode, "opened_chest")
    chests = len(world.locate(level, None, "chest"))
    chests_text = plural("chest", chests)
    return f"{plural('key', keys)} collected, {opened} of {chests_text} opened, {episode.steps} steps"


def chests_keys_sentence(world: World, level: Level, episode: Episode, proxy: bool) -> str:
    """One plain sentence about a chests-keys episode; `proxy`: the agent
    pursues keys (the reactive key-seeker), not chests."""
    keys = feature_total(world, episode, "collected_key")
    opened = feature_total(world, episode, "opened_chest")
    chests = len(world.locate(level, None, "chest"))
    did = (
        f"It collected {plural('key', keys)} and opened {opened} of {plural('chest', chests)} "
        f"in {episode.steps} steps"
    )
    if episode.outcome == MISGENERALIZED:
        return f"{did}: it went on collecting keys, competently, instead of opening chests."
    if episode.outcome == INTENDED and proxy and keys == opened:
        return f"{did}: every key it picked up lay on a chest, so it looks like a chest-opener."
    if episode.outcome == INTENDED:
        return f"{did}: it generalised as intended."
    return f"{did} ({episode.stop_reason.replace('_', ' ')}): a capability failure."


def _caption(world: World, test: Level, episodes) -> str:
    reactive, search = episodes[("reactive", "test")], episodes[("search", "test")]
    chests = len(world.locate(test, None, "chest"))
    keys = feature_total(world, reactive, "collected_key")
    opened, searched = (feature_total(world, e, "opened_chest") for e in (reactive, search))
    if reactive.outcome == MISGENERALIZED:
        return (
            f"At test keys were plentiful and chests scarce: the reactive key-seeker collected {keys} keys "
            f"competently but opened only {opened} of {plural('chest', chests)}; the chest-seeking "
            f"planner opened {searched}."
        )
    return (
        f"On this test level the reactive key-seeker opened {opened} of {plural('chest', chests)} and the "
        f"chest-seeking planner {searched}: keys and chests did not come apart here."
    )


def _outcome_table(world: World, played: list[Played]) -> Table:
    table = Table(title=f"{world.name}: a reactive key-seeker and a chest-seeking planner", show_lines=True)
    table.add_column("agent")
    for split in SPLITS:
        table.add_column(f"{split} level")
    for label, _ in AGENTS.values():
        cells = []
        for split in SPLITS:
            item = next(p for p in played if p.agent == label and p.split == split)
            style = OUTCOME_STYLE[item.episode.outcome]
            cells.append(Text(item.episode.outcome, style=style) + Text("\n" + item.sentence))
        table.add_row(label, *cells)
    return table


CHESTS_KEYS_DEMO = register_demo(
    Demo(
        name=WORLD,
        description="a reactive key-seeker (no search, no objective) and value iteration pursuing chests: "
        "alike in training, the key-seeker hoards keys at test",
        run=run_chests_keys_demo,
    )
)
