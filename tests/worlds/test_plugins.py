"""Plugin worlds are found without importing them, fingerprinted by their
sources, loaded with plain errors, and compiled into a generated dispatch."""

from __future__ import annotations

import sys
import warnings

import pytest

import worlds
from tests.worlds.plugin_package import TARGET, mirror_moves, write_plugin
from worlds import dispatch, plugins, registry


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
