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
user avoids: importing numba and calling one trivial cached function.
``"mesabase on top of the floor"`` pays that floor first and then times, inside
the process, the probe's imports, sample and plan: what mesabase itself adds,
paired within one process and so much steadier than the difference of two
noisy wall times. One warm-up run of each fills its cache folder (each world
set has its own); then the runs alternate, and the median with its range is
printed with the load average.

"Cache present" includes Python's bytecode cache, which every installed
package and every imported source has by default: the probes keep theirs in a
folder of their own (``PYTHONPYCACHEPREFIX``), even where the environment sets
``PYTHONDONTWRITEBYTECODE``, so all the settings start alike.
"""

from __future__ import annotations

import argparse
import dataclasses
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
    "import worlds, planners\n"
    "world = worlds.get({world!r})\n"
    "level = world.sample(seed=0, split='train')\n"
    "assert len(planners.AStar().plan(world, level, 'exit').actions) > 0\n"
)


FLOOR = "import numba\n\n\n@numba.njit(cache=True)\ndef one(x):\n    return x + 1\n"
#: numba's floor first, then the probe, timed from inside: what mesabase adds
ON_TOP = (
    "import time, numba_floor\n"
    "numba_floor.one(1)\n"
    "began = time.perf_counter()\n" + PROBE + "print(time.perf_counter() - began)\n"
)


@dataclasses.dataclass(frozen=True)
class Setting:
    environment: dict[str, str]
    code: str
    #: the process's whole wall time, or the seconds it prints itself
    timed_inside: bool = False


def settings_in(folder: Path) -> dict[str, Setting]:
    """The settings measured; Python's bytecode cache for all of them lives
    in `folder`."""
    write_plugin(folder)
    (folder / "numba_floor.py").write_text(FLOOR)
    base = {k: v for k, v in os.environ.items() if k not in ("MESABASE_WORLDS", "PYTHONDONTWRITEBYTECODE")}
    base["PYTHONPYCACHEPREFIX"] = str(folder / "bytecode")
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    with_folder = dict(base, PYTHONPATH=f"{folder}{os.pathsep}{base['PYTHONPATH']}")
    plugin = dict(with_folder, MESABASE_WORLDS=TARGET)
    return {
        "as installed": Setting(base, PROBE.format(world="arrow-maze")),
        "one more plugin": Setting(plugin, PROBE.format(world="mirror-maze")),
        "numba floor": Setting(dict(base, PYTHONPATH=str(folder)), "import numba_floor; numba_floor.one(1)"),
        "mesabase on top of the floor": Setting(with_folder, ON_TOP.format(world="arrow-maze"), True),
    }


def seconds(setting: Setting) -> float:
    """One fresh process's wall seconds, or the seconds it timed itself."""
    began = time.perf_counter()
    command = [sys.executable, "-c", setting.code]
    done = subprocess.run(command, env=setting.environment, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - began
    return float(done.stdout.split()[-1]) if setting.timed_inside else wall


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
        settings = settings_in(Path(folder))
        for setting in settings.values():
            seconds(setting)  # fills the kernel and bytecode caches
        load_before = method.load_average()
        measured: dict[str, list[float]] = {name: [] for name in settings}
        for round_ in range(args.runs):
            order = list(settings) if round_ % 2 == 0 else list(reversed(settings))
            for name in order:
                measured[name].append(seconds(settings[name]))
    print(f"{method.machine()['cpu']}; load {load_before[0]:.2f}→{method.load_average()[0]:.2f}")
    for name, values in measured.items():
        what = {"numba floor": "to the first call", "mesabase on top of the floor": "added, timed inside"}
        print(
            f"{name}: {statistics.median(values):.3f} s {what.get(name, 'to the first A* plan')} "
            f"[{min(values):.3f}, {max(values):.3f}] over {len(values)} fresh processes"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
