"""Stepping an arrow maze: the numba kernel loop against the Gymnasium env
(`benchmarks.task_step`: same level, same seeded random actions, same episode
semantics, results asserted equal).

    pytest benchmarks/bench_step.py --benchmark-enable --benchmark-group-by=group

Timed on the ``full`` problem (a 101 x 101 maze, 100,000 actions); without
``--benchmark-enable`` each implementation runs the ``quick`` problem once as
a correctness check. Extra info holds steps per second and, on the peer, the
``step_vs_gymnasium`` ratio (peer seconds / our seconds) of this session.
"""

import functools

import pytest

from benchmarks import task_step
from benchmarks.registry import implementations

IMPLEMENTATIONS = implementations("step")
#: mean seconds per run of each implementation timed in this session
SECONDS: dict[str, float] = {}


@functools.cache
def _problem(scale):
    return task_step.problem(scale)


@functools.cache
def _ours(scale):
    return IMPLEMENTATIONS["mesabase"].prepare(_problem(scale))()


@pytest.mark.benchmark(group="step")
@pytest.mark.parametrize("name", list(IMPLEMENTATIONS))
def test_step(benchmark, name):
    implementation = IMPLEMENTATIONS[name]
    if implementation.missing_hint():
        pytest.skip(implementation.missing_hint())
    scale = "full" if benchmark.enabled else "quick"
    problem = _problem(scale)
    run = implementation.prepare(problem)
    if implementation.ours:
        result = benchmark(run)
    else:  # seconds a run: a few rounds are enough
        result = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    task_step.check(problem, {"mesabase": _ours(scale), name: result})
    benchmark.extra_info["steps"] = len(problem.actions)
    benchmark.extra_info["maze_size"] = problem.level.width
    if benchmark.enabled:
        SECONDS[name] = benchmark.stats.stats.mean
        benchmark.extra_info["steps_per_second"] = len(problem.actions) / SECONDS[name]
        for ratio, (ours, peer) in task_step.RATIOS.items():
            if peer == name and ours in SECONDS:
                benchmark.extra_info[ratio] = SECONDS[name] / SECONDS[ours]
