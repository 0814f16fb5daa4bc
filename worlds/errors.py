"""The error types every mesabase package raises.

They live in `worlds` because it is the bottom layer: `objectives`, `planners`
and `studies` subclass them, and the CLI catches `MesabaseError` to print one
clear line and exit with status 2.
"""

from __future__ import annotations

from collections.abc import Iterable


class MesabaseError(Exception):
    """Base class of every error caused by what the user asked for."""


class UnknownNameError(MesabaseError, KeyError):
    """A world, objective, feature, split or planner name that does not exist."""

    def __init__(self, kind: str, name: str, valid: Iterable[str]):
        self.kind, self.name, self.valid = kind, name, sorted(valid)
        super().__init__(f"unknown {kind} {name!r}; valid {kind}s: {', '.join(self.valid)}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class LevelFormatError(MesabaseError, ValueError):
    """A level text that does not follow the world's legend."""


class InvalidParameterError(MesabaseError, ValueError):
    """A generator parameter, budget or option outside its valid range."""
