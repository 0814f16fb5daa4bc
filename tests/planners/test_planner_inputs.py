"""Planner options at the boundary: every bad value is refused with one line.

Hypothesis draws wrongly typed, out-of-range, non-finite and over-the-limit
values for every constructor argument of every registered planner; each
must raise `worlds.InvalidParameterError` (a `planners.limits.PlannerOptionError`
naming the argument) before any work starts, and nothing else: no numpy
``MemoryError``, no XLA ``RESOURCE_EXHAUSTED``, no library traceback.
"""

from __future__ import annotations

import inspect
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planners
from planners import limits
from planners.limits import PlannerOptionError, limit_value
from worlds import InvalidParameterError

#: planner -> constructor argument -> (kind, limit name or None); `test_every_option_has_a_kind`
#: keeps it complete, so a new option needs a kind here and a check in its constructor
OPTIONS = {
    "astar": {
        "max_expansions": ("count or none", "expansions"),
        "specialise": ("bool", None),
        "jump_corridors": ("bool", None),
    },
    "mcts": {
        "simulations": ("count", "simulations"),
        "depth": ("count", "depth"),
        "c": ("non-negative", None),
        "rollout": ("choice", None),
        "seed": ("seed", None),
        "epsilon": ("probability", None),
        "backup": ("choice", None),
        "transpositions": ("bool", None),
    },
    "value-iteration": {
        "max_states": ("count", "states"),
        "horizon": ("count or none", "plan_horizon"),
        "tolerance": ("non-negative", None),
        "max_sweeps": ("count", "sweeps"),
    },
    "reactive": {"towards": ("name or none", None), "then": ("name or none", None)},
    "gradient": {
        "horizon": ("count", "plan_horizon"),
        "iterations": ("count", "iterations"),
        "restarts": ("count", "restarts"),
        "lr": ("positive", None),
        "optimizer": ("optimizer", None),
        "init": ("initialiser", None),
        "warm_iterations": ("count or none", "iterations"),
        "execute": ("count", None),
        "warm_start": ("bool", None),
        "seed": ("seed", None),
    },
}
_SAMPLER = {
    "horizon": ("count", "plan_horizon"),
    "samples": ("count", "samples"),
    "iterations": ("count", "iterations"),
    "std": ("positive", None),
    "hold": ("count", "plan_horizon"),
    "execute": ("count", None),
    "warm_start": ("bool", None),
    "seed": ("seed", None),
}
OPTIONS["cem"] = {**_SAMPLER, "elites": ("count or none", None), "min_std": ("non-negative", None)}
OPTIONS["mppi"] = {**_SAMPLER, "temperature": ("positive", None)}

_junk = st.one_of(
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
    st.complex_numbers(allow_nan=False, max_magnitude=10),
)
_non_finite = st.sampled_from([math.inf, -math.inf, math.nan, 10**400])


def bad_values(kind: str, limit: str | None):
    """Values that the option must refuse."""
    if kind in ("count", "count or none"):
        bad = [st.integers(max_value=0), st.booleans(), st.floats(), _junk]
        if limit is not None:
            bad.append(st.integers(min_value=limit_value(limit) + 1, max_value=2**80))
        if kind == "count":
            bad.append(st.none())
        return st.one_of(*bad)
    if kind == "bool":
        return st.one_of(
            st.integers(), st.floats(), st.none(), _junk, st.sampled_from(["no", "yes", "false"])
        )
    if kind == "non-negative":
        return st.one_of(st.floats(max_value=-1e-300), _non_finite, st.booleans(), st.none(), _junk)
    if kind == "positive":
        return st.one_of(st.floats(max_value=0.0), _non_finite, st.booleans(), st.none(), _junk)
    if kind == "probability":
        outside = st.one_of(st.floats(max_value=-1e-300), st.floats(min_value=1.0 + 1e-9))
        return st.one_of(outside, _non_finite, st.booleans(), st.none(), _junk)
    if kind == "choice":
        return st.one_of(st.text(max_size=8).filter(lambda s: s not in ("random", "greedy", "mean", "max")),
                         st.integers(), st.none(), st.lists(st.text(), max_size=1))  # fmt: skip
    if kind == "seed":
        return st.one_of(st.integers(max_value=-1), st.floats(), st.booleans(), st.none(), _junk)
    if kind == "name or none":
        return st.one_of(
            st.just(""), st.integers(), st.floats(), st.booleans(), st.lists(st.text(), max_size=1)
        )
    if kind == "optimizer":
        names = ("adam", "adamw", "adabelief", "lion", "rmsprop", "sgd")
        return st.one_of(st.text(max_size=8).filter(lambda s: s not in names), st.integers(), st.floats())
    if kind == "initialiser":
        return st.one_of(st.text(max_size=8).filter(lambda s: s not in ("gaussian", "zeros")), st.integers())
    raise AssertionError(kind)


