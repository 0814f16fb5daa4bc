"""Name -> world lookup for the built-in worlds."""

from __future__ import annotations

from worlds.arrow_maze.world import ArrowMaze
from worlds.base import World
from worlds.chests_keys.world import ChestsKeys
from worlds.cleaning.world import Cleaning
from worlds.errors import UnknownNameError
from worlds.point_mass.world import PointMass

_WORLDS: dict[str, World] = {w.name: w for w in (ArrowMaze(), ChestsKeys(), Cleaning(), PointMass())}


def get(name: str | World) -> World:
    """The world called `name` (a `World` passes through)."""
    if isinstance(name, World):
        return name
    try:
        return _WORLDS[name]
    except KeyError:
        raise UnknownNameError("world", name, _WORLDS) from None


def names() -> list[str]:
    """The names of every registered world."""
    return list(_WORLDS)
