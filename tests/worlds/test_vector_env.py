"""The batched grid-world env (`worlds.vector_env.GridWorldVectorEnv`) against
Gymnasium's own ``SyncVectorEnv`` over the single env: step for step the same
observations, rewards, terminations, truncations and infos, autoresets
included; a hand-worked NEXT_STEP autoreset; the registration with
``gymnasium.make_vec``; and bad input. (The single env itself passes
``gymnasium.utils.env_checker.check_env`` in test_world_contract.py; Gymnasium
has no checker for vector envs.)"""

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import worlds
from tests.levels import FORK
from worlds import GridWorldVectorEnv, InvalidActionError, make_vector_env

UP, RIGHT, DOWN, LEFT = range(4)


def sync_env(world: str, n: int, **kwargs):
    make = lambda: gym.make(worlds.get(world).gym_id, **kwargs)  # noqa: E731
    return gym.vector.SyncVectorEnv([make for _ in range(n)])


def assert_same(ours, theirs, where="") -> None:
    """Equal values and dtypes, recursing into step tuples and info dicts (keys and masks too)."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{i}]")
        return
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), (where, set(ours) ^ set(theirs))
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}/{key}")
        return
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype, (where, ours.dtype, theirs.dtype)
    assert ours.shape == theirs.shape and np.array_equal(ours, theirs), (where, ours, theirs)


def play_both(world: str, n: int, steps: int, seed, action_seed: int = 0, **kwargs):
    """Reset both envs with `seed`, step both with the same random actions,
    assert every return equal; returns (terminations, truncations) seen."""
    ours, theirs = make_vector_env(world, n, **kwargs), sync_env(world, n, **kwargs)
    for got, want in zip(ours.reset(seed=seed), theirs.reset(seed=seed)):
        assert_same(got, want, "reset")
    rng = np.random.default_rng(action_seed)
    ended = np.zeros(2, dtype=int)
    for t in range(steps):
        actions = rng.integers(0, len(worlds.get(world).actions), size=n)
        got, want = ours.step(actions), theirs.step(actions)
        for name, a, b in zip(("obs", "reward", "terminated", "truncated", "infos"), got, want):
            assert_same(a, b, f"step {t} {name}")
        ended += got[2].sum(), got[3].sum()
    return ended


# ---- the same env as SyncVectorEnv ------------------------------------------------


@pytest.mark.parametrize(
    "world, kwargs",
    [
        ("arrow-maze", {"max_steps": 25}),  # truncations every 25 steps
        ("arrow-maze", {"size": 7}),  # small mazes: random walks reach the exit
        ("chests-keys", {"max_steps": 80}),  # keys and chests vanish from the observation
        ("cleaning", {"split": "test-bin", "max_steps": 60}),  # dirt vanishes; a bin
        ("cleaning", {"objective": "sweeps", "max_steps": 80}),  # another objective's reward
    ],
)
def test_steps_like_sync_vector_env(world, kwargs):
    terminations, truncations = play_both(world, n=6, steps=300, seed=11, **kwargs)
    assert terminations + truncations >= 6  # autoresets happened and were compared


def test_every_kind_of_episode_end_was_compared():
    # the parametrised cases above end episodes both ways
    assert play_both("arrow-maze", 4, 200, seed=5, size=7)[0] > 0
    assert play_both("arrow-maze", 4, 60, seed=5, max_steps=25)[1] > 0


def test_seed_lists_and_reset_mask_like_sync_vector_env():
    ours, theirs = make_vector_env("chests-keys", 3), sync_env("chests-keys", 3)
    for got, want in zip(ours.reset(seed=[7, 0, 7]), theirs.reset(seed=[7, 0, 7])):
        assert_same(got, want)
    assert np.array_equal(ours.levels[0].grid, ours.levels[2].grid)  # same seed, same level
    actions = np.array([RIGHT, DOWN, LEFT])
    for _ in range(5):
        assert_same(ours.step(actions), theirs.step(actions))
    mask = np.array([False, True, False])
    for got, want in zip(
        ours.reset(seed=[None, 3, None], options={"reset_mask": mask}),
        theirs.reset(seed=[None, 3, None], options={"reset_mask": mask.copy()}),
    ):
        assert_same(got, want, "masked reset")
    for _ in range(5):
        assert_same(ours.step(actions), theirs.step(actions))


def test_observations_from_the_world_when_no_layout_is_known(monkeypatch):
    # a world without an observation_layout is observed row by row in Python
    monkeypatch.setattr(type(worlds.get("chests-keys")), "observation_layout", None)
    assert make_vector_env("chests-keys", 2)._agent_channel == -1
    assert play_both("chests-keys", n=4, steps=150, seed=2).sum() >= 0


@settings(max_examples=20, deadline=None)
@given(
    actions=st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=1, max_size=40),
    seed=st.integers(0, 2**31 - 1),
)
def test_random_action_sequences_match_sync(actions, seed):
    ours = make_vector_env("arrow-maze", 3, max_steps=9, size=7)
    theirs = sync_env("arrow-maze", 3, max_steps=9, size=7)
    assert_same(ours.reset(seed=seed), theirs.reset(seed=seed))
    for row in actions:
        assert_same(ours.step(np.array(row)), theirs.step(np.array(row)))


# ---- a hand-worked autoreset ---------------------------------------------------


def test_next_step_autoreset_on_a_hand_level():
    # FORK: exit 4 steps right of the start, arrow 2 steps up
    envs = make_vector_env("arrow-maze", 2, level=FORK)
    first, infos = envs.reset(seed=0)
    assert first.shape == (2, *envs.single_observation_space.shape)
    assert infos["level_seed"].tolist() == [None, None] and infos["_level_seed"].all()
    assert np.argwhere(first[0, 1]).tolist() == [[3, 1]]  # the agent's channel
    plan = [(RIGHT, UP), (RIGHT, UP), (RIGHT, RIGHT), (RIGHT, DOWN)]
    for t, actions in enumerate(plan):
        obs, reward, terminated, truncated, infos = envs.step(np.array(actions))
        assert reward.tolist() == [1.0 if t == 3 else 0.0, 0.0]  # the exit objective's
        assert terminated.tolist() == [t == 3, False] and not truncated.any()
    assert np.argwhere(obs[0, 1]).tolist() == [[3, 5]] and np.argwhere(obs[1, 1]).tolist() == [[2, 1]]
    assert infos["rewards"]["arrow"].tolist() == [0.0, 0.0]  # the arrow was reached at step 2
    # next step: row 0 starts again (its action ignored); row 1 goes on
    obs, reward, terminated, truncated, infos = envs.step(np.array([LEFT, UP]))
    assert np.array_equal(obs[0], first[0])
    assert reward.tolist() == [0.0, 0.0] and not terminated.any() and not truncated.any()
    assert infos["_level_seed"].tolist() == [True, False]
    assert infos["_rewards"].tolist() == [False, True]
    assert infos["rewards"]["_arrow"].tolist() == [False, True]
    assert np.argwhere(obs[1, 1]).tolist() == [[1, 1]]


# ---- construction, registration and bad input ----------------------------------


def test_make_vec_uses_the_vector_entry_point():
    envs = gym.make_vec("mesabase/ArrowMaze-v0", num_envs=3, vectorization_mode="vector_entry_point")
    assert isinstance(envs, GridWorldVectorEnv) and envs.num_envs == 3
    single = gym.make("mesabase/ArrowMaze-v0")
    assert envs.single_observation_space == single.observation_space
    assert envs.single_action_space == single.action_space
    assert envs.action_space == gym.spaces.MultiDiscrete([4, 4, 4])
    assert envs.metadata["autoreset_mode"] == gym.vector.AutoresetMode.NEXT_STEP
    default = gym.make_vec("mesabase/Cleaning-v0", num_envs=2, split="test-sweep")
    assert isinstance(default, GridWorldVectorEnv)  # the default mode once a vector entry point exists
    sync = gym.make_vec("mesabase/ChestsKeys-v0", num_envs=2, vectorization_mode="sync")
    assert isinstance(sync, gym.vector.SyncVectorEnv)
    assert gym.spec("mesabase/PointMass-v0").vector_entry_point is None  # not a grid world


@pytest.mark.parametrize(
    "bad", [[0, 1], [0, 1, 4], [0, -1, 2], [0.0, 1.0, 2.0], [True, False, True], "abc", [[0, 1, 2]]]
)
def test_bad_actions_raise_and_change_nothing(bad):
    envs = make_vector_env("arrow-maze", 3, max_steps=1)
    envs.reset(seed=1)
    envs.step(np.array([0, 1, 2]))  # every row ends: the next step would reset them
    before = envs.states.copy(), [level.seed for level in envs.levels]
    with pytest.raises(InvalidActionError, match="range"):
        envs.step(bad)
    assert np.array_equal(envs.states, before[0]) and [lv.seed for lv in envs.levels] == before[1]


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: make_vector_env("arrow-maze", 0), "num_envs"),
        (lambda: make_vector_env("point-mass", 2), "not a grid world"),
        (lambda: make_vector_env("arrow-maze", 2, split="nope"), "split"),
        (lambda: make_vector_env("arrow-maze", 2).reset(seed=-1), "seed"),
        (lambda: make_vector_env("arrow-maze", 2).reset(seed=[1]), "seed"),
        (lambda: make_vector_env("arrow-maze", 2).reset(options={"level": 3}), "reset_mask"),
        (lambda: make_vector_env("arrow-maze", 2).reset(options={"reset_mask": [True, True]}), "bool"),
    ],
)
def test_bad_arguments_raise_one_line_errors(make, match):
    with pytest.raises(worlds.MesabaseError, match=match):
        make()


def test_step_before_reset_raises():
    with pytest.raises(gym.error.ResetNeeded):
        make_vector_env("arrow-maze", 2).step(np.array([0, 0]))


def test_render_gives_one_picture_a_row():
    envs = make_vector_env("arrow-maze", 2, level=FORK, render_mode="ansi")
    envs.reset(seed=0)
    pictures = envs.render()
    assert len(pictures) == 2 and pictures[0] == worlds.get("arrow-maze").render_ansi(
        envs.levels[0], envs.states[0], color=False
    )


def test_returned_arrays_are_the_callers_to_keep():
    envs = make_vector_env("arrow-maze", 2, level=FORK)
    envs.reset(seed=0)
    kept = envs.step(np.array([RIGHT, UP]))
    copies = [np.copy(a) for a in kept[:4]], {k: np.copy(v) for k, v in kept[4]["rewards"].items()}
    envs.step(np.array([RIGHT, UP]))
    for a, b in zip(kept[:4], copies[0]):
        assert np.array_equal(a, b)
    assert all(np.array_equal(kept[4]["rewards"][k], v) for k, v in copies[1].items())
    shared = make_vector_env("arrow-maze", 2, level=FORK, copy=False)
    assert shared.reset(seed=0)[0] is shared.step(np.array([RIGHT, UP]))[0]  # the buffer itself
