"""Legends: every colour and marker a picture uses is named, in every world."""

from __future__ import annotations

import numpy as np
import pytest

import worlds
from worlds import render

GRID_WORLDS = [name for name in worlds.names() if not worlds.get(name).continuous]


def wander(world, level, steps, seed=0):
    """A random walk of `steps` actions with the reference dynamics: (states, final state)."""
    rng = np.random.default_rng(seed)
    state = tuple(int(v) for v in world.initial_state(level))
    states = [state]
    for _ in range(steps):
        if world.reference_terminal(level, state):
            break
        state = world.reference_step(level, state, int(rng.integers(len(world.actions))))
        states.append(state)
    return states, state


def drawn_kinds(world, level, path, state):
    """What an RGB picture of this episode draws: cell kinds, path, revisits, the agent."""
    kinds = set(world._cell_kinds(level, state, path, agent=False).ravel())
    _, visits = render.visit_times(render.path_cells(path), (level.height, level.width))
    return kinds | {"agent", "path"} | ({"revisit"} if (visits >= 2).any() else set())


@pytest.mark.parametrize("name", worlds.names())
def test_legend_entries_are_labelled_swatches_without_repeats(name):
    world = worlds.get(name)
    entries = world.legend_entries()
    labels = [label for label, _ in entries]
    assert len(labels) == len(set(labels)) >= 6
    for label, swatch in entries:
        assert label and swatch.dtype == np.uint8 and swatch.shape == (24, 24, 3)
    # the same call gives the same legend
    again = world.legend_entries()
    assert [label for label, _ in again] == labels
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(entries, again))
    assert "o" in world.text_legend() and world.text_legend()["o"] == "path"


@pytest.mark.parametrize("name", GRID_WORLDS)
def test_grid_legends_name_every_kind_drawn_in_train_and_test_episodes(name):
    world = worlds.get(name)
    assert [label for label, _ in world.legend_entries()] == [
        render.LABELS[kind] for kind in world.picture_kinds
    ]
    seen = set()
    for split in world.splits:
        level = world.sample(0, split)
        path, state = wander(world, level, 300)
        drawn = drawn_kinds(world, level, path, state)
        assert drawn <= set(world.legend_kinds(level)), split
        seen |= drawn
        # the text form's kinds (the agent standing on something included) all have labels too
        assert set(world._cell_kinds(level, state, path).ravel()) <= set(render.LABELS)
        # every glyph of the text picture is in the text legend
        text = world.render_ansi(level, state, path, color=False)
        assert set(text.replace("\n", "")) <= set(world.text_legend())
    # the walks reach most of what the legend names (not a vacuous subset check)
    assert len(seen) >= len(world.picture_kinds) - 1


def test_a_legend_for_one_level_leaves_out_what_that_level_cannot_show():
    maze = worlds.get("arrow-maze")
    train, test = maze.legend_kinds(maze.sample(0, "train")), maze.legend_kinds(maze.sample(0, "test"))
    assert "arrow_on_exit" in train and "arrow" not in train and "exit" not in train
    assert "arrow" in test and "exit" in test and "arrow_on_exit" not in test
    cleaning = worlds.get("cleaning")
    assert "bin" not in cleaning.legend_kinds(cleaning.sample(0, "train"))
    assert "bin" in cleaning.legend_kinds(cleaning.sample(0, "test-bin"))
    keys = worlds.get("chests-keys")
    on_chests = keys.parse("#######\n#S.X.C#\n#######\n")
    assert "key_taken" not in keys.legend_kinds(on_chests) and "key_on_chest" in keys.legend_kinds(on_chests)
    assert "key_taken" in keys.legend_kinds(keys.parse("######\n#SKCK#\n######\n"))


def test_point_mass_legend():
    world = worlds.get("point-mass")
    labels = [label for label, _ in world.legend_entries()]
    assert labels[:3] == ["obstacle", "exit", "green beacon (proxy)"]
    assert "start" in labels and render.LABELS["path"] in labels and labels[-1].startswith("point mass")
    train = [label for label, _ in world.legend_entries(world.sample(0, "train"))]
    test = [label for label, _ in world.legend_entries(world.sample(0, "test"))]
    assert "green beacon on the exit (ring)" in train and "green beacon (proxy)" not in train
    assert "green beacon (proxy)" in test and "green beacon on the exit (ring)" not in test
    glyphs = world.text_legend()
    assert set(glyphs) == set("#.EB*So@")
    level = world.sample(0, "train")
    state = world.initial_state(level)
    text = world.render_ansi(level, state, path=[state, state + np.array([1.0, 1.0, 0, 0])], color=False)
    assert set(text.replace("\n", "")) <= set(glyphs)


def test_swatches_look_like_the_render():
    exit_ = render.legend_swatch("exit")
    assert tuple(exit_[12, 12]) == (214, 48, 49) and tuple(exit_[0, 0]) == render.FLOOR_RGB
    ring = render.legend_swatch("agent")
    assert tuple(ring[12, 12]) == render.FLOOR_RGB and tuple(ring[12, 21]) == render.AGENT_RGB
    ramp = render.legend_swatch("path")
    assert tuple(ramp[12, 0]) == (250, 200, 225) and tuple(ramp[12, -1]) == (88, 24, 108)
    assert tuple(render.legend_swatch("revisit")[12, 12]) == render.REVISIT_RGB
    assert render.legend_swatch("wall", cell=8).shape == (8, 8, 3)
