"""Every benchmarked pair side by side, in one process and one run.

    python -m benchmarks.ratios [--quick] [--json] [--out DIR]

For each task in `benchmarks.registry` it builds the task's problem, prepares
every available implementation (compilation, graphs and buffers outside the
timing), runs each once and checks that they agree, then times each: warm-up,
then the best of several runs. It prints the absolute figures on this machine
and the ratios (how many times faster ours is than each peer), writes the
scaling curves to ``DIR/scaling-<task>.png`` and the figures to
``DIR/ratios.json``. ``--quick`` uses small problems and finishes in under a
minute on two cores; ``--json`` prints one JSON object instead of tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import registry

#: how long each timing may take: enough repeats to smooth out noise
_BUDGET_SECONDS = {"quick": 0.3, "full": 2.0}
_MAX_REPEATS = 50


def best_seconds(run, budget: float, warm_up: bool = True) -> float:
    """The fastest of several calls of `run` (after one warm-up call, unless
    the caller has just made one)."""
    if warm_up:
        run()
    times: list[float] = []
    began = time.perf_counter()
    while len(times) < _MAX_REPEATS and (not times or time.perf_counter() - began < budget):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _prepared(module, problem) -> tuple[dict[str, Any], list[str]]:
    runners, missing = {}, []
    for impl in module.IMPLEMENTATIONS:
        if impl.missing_hint():
            missing.append(impl.missing_hint())
        else:
            runners[impl.name] = impl.prepare(problem)
    return runners, missing


def measure_task(name: str, scale: str) -> dict[str, Any]:
    """Seconds per run of every available implementation, checked, and the
    task's ratios."""
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
    seconds = {
        impl: best_seconds(run, _BUDGET_SECONDS[scale], warm_up=False) for impl, run in runners.items()
    }
    # a task whose implementations do different amounts of work per run (a
    # slow baseline runs fewer iterations) says how much with `work`; ratios
    # then compare time per unit of work
    unit = {impl: seconds[impl] / getattr(module, "work", lambda *_: 1)(problem, impl) for impl in seconds}
    ratios = {
        key: unit[peer] / unit[ours]
        for key, (ours, peer) in module.RATIOS.items()
        if ours in seconds and peer in seconds
    }
    out = {"seconds": seconds, "seconds_per_unit": unit, "ratios": ratios, "missing": missing}
    if hasattr(module, "compile_seconds"):
        out["compile_seconds"] = module.compile_seconds(problem)
    return out


def measure_scaling(name: str, scale: str) -> dict[str, Any]:
    """Seconds per run against the task's scaling axis."""
    module = registry.task(name)
    label, quick_values, full_values, plotted = module.SCALING
    values = quick_values if scale == "quick" else full_values
    impls = registry.implementations(name)
    curves: dict[str, list[float | None]] = {impl: [] for impl in plotted if impls[impl].available()}
    for value in values:
        problem = getattr(module, "timing_problem", module.problem)(value)
        for impl in curves:
            curves[impl].append(best_seconds(impls[impl].prepare(problem), _BUDGET_SECONDS["quick"]))
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
    ax.set_ylabel("seconds per run (best of several)")
    ax.set_title(f"{name}: time against {scaling['axis']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.system(),
    }


def run(scale: str, out: Path | None, tasks=registry.TASKS, progress=print) -> dict[str, Any]:
    """Measure every task; returns one JSON-ready object."""
    report: dict[str, Any] = {"scale": scale, "machine": machine(), "tasks": {}, "ratios": {}}
    for name in tasks:
        progress(f"measuring {name} ...")
        result = measure_task(name, scale)
        report["tasks"][name] = result
        report["ratios"].update(result["ratios"])
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            scaling = measure_scaling(name, scale)
            result["scaling"] = scaling
            plot_scaling(name, scaling, out / f"scaling-{name}.png")
    if out is not None:
        (out / "ratios.json").write_text(json.dumps(report, indent=2))
    return report


def _print_tables(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    figures = Table(title=f"seconds per run ({report['scale']} problems) on {report['machine']['cpu']}, "
                    f"{report['machine']['cores']} cores")  # fmt: skip
    for column in ("task", "implementation", "seconds per run"):
        figures.add_column(column)
    for name, result in report["tasks"].items():
        for impl, seconds in result["seconds"].items():
            figures.add_row(name, impl, f"{seconds:.4g}")
        for hint in result["missing"]:
            figures.add_row(name, "", hint)
        if "compile_seconds" in result:
            figures.add_row(name, "compile", f"{result['compile_seconds']:.3g}")
    console.print(figures)
    ratios = Table(title="how many times faster mesabase is")
    ratios.add_column("pair")
    ratios.add_column("ratio", justify="right")
    for key, value in report["ratios"].items():
        ratios.add_row(key, f"{value:,.1f}x")
    console.print(ratios)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ratios", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small problems: under a minute on two cores")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument(
        "--out", default="mesabase-out/benchmarks", help="folder for the scaling plots and JSON"
    )
    parser.add_argument("--tasks", default=",".join(registry.TASKS), help="comma-separated subset of tasks")
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
    report = run("quick" if args.quick else "full", Path(args.out), tasks, progress=quiet)
    if args.json:
        print(json.dumps(report["ratios"] | {"report": report}))
    else:
        _print_tables(report)
        print(f"scaling plots and ratios.json in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
