"""Episodes per second of the built-in arrow-maze study, serial and with the
process pool.

    pytest benchmarks/bench_studies.py -n 0 --benchmark-enable --benchmark-group-by=group

Each round runs the whole study (8 levels per split, 96 episodes; 2 levels
when the run is only a correctness check) into a fresh folder; the pool's
time includes starting its worker processes. Extra info holds episodes per
second and, on the pool, its speed-up over serial (the ratio of the two means).
"""

import itertools

import pytest

from studies import load, run_study

_rounds = itertools.count()
#: mean seconds of each executor timed in this session (serial runs first)
_MEANS: dict[str, float] = {}


@pytest.mark.parametrize(
    "executor", ["serial", pytest.param("process", marks=pytest.mark.slow)]
)  # starts a pool
@pytest.mark.benchmark(group="arrow-maze-study")
def test_study_throughput(benchmark, tmp_path, executor):
    study = load("arrow-maze", seeds=8 if benchmark.enabled else 2)

    def run():
        out = tmp_path / f"round-{next(_rounds)}"
        return run_study(study, out, executor=executor, workers=2, progress=False)

    counts = benchmark.pedantic(run, rounds=3 if benchmark.enabled else 1, iterations=1)
    assert counts["played"] == len(study.cells)
    if benchmark.enabled:
        _MEANS[executor] = benchmark.stats.stats.mean
        benchmark.extra_info["episodes_per_second"] = len(study.cells) / _MEANS[executor]
        if executor != "serial" and "serial" in _MEANS:
            benchmark.extra_info["speed_up_over_serial"] = _MEANS["serial"] / _MEANS[executor]
