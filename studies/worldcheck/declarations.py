"""What a world declares, against its kernels and its catalogue: the
registration checks (`worlds.contract_problems`), seeded levels that record
where they came from, and a catalogue whose every objective binds."""

from __future__ import annotations

from objectives import catalogue
from studies.worldcheck.core import CheckFailed, Settings, fail_unless, register
from worlds import UnknownNameError, World, contract_problems


@register("declarations", "actions, features, events, catalogue and splits agree with the kernels")
def declarations(world: World, settings: Settings) -> str:
    problems = contract_problems(world)
    if problems:
        raise CheckFailed("; ".join(problems))
    split = next(iter(world.splits))
    size = len(world.initial_state(world.sample(settings.seed, split)))
    fail_unless(
        size == world.state_size, f"a start state has {size} entries, state_size is {world.state_size}"
    )
    fail_unless(world.world_id >= 0, f"{world.name} is not registered (no world id)")
    return (
        f"{len(world.actions)} actions, {len(world.features)} features ({len(world.events)} events), "
        f"{len(world.objectives)} objectives, {len(world.splits)} splits"
    )


@register("levels", "levels are seeded, record their provenance and are read-only; bad splits are named")
def levels_seeded(world: World, settings: Settings) -> str:
    seed = settings.seed
    for split in world.splits:
        level = world.sample(seed, split)
        where = f"split {split} seed {seed}"
        again = world.sample(seed, split)
        fail_unless(
            level == again and hash(level) == hash(again), f"{where}: the same seed gives another level"
        )
        fail_unless(
            (level.world, level.split, level.seed) == (world.name, split, seed),
            f"{where}: the level records world, split, seed = {(level.world, level.split, level.seed)}",
        )
        distinct = len({world.sample(s, split) for s in range(settings.seed, settings.seed + 5)})
        fail_unless(distinct > 1, f"split {split}: five seeds give one and the same level")
        fail_unless(
            not level.grid.flags.writeable and not level.params.flags.writeable,
            f"{where}: the level's arrays are writeable",
        )
    try:
        world.sample(settings.seed, "no-such-split")
    except UnknownNameError as error:
        fail_unless(
            all(split in str(error) for split in world.splits),
            f"an unknown split's error does not list the valid ones: {error}",
        )
    else:
        raise CheckFailed("sampling an unknown split raises no UnknownNameError")
    return f"{len(world.splits)} split(s) seeded, with provenance and read-only arrays"


@register("objectives-bind", "every catalogue objective binds to a weight per feature")
def objectives_bind(world: World, settings: Settings) -> str:
    objectives = catalogue(world)
    for name, objective in objectives.items():
        bound = objective.bind(world)
        fail_unless(
            bound.weights.shape == (len(world.features),),
            f"objective {name!r} binds weights of shape {bound.weights.shape}, not ({len(world.features)},)",
        )
    return f"{len(objectives)} objectives bind (base {world.base!r})"
