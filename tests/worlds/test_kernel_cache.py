"""Compiled kernels come from numba's disk cache, and never go stale.

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

ROOT = Path(__file__).resolve().parents[2]
PROBE = f"""
import json
import worlds, planners
from planners import astar_kernel, corridor_astar_kernel, grid_astar_kernel
from worlds.jit import cache_dir
maze = worlds.get("arrow-maze")
plan = planners.AStar().plan(maze, maze.parse({FORK!r}), "exit")
print(json.dumps({{
    "actions": plan.actions.tolist(),
    "cache_hits": sum(astar_kernel.astar_search.stats.cache_hits.values())
    + sum(grid_astar_kernel.grid_astar_search.stats.cache_hits.values())
    + sum(corridor_astar_kernel.corridor_astar_search.stats.cache_hits.values()),
    "cache_dir": str(cache_dir()),
}}))
"""


def probe(src: Path, cache: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), MESABASE_CACHE_DIR=str(cache))
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=src, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def source_copy(tmp_path):
    src = tmp_path / "src"
    for package in ("worlds", "objectives", "planners"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    return src


@pytest.mark.slow
def test_second_process_loads_from_cache_and_kernel_edits_take_effect(source_copy, tmp_path):
    cache = tmp_path / "cache"
    cold = probe(source_copy, cache)
    assert cold["actions"] == [1, 1, 1, 1] and cold["cache_hits"] == 0
    warm = probe(source_copy, cache)
    assert warm["actions"] == [1, 1, 1, 1] and warm["cache_hits"] == 1
    assert warm["cache_dir"] == cold["cache_dir"]

    # Swap what "right" and "left" do inside the world's step kernel. A* lives
    # in another file, so numba's own staleness check would not notice.
    kernels = source_copy / "worlds" / "arrow_maze" / "kernels.py"
    text = kernels.read_text()
    edited = text.replace("COL_STEP = np.array([0, 1, 0, -1]", "COL_STEP = np.array([0, -1, 0, 1]")
    assert edited != text
    kernels.write_text(edited)
    after = probe(source_copy, cache)
    assert after["cache_dir"] != warm["cache_dir"]
    assert after["actions"] == [3, 3, 3, 3]


def test_hash_covers_exactly_the_kernel_sources():
    from worlds.jit import _kernel_sources

    names = {p.relative_to(ROOT).as_posix() for p in _kernel_sources()}
    assert "worlds/arrow_maze/kernels.py" in names
    assert "worlds/dispatch.py" in names
    assert "planners/astar_kernel.py" in names
    # the registry's order gives the ids `worlds.dispatch` compiles in
    assert "worlds/registry.py" in names
    assert "planners/agent.py" not in names
