"""GIFs made to be talked over: frames per second, scale, one cell size for
all panels, the held final positions and the caption end frame."""

import numpy as np
import pytest
from rich.console import Console

import planners
import worlds
from studies.demos import common, run_demo
from studies.reporting import figures


@pytest.mark.parametrize(
    "fps, scale, message",
    [
        (0, 1.0, "fps must be a number above 0 and at most 50"),
        (-5, 1.0, "fps must be"),
        (51, 1.0, "fps must be"),
        (float("nan"), 1.0, "fps must be"),
        (True, 1.0, "fps must be"),
        ("5", 1.0, "fps must be"),
        (5, 0, "scale must be a number above 0 and at most 4"),
        (5, 4.5, "scale must be"),
        (5, -1.0, "scale must be"),
        (5, float("inf"), "scale must be"),
    ],
)
def test_bad_fps_or_scale_is_one_line_before_any_work(fps, scale, message, tmp_path):
    for world in ("arrow-maze", "chests-keys", "cleaning", "point-mass"):
        out = tmp_path / world
        with pytest.raises(worlds.InvalidParameterError, match=message) as raised:
            run_demo(world, out_dir=out, console=Console(quiet=True), fps=fps, scale=scale)
        assert "\n" not in str(raised.value)
        assert not out.exists()


def test_gif_times_subsample_long_episodes_and_hold_short_ones():
    # 5 steps at 5 fps: 30 frames (6 s), each step held 6 times, 0 and 5 included
    short = common.gif_times(5, 5)
    assert len(short) == 30 and short[0] == 0 and short[-1] == 5
    assert np.bincount(short).tolist() == [3, 6, 6, 6, 6, 3]
    # 2,116 steps at 5 fps: 60 frames (12 s), evenly spread
    long = common.gif_times(2116, 5)
    assert len(long) == 60 and long[0] == 0 and long[-1] == 2116
    assert np.all(np.diff(long) > 0)
    # 40 steps fit between 6 and 12 s at 5 fps: every step once
    assert common.gif_times(40, 5).tolist() == list(range(41))
    assert len(common.gif_times(40, 10)) == 60  # at 10 fps, 6 s is 60 frames


@pytest.fixture(scope="module")
def arrow_maze_panels():
    maze = worlds.get("arrow-maze")
    agent = planners.Agent(planners.AStar(), "arrow")
    panels = []
    for split in ("train", "test"):
        level = maze.sample(seed=0, split=split)
        episode = planners.rollout(maze, level, agent)
        panels.append(common.Panel(common.level_label(maze, level), "arrow-seeking agent", level, episode))
    return maze, panels


def test_panels_share_one_cell_size_so_the_larger_maze_is_drawn_larger(arrow_maze_panels):
    maze, panels = arrow_maze_panels
    train, test = (panel.level for panel in panels)
    assert (train.height, test.height) == (11, 17)
    assert [panel.title for panel in panels] == ["train level, 11x11", "test level, 17x17"]
    cell = common.cell_size(maze, [train, test])
    assert cell == common.PANEL_PIXELS // 17
    assert common.cell_size(maze, [train, test], scale=2.0) == 2 * cell
    small, large = common._pictures(maze, panels, 0, cell, 22)
    # the headers are padded to one height, so the pictures differ by 6 rows of cells
    assert large.shape[0] - small.shape[0] == (17 - 11) * cell


def test_the_gif_plays_at_fps_holds_the_end_and_ends_on_the_caption(arrow_maze_panels, tmp_path, read_gif):
    maze, panels = arrow_maze_panels
    caption = "At test the arrow moved."
    path = common.write_episodes_gif(
        maze, panels, tmp_path / "maze.gif", fps=2, caption=caption, heading="a maze"
    )
    frames, durations = read_gif(path)
    longest = max(panel.episode.steps for panel in panels)
    assert 6 * 2 <= longest + 1 <= 12 * 2  # so every step is its own frame, 500 ms each
    assert durations[:-2] == [500] * (len(frames) - 2)
    assert durations[-2] == 500 + common.LINGER_MS and durations[-1] == common.CAPTION_MS
    assert len(frames) == longest + 2
    height, width = frames[0].shape[:2]
    expected = figures.caption_frame(caption, width, height, size=34)
    assert np.abs(frames[-1].astype(int) - expected).mean() < 2
    # twice the scale, twice the pixels
    big = common.write_episodes_gif(maze, panels, tmp_path / "big.gif", fps=10, scale=2.0)
    big_frames, big_durations = read_gif(big)
    # 17 states shown for 6 s at 10 fps: 60 frames of 100 ms, held steps merged, then the linger
    assert all(ms % 100 == 0 for ms in big_durations)
    assert sum(big_durations) == 60 * 100 + common.LINGER_MS and len(big_durations) == longest + 1
    assert 1.8 < big_frames[0].shape[0] / height < 2.2 and 1.8 < big_frames[0].shape[1] / width < 2.2


def test_the_png_has_the_legend_of_every_panels_level(arrow_maze_panels, tmp_path):
    import imageio.v3 as iio

    maze, panels = arrow_maze_panels
    entries = common.legend_entries(maze, panels)
    labels = [label for label, _ in entries]
    assert len(labels) == len(set(labels)) and labels
    for panel in panels:
        assert {label for label, _ in maze.legend_entries(panel.level)} <= set(labels)
    path = common.write_episodes_png(maze, panels, tmp_path / "maze.png", heading="a maze", caption="words")
    image = iio.imread(path)
    with_legend = figures.legend_strip(entries, image.shape[1] - 2 * figures.GAP)
    assert image.shape[0] > with_legend.shape[0] + (17 + 11) // 2 * common.cell_size(
        maze, [p.level for p in panels]
    )
