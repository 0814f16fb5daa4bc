"""The text form: ``parse(format(level)) == level`` on every split, and a
parsed level's text is a fixed point of format(parse(.))."""

from __future__ import annotations

from studies.worldcheck.core import CheckFailed, Settings, register
from studies.worldcheck.states import levels
from worlds import Level, World


def round_trip_problem(world: World, level: Level) -> str | None:
    """What goes wrong when `level` goes to text and back, or None."""
    text = world.format(level)
    parsed = world.parse(text)
    if parsed != level:
        return f"parse(format(level)) differs from the level {level!r}"
    canonical = world.format(parsed)  # once parsed, only provenance may drop out
    if world.format(world.parse(canonical)) != canonical:
        return f"the text of the parsed {level!r} changes when parsed and formatted again"
    return None


@register("text-round-trip", "parse(format(level)) == level on every split, and the text is a fixed point")
def text_round_trip(world: World, settings: Settings) -> str:
    count = 0
    for split, seed, level in levels(world, settings):
        problem = round_trip_problem(world, level)
        if problem:
            raise CheckFailed(f"{world.name} {split} seed {seed}: {problem}")
        count += 1
    return f"{count} level(s) over {len(world.splits)} split(s) round-trip"
