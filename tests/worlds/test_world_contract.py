"""The contract every registered world inherits: add a world, get these tests."""

import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import worlds
from objectives import catalogue

WORLDS = worlds.names()
WORLD_SPLITS = [(name, split) for name in WORLDS for split in worlds.get(name).splits]


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


@pytest.mark.parametrize("name", WORLDS)
def test_every_catalogue_objective_binds(name):
    world = worlds.get(name)
    assert world.base in world.objectives
    for objective in catalogue(world).values():
        bound = objective.bind(world)
        assert bound.weights.shape == (len(world.features),)


@pytest.mark.parametrize("name", WORLDS)
def test_world_describes_itself(name):
    world = worlds.get(name)
    text = sys.modules[type(world).__module__].__doc__
    for section in ("Description", "Actions", "Features", "Objectives", "Splits", "Termination",
                    "Registered Configurations"):  # fmt: skip
        assert section in text, section
    assert set(world.events) <= set(world.features)


def test_arrow_maze_env_rewards_follow_the_objective():
    from tests.levels import FORK

    env = gym.make("mesabase/ArrowMaze-v0", objective="arrow", level=FORK)
    env.reset(seed=0)
    _, r1, term1, _, info1 = env.step(0)
    _, r2, term2, _, info2 = env.step(0)
    assert (r1, term1) == (0.0, False)
    assert (r2, term2) == (1.0, True)
    assert info2["rewards"] == {"exit": 0.0, "arrow": 1.0}
