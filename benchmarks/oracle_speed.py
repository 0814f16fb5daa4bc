"""Interleaved timings of the oracle and `to_networkx` against their reference paths.

    python -m benchmarks.oracle_speed [rounds] [nx_rounds]

Before = the reference paths kept in the code (ValueIteration.solve(method="sweeps"),
World.to_networkx(reference=True)); after = the defaults. Each round runs both sides
once, alternating which goes first; prints median [min, max] of the per-round ratio.
"""

import os
import statistics
import sys
import time

import networkx as nx
import numpy as np

import worlds
from planners import ValueIteration

maze = worlds.get("arrow-maze")
level = maze.sample(0, "test", size=201)


def oracle(method, horizon=None):
    """A fresh oracle: enumerate, then J* and J^random of both catalogue objectives."""
    vi = ValueIteration()
    out = []
    for name in maze.objectives:
        for policy in ("optimal", "random"):
            values, _ = vi.solve(maze, level, name, horizon=horizon, policy=policy, method=method)
            out.append(values[0])
    return np.array(out)


def timed(f):
    c, t = time.process_time(), time.perf_counter()
    result = f()
    return time.perf_counter() - t, time.process_time() - c, result


def compare(label, before, after, n):
    before(), after()  # warm-up: compile and load kernels
    ratios, tb, ta, cb, ca = [], [], [], [], []
    for r in range(n):
        sides = [("before", before), ("after", after)][:: 1 if r % 2 == 0 else -1]
        got = {}
        for side, f in sides:
            got[side] = timed(f)
        tb.append(got["before"][0])
        ta.append(got["after"][0])
        cb.append(got["before"][1])
        ca.append(got["after"][1])
        ratios.append(got["before"][0] / got["after"][0])
        check(label, got["before"][2], got["after"][2])
    med = statistics.median
    print(
        f"{label}: before {med(tb):.3f} s [{min(tb):.3f}, {max(tb):.3f}], after {med(ta):.4f} s "
        f"[{min(ta):.4f}, {max(ta):.4f}], ratio {med(ratios):.1f}x [{min(ratios):.1f}, {max(ratios):.1f}] "
        f"cpu median {med(cb):.3f} / {med(ca):.4f} s ({n} rounds, load {os.getloadavg()[0]:.1f})",
        flush=True,
    )


def check(label, a, b):
    if isinstance(a, nx.DiGraph):
        assert nx.utils.graphs_equal(a, b), label
    else:
        assert np.allclose(a, b, rtol=0, atol=1e-9), (label, a, b)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    nx_rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(
        f"load before: {os.getloadavg()}, {maze.name} size 201, "
        f"{ValueIteration().model(maze, level).size} states"
    )
    compare(
        "oracle J*+J^random x2 objectives, to convergence",
        lambda: oracle("sweeps"),
        lambda: oracle("auto"),
        rounds,
    )
    compare(
        "oracle J*+J^random x2 objectives, horizon 10000 (as scoring passes one)",
        lambda: oracle("sweeps", 10000),
        lambda: oracle("auto", 10000),
        rounds,
    )
    vi = ValueIteration()
    vi.model(maze, level)

    def _solve_only(method):
        entry = vi._entry(maze, level)
        entry[2].clear()
        return np.array([vi.solve(maze, level, "exit", method=method)[0][0]])

    compare("J* of exit, model cached", lambda: _solve_only("sweeps"), lambda: _solve_only("auto"), rounds)
    compare(
        "to_networkx",
        lambda: maze.to_networkx(level, reference=True),
        lambda: maze.to_networkx(level),
        nx_rounds,
    )
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
