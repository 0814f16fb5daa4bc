"""The worlds' boundary: every input checked before any work, every size limited.

Parametrised over every registered world's Gymnasium environment: bad actions
(out of range, negative, huge, floats, bools, wrong shapes, complex, NaN and
inf) raise `InvalidActionError` in one line and leave the environment as it
was, so the numba kernels never see them; bad constructor keywords, reset
seeds and options are refused; generator overrides are checked for type,
range and finiteness; and levels beyond `worlds.limits` are refused naming
the limit and how to raise it.
"""

import re

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import worlds
from planners import StateSpaceTooLargeError, ValueIteration
from worlds import limits
from worlds.gym_env import InvalidActionError

WORLD_NAMES = worlds.names()
GRID_WORLDS = [name for name in WORLD_NAMES if not worlds.get(name).continuous]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _make(name, **kwargs):
    env = gym.make(worlds.get(name).gym_id, **kwargs)
    env.reset(seed=0)
    return env


def _snapshot(env):
    inner = env.unwrapped
    return inner.state.copy(), inner.steps, inner.ended.copy(), inner.np_random.bit_generator.state


def _assert_unchanged(env, before):
    state, steps, ended, rng = _snapshot(env)
    np.testing.assert_array_equal(state, before[0])
    assert steps == before[1]
    np.testing.assert_array_equal(ended, before[2])
    assert rng == before[3]


def _refused(env, action):
    """Step with `action`; it must raise a one-line InvalidActionError and change nothing."""
    before = _snapshot(env)
    with pytest.raises(InvalidActionError, match="an (action|acceleration) must be") as caught:
        env.step(action)
    assert "\n" not in str(caught.value)
    _assert_unchanged(env, before)


def _out_of_range(n):
    return st.one_of(
        st.integers(max_value=-1), st.integers(min_value=n), st.sampled_from([10**7, 2**63, -(2**63)])
    )


def _wrong_shapes():
    shapes = st.sampled_from([(1,), (3,), (2, 2), (1, 2), (0,)])
    return shapes.map(lambda shape: np.ones(shape))


# ---- actions -------------------------------------------------------------------


@pytest.mark.parametrize("name", WORLD_NAMES)
@FUZZ
@given(data=st.data())
def test_out_of_range_and_wrongly_typed_actions_are_refused_and_change_nothing(name, data):
    env = _make(name)
    n = len(env.unwrapped.world.actions)
    bad = st.one_of(
        _out_of_range(n),
        _out_of_range(n).filter(lambda v: -(2**63) <= v < 2**63).map(np.int64),
        st.integers(0, n - 1).map(lambda v: np.array([v])),  # shape (1,), not a scalar
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),  # 1.0 too: an index is an integer
        st.complex_numbers(),
        st.text(max_size=3),
        st.none(),
    )
    if not worlds.get(name).continuous:
        bad = st.one_of(bad, st.floats(0, n - 1), _wrong_shapes(), st.just(np.ones(2)))
    _refused(env, data.draw(bad))


@pytest.mark.parametrize("name", GRID_WORLDS)
def test_grid_actions_named_in_the_message_and_small_cases_refused(name):
    env = _make(name)
    n = len(env.unwrapped.world.actions)
    for action in (-1, n, 1.7, 1.0, True, np.bool_(False), np.float64(0), np.array([0]), 10**7, 27):
        _refused(env, action)
    with pytest.raises(InvalidActionError, match=re.escape(f"integer in range({n}) (0 up, 1 right")):
        env.step(-1)


@pytest.mark.parametrize("name", GRID_WORLDS)
def test_integer_actions_of_every_kind_are_taken(name):
    env = _make(name)
    for action in (0, np.int64(1), np.int32(2), np.uint8(3), np.array(0)):
        env.step(action)
    assert env.unwrapped.steps == 5


