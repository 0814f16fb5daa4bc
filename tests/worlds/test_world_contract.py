"""The contract every registered world inherits: register a world, get these tests.

`test_contract` runs the installed world-contract suite (`studies.worldcheck`,
the same checks as ``mesabase check-world``) on every registered world, one
case per (world, check). Planner conformance is left to
tests/planners/test_conformance.py, which covers every objective and split.
The hypothesis tests below add what seeded walks cannot: levels and walks
drawn from the whole seed range, on the suite's own comparisons.
A world's own test file keeps only what is particular to it.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import worlds
from studies import worldcheck
from studies.worldcheck.pytest_plugin import contract_tests
from studies.worldcheck.states import reachable_states
from studies.worldcheck.text_form import round_trip_problem
from tests.worlds.contract import CONTINUOUS_WORLD_SPLITS, DISCRETE_WORLD_SPLITS, WORLD_SPLITS, WORLDS

seeds = st.integers(min_value=0, max_value=10_000)
picks = st.integers(min_value=0, max_value=10**6)

test_contract = contract_tests(
    *WORLDS, checks=[name for name in worldcheck.check_names() if not name.startswith("planner:")]
)


def test_worlds_have_distinct_names_ids_and_gym_ids():
    registered = [worlds.get(name) for name in WORLDS]
    assert [world.name for world in registered] == WORLDS
    ids = [world.world_id for world in registered]
    assert ids == list(range(len(registered)))  # an id is the world's place in the ordered registry
    assert len({world.gym_id for world in registered}) == len(registered)


@pytest.mark.parametrize("name, split", DISCRETE_WORLD_SPLITS)
@given(seed=seeds, start=picks, walk=st.lists(picks, min_size=1, max_size=12))
def test_discrete_kernels_match_the_reference(name, split, seed, start, walk):
    """From a reachable state, every action at every state of a random walk:
    the kernels give exactly the reference's successor, features and end."""
    world = worlds.get(name)
    states = reachable_states(world, split, seed)
    state = np.array(states[start % len(states)], dtype=np.int64)
    assert worldcheck.discrete_disagreement(world, world.sample(seed, split), state, walk) is None


@pytest.mark.parametrize("name, split", CONTINUOUS_WORLD_SPLITS)
@given(seed=seeds, walk=st.lists(picks, min_size=1, max_size=40))
def test_continuous_kernels_match_the_reference(name, split, seed, walk):
    """Along a random walk over the discretised actions, the dispatch kernels
    (on the state's int64 words) stay within 1e-9 of the reference."""
    world = worlds.get(name)
    assert worldcheck.continuous_disagreement(world, world.sample(seed, split), walk) is None


@pytest.mark.parametrize("name, split", WORLD_SPLITS)
@settings(max_examples=20)
@given(seed=seeds)
def test_text_form_round_trips(name, split, seed):
    world = worlds.get(name)
    assert round_trip_problem(world, world.sample(seed, split)) is None
