"""The point-mass Gymnasium environment, its pictures and its level text."""

import re

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import worlds
from objectives import catalogue
from worlds.point_mass import render

ENV_ID = "mesabase/PointMass-v0"
# an empty arena: the exit (with the beacon on it) 2 units straight above the start
STRAIGHT_UP = """
size 10
start 5 1
exit 5 3 0.6
beacon 5 3 0.6  # on the exit
"""
# a 3 x 3 arena: a 6 x 6 text grid of half-unit cells
SMALL = """
size 3
start 0.75 0.25
exit 2.25 2.75 0.2
beacon 0.25 2.75 0.2
box 1 1 2 1.5
disc 0.25 1.25 0.2
"""
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def world():
    return worlds.get("point-mass")


@pytest.mark.filterwarnings("ignore:.*Box action spaces")
@pytest.mark.parametrize("mode", ["rgb_array", "ansi"])
def test_check_env(mode):
    env = gym.make(ENV_ID, render_mode=mode)
    check_env(env.unwrapped, skip_render_check=False)
    env.close()


@pytest.mark.parametrize("objective", ["exit", "beacon"])
def test_info_rewards_cover_the_catalogue(world, objective):
    env = gym.make(ENV_ID, split="test", objective=objective)
    env.reset(seed=4)
    env.action_space.seed(4)
    for _ in range(5):
        _, reward, _, _, info = env.step(env.action_space.sample())
        assert set(info["rewards"]) == set(catalogue(world))
        assert info["rewards"][objective] == reward
        assert set(info["features"]) == set(world.features)


def test_observation_is_position_velocity_and_offsets():
    env = gym.make(ENV_ID, level=STRAIGHT_UP)
    obs, _ = env.reset(seed=0)
    assert obs.dtype == np.float32
    np.testing.assert_array_equal(obs, [5, 1, 0, 0, 0, 2, 0, 2])
    assert env.observation_space.contains(obs)


def _steps_to_climb(distance, dt=0.1, accel=2.0, drag=0.5):
    """Steps of full upward thrust from rest to climb `distance` (semi-implicit Euler)."""
    v = y = 0.0
    steps = 0
    while y < distance:
        v += dt * (accel - drag * v)
        y += dt * v
        steps += 1
    return steps


def test_straight_to_the_beacon_on_the_exit_terminates(world):
    expected = _steps_to_climb(3.0 - 0.6 - 1.0)  # to the region's edge
    assert expected == 13
    env = gym.make(ENV_ID, level=STRAIGHT_UP, objective="beacon")
    env.reset(seed=0)
    steps, terminated = 0, False
    while not terminated and steps < 40:
        obs, reward, terminated, truncated, info = env.step(np.array([0.0, 2.0], dtype=np.float32))
        steps += 1
    assert (steps, terminated, truncated) == (expected, True, False)
    assert obs[0] == 5.0 and obs[1] >= 2.4
    beacon = catalogue(world)["beacon"]  # the bonus, effort weight and step cost
    effort = 0.1 * 2.0**2
    assert info["features"]["effort"] == pytest.approx(effort)
    bonus = beacon.weights["reached_beacon"] + beacon.weights["effort"] * effort - beacon.step_cost
    assert reward == pytest.approx(bonus)
    assert info["rewards"]["exit"] == pytest.approx(reward)
    assert info["features"]["reached_beacon"] == info["features"]["reached_exit"] == 1.0


def test_episodes_truncate_at_max_steps():
    env = gym.make(ENV_ID, level=STRAIGHT_UP, max_steps=3)
    env.reset(seed=0)
    ends = [env.step(np.zeros(2, dtype=np.float32))[2:4] for _ in range(3)]
    assert ends == [(False, False), (False, False), (False, True)]


def test_render_rgb_draws_paths_state_and_obstacles(world):
    level = world.parse(SMALL)
    scale = 20
    path = [np.array([0.75, 0.25, 0, 0]), np.array([2.75, 0.25, 0, 0])]
    image = render.render_rgb(world, level, state=(1.5, 2.0, 0, 0), paths=[None, path], scale=scale)
    assert image.dtype == np.uint8 and image.shape == (3 * scale, 3 * scale, 3)

    def pixel(x, y):
        return tuple(image[int((3 - y) * scale), int(x * scale)])

    # path 1 (path 0 is skipped) runs along y = 0.25, x from 0.75 to 2.75
    column = image[int(2.75 * scale) - 2 : int(2.75 * scale) + 3, int(1.75 * scale)]
    assert render.PATH_COLOURS[1] in [tuple(c) for c in column]
    assert pixel(1.5, 2.0) == render.AGENT
    assert pixel(1.5, 1.25) == render.OBSTACLE  # the box
    assert pixel(0.25, 1.25) == render.OBSTACLE  # the disc
    assert pixel(2.25, 2.75) == render.EXIT
    assert pixel(0.25, 2.75) == render.BEACON
    assert pixel(2.0, 2.0) == render.FLOOR


def test_render_rgb_shows_the_beacon_on_the_exit(world):
    image = world.render_rgb(world.parse(STRAIGHT_UP), cell=40)
    assert image.shape == (400, 400, 3)
    row = image[(10 - 3) * 40, 5 * 40 - 30 : 5 * 40 + 30]
    colours = {tuple(c) for c in row}
    assert render.EXIT in colours and render.BEACON in colours


def test_env_render_draws_the_trajectory():
    env = gym.make(ENV_ID, level=STRAIGHT_UP, render_mode="rgb_array")
    env.reset(seed=0)
    for _ in range(5):
        env.step(np.array([2.0, 0.0], dtype=np.float32))
    image = env.render()
    assert (image == render.PATH_COLOURS[0]).all(axis=-1).sum() > 10


def test_render_ansi_places_the_glyphs(world):
    level = world.parse(SMALL)
    path = [(0.75, 0.25, 0, 0), (1.75, 0.25, 0, 0)]
    text = world.render_ansi(level, state=(2.75, 0.25, 0, 0), path=path, color=False)
    assert text == "B...E.\n......\n......\n#.##..\n......\n.Soo.@\n"
    coloured = world.render_ansi(level, state=(2.75, 0.25, 0, 0), path=path, color=True)
    assert "\x1b[" in coloured and ANSI_ESCAPE.sub("", coloured) == text


def test_render_ansi_marks_the_beacon_on_the_exit(world):
    lines = world.render_ansi(world.parse(STRAIGHT_UP), color=False).splitlines()
    assert len(lines) == 20 and {len(line) for line in lines} == {20}
    # the exit at (5, 3), radius 0.6: the 2 x 2 cells round its centre
    assert [line[9:11] for line in lines[13:15]] == ["**", "**"]
    assert lines[17][10] == "S"  # (5, 1): row 19 - floor(1 / 0.5)
    assert sum(line.count("*") for line in lines) == 4


@pytest.mark.parametrize(
    "text",
    [
        "start 5\nexit 5 3 0.6\nbeacon 5 3 0.6",  # start takes two numbers
        "start 5 1\nexit 5 3 0.6\nbeacon 5 3 0.6\nbox 3 3 2 4",  # x0 > x1
        "start 5 1\nexit 5 3 wide\nbeacon 5 3 0.6",
        "start 5 1\nbeacon 5 3 0.6",  # no exit
    ],
)
def test_bad_level_text_raises(world, text):
    with pytest.raises(worlds.LevelFormatError):
        world.parse(text)
