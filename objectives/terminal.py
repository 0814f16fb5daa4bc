"""Terminal rules: which features end the episode of an objective built from
weights alone (a base optimiser's candidate, a fitted or designed objective).

An `Objective` always lists its terminal features explicitly (its
``terminal`` set, shown in its repr and its JSON). When only weights are
given, a rule picks that set from the world's *goal features* (the terminal
features of its catalogue objectives; on arrow-maze ``reached_exit`` and
``reached_arrow``):

``"rewarded"`` (the default, and the only rule before it was an option)
    a goal feature ends the episode when the objective gives it a positive
    weight. So ``1.0 * reached_exit + 0.01 * reached_arrow`` ends at the arrow
    whenever the arrow comes first: a tiny positive weight on a goal changes
    where the episode stops, not just what it pays.
``"base"``
    the base objective's terminal features, whatever the weights (on
    arrow-maze: only the exit ends the episode; the arrow just pays).
``"none"``
    no feature ends it; only the world's own end and the episode cap.
a collection of feature names
    exactly those, whatever the weights.

A goal feature that does not end the episode pays every time it fires (on
arrow-maze, each time the agent enters the arrow's cell).

>>> terminal_features("arrow-maze", {"reached_exit": 1.0, "reached_arrow": 0.01})  # doctest: +SKIP
frozenset({'reached_arrow', 'reached_exit'})
>>> terminal_features("arrow-maze", {"reached_exit": 1.0, "reached_arrow": 0.01}, "base")  # doctest: +SKIP
frozenset({'reached_exit'})
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from objectives.objective import Objective, ObjectiveError, catalogue, get
from worlds import UnknownNameError, World
from worlds import get as get_world

#: the named terminal rules; any other value must be a collection of feature names
TERMINAL_RULES = ("rewarded", "base", "none")
#: the rule used when none is given: today's (and every stored result's) behaviour
DEFAULT_TERMINAL = "rewarded"

TerminalRule = str | Collection[str]


def goal_features(world: str | World) -> frozenset[str]:
    """The world's goal features: the terminal features of any catalogue objective."""
    return frozenset(f for o in catalogue(get_world(world)).values() for f in o.terminal)


def check_terminal_rule(rule) -> str | frozenset[str]:
    """`rule` as a rule name or a frozenset of feature names; anything else
    raises `ObjectiveError` with one line listing the valid values."""
    if isinstance(rule, str) and rule in TERMINAL_RULES:
        return rule
    names = isinstance(rule, Collection) and not isinstance(rule, (str, Mapping))
    if names and all(isinstance(f, str) for f in rule):
        return frozenset(rule)
    raise ObjectiveError(
        f"terminal must be one of {', '.join(repr(r) for r in TERMINAL_RULES)} or a list of feature names, "
        f"got {rule!r}"
    )


def terminal_features(
    world: str | World, weights: Mapping[str, float], rule: TerminalRule = DEFAULT_TERMINAL
) -> frozenset[str]:
    """The features that end the episode of an objective with `weights`
    (feature -> weight) under `rule` in `world` (see the module's docstring).

    Raises `ObjectiveError` for an unknown rule and `worlds.UnknownNameError`
    for a listed feature the world lacks.
    """
    world = get_world(world)
    rule = check_terminal_rule(rule)
    if rule == "rewarded":
        goals = goal_features(world)
        return frozenset(f for f, w in weights.items() if f in goals and w > 0)
    if rule == "base":
        return get(world, world.base).terminal
    if rule == "none":
        return frozenset()
    for feature in rule:
        if feature not in world.features:
            raise UnknownNameError(f"{world.name} feature", feature, world.features)
    return rule


def with_terminal(
    objective: Objective, world: str | World, rule: TerminalRule = DEFAULT_TERMINAL
) -> Objective:
    """`objective` with the terminal set that `rule` picks for its weights in
    `world`: ``"rewarded"`` (goal features with a positive weight end the
    episode), ``"base"`` (the base objective's goals), ``"none"``, or a
    collection of feature names."""
    return dataclasses.replace(objective, terminal=terminal_features(world, objective.weights, rule))
