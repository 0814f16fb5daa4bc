"""The suite's machinery: settings, results, and the ordered list of named checks.

A check is a function ``body(world, settings) -> str`` that returns a one-line
summary of what it verified, or raises `CheckFailed` (or `CheckSkipped`) with
a one-line detail. `Check` wraps it so that it takes a world name or a `World`
instance and always returns a `Result`; any other exception is a failure too,
reported as one line, so one broken world never stops the rest of the suite.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterable

import worlds
from worlds import World

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclasses.dataclass(frozen=True)
class Settings:
    """How much each check looks at; every choice is seeded, so a run repeats.

    Attributes:
        seed: the first level seed; a check samples seeds ``seed .. seed + levels - 1``.
        levels: levels per split.
        walks: random walks per level (kernels against the reference).
        walk_length: steps per walk in a discrete world (every action is
            compared at every state along it).
        continuous_walk_length: steps per walk in a continuous world.
        rollout_steps: the episode length of each planner's conformance rollout.
    """

    seed: int = 0
    levels: int = 2
    walks: int = 3
    walk_length: int = 12
    continuous_walk_length: int = 40
    rollout_steps: int = 30

    def seeds(self) -> range:
        return range(self.seed, self.seed + self.levels)


#: the default settings of `mesabase check-world`
DEFAULT = Settings()
#: ``--quick``: one level per split and short walks
QUICK = Settings(levels=1, walks=2, walk_length=6, continuous_walk_length=20, rollout_steps=15)


class CheckFailed(Exception):
    """Raised by a check body: the world breaks the contract; the message is the detail."""


class CheckSkipped(Exception):
    """Raised by a check body: the check does not apply to this world; the message says why."""


@dataclasses.dataclass(frozen=True)
class Result:
    """One check's verdict on one world.

    Attributes:
        check: the check's name.
        world: the world's name.
        status: ``"pass"``, ``"fail"`` or ``"skip"`` (does not apply here).
        detail: one line: what was verified, what went wrong, or why it does not apply.
        seconds: how long the check took.
    """

    check: str
    world: str
    status: str
    detail: str
    seconds: float

    @property
    def passed(self) -> bool:
        """True unless the check failed (a skipped check does not fail)."""
        return self.status != FAIL


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def one_line(text: object) -> str:
    """`text` on one line, without terminal colour codes (Gymnasium colours its warnings)."""
    return " ".join(_ANSI.sub("", str(text)).split())


def resolve(world: str | World) -> World:
    """The world called `world`, or `world` itself when it is a `World`;
    raises `worlds.UnknownNameError` (listing the worlds) for an unknown name."""
    return worlds.get(world)


@dataclasses.dataclass(frozen=True)
class Check:
    """A named check; call it with a world name or a `World` instance."""

    name: str
    description: str
    body: Callable[[World, Settings], str]

    def __call__(self, world: str | World, settings: Settings = DEFAULT) -> Result:
        world = resolve(world)
        start = time.perf_counter()
        try:
            status, detail = PASS, self.body(world, settings)
        except CheckFailed as failure:
            status, detail = FAIL, str(failure)
        except CheckSkipped as skip:
            status, detail = SKIP, str(skip)
        except Exception as error:  # a crash is a failure of the world, said in one line
            status, detail = FAIL, f"raised {type(error).__name__}: {error}"
        return Result(self.name, world.name, status, one_line(detail), time.perf_counter() - start)


#: every check, in the order the suite runs them (filled by `register`)
CHECKS: dict[str, Check] = {}


def register(name: str, description: str) -> Callable[[Callable[[World, Settings], str]], Check]:
    """Decorator: add the body below to `CHECKS` under `name`; returns the `Check`."""

    def wrap(body: Callable[[World, Settings], str]) -> Check:
        if name in CHECKS:
            raise ValueError(f"a check called {name!r} is already registered")
        CHECKS[name] = Check(name, description, body)
        return CHECKS[name]

    return wrap


def check_names() -> list[str]:
    """The names of every check, in run order."""
    return list(CHECKS)


def selected(names: Iterable[str] | None) -> list[Check]:
    """The checks called `names` (all of them for None), in run order;
    raises `worlds.UnknownNameError` for a name that is not a check."""
    if names is None:
        return list(CHECKS.values())
    wanted = list(names)
    for name in wanted:
        if name not in CHECKS:
            raise worlds.UnknownNameError("check", name, CHECKS)
    return [check for name, check in CHECKS.items() if name in wanted]


def run_checks(
    world: str | World,
    settings: Settings = DEFAULT,
    names: Iterable[str] | None = None,
    on_start: Callable[[Check], None] | None = None,
) -> list[Result]:
    """Every check (or those called `names`) on `world`, in order;
    `on_start(check)` is called before each, to show progress."""
    world = resolve(world)
    results = []
    for check in selected(names):
        if on_start is not None:
            on_start(check)
        results.append(check(world, settings))
    return results


def fail_unless(condition: bool, detail: str) -> None:
    """Raise `CheckFailed(detail)` unless `condition`."""
    if not condition:
        raise CheckFailed(detail)
