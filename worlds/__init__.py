"""mesabase worlds: families of levels with named features, objective
catalogues and train/test splits, plus the numba kernels planners search over.

    >>> import worlds
    >>> maze = worlds.get("arrow-maze")
    >>> level = maze.sample(seed=0, split="test")
    >>> print(maze.format(level))  # doctest: +SKIP
"""

import importlib

# The names a plugin world's package imports come first: `worlds.dispatch`
# imports the declared plugin worlds (see `worlds.plugins`), and they may say
# `from worlds import World, kernel` while this package is still loading.
from worlds import limits
from worlds.arrow_maze.world import ArrowMaze
from worlds.base import GridNavigation, Level, World
from worlds.chests_keys.world import ChestsKeys
from worlds.cleaning.world import Cleaning
from worlds.continuous import ContinuousWorld, JaxDynamics
from worlds.errors import InvalidParameterError, LevelFormatError, MesabaseError, UnknownNameError
from worlds.jit import kernel
from worlds.limits import LimitError
from worlds.params import InvalidActionError
from worlds.point_mass.world import PointMass
from worlds.registry import WorldContractError, contract_problems, get, names, register

# isort: split
from worlds import dispatch  # after the names above, see there
from worlds.gym_registration import register_when_gymnasium_loads

register_when_gymnasium_loads()

#: names served on first use, so that `import worlds` does not import Gymnasium
_GYMNASIUM_NAMES = {
    "GridWorldEnv": "worlds.gym_env",
    "register_envs": "worlds.gym_env",
    "GridWorldVectorEnv": "worlds.vector_env",
    "make_vector_env": "worlds.vector_env",
}


def __getattr__(name: str):
    if name in _GYMNASIUM_NAMES:
        return getattr(importlib.import_module(_GYMNASIUM_NAMES[name]), name)
    raise AttributeError(f"module 'worlds' has no attribute {name!r}")


__all__ = [
    "ArrowMaze",
    "ChestsKeys",
    "Cleaning",
    "ContinuousWorld",
    "GridNavigation",
    "GridWorldEnv",
    "GridWorldVectorEnv",
    "InvalidActionError",
    "InvalidParameterError",
    "JaxDynamics",
    "Level",
    "LevelFormatError",
    "LimitError",
    "MesabaseError",
    "PointMass",
    "UnknownNameError",
    "World",
    "WorldContractError",
    "contract_problems",
    "dispatch",
    "get",
    "kernel",
    "limits",
    "make_vector_env",
    "names",
    "register",
]
