"""Plugin worlds are found without importing them, fingerprinted by their
sources, loaded with plain errors, and compiled into a generated dispatch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import worlds
from tests.levels import FORK
from tests.worlds.plugin_package import (
    CONTINUOUS_TARGET,
    PYTHON_TARGET,
    ROOT,
    TARGET,
    mirror_moves,
    write_continuous_plugin,
    write_plugin,
    write_python_world,
)
from worlds import dispatch, plugins, registry
from worlds.python_kernels import PythonKernels


@pytest.fixture
def plugin_path(tmp_path, monkeypatch):
    """The `mirror_maze` package on the import path, declared through the variable."""
    kernels = write_plugin(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(plugins.ENVIRONMENT_VARIABLE, f" {TARGET} ,")
    yield kernels
    for name in [m for m in sys.modules if m.startswith("mirror_maze")]:
        del sys.modules[name]


def test_the_variable_declares_plugins_after_entry_points_in_order(plugin_path, monkeypatch):
    monkeypatch.setenv(plugins.ENVIRONMENT_VARIABLE, f"{TARGET},other.module:World")
    specs = [s for s in plugins.declared() if s.label.startswith("$")]
    assert [(s.label, s.target) for s in specs] == [
        ("$MESABASE_WORLDS[0]", TARGET),
        ("$MESABASE_WORLDS[1]", "other.module:World"),
    ]
    assert (specs[0].module, specs[0].attribute) == ("mirror_maze.world", "MirrorMaze")


def test_a_world_both_installed_and_in_the_variable_is_declared_once(monkeypatch):
    installed = [s for s in plugins.declared() if not s.label.startswith("$")]
    if not installed:
        pytest.skip("no plugin world is installed in this environment")
    monkeypatch.setenv(plugins.ENVIRONMENT_VARIABLE, installed[0].target)
    assert [s.target for s in plugins.declared()].count(installed[0].target) == 1


def test_fingerprint_reads_the_sources_without_importing_and_follows_every_edit(plugin_path):
    spec = plugins.PluginSpec("mirror", TARGET)
    files = plugins.source_files(spec)
    assert {f.name for f in files} == {"__init__.py", "world.py", "kernels.py"}
    before = plugins.fingerprint([spec])
    assert "mirror_maze" not in sys.modules and "mirror_maze.world" not in sys.modules
    assert len(before) == 16 and before == plugins.fingerprint([spec])
    mirror_moves(plugin_path)
    assert plugins.fingerprint([spec]) != before
    assert plugins.fingerprint([]) == ""
    # a plugin that cannot be found still changes the key, by its name
    missing = plugins.PluginSpec("gone", "no_such_package.world:Gone")
    assert plugins.source_files(missing) == []
    assert plugins.fingerprint([missing]) not in ("", before)


def test_load_makes_the_world_and_says_what_went_wrong(plugin_path):
    world = plugins.load(plugins.PluginSpec("mirror", TARGET))
    assert world.name == "mirror-maze" and isinstance(world, worlds.World)
    assert registry.contract_problems(world) == []
    cases = {
        "mirror_maze.world": "expected 'module:attribute'",
        "no_such_package.world:Gone": "could not be imported: ModuleNotFoundError",
        "mirror_maze.world:Absent": "module 'mirror_maze.world' has no 'Absent'",
        "mirror_maze.world:mirror_kernels": "neither a worlds.World subclass nor an instance",
    }
    for target, message in cases.items():
        with pytest.raises(plugins.PluginLoadError, match=message) as raised:
            plugins.load(plugins.PluginSpec("x", target))
        assert f"plugin world x ({target})" in str(raised.value)


def test_generated_dispatch_has_one_branch_per_world_and_serves_every_registered_world():
    text = dispatch.source([worlds.get(n) for n in worlds.names()])
    for name in worlds.names():
        world = worlds.get(name)
        assert f"import {world.kernels.__name__} as world_{world.world_id}" in text
        assert text.count(f"if world_id == {world.world_id}:") == len(dispatch.OPERATIONS) + len(
            dispatch.CONSTANTS
        )
        assert dispatch.num_actions(world.world_id) == len(world.actions)
        assert dispatch.num_features(world.world_id) == len(world.features)
    generated = sys.modules["worlds._generated_dispatch"]
    assert generated.__file__.startswith(str(worlds.jit.cache_dir()))
    with pytest.raises(ValueError, match="unknown world id"):
        dispatch.num_actions(len(worlds.names()))


def test_a_world_with_kernels_cannot_join_after_the_kernels_are_generated(plugin_path):
    late = plugins.load(plugins.PluginSpec("mirror", TARGET))
    with pytest.raises(worlds.WorldContractError, match=r"mesabase\.worlds.*MESABASE_WORLDS"):
        worlds.register(late)
    assert "mirror-maze" not in worlds.names()


def test_a_broken_plugin_is_left_out_with_a_warning(monkeypatch):
    monkeypatch.setenv(plugins.ENVIRONMENT_VARIABLE, "no_such_package.world:Gone")
    before = worlds.names()
    monkeypatch.setattr(registry, "_SEALED", [])
    monkeypatch.setattr(registry, "_WORLDS", dict(registry._WORLDS))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dispatch._load_plugins()
    assert any("no_such_package" in str(w.message) and "goes on without it" in str(w.message) for w in caught)
    assert registry.names() == before


def test_python_kernels_agree_with_the_world_kernels_they_stand_in_for():
    maze = worlds.get("arrow-maze")
    stand_in = PythonKernels(maze)
    kernels = maze.kernels
    level = maze.sample(seed=3, split="test")
    grid, params = level.grid, level.params
    rng = np.random.default_rng(0)
    free = np.argwhere(grid[0] == 0)
    mask = np.ones(len(maze.features))
    for row, col in free[rng.choice(len(free), 20, replace=False)]:
        state = np.array([row, col], dtype=np.int64)
        assert stand_in.terminal(grid, params, state) == kernels.terminal(grid, params, state)
        assert stand_in.key(grid, params, state) != stand_in.key(grid, params, state[::-1]) or row == col
        for action in range(len(maze.actions)):
            ours, theirs = np.zeros(2, np.int64), np.zeros(2, np.int64)
            stand_in.step(grid, params, state, action, ours)
            kernels.step(grid, params, state, action, theirs)
            assert ours.tolist() == theirs.tolist()
            f_ours, f_theirs = np.zeros(len(mask)), np.zeros(len(mask))
            stand_in.features(grid, params, state, action, ours, mask, f_ours)
            kernels.features(grid, params, state, action, theirs, mask, f_theirs)
            np.testing.assert_allclose(f_ours, f_theirs)
    assert stand_in.heuristic(grid, params, free[0], mask) == 0.0
    assert stand_in.key_bound(grid, params) == -1
    with pytest.raises(ValueError, match="define reference_key"):
        stand_in.key(grid, params, np.array([-1, 0]))


def run_with_plugin(tmp_path, target: str, probe: str, **environment: str) -> subprocess.CompletedProcess:
    """Run `probe` in a fresh interpreter with the plugin written under
    ``tmp_path / "plugin"`` declared as `target`; it must exit 0."""
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(tmp_path / "plugin"), str(ROOT)]),
        MESABASE_WORLDS=target,
        **environment,
    )
    command = [sys.executable, "-c", probe]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_a_world_without_kernels_plans_through_its_python_reference(tmp_path):
    write_python_world(tmp_path / "plugin")
    probe = (
        "import worlds, planners\n"
        f"maze = worlds.get('py-maze'); level = maze.parse({FORK!r})\n"
        "print(planners.AStar().plan(maze, level, 'exit').actions.tolist())\n"
        "twin = worlds.get('arrow-maze'); level = twin.sample(seed=2, split='test')\n"
        "print(len(planners.AStar().plan(maze, level, 'exit').actions),"
        " len(planners.AStar().plan(twin, level, 'exit').actions))\n"
    )
    # a private kernel cache: this world set compiles with reference counting
    result = run_with_plugin(tmp_path, PYTHON_TARGET, probe, MESABASE_CACHE_DIR=str(tmp_path / "cache"))
    first, second = result.stdout.strip().splitlines()[-2:]
    assert first == "[1, 1, 1, 1]"
    ours, theirs = second.split()
    assert ours == theirs
    assert "world 'py-maze' has no numba kernels" in result.stderr


@pytest.mark.slow
def test_a_continuous_plugin_world_plans_with_the_jax_planners_like_its_built_in_twin(tmp_path):
    """`glide` is the point mass with its numba kernels copied into a plugin:
    the gradient planner and CEM play it exactly as they play the point mass.
    The kernel cache is the shared one, so a warm run compiles only JAX."""
    write_continuous_plugin(tmp_path / "plugin")
    probe = (
        "import json, worlds\n"
        "from planners import CEM, Agent, GradientPlanner, rollout\n"
        "glide, twin = worlds.get('glide'), worlds.get('point-mass')\n"
        "rows = []\n"
        "for world in (twin, glide):\n"
        "    level = world.sample(seed=3, split='train')\n"
        "    for planner in (GradientPlanner(horizon=20, iterations=30, restarts=2, execute=5),\n"
        "                    CEM(horizon=20, samples=64, iterations=3, execute=5)):\n"
        "        episode = rollout(world, level, Agent(planner, 'exit'), max_steps=60, seed=3)\n"
        "        rows.append([episode.outcome, episode.steps, round(episode.returns['exit'], 9)])\n"
        "print(json.dumps({'ids': [twin.world_id, glide.world_id], 'rows': rows}))\n"
    )
    result = run_with_plugin(tmp_path, CONTINUOUS_TARGET, probe)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["ids"][1] > found["ids"][0]  # a plugin id, after the built-ins
    twin_rows, glide_rows = found["rows"][:2], found["rows"][2:]
    assert glide_rows == twin_rows
    assert all(steps > 0 for _, steps, _ in glide_rows)
