"""Compiled kernels come from numba's disk cache, and never go stale: not
after an edit of a built-in kernel, and not when a plugin world is added,
edited or removed.

These tests copy the packages to a temporary folder and run fresh
interpreters against a private cache, so they compile A* from scratch twice.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.levels import FORK
from tests.worlds.plugin_package import TARGET, mirror_moves, write_plugin

ROOT = Path(__file__).resolve().parents[2]
PROBE = f"""
import json, sys
import worlds, planners
from planners import astar_kernel, corridor_astar_kernel, grid_astar_kernel
from worlds.jit import cache_dir
maze = worlds.get(sys.argv[1])
actions = []
if sys.argv[2] == "plan":
    actions = planners.AStar().plan(maze, maze.parse({FORK!r}), "exit").actions.tolist()
print(json.dumps({{
    "worlds": worlds.names(),
    "actions": actions,
    "cache_hits": sum(astar_kernel.astar_search.stats.cache_hits.values())
    + sum(grid_astar_kernel.grid_astar_search.stats.cache_hits.values())
    + sum(corridor_astar_kernel.corridor_astar_search.stats.cache_hits.values()),
    "cache_dir": str(cache_dir()),
}}))
"""


def probe(
    src: Path, cache: Path, world: str = "arrow-maze", *, plugin: bool = False, plan: bool = True
) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), MESABASE_CACHE_DIR=str(cache))
    env.pop("MESABASE_WORLDS", None)
    if plugin:
        env["MESABASE_WORLDS"] = TARGET
    command = [sys.executable, "-c", PROBE, world, "plan" if plan else "key"]
    result = subprocess.run(command, cwd=src, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def source_copy(tmp_path):
    src = tmp_path / "src"
    for package in ("worlds", "objectives", "planners"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    return src


@pytest.mark.slow
def test_kernels_load_from_cache_and_no_edit_or_plugin_change_runs_a_stale_kernel(source_copy, tmp_path):
    cache = tmp_path / "cache"
    plugin_kernels = write_plugin(source_copy)
    cold = probe(source_copy, cache, "mirror-maze", plugin=True)
    assert cold["worlds"][-1] == "mirror-maze"
    assert cold["actions"] == [1, 1, 1, 1] and cold["cache_hits"] == 0
    warm = probe(source_copy, cache, "mirror-maze", plugin=True)
    assert warm["actions"] == [1, 1, 1, 1] and warm["cache_hits"] == 1
    assert warm["cache_dir"] == cold["cache_dir"]
    # the same sources installed elsewhere (a new venv, a clean clone) load them too
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(source_copy, elsewhere)
    moved = probe(elsewhere, cache, "mirror-maze", plugin=True)
    assert moved["cache_dir"] == warm["cache_dir"] and moved["cache_hits"] == 1

    # Swap what "right" and "left" do inside the plugin's step kernel. A* lives
    # in another file, so numba's own staleness check would not notice.
    mirror_moves(plugin_kernels)
    edited = probe(source_copy, cache, "mirror-maze", plugin=True)
    assert edited["cache_dir"] != warm["cache_dir"]
    assert edited["actions"] == [3, 3, 3, 3] and edited["cache_hits"] == 0

    # Removing the plugin, or editing a built-in kernel, moves to another folder too.
    without = probe(source_copy, cache, plugin=False, plan=False)
    assert "mirror-maze" not in without["worlds"]
    assert without["cache_dir"] not in (cold["cache_dir"], edited["cache_dir"])
    mirror_moves(source_copy / "worlds" / "arrow_maze" / "kernels.py")
    builtin_edited = probe(source_copy, cache, plugin=False, plan=False)
    assert builtin_edited["cache_dir"] != without["cache_dir"]


def test_hash_covers_exactly_the_kernel_sources():
    from worlds.jit import _kernel_sources

    names = {p.relative_to(ROOT).as_posix() for p in _kernel_sources()}
    assert "worlds/arrow_maze/kernels.py" in names
    assert "worlds/dispatch.py" in names
    assert "planners/astar_kernel.py" in names
    # the registry's order gives the ids `worlds.dispatch` compiles in
    assert "worlds/registry.py" in names
    assert "planners/agent.py" not in names
