"""Seconds from a fresh interpreter to its first A* plan, with the kernel
cache present, with and without a plugin world.

    python -m benchmarks.warm_start [--runs 7]

Each run is a new ``python -c`` process that imports `worlds` and
`planners` and plans one A* path on a small arrow maze; the wall time of the
whole process is measured from outside. ``"as installed"`` plans on the
arrow maze with the worlds installed in this environment (built-ins, and any
installed plugin such as ``examples/lava``); ``"one more plugin"`` also
declares `tests.worlds.plugin_package`'s ``mirror-maze`` through
``$MESABASE_WORLDS`` and plans on it. ``"numba floor"`` is what no numba
user avoids: importing numba and calling one trivial cached function. One
warm-up run of each fills its cache folder (each world set has its own); then
the runs alternate, and the median with its range is printed with the load
average.

"Cache present" includes Python's bytecode cache, which every installed
package and every imported source has by default: the probes keep theirs in a
folder of their own (``PYTHONPYCACHEPREFIX``), even where the environment sets
``PYTHONDONTWRITEBYTECODE``, so all three settings start alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import method
from tests.worlds.plugin_package import TARGET, write_plugin

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import worlds, planners, sys\n"
    "world = worlds.get(sys.argv[1])\n"
    "level = world.sample(seed=0, split='train')\n"
    "assert len(planners.AStar().plan(world, level, 'exit').actions) > 0\n"
)


def environments(folder: Path) -> dict[str, tuple[dict[str, str], str]]:
    """Setting -> (environment, world to plan on); Python's bytecode cache
    for all of them lives in `folder`."""
    write_plugin(folder)
    base = {k: v for k, v in os.environ.items() if k not in ("MESABASE_WORLDS", "PYTHONDONTWRITEBYTECODE")}
    base["PYTHONPYCACHEPREFIX"] = str(folder / "bytecode")
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    plugin = dict(base, MESABASE_WORLDS=TARGET, PYTHONPATH=f"{folder}{os.pathsep}{base['PYTHONPATH']}")
    (folder / "numba_floor.py").write_text(FLOOR)
    floor = dict(base, PYTHONPATH=str(folder))
    return {
        "as installed": (base, "arrow-maze"),
        "one more plugin": (plugin, "mirror-maze"),
        "numba floor": (floor, ""),
    }


FLOOR = "import numba\n\n\n@numba.njit(cache=True)\ndef one(x):\n    return x + 1\n"


def first_plan_seconds(environment: dict[str, str], world: str) -> float:
    """Wall seconds of one fresh process; no world: the numba floor."""
    probe = [PROBE, world] if world else ["import numba_floor; numba_floor.one(1)"]
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", *probe], env=environment, check=True, capture_output=True)
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.warm_start", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each setting (default 7)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        print("warm_start: error: --runs must be at least 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mesabase-warm-start-") as folder:
        settings = environments(Path(folder))
        for environment, world in settings.values():
            first_plan_seconds(environment, world)  # fills the cache folder
        load_before = method.load_average()
        seconds: dict[str, list[float]] = {name: [] for name in settings}
        for round_ in range(args.runs):
            order = list(settings) if round_ % 2 == 0 else list(reversed(settings))
            for name in order:
                seconds[name].append(first_plan_seconds(*settings[name]))
    print(f"{method.machine()['cpu']}; load {load_before[0]:.2f}→{method.load_average()[0]:.2f}")
    for name, values in seconds.items():
        what = "A* plan" if settings[name][1] else "call"
        print(
            f"{name}: {statistics.median(values):.2f} s to the first {what} "
            f"[{min(values):.2f}, {max(values):.2f}] over {len(values)} fresh processes"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