@FUZZ
@given(
    action=st.one_of(
        st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=2, max_size=2).filter(
            lambda a: not np.isfinite(a).all()
        ),
        st.lists(st.complex_numbers(allow_nan=False), min_size=2, max_size=2).filter(
            lambda a: any(v.imag for v in a)
        ),
        _wrong_shapes(),
        st.just([True, False]),
        st.just(["1", "2"]),
        st.just([[1.0], [2.0, 3.0]]),
        st.floats(),
        st.integers(min_value=9),
        st.integers(max_value=-1),
    )
)
def test_point_mass_refuses_non_finite_complex_and_misshapen_accelerations(action):
    _refused(_make("point-mass"), action)


def test_point_mass_takes_real_accelerations_and_action_indices():
    env = _make("point-mass")
    before = env.unwrapped.state.copy()
    env.step(np.array([1e9, -1e9]))  # clipped by the dynamics, as documented
    env.step([0, 1])
    env.step(np.array([1, 2], dtype=np.int32))
    env.step(3)
    env.step(np.int64(0))
    assert env.unwrapped.steps == 5 and not np.array_equal(env.unwrapped.state, before)
    assert np.isfinite(env.unwrapped.state).all()


@pytest.mark.parametrize("name", GRID_WORLDS)
@pytest.mark.parametrize("action", [-1, 99, 1.0, True, np.array([0])])
def test_the_reference_dynamics_refuse_bad_actions_too(name, action):
    world = worlds.get(name)
    level = world.sample(0)
    state = world.initial_state(level)
    with pytest.raises(InvalidActionError, match="an action must be an integer in range"):
        world.reference_step(level, state, action)
    assert world.reference_step(level, state, np.int64(0)) == world.reference_step(level, state, 0)


@pytest.mark.parametrize("name", WORLD_NAMES)
def test_step_before_reset_asks_for_reset(name):
    env = worlds.get(name)
    unwrapped = gym.make(env.gym_id).unwrapped
    with pytest.raises(gym.error.ResetNeeded):
        unwrapped.step(0)


# ---- keywords, seeds and options --------------------------------------------------


@pytest.mark.parametrize("name", WORLD_NAMES)
@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"max_steps": -5}, "max_steps must be None"),
        ({"max_steps": 0}, "max_steps must be None"),
        ({"max_steps": 2.5}, "max_steps must be None"),
        ({"max_steps": True}, "max_steps must be None"),
        ({"max_steps": "10"}, "max_steps must be None"),
        ({"split": 3}, "split must be a split name"),
        ({"split": ["train"]}, "split must be a split name"),
        ({"objective": 5}, "objective must be an objective name"),
        ({"render_mode": "sketch"}, "render_mode must be None or one of"),
        ({"render_mode": ["ansi"]}, "render_mode must be None or one of"),
        ({"level": 5}, "level must be a"),
    ],
)
def test_bad_constructor_keywords_are_refused(name, keywords, message):
    # the class itself: gymnasium.make trips over a render_mode that is not a string first
    env_class = gym.envs.registration.load_env_creator(worlds.get(name).gym_entry_point)
    with pytest.raises(worlds.InvalidParameterError, match=re.escape(message)) as caught:
        env_class(world=name, **keywords)
    assert "\n" not in str(caught.value)
    if "max_steps" in keywords:
        with pytest.raises(worlds.InvalidParameterError, match=re.escape(message)):
            gym.make(worlds.get(name).gym_id, **keywords)


@pytest.mark.parametrize("name", WORLD_NAMES)
def test_a_level_of_another_world_is_refused(name):
    other = next(n for n in WORLD_NAMES if n != name)
    with pytest.raises(worlds.InvalidParameterError, match=f"level must be a {name} Level"):
        gym.make(worlds.get(name).gym_id, level=worlds.get(other).sample(0))


@pytest.mark.parametrize("name", WORLD_NAMES)
def test_a_good_max_steps_truncates(name):
    env = _make(name, max_steps=np.int64(2))
    world = env.unwrapped.world
    action = np.zeros(2) if world.continuous else 0
    env.step(action)
    *_, terminated, truncated, _ = env.step(action)
    assert truncated or terminated