CASES = [(planner, option) for planner, table in OPTIONS.items() for option in table]


def constructor_options(name: str) -> set[str]:
    parameters = inspect.signature(planners.planner_class(name).__init__).parameters
    return {p for p in parameters if p != "self"}


@pytest.mark.parametrize("name", list(planners.PLANNERS))
def test_every_option_has_a_kind(name):
    assert set(OPTIONS[name]) == constructor_options(name)


@pytest.mark.parametrize("name, option", CASES)
@settings(max_examples=25)
@given(data=st.data())
def test_every_bad_option_is_refused_with_one_line(name, option, data):
    kind, limit = OPTIONS[name][option]
    value = data.draw(bad_values(kind, limit), label=option)
    with pytest.raises(InvalidParameterError) as refused:
        planners.make(name, None, **{option: value})
    message = str(refused.value)
    assert "\n" not in message and option in message
    assert isinstance(refused.value, PlannerOptionError) and refused.value.option == option


@pytest.mark.parametrize(
    "name, options, limit",
    [
        ("mcts", {"simulations": 10**12}, "simulations"),  # numpy would ask for 14.6 TiB
        ("cem", {"samples": 10**9}, "samples"),  # XLA would end in RESOURCE_EXHAUSTED
        ("mppi", {"samples": 10**6, "horizon": 1000}, "batch_steps"),
        ("gradient", {"restarts": 10**5, "horizon": 10**4}, "batch_steps"),
        ("value-iteration", {"max_states": 10**12}, "states"),
        ("astar", {"max_expansions": 2**63}, "expansions"),
    ],
)
def test_an_option_over_a_limit_names_the_limit_and_how_to_raise_it(name, options, limit):
    with pytest.raises(InvalidParameterError) as refused:
        planners.make(name, None, **options)
    message = str(refused.value)
    assert f"MAX_{limit.upper()}" in message and limits.env_name(limit) in message
    assert "planners/limits.py" in message


def test_a_limit_is_raised_by_its_environment_variable(monkeypatch):
    with pytest.raises(InvalidParameterError):
        planners.MCTS(simulations=limits.MAX_SIMULATIONS + 1)
    monkeypatch.setenv("MESABASE_MAX_SIMULATIONS", str(2 * limits.MAX_SIMULATIONS))
    assert planners.MCTS(simulations=limits.MAX_SIMULATIONS + 1).simulations == limits.MAX_SIMULATIONS + 1
    monkeypatch.setenv("MESABASE_MAX_SIMULATIONS", "lots")
    with pytest.raises(InvalidParameterError, match="MESABASE_MAX_SIMULATIONS"):
        planners.MCTS(simulations=10)


def test_every_limit_is_documented_and_positive():
    source = inspect.getsource(limits)
    for name, value in limits.LIMITS.items():
        assert value >= 1 and getattr(limits, f"MAX_{name.upper()}") == value
        assert "#: " in source.split(f"MAX_{name.upper()} =")[0].rsplit("\n", 2)[-2]


@pytest.mark.parametrize(
    "name, budget, options",
    [
        ("mcts", 5, {"simulations": 7}),
        ("astar", 5, {"max_expansions": 7}),
        ("value-iteration", 100, {"max_states": 100}),
        ("cem", 32, {"samples": 64}),
    ],
)
def test_a_budget_given_twice_is_refused(name, budget, options):
    with pytest.raises(InvalidParameterError, match="given twice"):
        planners.make(name, budget, **options)


def test_unknown_options_are_refused_listing_the_valid_ones():
    with pytest.raises(InvalidParameterError, match="valid options: backup, c, depth") as refused:
        planners.make("mcts", None, simulation=5)
    # still the TypeError that Python raises for an unexpected keyword, for callers that catch it
    assert isinstance(refused.value, TypeError) and refused.value.option == "simulation"


def test_the_depth_error_names_depth():
    with pytest.raises(PlannerOptionError, match="MCTS depth must be a positive integer") as refused:
        planners.make("mcts", 30, depth=-1)
    assert refused.value.option == "depth"


@pytest.mark.parametrize(
    "name, options, option",
    [
        ("gradient", {"horizon": 5, "execute": 6}, "execute"),
        ("cem", {"samples": 8, "elites": 9}, "elites"),
    ],
)
def test_inconsistent_options_are_refused(name, options, option):
    with pytest.raises(PlannerOptionError) as refused:
        planners.make(name, None, **options)
    assert refused.value.option == option


def test_good_values_still_build_the_same_planners():
    assert planners.make("mcts", 30, depth=100).simulations == 30
    assert planners.make("astar", None, specialise=False).specialise is False
    assert planners.make("gradient", None, optimizer="sgd", init="zeros").iterations == 100
    assert planners.make("cem", 1024, execute=4).samples == 1024
    assert planners.make("value-iteration", None, horizon=5).horizon == 5
