"""Small seeded levels of every discrete world, for tests that solve levels
exactly (the oracle, the state graph): one size table and one lookup."""

import worlds

#: the discrete worlds and every split of each, built-in and plugin alike
DISCRETE = [name for name in worlds.names() if not worlds.get(name).continuous]
DISCRETE_SPLITS = [(name, split) for name in DISCRETE for split in worlds.get(name).splits]
#: small enough that value-iteration sweeps take milliseconds, per world or
#: per (world, split); a world not named here (a plugin world) keeps its own sizes
SMALL = {
    "arrow-maze": {"size": 9},
    "chests-keys": {"size": 7, "n_keys": 2, "n_chests": 2},
    "cleaning": {"size": 4, "dirt": 3},
}


def small_level(world_name: str, seed: int, split: str, sizes=SMALL):
    """The level of `seed` in `split`, sampled with the `sizes` for that
    (world, split), else for that world, else the split's own parameters."""
    overrides = sizes.get((world_name, split), sizes.get(world_name, {}))
    return worlds.get(world_name).sample(seed, split, **overrides)
