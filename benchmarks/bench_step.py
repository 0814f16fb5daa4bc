"""Stepping environments (`benchmarks.task_step`): the compiled loop against
the Gymnasium env, `GridWorldVectorEnv` against Gymnasium's ``SyncVectorEnv``
and ``AsyncVectorEnv`` (N = 16 and 64), and our single env beside MiniGrid's.

    pytest benchmarks/bench_step.py -n 0 --benchmark-enable --benchmark-group-by=group

Timed on the ``full`` problem; without ``--benchmark-enable`` each
implementation runs the ``quick`` problem once as a correctness check
(`task_step.check`: the same answers as ours on the same inputs; MiniGrid only
the same number of steps). Missing peers (MiniGrid) are skipped with a hint.
Extra info holds environment steps per run and per second and, on a peer,
each of its ratios (peer seconds / our seconds per environment step) of this
session. Interleaved ratios with their spread: ``python -m benchmarks.ratios
--tasks step``.
"""

import functools

import pytest

from benchmarks import task_step
from benchmarks.registry import implementations

IMPLEMENTATIONS = implementations("step")
#: mean seconds per environment step of each implementation timed in this session
SECONDS_PER_STEP: dict[str, float] = {}


@functools.cache
def _problem(scale):
    return task_step.problem(scale)


@pytest.mark.benchmark(group="step")
# the process-pool envs start a worker process per environment: slow
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.slow) if name.startswith("async") else name
        for name in IMPLEMENTATIONS
    ],
)
def test_step(benchmark, name):
    implementation = IMPLEMENTATIONS[name]
    if implementation.missing_hint():
        pytest.skip(implementation.missing_hint())
    scale = "full" if benchmark.enabled else "quick"
    problem = _problem(scale)
    run = implementation.prepare(problem)
    if not benchmark.enabled:
        task_step.check(problem, {name: benchmark(run)})
        return
    # the run right after `prepare` is the checked one (vector envs continue
    # their episodes from run to run); it also compiles or loads the kernels
    task_step.check(problem, {name: run()})
    if implementation.ours:
        benchmark(run)
    else:  # seconds a run: a few rounds are enough
        benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    steps = task_step.work(problem, name)
    SECONDS_PER_STEP[name] = benchmark.stats.stats.mean / steps
    benchmark.extra_info["environment_steps_per_run"] = steps
    benchmark.extra_info["steps_per_second"] = 1.0 / SECONDS_PER_STEP[name]
    for key, (ours, peer, *_) in task_step.RATIOS.items():
        if peer == name and ours in SECONDS_PER_STEP:
            benchmark.extra_info[key] = SECONDS_PER_STEP[name] / SECONDS_PER_STEP[ours]
