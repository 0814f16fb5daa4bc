"""The one ordered registry of worlds: name -> world, and each world's integer id.

A world's id is its place here; `worlds.dispatch` takes its branch constants
from the same registry, so an id is never written twice. Registering checks
that the world's kernels agree with what it declares (action and feature
counts, events, catalogue, splits) and says plainly what is wrong.
"""

from __future__ import annotations

import warnings

from worlds.arrow_maze.world import ArrowMaze
from worlds.base import World
from worlds.chests_keys.world import ChestsKeys
from worlds.cleaning.world import Cleaning
from worlds.errors import InvalidParameterError, UnknownNameError
from worlds.point_mass.world import PointMass
from worlds.python_kernels import REFERENCE_PATH_MESSAGE, PythonKernels, ReferencePathWarning

_WORLDS: dict[str, World] = {}
#: why no world with kernels can join any more (set once `worlds.dispatch`
#: has generated its kernels for the registered set)
_SEALED: list[str] = []


class WorldContractError(InvalidParameterError):
    """A world whose declarations and kernels disagree."""


def contract_problems(world: World) -> list[str]:
    """What `world` declares that its kernels or catalogue contradict (empty when all agree)."""
    problems = []
    kernels = getattr(world, "kernels", None)
    if kernels is None:
        return [
            "it names no kernels module (set the class attribute `kernels`; only a discrete "
            "world may leave it None and run on its Python reference)"
        ]
    for count, declared, label in (
        ("N_ACTIONS", world.actions, "actions"),
        ("N_FEATURES", world.features, "features"),
    ):
        have = getattr(kernels, count, None)
        if have != len(declared):
            problems.append(
                f"its kernels' {count} is {have} but it declares {len(declared)} {label} "
                f"({', '.join(declared)})"
            )
    missing = [name for name in ("step", "features", "terminal", "key", "key_bound", "heuristic")
               if not callable(getattr(kernels, name, None))]  # fmt: skip
    if missing:
        problems.append(f"its kernels module lacks {', '.join(missing)}")
    unknown_events = [e for e in world.events if e not in world.features]
    if unknown_events:
        problems.append(f"events {unknown_events} are not among its features")
    if world.base not in world.objectives:
        problems.append(
            f"its base objective {world.base!r} is not in its catalogue ({', '.join(world.objectives)})"
        )
    for name, spec in world.objectives.items():
        named = set(spec.get("weights", {})) | set(spec.get("terminal", ()))
        strangers = sorted(named - set(world.features))
        if strangers:
            problems.append(f"objective {name!r} names unknown features {strangers}")
    if len(world.objectives) < 2:
        problems.append("its catalogue has no proxy: declare at least one objective besides the base")
    if not world.splits:
        problems.append("it declares no splits")
    if not getattr(world, "legend", None):
        problems.append("it declares no text legend (class attribute `legend`: glyph or keyword -> meaning)")
    return problems


def register(world: World) -> World:
    """Add `world` under `world.name` and give it the next id; raises
    `WorldContractError` naming every disagreement between its declarations
    and its kernels. Registering the same name again is an error."""
    if world.name in _WORLDS:
        raise WorldContractError(f"a world called {world.name!r} is already registered")
    if getattr(world, "kernels", None) is None and not world.continuous:
        world.kernels = PythonKernels(world)
        warnings.warn(REFERENCE_PATH_MESSAGE.format(name=world.name), ReferencePathWarning, stacklevel=2)
    problems = contract_problems(world)
    if problems:
        raise WorldContractError(f"world {world.name!r} cannot be registered: " + "; ".join(problems))
    if _SEALED:
        raise WorldContractError(
            f"world {world.name!r} cannot be registered now: {_SEALED[0]}. Declare it in the "
            '"mesabase.worlds" entry point group of its package, or name it in $MESABASE_WORLDS '
            "('module:Class'), so its kernels are compiled in with the others"
        )
    world.world_id = len(_WORLDS)
    _WORLDS[world.name] = world
    return world


def seal(reason: str) -> None:
    """Refuse further registrations from now on, saying `reason`."""
    _SEALED.append(reason)


def get(name: str | World) -> World:
    """The world called `name` (a `World` passes through)."""
    if isinstance(name, World):
        return name
    try:
        return _WORLDS[name]
    except KeyError:
        raise UnknownNameError("world", name, _WORLDS) from None


def names() -> list[str]:
    """The names of every registered world, in id order."""
    return list(_WORLDS)


# The built-in worlds, in id order. The order is part of the numba cache key
# (see `worlds.jit`): the dispatch kernels compile these ids in as constants.
for _world in (ArrowMaze(), ChestsKeys(), Cleaning(), PointMass()):
    register(_world)
