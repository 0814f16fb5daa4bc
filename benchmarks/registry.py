"""One registry of implementations, ours and the peers', for every benchmarked
task. The correctness checks (`tests`-style asserts in the ``bench_*.py``
suites), the pytest-benchmark timings and ``python -m benchmarks.ratios`` all
read it, so they always compare the same things.

A *task* module (``benchmarks/task_<name>.py``, where a dash in the task's
name becomes an underscore: ``task_astar.py``, ``task_astar_open.py``,
``task_mcts.py``, ``task_step.py``, ``task_gradient.py``,
``task_plugin_step.py``) defines:

- ``IMPLEMENTATIONS``: a list of `Implementation`;
- ``problem(scale)``: the inputs for a scale (``"quick"``, ``"full"`` or a
  task-specific number, e.g. a maze size), built once;
- ``check(problem, results)``: asserts that every implementation's result
  (a dict name -> result) agrees with ours (same path length, same value...);
- ``RATIOS``: ratio key -> (our implementation, peer) or (our
  implementation, peer, one-line description), e.g.
  ``{"astar_vs_networkx": ("mesabase", "networkx")}``; a ratio is how many
  times faster ours is (peer seconds / our seconds), measured by
  `benchmarks.method` (read them through `ratio_pairs`);
- ``SCALING``: (axis label, quick values, full values, implementations to
  plot) for the scaling curve; ``problem(value)`` builds each point;
- optionally ``timing_problem(scale)``: other inputs to time than the ones
  checked, where the checked inputs would flatter one side (MCTS);
- optionally ``work(problem, name)``: units of work per run, where the
  implementations do different amounts (ratios then compare time per unit);
- optionally ``child_environment()``: None, or the environment of a fresh
  interpreter the task must be measured in (``task_plugin_step.py``: a plugin
  world has to be declared before `worlds` is imported).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from typing import Any

TASKS = ("astar", "astar-open", "mcts", "step", "gradient", "plugin-step")


@dataclasses.dataclass(frozen=True)
class Implementation:
    """One way to solve a task.

    Attributes:
        name: e.g. ``"mesabase"``, ``"networkx"``, ``"pyastar2d"``.
        ours: True for mesabase's own implementations.
        prepare: ``prepare(problem) -> run``: everything that should not be
            timed (graph building, compilation, buffers) happens here; ``run()``
            solves the problem once and returns a result for `check`.
        requires: the module the peer needs (``None`` for none); missing peers
            are skipped with a hint to ``pip install "mesabase[bench]"``.
    """

    name: str
    ours: bool
    prepare: Callable[[Any], Callable[[], Any]]
    requires: str | None = None

    def missing_hint(self) -> str | None:
        """None when the implementation can run, else what to install."""
        if self.available():
            return None
        return f'{self.requires} is not installed: pip install "mesabase[bench]"'

    def available(self) -> bool:
        if self.requires is None:
            return True
        try:
            importlib.import_module(self.requires)
        except ImportError:
            return False
        return True


def task(name: str):
    """The task module called `name`."""
    if name not in TASKS:
        raise KeyError(f"unknown benchmark task {name!r}; tasks: {', '.join(TASKS)}")
    return importlib.import_module(f"benchmarks.task_{name.replace('-', '_')}")


def implementations(name: str) -> dict[str, Implementation]:
    return {impl.name: impl for impl in task(name).IMPLEMENTATIONS}


@dataclasses.dataclass(frozen=True)
class Ratio:
    """One ratio a task reports: how many times faster `ours` is than `peer`."""

    key: str
    ours: str
    peer: str
    description: str = ""


def ratio_pairs(name: str) -> dict[str, Ratio]:
    """Task `name`'s ``RATIOS``, each entry read as a `Ratio`."""
    out = {}
    for key, entry in task(name).RATIOS.items():
        ours, peer, *rest = entry
        out[key] = Ratio(key, ours, peer, rest[0] if rest else "")
    return out
