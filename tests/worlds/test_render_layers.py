"""Episode pictures that explain themselves: goals stay visible under the agent's
ring, the path is coloured by time with revisits dotted, collected items stay
as ghosts. Every expected colour below is worked out by hand from
`worlds.render`'s constants."""

from __future__ import annotations

import numpy as np
import pytest

import worlds
from worlds import render
from worlds.point_mass import render as pm_render

CELL = 16
RED, GREEN, BLUE = (214, 48, 49), (39, 174, 96), render.AGENT_RGB
FLOOR, START = render.FLOOR_RGB, (190, 210, 245)
LINE = "#######\n#S.A.E#\n#######\n"  # arrow at (1, 3), exit at (1, 5)
ON_EXIT = "#######\n#S...*#\n#######\n"  # the arrow on the exit, at (1, 5)


def pixel(image, row, col, dy=CELL // 2, dx=CELL // 2):
    """The colour at offset (dy, dx) inside grid cell (row, col); the default is the centre."""
    return tuple(int(v) for v in image[row * CELL + dy, col * CELL + dx])


@pytest.fixture(scope="module")
def maze():
    return worlds.get("arrow-maze")


def test_the_exit_shows_inside_the_agent_ring(maze):
    level = maze.parse(LINE)
    path = [(1, c) for c in range(1, 6)]
    image = maze.render_rgb(level, state=(1, 5), path=path, cell=CELL)
    assert pixel(image, 1, 5) == RED  # the exit's square, not a blue disc
    # 6 px right of the centre: radius (14.5 - 8) / 16 ~ 0.41, inside the ring band [0.33, 0.45)
    assert pixel(image, 1, 5, dx=14) == BLUE
    # the arrow the agent walked over keeps its green mark (the shaft runs through the centre)
    assert pixel(image, 1, 3) == GREEN
    # the text form still puts the agent's glyph there
    assert maze.render_ansi(level, state=(1, 5), path=path, color=False).splitlines()[1] == "#SoAo@#"


def test_the_arrow_on_the_exit_shows_inside_the_agent_ring(maze):
    level = maze.parse(ON_EXIT)
    image = maze.render_rgb(level, state=(1, 5), path=[(1, c) for c in range(1, 6)], cell=CELL)
    assert pixel(image, 1, 5) == GREEN  # the arrow's shaft at the centre
    assert pixel(image, 1, 5, dy=1, dx=1) == RED  # the cell's red fill in the corner
    assert pixel(image, 1, 5, dx=14) == BLUE


def test_path_cells_darken_with_the_time_of_the_last_visit(maze):
    level = maze.parse("########\n#S....*#\n########\n")
    image = maze.render_rgb(level, path=[(1, 1), (1, 2), (1, 3), (1, 4)], cell=CELL)
    # times 1/3 and 2/3 of the way along the ramp (250,200,225) -> (222,84,160) -> (88,24,108)
    early, late = pixel(image, 1, 2, 1, 1), pixel(image, 1, 3, 1, 1)
    assert early == (231, 123, 182)
    assert late == (177, 64, 143)
    assert pixel(image, 1, 4, 1, 1) == (88, 24, 108)  # the last step: the dark end
    assert sum(early) > sum(late)
    assert pixel(image, 1, 5, 1, 1) == FLOOR  # never visited
    assert pixel(image, 1, 1, 1, 1) == START  # the start keeps its colour though the path began there


def test_cells_visited_twice_carry_a_dot(maze):
    level = maze.parse("########\n#S....*#\n########\n")
    path = [(1, 1), (1, 2), (1, 1), (1, 2), (1, 3)]
    image = maze.render_rgb(level, path=path, cell=CELL)
    assert pixel(image, 1, 2) == render.REVISIT_RGB
    assert pixel(image, 1, 1) == render.REVISIT_RGB  # the start, revisited
    assert pixel(image, 1, 1, 1, 1) == START
    assert pixel(image, 1, 3) == (88, 24, 108)  # visited once, last: no dot
    # a wandering episode over the same cells no longer looks like the short one
    short = maze.render_rgb(level, path=[(1, 1), (1, 2), (1, 3)], cell=CELL)
    assert not np.array_equal(image, short)


def test_visit_times_count_every_state():
    last, visits = render.visit_times([(0, 0), (0, 1), (0, 1), (0, 0), (0, 2)], (1, 4))
    assert visits.tolist() == [[2, 2, 1, 0]]
    assert last[0, :3].tolist() == [0.75, 0.5, 1.0] and np.isnan(last[0, 3])


def test_a_collected_key_stays_as_a_ghost():
    world = worlds.get("chests-keys")
    level = world.parse("######\n#SKCK#\n######\n")  # keys 0 at (1, 2) and 1 at (1, 4), the chest at (1, 3)
    after = np.array([1, 3, 0b10, 0], dtype=np.int64)  # key 0 taken, the chest opened, the agent on it
    path = [(1, 1, 3, 1), (1, 2, 2, 1), (1, 3, 2, 0)]
    image = world.render_rgb(level, after, path=path, cell=CELL)
    ghost = pixel(image, 1, 2)
    assert ghost == (246, 226, 160) and ghost not in (FLOOR, (230, 176, 0))
    # the ghost's edge is key gold: 6.5 / 16 ~ 0.41 from the centre, outside the inner disc (0.36 - 1/16)
    assert pixel(image, 1, 2, dx=2) == (230, 176, 0)
    assert pixel(image, 1, 2, 1, 1) == (222, 84, 160)  # the path's colour at time 1/2 round it
    assert pixel(image, 1, 3) == (205, 170, 125)  # the opened chest inside the ring
    assert pixel(image, 1, 4) == (230, 176, 0)  # the key still there
    assert world._cell_kinds(level, after, agent=False)[1].tolist()[1:5] == [
        "start",
        "key_taken",
        "open_chest",
        "key",
    ]
    # text: a ghost reads as floor, or as path where the path ran
    assert world.render_ansi(level, after, color=False) == "######\n#S.@K#\n######\n"
    assert world.render_ansi(level, after, path=path, color=False) == "######\n#So@K#\n######\n"


def test_cleaned_dirt_stays_as_a_ghost_and_the_bin_shows_in_the_ring():
    world = worlds.get("cleaning")
    level = world.parse("#######\n#Sd..B#\n#######\n")  # dirt at (1, 2), the bin at (1, 5)
    path = [(1, 1, 1), (1, 2, 1), (1, 2, 0), (1, 3, 0), (1, 4, 0), (1, 5, 0)]  # swept at (1, 2)
    image = world.render_rgb(level, state=(1, 5, 0), path=path, cell=CELL)
    # (4.5 / 16 - 0.5) = -0.22: inside the ghost square's inner part, off the revisit dot
    assert pixel(image, 1, 2, 4, 4) == (226, 210, 190)
    assert pixel(image, 1, 2, 8, 2) == (176, 132, 84)  # its dirt-brown edge
    assert pixel(image, 1, 2) == render.REVISIT_RGB  # sweeping took two states there
    assert pixel(image, 1, 5) == (96, 104, 112)  # the bin's square inside the ring
    assert world.render_ansi(level, state=(1, 5, 0), path=path, color=False).splitlines()[1] == "#Sooo@#"
    assert world.render_ansi(level, state=(1, 5, 0), color=False).splitlines()[1] == "#S...@#"


def test_point_mass_ring_goal_above_the_path_and_time_colours():
    world = worlds.get("point-mass")
    level = world.parse("size 3\nstart 0.75 0.25\nexit 2.25 2.75 0.2\nbeacon 0.25 2.75 0.2\n")
    scale = 40
    path = [np.array([0.75 + 0.2 * i, 0.25, 0.0, 0.0]) for i in range(11)]  # along y = 0.25 to x = 2.75
    end = np.array([2.25, 2.75, 0.0, 0.0])
    image = world.render_rgb(level, state=end, path=path, cell=scale)

    def at(x, y, dx=0):
        return tuple(int(v) for v in image[int((3 - y) * scale), int(x * scale) + dx])

    assert at(2.25, 2.75) == pm_render.AGENT  # the small centre dot
    assert at(2.25, 2.75, dx=4) == pm_render.EXIT  # between dot and ring: the exit shows through
    assert at(2.25, 2.75, dx=8) == pm_render.AGENT  # the ring (radius 0.2 * 40 = 8 px)
    early, late = at(0.9, 0.25), at(2.6, 0.25)
    assert sum(early) > sum(late)  # light early, dark late, in the path's own hue
    assert early == tuple(pm_render.time_ramp(pm_render.PATH_COLOURS[0], np.array([0.05]))[0])
    # the line's edge keeps the path's own colour, so several paths stay apart
    column = [tuple(int(v) for v in c) for c in image[105:116, int(1.5 * scale)]]
    assert pm_render.PATH_COLOURS[0] in column


def test_point_mass_time_ramp_runs_tint_colour_shade():
    ramp = pm_render.time_ramp((45, 245, 5), np.array([0.0, 0.5, 1.0]))
    # tint: 70% of the way to white (45 + 0.7 * 210 = 192); shade: 55% of the way to black (0.45 * 245)
    assert ramp.tolist() == [[192, 252, 180], [45, 245, 5], [20, 110, 2]]
