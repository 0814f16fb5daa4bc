"""Every benchmarked pair side by side, in one process and one run.

    python -m benchmarks.ratios [--quick] [--json] [--out DIR] [--tasks a,b] [--no-xla-option]

For each task in `benchmarks.registry` it builds the task's problem, prepares
every available implementation (compilation, graphs and buffers outside the
timing), runs each once and checks that they agree, then times them all with
`benchmarks.method`: interleaved rounds in alternating order, the same number
of rounds for every implementation, and for each pair the median of the
per-round ratios with its spread. It prints, per pair, ``ratio median [min,
max] (n rounds, load a→b)`` and the median seconds per run of every
implementation, writes the scaling curves to ``DIR/scaling-<task>.png`` and
everything (machine, load averages, CPU and wall time of every round, every
pair's `PairTiming`, where each task's time went) to ``DIR/ratios.json``.
``--quick`` uses small problems and few rounds, one round per scaling point
and no fresh-compilation timings, to finish in about a minute on two idle
cores; ``--json`` prints one JSON object instead of tables.

Before any task runs JAX, it gives XLA's CPU backend mesabase's small-loop
option (`worlds.xla_flags`), so that ours and the JAX peers compile with the
same backend options whatever order the tasks run in (``--no-xla-option``
keeps it off for all); the report records whether it was in force.

Figures taken while other processes run are noisy: the load averages in the
report say how busy the machine was, and the CPU-time ratios (process CPU
seconds, all threads) are steadier than wall time on a busy machine.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import method, registry

#: interleaved rounds wanted per task, and the wall seconds they may take
_ROUNDS = {"quick": 9, "full": 15}
_BUDGET_SECONDS = {"quick": 4.0, "full": 60.0}
#: rounds for each point of a scaling curve (median seconds per run)
_SCALING_ROUNDS = {"quick": 1, "full": 3}


def _prepared(module, problem) -> tuple[dict[str, Any], list[str]]:
    runners, missing = {}, []
    for impl in module.IMPLEMENTATIONS:
        if impl.missing_hint():
            missing.append(impl.missing_hint())
        else:
            runners[impl.name] = impl.prepare(problem)
    return runners, missing


def measure_task(name: str, scale: str) -> dict[str, Any]:
    """Check every available implementation of task `name`, then time them in
    interleaved rounds; returns the figures and every pair's timing."""
    began = time.perf_counter()
    module = registry.task(name)
    problem = module.problem(scale)
    runners, missing = _prepared(module, problem)
    module.check(problem, {impl: run() for impl, run in runners.items()})
    if hasattr(module, "timing_problem"):
        # timed on other inputs than the ones checked (see the task's docstring)
        problem = module.timing_problem(scale)
        runners, _ = _prepared(module, problem)
        for run in runners.values():
            run()  # warm-up
    prepared = time.perf_counter()
    # every runner has just been called once (the check or the warm-up above)
    record = method.run_rounds(runners, _ROUNDS[scale], _BUDGET_SECONDS[scale], warm_up=0)
    timed = time.perf_counter()
    # a task whose implementations do different amounts of work per run says
    # how much with `work`; ratios then compare time per unit of work
    work = functools.partial(module.work, problem) if hasattr(module, "work") else None
    pairs = {
        key: ratio
        for key, ratio in registry.ratio_pairs(name).items()
        if ratio.ours in runners and ratio.peer in runners
    }
    timings = {key: method.pair_timing(record, r.ours, r.peer, work) for key, r in pairs.items()}
    seconds = record.median_seconds()
    out = {
        "seconds": seconds,
        "seconds_per_unit": {impl: s / (work(impl) if work else 1) for impl, s in seconds.items()},
        "cpu_seconds": {impl: float(np.median(cpu)) for impl, cpu in record.cpu.items()},
        "ratios": {key: t.ratio_median for key, t in timings.items()},
        "pairs": {key: t.as_dict() | {"description": pairs[key].description} for key, t in timings.items()},
        "rounds": record.rounds,
        "stopped_by_budget": record.stopped_by_budget,
        "load_before": list(record.load_before),
        "load_after": list(record.load_after),
        "missing": missing,
    }
    if hasattr(module, "compile_seconds") and scale != "quick":
        out["compile_seconds"] = module.compile_seconds(problem)
    # where this run's own time went: building, compiling and checking; the rounds; the rest
    out["phase_seconds"] = {
        "prepare_and_check": prepared - began,
        "rounds": timed - prepared,
        "compile_timing": time.perf_counter() - timed,
    }
    return out


