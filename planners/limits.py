"""Limits on planner options, and the checks every planner constructor runs.

A planner preallocates its search memory from its options (an MCTS tree of
``simulations + 1`` nodes, a CEM batch of ``samples x horizon`` actions), so
an absurd option must be refused before any work starts, with one line that
names the option, the limit and how to raise it, rather than end in a numpy
``MemoryError``, an XLA ``RESOURCE_EXHAUSTED`` or an integer overflow inside a
kernel. Every built-in study and benchmark stays far below these limits.

Each limit can be raised (or lowered) for one process with the environment
variable ``MESABASE_MAX_<NAME>``, e.g. ``MESABASE_MAX_SIMULATIONS=5000000``.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

from worlds import InvalidParameterError
from worlds.limits import env_number
from worlds.params import is_int

#: MCTS simulations per decision; the tree holds one node per simulation, a few hundred bytes each
MAX_SIMULATIONS = 1_000_000
#: MCTS planning depth (tree depth plus rollout length), in steps
MAX_DEPTH = 100_000
#: A* expansions per plan; search memory is sized by the level, so this only keeps counters in range
MAX_EXPANSIONS = 1_000_000_000
#: states value iteration may enumerate; its tables take about 8 * A * (K + 1) bytes per state
MAX_STATES = 10_000_000
#: value-iteration sweeps to convergence (each sweep visits every state once)
MAX_SWEEPS = 100_000_000
#: planned steps of a JAX planner's action sequence, and finite value-iteration horizons
#: (not `worlds.limits.MAX_HORIZON`, which bounds a level's episode length)
MAX_PLAN_HORIZON = 100_000
#: sampled action sequences per CEM / MPPI iteration
MAX_SAMPLES = 1_000_000
#: optimiser iterations per call of a JAX planner
MAX_ITERATIONS = 1_000_000
#: parallel restarts of the gradient planner
MAX_RESTARTS = 100_000
#: action steps one JAX batch holds at once (samples or restarts, times horizon): its device memory
MAX_BATCH_STEPS = 100_000_000

#: limit name -> its default value; the environment variable is MESABASE_MAX_<NAME>
LIMITS = {
    "simulations": MAX_SIMULATIONS,
    "depth": MAX_DEPTH,
    "expansions": MAX_EXPANSIONS,
    "states": MAX_STATES,
    "sweeps": MAX_SWEEPS,
    "plan_horizon": MAX_PLAN_HORIZON,
    "samples": MAX_SAMPLES,
    "iterations": MAX_ITERATIONS,
    "restarts": MAX_RESTARTS,
    "batch_steps": MAX_BATCH_STEPS,
}


class PlannerOptionError(InvalidParameterError):
    """A planner option of the wrong type or outside its range; `option`
    names the constructor argument (``"depth"``), so that a study file's
    error can point at the option rather than at the budget."""

    def __init__(self, message: str, option: str):
        super().__init__(message)
        self.option = option


class UnknownOptionError(PlannerOptionError, TypeError):
    """A keyword the planner's constructor does not take. Also a `TypeError`,
    which is what Python raises for an unexpected keyword argument, so callers
    that caught that still catch this."""


def env_name(limit: str) -> str:
    """The environment variable that overrides `limit` (``MESABASE_MAX_SIMULATIONS``)."""
    return f"MESABASE_MAX_{limit.upper()}"


def limit_value(limit: str) -> int:
    """The limit called `limit` in force now: its environment variable if set, else its default."""
    return env_number(env_name(limit), LIMITS[limit])


def _is_number(value) -> bool:
    real = isinstance(value, (int, float, np.integer, np.floating))
    return real and not isinstance(value, (bool, np.bool_))


def _over_limit(owner: str, label: str, value: int, limit: str) -> None:
    cap = limit_value(limit)
    if value > cap:
        raise PlannerOptionError(
            f"{owner} {label} = {value} is over the limit of {cap:,} (MAX_{limit.upper()} in "
            f"planners/limits.py); lower it, or raise the limit with {env_name(limit)}=... "
            "if the machine has the memory and time",
            label,
        )


def checked_int(owner: str, label: str, value, *, minimum: int = 1, limit: str | None = None) -> int:
    """`value` as an int after checking it is an integer (not a bool) in
    ``[minimum, limit]``; raises `PlannerOptionError` naming `owner` and `label`."""
    if not is_int(value) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise PlannerOptionError(f"{owner} {label} must be {kind}, got {value!r}", label)
    if limit is not None:
        _over_limit(owner, label, int(value), limit)
    return int(value)


def checked_float(
    owner: str,
    label: str,
    value,
    *,
    minimum: float = 0.0,
    maximum: float = math.inf,
    strict: bool = False,
    option: str | None = None,
) -> float:
    """`value` as a finite float in ``[minimum, maximum]`` (``(minimum, maximum]``
    with `strict`); NaN and infinities are refused. `option` is the argument's
    name when `label` says more (``"exploration constant c"``)."""
    number = math.nan
    if _is_number(value):
        try:
            number = float(value)
        except OverflowError:  # an int beyond float range
            number = math.inf
    low_ok = number > minimum if strict else number >= minimum
    if not (math.isfinite(number) and low_ok and number <= maximum):
        low = f"> {minimum:g}" if strict else f">= {minimum:g}"
        high = "" if maximum == math.inf else f" and <= {maximum:g}"
        raise PlannerOptionError(
            f"{owner} {label} must be a finite number {low}{high}, got {value!r}", option or label
        )
    return number


def checked_bool(owner: str, label: str, value) -> bool:
    """`value` if it is a real bool (``"no"`` and 0 are refused, not read as truthy)."""
    if not isinstance(value, (bool, np.bool_)):
        raise PlannerOptionError(f"{owner} {label} must be true or false, got {value!r}", label)
    return bool(value)


def checked_choice(owner: str, label: str, value, choices: Collection[str]) -> str:
    """`value` if it is one of `choices` (strings); the refusal lists them."""
    if not isinstance(value, str) or value not in choices:
        raise PlannerOptionError(f"{owner} {label} must be one of {', '.join(choices)}, got {value!r}", label)
    return value


def checked_seed(owner: str, value) -> int:
    """A seed: a non-negative integer (numpy refuses negative ones with a traceback)."""
    if not is_int(value) or value < 0:
        raise PlannerOptionError(f"{owner} seed must be a non-negative integer, got {value!r}", "seed")
    return int(value)


def checked_batch(owner: str, label: str, count: int, horizon: int) -> None:
    """Refuse a JAX batch of ``count x horizon`` action steps over MAX_BATCH_STEPS."""
    steps = count * horizon
    cap = limit_value("batch_steps")
    if steps > cap:
        raise PlannerOptionError(
            f"{owner} {label} x horizon = {count} x {horizon} = {steps:,} action steps per batch is over "
            f"the limit of {cap:,} (MAX_BATCH_STEPS in planners/limits.py); lower {label} or the horizon, "
            f"or raise the limit with {env_name('batch_steps')}=... if the device has the memory",
            label,
        )
