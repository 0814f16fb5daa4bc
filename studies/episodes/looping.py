"""Episodes that did not finish, and which of them looped.

An episode that ran to its step limit (``stop_reason == "max_steps"``) did
not finish: the world did not end it, its objective did not, and the planner
still had a plan. Such an episode *looped* when most of its steps went back
to states it had already visited: a planner circling for thousands of steps
(the arrow-maze study's MCTS on a large test maze) rather than one that was
still finding new ground when the limit came. Both are counted per agent
and split (`studies.episodes.summary`), said in the findings and the
report's preamble, so that such cells show up as what they are and not only
as time.

The rule, from the stored row alone:

- with ``planner_stats["distinct_states"]`` (stored by
  `studies.core.runner.play_cell`): looped when the revisits, steps + 1 -
  distinct states, are at least half the steps (`REVISIT_SHARE`);
- for rows stored without it (older stores), where the level's shortest path
  to the agent's goal is known (`studies.episodes.paths`): looped when the
  episode took at least `PATH_FACTOR` times that path without arriving;
- otherwise it did not finish and is counted as ``out of steps``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from studies.episodes.paths import agent_goal, level_key
from studies.reporting.formatting import plural

#: the looped verdict, and that of an episode that ran out of steps otherwise
LOOPED, OUT_OF_STEPS = "looped", "out of steps"
#: the share of an unfinished episode's steps that revisit states for it to have looped
REVISIT_SHARE = 0.5
#: without a count of distinct states: steps, as a multiple of the shortest path, that make a loop
PATH_FACTOR = 4


def distinct_states(row: Mapping[str, Any]) -> int | None:
    """The number of different states the episode visited, where stored."""
    value = (row.get("planner_stats") or {}).get("distinct_states")
    return int(value) if isinstance(value, int | float) else None


def unfinished(row: Mapping[str, Any], paths: Mapping | None = None) -> str | None:
    """None for an episode that ended before its step limit; `LOOPED` or
    `OUT_OF_STEPS` for one that ran to it (the rule of the module doc).
    `paths`: shortest paths by `studies.episodes.paths.level_key`."""
    if row.get("stop_reason") != "max_steps":
        return None
    steps = int(row.get("steps") or 0)
    distinct = distinct_states(row)
    if distinct is not None:
        return LOOPED if steps + 1 - distinct >= REVISIT_SHARE * steps else OUT_OF_STEPS
    shortest = (paths or {}).get(level_key(row, agent_goal(row)))
    if shortest is not None and steps >= PATH_FACTOR * max(int(shortest), 1):
        return LOOPED
    return OUT_OF_STEPS


def counts(rows: Iterable[Mapping[str, Any]], paths: Mapping | None = None) -> dict[str, int]:
    """``did_not_finish`` and ``looped``: how many of `rows` ran to their step
    limit, and how many of those looped."""
    verdicts = [unfinished(row, paths) for row in rows]
    return {
        "did_not_finish": sum(v is not None for v in verdicts),
        "looped": sum(v == LOOPED for v in verdicts),
    }


def _seeds(rows: list[Mapping[str, Any]]) -> str:
    """ "seed 5: 2116 steps, 40 distinct states; seed 6: ...", per looped episode."""
    parts = []
    for row in sorted(rows, key=lambda r: int(r["seed"])):
        distinct = distinct_states(row)
        seen = f", {distinct} distinct states" if distinct is not None else ""
        parts.append(f"seed {row['seed']}: {row['steps']} steps{seen}")
    return "; ".join(parts)


def looping_sentences(rows: list[Mapping[str, Any]], paths: Mapping | None = None) -> list[str]:
    """Per agent with an unfinished episode, one sentence: on how many levels
    of each split it looped (which seeds, how many steps and distinct
    states), and on how many more it ran to the step limit without looping."""
    sentences = []
    for agent in dict.fromkeys(r["agent"] for r in rows):
        mine = [r for r in rows if r["agent"] == agent]
        looped, others = [], 0
        for split in sorted({r["split"] for r in mine}, key=lambda s: (s != "train", s)):  # train first
            played = [r for r in mine if r["split"] == split]
            verdicts = [unfinished(r, paths) for r in played]
            others += verdicts.count(OUT_OF_STEPS)
            mine_looped = [r for r, v in zip(played, verdicts) if v == LOOPED]
            if mine_looped:
                looped.append(f"{len(mine_looped)}/{len(played)} {split} levels ({_seeds(mine_looped)})")
        if not looped and not others:
            continue
        text = f"Did not finish: the {agent} agent "
        if looped:
            text += f"looped on {' and '.join(looped)}: it ran to the step limit, mostly revisiting states"
            more = f"{others} more level{'s' if others > 1 else ''}"
            text += f"; it also ran to the step limit on {more} without looping" if others else ""
        else:
            text += f"ran to the step limit on {plural('level', others)} without looping"
        sentences.append(text + ".")
    return sentences
