"""The contract every registered world inherits: register a world, get these tests.

Parametrised over `worlds.names()` and each world's splits (see
`tests.worlds.contract`): the numba kernels equal the plain-Python reference,
keys are unique and bounded, the text form round-trips, the Gymnasium env
passes `check_env`, and the module docstring has the sections of STYLE.md
item 11. A world's own test file keeps only what is particular to it.
"""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import given, settings
from hypothesis import strategies as st

import worlds
from objectives import catalogue
from tests.worlds.contract import (
    CONTINUOUS_TOLERANCE,
    CONTINUOUS_WORLD_SPLITS,
    DISCRETE_WORLD_SPLITS,
    DOCSTRING_SECTIONS,
    WORLD_SPLITS,
    WORLDS,
    docstring_sections,
    kernel_key,
    kernel_key_bound,
    kernel_terminal,
    kernel_transition,
    reachable_states,
    section,
    steps_to_event,
)

seeds = st.integers(min_value=0, max_value=10_000)
picks = st.integers(min_value=0, max_value=10**6)
walks = st.lists(picks, min_size=1, max_size=12)


# ---- registration ------------------------------------------------------------------


def test_worlds_have_distinct_names_ids_and_gym_ids():
    registered = [worlds.get(name) for name in WORLDS]
    assert [world.name for world in registered] == WORLDS
    ids = [world.world_id for world in registered]
    assert ids == list(range(len(registered)))  # an id is the world's place in the ordered registry
    assert len({world.gym_id for world in registered}) == len(registered)


@pytest.mark.parametrize("name", WORLDS)
def test_kernels_declare_what_the_world_declares(name):
    world = worlds.get(name)
    assert worlds.contract_problems(world) == []
    assert len(world.actions) == world.kernels.N_ACTIONS
    assert len(world.features) == world.kernels.N_FEATURES
    assert set(world.events) <= set(world.features)
    assert world.base in world.objectives
    assert len(world.initial_state(world.sample(0, next(iter(world.splits))))) == world.state_size


@pytest.mark.parametrize("name, split", WORLD_SPLITS)
def test_levels_are_seeded_and_record_where_they_came_from(name, split):
    world = worlds.get(name)
    level = world.sample(7, split)
    assert level == world.sample(7, split) and hash(level) == hash(world.sample(7, split))
    assert (level.world, level.split, level.seed) == (name, split, 7)
    assert len({world.sample(seed, split) for seed in range(5)}) > 1
    assert not level.grid.flags.writeable and not level.params.flags.writeable


@pytest.mark.parametrize("name", WORLDS)
def test_unknown_split_lists_the_valid_ones(name):
    world = worlds.get(name)
    with pytest.raises(worlds.UnknownNameError, match=f"valid splits: {', '.join(sorted(world.splits))}"):
        world.sample(0, "no-such-split")


# ---- kernels against the plain-Python reference ------------------------------------


@pytest.mark.parametrize("name, split", DISCRETE_WORLD_SPLITS)
@given(seed=seeds, start=picks, walk=walks)
def test_discrete_kernels_match_the_reference(name, split, seed, start, walk):
    """From a reachable state, every action at every state of a random walk:
    the kernels give exactly the reference's successor, features and end."""
    world = worlds.get(name)
    level = world.sample(seed, split)
    states = reachable_states(name, split, seed)
    state = np.array(states[start % len(states)], dtype=np.int64)
    for pick in walk:
        assert kernel_terminal(world, level, state) == world.reference_terminal(level, state)
        for action in range(len(world.actions)):
            got = kernel_transition(world, level, state, action, mask_seed=pick + action)
            expected = world.reference_step(level, state, action)
            assert tuple(got.next_state) == expected
            assert tuple(got.features) == world.reference_features(level, state, action, expected)
            # a masked call computes exactly the asked-for features and zeros the rest
            assert np.array_equal(got.masked, np.where(got.mask, got.features, 0.0))
        state = np.array(world.reference_step(level, state, pick % len(world.actions)), dtype=np.int64)


@pytest.mark.parametrize("name, split", CONTINUOUS_WORLD_SPLITS)
@given(seed=seeds, walk=st.lists(picks, min_size=1, max_size=40))
def test_continuous_kernels_match_the_reference(name, split, seed, walk):
    """Along a random walk over the discretised actions, the dispatch kernels
    (on the state's int64 words) stay within 1e-9 of the reference."""
    world = worlds.get(name)
    level = world.sample(seed, split)
    state = world.initial_state(level)
    for pick in walk:
        assert kernel_terminal(world, level, state) == world.reference_terminal(level, state)
        action = pick % len(world.actions)
        got = kernel_transition(world, level, state, action, mask_seed=pick)
        expected = world.reference_step(level, state, action)
        np.testing.assert_allclose(got.next_state, expected, rtol=0, atol=CONTINUOUS_TOLERANCE)
        expected_features = world.reference_features(level, state, action, expected)
        np.testing.assert_allclose(got.features, expected_features, rtol=0, atol=CONTINUOUS_TOLERANCE)
        np.testing.assert_array_equal(got.masked[got.mask], got.features[got.mask])
        assert kernel_key(world, level, state) >= 0
        state = np.asarray(expected)


@pytest.mark.parametrize("name, split", CONTINUOUS_WORLD_SPLITS)
def test_continuous_masked_features_zero_the_rest(name, split):
    """`worlds.dispatch.features` promises 0 for every feature the mask leaves out."""
    world = worlds.get(name)
    level = world.sample(0, split)
    got = kernel_transition(world, level, world.initial_state(level), 1, mask_seed=0)
    assert np.array_equal(got.masked, np.where(got.mask, got.features, 0.0))