@pytest.mark.parametrize("name", WORLD_NAMES)
@pytest.mark.parametrize(
    "reset, message",
    [
        ({"seed": -1}, "seed must be None or a non-negative integer"),
        ({"seed": 1.5}, "seed must be None or a non-negative integer"),
        ({"seed": True}, "seed must be None or a non-negative integer"),
        ({"seed": "0"}, "seed must be None or a non-negative integer"),
        ({"options": 5}, "options must be None or a dict"),
        ({"options": {"level": "x"}}, "reset takes no options, got ['level']"),
    ],
)
def test_bad_reset_arguments_are_refused_and_change_nothing(name, reset, message):
    env = _make(name)
    before = _snapshot(env)
    with pytest.raises(worlds.InvalidParameterError, match=re.escape(message)):
        env.reset(**reset)
    _assert_unchanged(env, before)
    env.reset(seed=np.int64(3), options={})


# ---- generator overrides ----------------------------------------------------------


def _override_cases():
    for name in WORLD_NAMES:
        world = worlds.get(name)
        for parameter in world.splits["train"]:
            for value in ("x", float("nan"), -3, 1e9, None, float("inf")):
                yield name, parameter, value


@pytest.mark.parametrize("name, parameter, value", list(_override_cases()))
def test_bad_generator_overrides_fail_before_generating(name, parameter, value):
    world = worlds.get(name)
    with pytest.raises(worlds.InvalidParameterError, match=re.escape(parameter)) as caught:
        world.sample(0, "train", **{parameter: value})
    assert "\n" not in str(caught.value)
    with pytest.raises(worlds.InvalidParameterError, match=re.escape(parameter)):
        gym.make(world.gym_id, **{parameter: value})


@pytest.mark.parametrize("name", WORLD_NAMES)
@settings(max_examples=15, deadline=None)
@given(
    data=st.data(),
    value=st.one_of(
        st.text(max_size=3),
        st.floats(),
        st.booleans(),
        st.none(),
        st.integers(-(10**12), 10**12),
        st.tuples(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9)),
        st.complex_numbers(),
        st.lists(st.floats(), max_size=3),
    ),
)
def test_any_single_override_gives_a_level_or_a_mesabase_error(name, data, value):
    world = worlds.get(name)
    parameter = data.draw(st.sampled_from(sorted(world.splits["train"])))
    try:
        level = world.sample(0, "train", **{parameter: value})
    except worlds.MesabaseError as error:
        assert "\n" not in str(error)
    else:
        assert level.world == name


@pytest.mark.parametrize("name", GRID_WORLDS)
def test_oversize_grid_levels_are_refused_naming_the_limit(name):
    world = worlds.get(name)
    size = 100001
    for attempt in (
        lambda: world.sample(0, "train", size=size),
        lambda: world.sample(0, "train", size=(5, size)),
        lambda: gym.make(world.gym_id, size=size),
    ):
        with pytest.raises(limits.LimitError, match="MAX_LEVEL_CELLS=16777216; set MESABASE_MAX_LEVEL_CELLS"):
            attempt()


@pytest.mark.parametrize("name", GRID_WORLDS)
def test_oversize_level_texts_are_refused_and_the_limit_can_be_raised(name, monkeypatch):
    world = worlds.get(name)
    text = world.format(world.sample(0, "train"))
    monkeypatch.setenv("MESABASE_MAX_LEVEL_CELLS", "24")
    with pytest.raises(
        worlds.LevelFormatError, match="more than MAX_LEVEL_CELLS=24; set MESABASE_MAX_LEVEL_CELLS"
    ):
        world.parse(text)
    monkeypatch.setenv("MESABASE_MAX_LEVEL_CELLS", "1_000_000")
    assert world.format(world.parse(text)) == text
    monkeypatch.setenv("MESABASE_MAX_LEVEL_CELLS", "lots")
    with pytest.raises(
        worlds.InvalidParameterError, match="MESABASE_MAX_LEVEL_CELLS must be a positive integer"
    ):
        world.parse(text)


