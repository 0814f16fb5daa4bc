"""Study throughput: the process pool against the serial executor.

    python -m benchmarks.pool_speed [--rounds 3] [--seeds 8] [--workers 2]

Each run is ``python -m studies run arrow-maze --seeds N --no-report
--executor E`` into a fresh folder, timed from outside (interpreter start,
every cell, the store; no report). One serial run first warms the kernel
cache; then the rounds alternate the order of the two executors, and the
per-round ratio (serial seconds / pool seconds) is printed with its median and
range and the load average before each run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import method


def run_seconds(executor: str, seeds: int, workers: int, out: Path) -> float:
    command = [sys.executable, "-m", "studies", "run", "arrow-maze", "--seeds", str(seeds), "--no-report"]
    command += ["--executor", executor, "--workers", str(workers), "--out", str(out)]
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pool_speed", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both executors (default 3)")
    parser.add_argument("--seeds", type=int, default=8, help="levels per split (default 8: 96 episodes)")
    parser.add_argument("--workers", type=int, default=2, help="process-pool workers (default 2)")
    args = parser.parse_args(argv)
    if min(args.rounds, args.seeds, args.workers) < 1:
        print("pool_speed: error: --rounds, --seeds and --workers must be at least 1", file=sys.stderr)
        return 2
    seconds: dict[str, list[float]] = {"serial": [], "process": []}
    with tempfile.TemporaryDirectory(prefix="mesabase-pool-speed-") as folder:
        run_seconds("serial", 1, 1, Path(folder) / "warm-up")
        for round_ in range(args.rounds):
            order = ["serial", "process"] if round_ % 2 == 0 else ["process", "serial"]
            for executor in order:
                load = method.load_average()[0]
                took = run_seconds(executor, args.seeds, args.workers, Path(folder) / f"{executor}-{round_}")
                seconds[executor].append(took)
                print(f"round {round_ + 1}: {executor} {took:.1f} s (load before {load:.2f})")
    ratios = [s / p for s, p in zip(seconds["serial"], seconds["process"], strict=True)]
    print(f"{method.machine()['cpu']}, {args.workers} workers")
    print(
        f"pool vs serial: {statistics.median(ratios):.2f}x [{min(ratios):.2f}, {max(ratios):.2f}] "
        f"over {len(ratios)} rounds (serial median {statistics.median(seconds['serial']):.1f} s, "
        f"pool median {statistics.median(seconds['process']):.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