def measure_scaling(name: str, scale: str) -> dict[str, Any]:
    """Median seconds per run against the task's scaling axis, the plotted
    implementations interleaved at each point."""
    module = registry.task(name)
    label, quick_values, full_values, plotted = module.SCALING
    values = quick_values if scale == "quick" else full_values
    impls = registry.implementations(name)
    curves: dict[str, list[float | None]] = {impl: [] for impl in plotted if impls[impl].available()}
    for value in values:
        problem = getattr(module, "timing_problem", module.problem)(value)
        runs = {impl: impls[impl].prepare(problem) for impl in curves}
        record = method.run_rounds(
            runs, _SCALING_ROUNDS[scale], budget_s=0.0, min_rounds=_SCALING_ROUNDS[scale]
        )
        for impl, seconds in record.median_seconds().items():
            curves[impl].append(seconds)
    return {"axis": label, "values": list(values), "seconds": curves}


def plot_scaling(name: str, scaling: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for impl, seconds in scaling["seconds"].items():
        ax.plot(scaling["values"], seconds, marker="o", label=impl)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(scaling["axis"])
    ax.set_ylabel("seconds per run (median of interleaved rounds)")
    ax.set_title(f"{name}: time against {scaling['axis']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _xla_option(wanted: bool = True) -> bool:
    """Decide XLA's CPU small-loop option (`worlds.xla_flags`) for the whole
    run before any task starts JAX, so that every JAX implementation, ours and
    the peers', compiles with the same backend options whichever task runs
    first: `wanted` adds it to ``XLA_FLAGS``; False keeps mesabase from adding
    it (``MESABASE_XLA_DEFAULTS=0``). Returns whether the option is in force
    (as the environment has it where the user set their own backend options
    or JAX had already started)."""
    from worlds import xla_flags

    if xla_flags.jax_backend_started():
        return xla_flags.OPTION in os.environ.get("XLA_FLAGS", "")
    if not wanted:
        os.environ["MESABASE_XLA_DEFAULTS"] = "0"
        return xla_flags.OPTION in os.environ.get("XLA_FLAGS", "")
    return xla_flags.enable_small_loop_kernels()


def _measure_in_child(name: str, scale: str, out: Path | None, environment: dict[str, str]) -> dict[str, Any]:
    """Measure task `name` in a child process with `environment`, for a task
    that needs what only a fresh interpreter can have (a plugin world
    registered when `worlds` is imported)."""
    command = [sys.executable, "-m", "benchmarks.ratios", "--json", "--tasks", name]
    command += ["--quick"] if scale == "quick" else []
    command += ["--out", str(out)] if out is not None else ["--no-out"]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"task {name} failed in its child process:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])["report"]["tasks"][name]
    result["measured_in_child_process"] = True
    return result


def run(
    scale: str, out: Path | None, tasks=registry.TASKS, progress=print, xla_option: bool = True
) -> dict[str, Any]:
    """Measure every task; returns one JSON-ready object. `xla_option`: see `_xla_option`."""
    xla_option = _xla_option(xla_option)
    report: dict[str, Any] = {
        "scale": scale,
        "method": {
            "rounds": _ROUNDS[scale],
            "budget_seconds_per_task": _BUDGET_SECONDS[scale],
            "ratio": "median of per-round ratios, peer seconds / our seconds (per unit of work)",
            "order": "interleaved rounds, order reversed every round, equal counts",
            "xla_small_loop_option": xla_option,
        },
        "machine": method.machine(),
        "tasks": {},
        "ratios": {},
    }
    for name in tasks:
        progress(f"measuring {name} ...")
        child = getattr(registry.task(name), "child_environment", lambda: None)()
        if child is not None:
            result = _measure_in_child(name, scale, out, child)
            report["tasks"][name] = result
            report["ratios"].update(result["ratios"])
            continue
        result = measure_task(name, scale)
        report["tasks"][name] = result
        report["ratios"].update(result["ratios"])
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            began = time.perf_counter()
            scaling = measure_scaling(name, scale)
            result["phase_seconds"]["scaling"] = time.perf_counter() - began
            result["scaling"] = scaling
            plot_scaling(name, scaling, out / f"scaling-{name}.png")
    report["load_after"] = list(method.load_average())
    if out is not None:
        (out / "ratios.json").write_text(json.dumps(report, indent=2))
    return report


def pair_lines(report: dict[str, Any]) -> list[str]:
    """One line per pair: ``key: ratio median [min, max] (n rounds, load a→b)``."""
    lines = []
    for result in report["tasks"].values():
        for key, pair in result["pairs"].items():
            timing = method.PairTiming.from_dict(pair)
            lines.append(f"{key}: {timing.summary()}")
    return lines


def _print_tables(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    machine = report["machine"]
    figures = Table(title=f"median seconds per run ({report['scale']} problems) on {machine['cpu']}, "
                    f"{machine['cores']} cores, load {machine['load_average'][0]:.2f}")  # fmt: skip
    for column in ("task", "implementation", "wall s", "CPU s"):
        figures.add_column(column)
    for name, result in report["tasks"].items():
        for impl, seconds in result["seconds"].items():
            figures.add_row(name, impl, f"{seconds:.4g}", f"{result['cpu_seconds'][impl]:.4g}")
        for hint in result["missing"]:
            figures.add_row(name, "", hint, "")
        if "compile_seconds" in result:
            figures.add_row(name, "compile", f"{result['compile_seconds']:.3g}", "")
    console.print(figures)
    ratios = Table(title="how many times faster mesabase is: median of per-round ratios [min, max]")
    columns = (("pair", "left"), ("wall ratio", "right"), ("CPU ratio", "right"), ("rounds, load", "left"))
    for column, justify in (*columns, ("peer", "left")):
        ratios.add_column(column, justify=justify)  # type: ignore[arg-type]
    for result in report["tasks"].values():
        for key, pair in result["pairs"].items():
            timing = method.PairTiming.from_dict(pair)
            ratio, _, rest = timing.summary().partition(" (")
            cpu = f"{timing.cpu_ratio_median:,.1f}x"
            ratios.add_row(key, ratio, cpu, rest.rstrip(")"), pair["description"] or pair["peer"])
    console.print(ratios)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ratios", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small problems, few rounds: about a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument(
        "--out", default="mesabase-out/benchmarks", help="folder for the scaling plots and JSON"
    )
    parser.add_argument("--tasks", default=",".join(registry.TASKS), help="comma-separated subset of tasks")
    parser.add_argument(
        "--xla-option",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="XLA's CPU small-loop option for every JAX implementation alike (default: on)",
    )
    parser.add_argument("--no-out", action="store_true", help="no scaling plots or JSON file")
    args = parser.parse_args(argv)
    tasks = [t for t in args.tasks.split(",") if t]
    unknown = set(tasks) - set(registry.TASKS)
    if unknown:
        print(
            f"ratios: error: unknown task(s) {sorted(unknown)}; tasks: {', '.join(registry.TASKS)}",
            file=sys.stderr,
        )
        return 2
    quiet = (lambda *_: None) if args.json else (lambda text: print(text, file=sys.stderr))
    scale = "quick" if args.quick else "full"
    out = None if args.no_out else Path(args.out)
    report = run(scale, out, tasks, progress=quiet, xla_option=args.xla_option)
    if args.json:
        print(json.dumps(report["ratios"] | {"report": report}))
    else:
        _print_tables(report)
        for line in pair_lines(report):
            print(line)
        if out is not None:
            print(f"scaling plots and ratios.json in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
