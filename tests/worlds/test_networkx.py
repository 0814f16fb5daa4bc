"""`World.to_networkx`, built in bulk from the kernels, against its plain-Python reference.

``to_networkx(level)`` walks the level through the world's numba kernels;
``to_networkx(level, reference=True)`` through the reference dynamics, one
state at a time. On many small seeded levels of every discrete world and
split both give the same graph: the same nodes and edges, in the same order,
with the same ``action``, ``features`` and ``transitions`` on every edge.
"""

from __future__ import annotations

import networkx as nx
import pytest

import worlds
from tests.small_levels import DISCRETE_SPLITS, small_level

CASES = DISCRETE_SPLITS


def assert_same_graph(fast: nx.DiGraph, reference: nx.DiGraph) -> None:
    assert nx.utils.graphs_equal(fast, reference)
    assert list(fast.nodes) == list(reference.nodes)
    assert list(fast.edges(data=True)) == list(reference.edges(data=True))
    for _, _, data in fast.edges(data=True):
        assert all(type(v) is float for _, features in data["transitions"] for v in features)


@pytest.mark.parametrize("world_name, split", CASES)
def test_the_kernel_graph_is_the_reference_graph(world_name, split):
    world = worlds.get(world_name)
    for seed in range(6):
        level = small_level(world_name, seed, split)
        assert_same_graph(world.to_networkx(level), world.to_networkx(level, reference=True))


@pytest.mark.parametrize(
    "world_name, text",
    [
        ("arrow-maze", "#######\n#A#####\n#.#####\n#S...E#\n#######"),
        ("cleaning", "sweeps: any\n######\n#S..d#\n######"),
        ("cleaning", "#######\n#S.B.d#\n#######"),
        ("chests-keys", "#####\n#SKC#\n#####"),
    ],
)
def test_hand_written_levels_give_the_reference_graph(world_name, text):
    world = worlds.get(world_name)
    level = world.parse(text)
    assert_same_graph(world.to_networkx(level), world.to_networkx(level, reference=True))


def test_a_corridor_by_hand(maze):
    level = maze.parse("#####\n#S.*#\n#####")  # S (1, 1), floor (1, 2), exit (1, 3)
    graph = maze.to_networkx(level)
    assert list(graph.nodes) == [(1, 1), (1, 2), (1, 3)]
    # up, down and left bump at the start: one self-loop edge listing all three
    loop = graph.edges[(1, 1), (1, 1)]
    assert loop["action"] == 0 and [a for a, _ in loop["transitions"]] == [0, 2, 3]
    bumped = maze.feature_index("bumped_wall")
    assert all(features[bumped] == 1.0 for _, features in loop["transitions"])
    step = graph.edges[(1, 2), (1, 3)]
    assert step["action"] == 1 and step["features"][maze.feature_index("reached_exit")] == 1.0
    assert graph.out_degree((1, 3)) == 0  # the exit ends the episode: no edges out
    assert sorted(graph.edges) == [((1, 1), (1, 1)), ((1, 1), (1, 2)), ((1, 2), (1, 1)),
                                   ((1, 2), (1, 2)), ((1, 2), (1, 3))]  # fmt: skip


def test_continuous_worlds_have_no_graph():
    world = worlds.get("point-mass")
    with pytest.raises(NotImplementedError, match="continuous"):
        world.to_networkx(world.sample(0, "train"))