def test_a_huge_level_text_is_refused_before_it_is_read():
    text = "S" + "." * 5000 + "\n" + ("." * 5001 + "\n") * 4000
    with pytest.raises(
        worlds.LevelFormatError, match="4001 x 5001 = 20009001 cells, more than MAX_LEVEL_CELLS"
    ):
        worlds.get("arrow-maze").parse(text)


# ---- the point mass's horizon and magnitudes -------------------------------------

POINT_MASS_LEVEL = "size 10\nstart 5 1\nexit 5 8 0.6\nbeacon 5 8 0.6\n"


@pytest.mark.parametrize("extra", ["dt 1e-300", "max_accel 1e-9", "dt 0.00001"])
def test_a_point_mass_level_with_an_endless_default_horizon_is_refused(extra):
    world = worlds.get("point-mass")
    with pytest.raises(
        worlds.LevelFormatError, match="more than MAX_HORIZON=100000; set MESABASE_MAX_HORIZON"
    ):
        world.parse(POINT_MASS_LEVEL + extra)


def test_the_horizon_limit_can_be_raised_and_sampling_checks_it(monkeypatch):
    world = worlds.get("point-mass")
    with pytest.raises(limits.LimitError, match="MAX_HORIZON"):
        world.sample(0, "train", dt=1e-5)
    monkeypatch.setenv("MESABASE_MAX_HORIZON", "2000000")
    assert world.default_max_steps(world.parse(POINT_MASS_LEVEL + "dt 0.00001")) == 1_000_000
    assert world.default_max_steps(world.sample(0, "train")) == 100


@pytest.mark.parametrize("extra", ["max_accel 1e300", "disc 5 5 1e7", "box -1e9 0 1 1"])
def test_point_mass_numbers_are_bounded(extra):
    with pytest.raises(worlds.LevelFormatError, match="MAX_POINT_MASS_VALUE"):
        worlds.get("point-mass").parse(POINT_MASS_LEVEL + extra)


# ---- cleaning: the encoding, not the oracle, limits a parsed level ----------------


def test_a_cleaning_level_too_large_for_the_oracle_is_still_a_level():
    world = worlds.get("cleaning")
    level = world.parse("#" * 20 + "\n#S" + "d" * 17 + "#\n" + "#" * 20 + "\n")
    assert int(level.params[world.kernels.N_DIRT]) == 17
    assert world.capacity_hint(level) == limits.MAX_CAPACITY_HINT
    with pytest.raises(StateSpaceTooLargeError, match="more than 200000 reachable states"):
        ValueIteration().plan(world, level, "clean")


def test_a_cleaning_level_beyond_the_state_encoding_is_refused():
    text = "#" * 67 + "\n#S" + "d" * 64 + "#\n" + "#" * 67 + "\n"
    with pytest.raises(
        worlds.LevelFormatError, match="state encoding.*holds at most 55 dirty cells, found 64"
    ):
        worlds.get("cleaning").parse(text)
    assert worlds.get("cleaning").parse(text.replace("d" * 9, "." * 9, 1))  # 55 fit


def test_sampling_a_room_too_big_for_even_one_dirty_cell_says_so():
    with pytest.raises(
        worlds.InvalidParameterError, match="even one dirty cell is too many there; lower size"
    ):
        worlds.get("cleaning").sample(0, "train", size=400, dirt=1)


# ---- the built-in splits are untouched ------------------------------------------------


@pytest.mark.parametrize("name", WORLD_NAMES)
def test_built_in_splits_still_sample_and_play(name):
    world = worlds.get(name)
    for split in world.splits:
        env = _make(name, split=split)
        env.step(np.zeros(2) if world.continuous else 0)
        assert world.sample(1, split) == world.sample(1, split)
