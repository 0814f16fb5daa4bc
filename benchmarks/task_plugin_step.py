"""A plugin world's kernels against the same kernels built in, per step.

``"plugin"`` is `tests.worlds.plugin_package`'s ``mirror-maze``: the arrow
maze's kernels module copied, unchanged, into a package of its own and
registered through ``$MESABASE_WORLDS``, so it reaches the planners through
the generated `worlds.dispatch` exactly as an installed plugin does.
``"built-in"`` is the arrow maze. Both play the same seeded random actions on
the same level in `benchmarks.task_step.play_kernel` (the compiled loop:
``step`` and ``features`` through the dispatch per action, the env's episode
semantics), and `check` asserts equal results. The ratio
``plugin_vs_builtin`` is built-in seconds / plugin seconds: 1.0 is equal
speed, 0.9 is a plugin 10% slower.

The plugin must be registered when `worlds` is imported, so when this
process lacks it `benchmarks.ratios` measures the task in a child process
(`child_environment` writes the package to a temporary folder and names it).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import numpy as np

import worlds
from benchmarks.registry import Implementation
from benchmarks.task_step import _kernel_player
from tests.worlds.plugin_package import TARGET, write_plugin

PLUGIN = "mirror-maze"
BUILT_IN = "arrow-maze"
SEED = 2
#: maze size and actions per run
SCALES = {"quick": (31, 20_000), "full": (101, 200_000)}


@dataclasses.dataclass(frozen=True)
class PluginStepProblem:
    level_text: str
    actions: np.ndarray  # int64[T]
    max_steps: int


def child_environment() -> dict[str, str] | None:
    """None when this process has the plugin; else the environment of a
    child process that has it (the package written to a temporary folder)."""
    if PLUGIN in worlds.names():
        return None
    folder = Path(tempfile.mkdtemp(prefix="mesabase-plugin-bench-"))
    write_plugin(folder)
    root = Path(__file__).resolve().parents[1]
    path = os.pathsep.join(filter(None, [str(folder), str(root), os.environ.get("PYTHONPATH", "")]))
    return dict(os.environ, PYTHONPATH=path, MESABASE_WORLDS=TARGET)


def problem(scale) -> PluginStepProblem:
    size, count = SCALES[scale] if isinstance(scale, str) else (int(scale), SCALES["quick"][1])
    maze = worlds.get(BUILT_IN)
    level = maze.sample(seed=SEED, split="test", size=size)
    actions = np.random.default_rng(SEED).integers(0, len(maze.actions), size=count, dtype=np.int64)
    return PluginStepProblem(maze.format(level), actions, max_steps=4 * size * size)


def _prepare(world_name: str):
    def prepare(p: PluginStepProblem):
        world = worlds.get(world_name)
        play = _kernel_player(world, world.parse(p.level_text), p.max_steps)
        play(p.actions[:1])  # compile or load from the cache outside the timing
        return lambda: play(p.actions)

    return prepare


def check(p: PluginStepProblem, results: dict) -> None:
    if "plugin" in results:
        assert results["plugin"] == results["built-in"], (results["plugin"], results["built-in"])


IMPLEMENTATIONS = [
    Implementation("plugin", ours=True, prepare=_prepare(PLUGIN)),
    Implementation("built-in", ours=False, prepare=_prepare(BUILT_IN)),
]
RATIOS = {
    "plugin_vs_builtin": (
        "plugin",
        "built-in",
        "the arrow maze's kernels as a plugin world vs built in (1.0 = equal speed; target ≥ 0.9)",
    )
}
SCALING = ("maze side", [15, 31], [31, 101, 201], ["plugin", "built-in"])