# ---- keys and the heuristic --------------------------------------------------------


@pytest.mark.parametrize("name, split", DISCRETE_WORLD_SPLITS)
@settings(max_examples=10)
@given(seed=seeds)
def test_keys_are_unique_and_bounded_over_reachable_states(name, split, seed):
    world = worlds.get(name)
    level = world.sample(seed, split)
    states = reachable_states(name, split, seed)
    keys = [kernel_key(world, level, state) for state in states]
    assert len(set(keys)) == len(keys) and min(keys) >= 0
    bound = kernel_key_bound(world, level)
    if bound >= 0:
        assert max(keys) < bound
    assert len(states) <= world.capacity_hint(level)


@pytest.mark.parametrize("name, split", CONTINUOUS_WORLD_SPLITS)
def test_continuous_keys_tell_states_apart(name, split):
    world = worlds.get(name)
    level = world.sample(0, split)
    actions = np.random.default_rng(0).integers(len(world.actions), size=50)
    states, _ = world.simulate(level, world.initial_state(level), actions)
    distinct = {tuple(state) for state in states.tolist()}
    keys = {kernel_key(world, level, state) for state in states}
    assert len(keys) == len(distinct) and min(keys) >= 0
    assert kernel_key_bound(world, level) == -1 or max(keys) < kernel_key_bound(world, level)


@pytest.mark.parametrize("name, split", DISCRETE_WORLD_SPLITS)
def test_heuristic_never_overestimates_the_steps_to_an_event(name, split):
    world = worlds.get(name)
    for seed in range(3):
        level = world.sample(seed, split)
        states = reachable_states(name, split, seed)
        for event in world.events:
            goal = np.zeros(len(world.features))
            goal[world.feature_index(event)] = 1.0
            steps = steps_to_event(world, level, states, event)
            for state in states:
                words = world.kernel_state(state)
                bound = worlds.dispatch.heuristic(world.world_id, level.grid, level.params, words, goal)
                assert 0 <= bound <= steps[state], (event, state)


# ---- text form -----------------------------------------------------------------------


@pytest.mark.parametrize("name, split", WORLD_SPLITS)
@settings(max_examples=20)
@given(seed=seeds)
def test_text_form_round_trips(name, split, seed):
    world = worlds.get(name)
    level = world.sample(seed, split)
    text = world.format(level)
    assert world.parse(text) == level
    # once parsed, the text is a fixed point (only provenance may drop out)
    canonical = world.format(world.parse(text))
    assert world.format(world.parse(canonical)) == canonical


# ---- Gymnasium ---------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:.*Box action spaces")
@pytest.mark.parametrize("name, split", WORLD_SPLITS)
def test_check_env(name, split):
    world = worlds.get(name)
    for mode in ("rgb_array", "ansi"):
        env = gym.make(world.gym_id, split=split, render_mode=mode)
        check_env(env.unwrapped, skip_render_check=False)
        env.close()


@pytest.mark.parametrize("name", WORLDS)
def test_info_carries_every_catalogue_reward(name):
    world = worlds.get(name)
    env = gym.make(world.gym_id, split="train", objective=world.base)
    env.reset(seed=0)
    _, reward, *_, info = env.step(0)
    assert set(info["rewards"]) == set(world.objectives)
    assert reward == info["rewards"][world.base]


@pytest.mark.parametrize("name", WORLDS)
def test_seeded_gym_episodes_repeat(name):
    world = worlds.get(name)

    def play(seed):
        env = gym.make(world.gym_id, split=list(world.splits)[-1])
        obs, _ = env.reset(seed=seed)
        env.action_space.seed(seed)
        trace = [(obs, 0.0, ())]
        for _ in range(50):
            obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
            trace.append((obs, reward, tuple(info["rewards"].values())))
            if terminated or truncated:
                break
        return trace

    first, second = play(3), play(3)
    assert len(first) == len(second)
    for (obs_a, reward_a, all_a), (obs_b, reward_b, all_b) in zip(first, second):
        assert np.array_equal(obs_a, obs_b)
        assert (reward_a, all_a) == (reward_b, all_b)


# ---- objectives and documentation --------------------------------------------------


@pytest.mark.parametrize("name", WORLDS)
def test_every_catalogue_objective_binds(name):
    world = worlds.get(name)
    assert world.base in world.objectives
    for objective in catalogue(world).values():
        bound = objective.bind(world)
        assert bound.weights.shape == (len(world.features),)


@pytest.mark.parametrize("name", WORLDS)
def test_world_describes_itself(name):
    """STYLE.md item 11: Minigrid's sections plus Features and Splits, each
    naming what the world declares."""
    world = worlds.get(name)
    sections = docstring_sections(world)
    missing = [title for title in DOCSTRING_SECTIONS if section(sections, title) is None]
    assert not missing, f"{type(world).__module__} docstring lacks the section(s) {missing}"
    for title, declared in (
        ("Features", world.features),
        ("Rewards", world.objectives),
        ("Splits", world.splits),
        ("Registered Configurations", [world.gym_id]),
    ):
        body = section(sections, title)
        unnamed = [item for item in declared if item not in body]
        assert not unnamed, f"the {title} section of {name} does not name {unnamed}"
    assert set(world.events) <= set(world.features)
