"""The world registry: one ordered list gives every world its id, and
registering a world checks its kernels against what it declares. Also the
grid queries analysis code asks a world (`start_cell`, `distance`), against
networkx shortest paths."""

import dataclasses

import networkx as nx
import numpy as np
import pytest

import worlds
from worlds import dispatch
from worlds.registry import contract_problems


def test_ids_are_places_in_the_registry_and_dispatch_agrees():
    assert [worlds.get(name).world_id for name in worlds.names()] == list(range(len(worlds.names())))
    assert tuple(worlds.get(n).world_id for n in ("arrow-maze", "chests-keys", "cleaning", "point-mass")) == (
        dispatch.ARROW_MAZE,
        dispatch.CHESTS_KEYS,
        dispatch.CLEANING,
        dispatch.POINT_MASS,
    )
    for name in worlds.names():
        world = worlds.get(name)
        assert dispatch.num_actions(world.world_id) == len(world.actions)
        assert dispatch.num_features(world.world_id) == len(world.features)


@pytest.mark.parametrize("name", worlds.names())
def test_every_registered_world_keeps_its_contract(name):
    assert contract_problems(worlds.get(name)) == []


@dataclasses.dataclass
class _Kernels:
    """A stand-in kernels module whose counts can be wrong."""

    N_ACTIONS: int
    N_FEATURES: int
    step = features = terminal = key = key_bound = heuristic = staticmethod(lambda *a: None)


def _impostor(n_actions: int, n_features: int, **declared):
    base = worlds.get("arrow-maze")
    cls = type(
        "Impostor",
        (type(base),),
        {"name": "impostor", "kernels": _Kernels(n_actions, n_features), **declared},
    )
    return cls()


def test_registering_checks_action_and_feature_counts_and_says_what_is_wrong():
    maze = worlds.get("arrow-maze")
    with pytest.raises(
        worlds.WorldContractError, match=r"N_FEATURES is 6 but it declares 7 features \(reached_exit"
    ):
        worlds.register(_impostor(len(maze.actions), 6))
    with pytest.raises(worlds.WorldContractError, match=r"N_ACTIONS is 5 but it declares 4 actions"):
        worlds.register(_impostor(5, len(maze.features)))
    assert "impostor" not in worlds.names()


def test_registering_checks_the_catalogue_and_events():
    maze = worlds.get("arrow-maze")
    wrong = _impostor(
        len(maze.actions),
        len(maze.features),
        base="nowhere",
        events=("reached_moon",),
        objectives={"exit": {"weights": {"reached_sun": 1.0}}},
    )
    problems = contract_problems(wrong)
    assert any("events ['reached_moon']" in p for p in problems)
    assert any("base objective 'nowhere'" in p for p in problems)
    assert any("unknown features ['reached_sun']" in p for p in problems)
    with pytest.raises(worlds.WorldContractError, match="cannot be registered"):
        worlds.register(wrong)


def test_a_name_registers_once():
    with pytest.raises(worlds.WorldContractError, match="already registered"):
        worlds.register(worlds.get("arrow-maze"))


def _cell_graph(world, level) -> nx.Graph:
    walls = world.walls(level)
    graph = nx.Graph()
    for r, c in zip(*np.nonzero(walls == 0)):
        graph.add_node((int(r), int(c)))
        for dr, dc in ((0, 1), (1, 0)):
            nxt = (int(r + dr), int(c + dc))
            if nxt[0] < walls.shape[0] and nxt[1] < walls.shape[1] and not walls[nxt]:
                graph.add_edge((int(r), int(c)), nxt)
    return graph


@pytest.mark.parametrize("name", ["arrow-maze", "chests-keys", "cleaning"])
@pytest.mark.parametrize("seed", range(4))
def test_distance_is_the_shortest_path_length(name, seed):
    world = worlds.get(name)
    for split in world.splits:
        level = world.sample(seed, split)
        graph = _cell_graph(world, level)
        start = world.start_cell(level)
        assert tuple(world.initial_state(level)[:2]) == start
        for kind in world.tile_kinds:
            cells = [tuple(int(v) for v in rc) for rc in world.locate(level, None, kind)]
            if not cells:
                continue
            lengths = nx.single_source_shortest_path_length(graph, start)
            expected = min((lengths[c] for c in cells if c in lengths), default=-1)
            assert world.distance(level, kind) == expected
            assert world.distance(level, kind, cells[0]) == 0


def test_distance_from_a_cell_in_the_arrow_maze():
    maze = worlds.get("arrow-maze")
    level = maze.sample(3, "test")
    graph = _cell_graph(maze, level)
    arrow = tuple(maze.locate(level, None, "arrow")[0])
    exit_ = tuple(maze.locate(level, None, "exit")[0])
    assert maze.distance(level, "exit", arrow) == nx.shortest_path_length(graph, arrow, exit_)
    with pytest.raises(worlds.UnknownNameError, match="valid"):
        maze.distance(level, "moon")


def test_registering_asks_for_a_proxy_and_a_text_legend():
    maze = worlds.get("arrow-maze")
    lonely = _impostor(
        len(maze.actions), len(maze.features), objectives={"exit": maze.objectives["exit"]}, legend={}
    )
    problems = contract_problems(lonely)
    assert any("no proxy" in p for p in problems)
    assert any("no text legend" in p for p in problems)
