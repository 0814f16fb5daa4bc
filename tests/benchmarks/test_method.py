"""`benchmarks.method`: interleaved rounds, equal counts, per-round ratios.

Every timing here comes from an injected fake clock that each fake run
advances by a set amount, so the arithmetic is exact and nothing depends on
how fast or loaded the machine is.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import method

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    """A clock that only moves when a fake run advances it."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def fake_runs(clock, durations, calls, cpu=None, cpu_share=0.5):
    """name -> run that logs its call and advances `clock` by the next of
    ``durations[name]`` (and `cpu` by `cpu_share` of it)."""

    def make(name):
        queue = list(durations[name])

        def run():
            calls.append(name)
            step = queue.pop(0) if len(queue) > 1 else queue[0]
            clock.now += step
            if cpu is not None:
                cpu.now += cpu_share * step

        return run

    return {name: make(name) for name in durations}


def fixed_load():
    return (1.5, 1.0, 0.5)


def test_rounds_alternate_order_and_every_side_runs_equally_often():
    clock, calls = FakeClock(), []
    runs = fake_runs(clock, {"a": [1.0], "b": [2.0], "c": [3.0]}, calls)
    record = method.run_rounds(runs, rounds=4, budget_s=1e9, clock=clock, cpu_clock=clock, load=fixed_load)
    assert record.order == [["a", "b", "c"], ["c", "b", "a"], ["a", "b", "c"], ["c", "b", "a"]]
    # one untimed warm-up call each, then the rounds in that order
    assert calls == ["a", "b", "c"] + [name for order in record.order for name in order]
    assert {name: len(times) for name, times in record.seconds.items()} == {"a": 4, "b": 4, "c": 4}
    assert record.seconds["c"] == [3.0] * 4
    assert record.rounds == 4 and not record.stopped_by_budget


def test_the_budget_stops_between_rounds_with_equal_counts():
    clock, calls = FakeClock(), []
    # a round costs 1 + 2 = 3 fake seconds: 3 rounds end at 9, a 4th would end at 12 > 10
    runs = fake_runs(clock, {"ours": [1.0], "peer": [2.0]}, calls)
    record = method.run_rounds(
        runs, rounds=20, budget_s=10.0, min_rounds=1, clock=clock, cpu_clock=clock, load=fixed_load
    )
    assert record.rounds == 3 and record.stopped_by_budget
    assert len(record.seconds["ours"]) == len(record.seconds["peer"]) == 3


def test_min_rounds_run_whatever_the_budget():
    clock, calls = FakeClock(), []
    runs = fake_runs(clock, {"ours": [5.0], "peer": [5.0]}, calls)
    record = method.run_rounds(
        runs, rounds=10, budget_s=0.0, min_rounds=3, clock=clock, cpu_clock=clock, load=fixed_load
    )
    assert record.rounds == 3 and record.stopped_by_budget


def test_per_round_ratio_median_spread_and_cpu():
    clock, cpu, calls = FakeClock(), FakeClock(), []
    # the warm-up takes the first duration of each queue
    runs = fake_runs(clock, {"ours": [9.0, 1.0, 2.0, 4.0], "peer": [9.0, 10.0]}, calls, cpu=cpu)
    timings = method.interleaved(
        runs,
        {"x": ("ours", "peer")},
        rounds=3,
        budget_s=1e9,
        clock=clock,
        cpu_clock=cpu,
        load=fixed_load,
    )
    pair = timings["x"]
    assert pair.rounds == 3
    assert pair.ours_seconds == [1.0, 2.0, 4.0] and pair.peer_seconds == [10.0, 10.0, 10.0]
    assert pair.ratios == [10.0, 5.0, 2.5]
    assert (pair.ratio_median, pair.ratio_min, pair.ratio_max) == (5.0, 2.5, 10.0)
    assert pair.ratio_iqr == (3.75, 7.5)  # numpy's linear percentiles of 2.5, 5, 10
    assert pair.ours_cpu == [0.5, 1.0, 2.0] and pair.cpu_ratio_median == 5.0
    assert pair.load_before == pair.load_after == (1.5, 1.0, 0.5)
    assert pair.summary() == "5.0x [2.5, 10.0] (3 rounds, load 1.50→1.50)"


def test_work_turns_seconds_into_seconds_per_unit():
    clock, calls = FakeClock(), []
    # ours does 100 units in 1 s, the peer 5 units in 2 s: 0.01 vs 0.4 s a unit
    runs = fake_runs(clock, {"ours": [1.0], "peer": [2.0]}, calls)
    timings = method.interleaved(
        runs,
        {"x": ("ours", "peer")},
        rounds=2,
        work={"ours": 100, "peer": 5}.__getitem__,
        clock=clock,
        cpu_clock=clock,
        load=fixed_load,
    )
    pair = timings["x"]
    assert pair.ours_seconds == [0.01, 0.01] and pair.peer_seconds == [0.4, 0.4]
    assert pair.ratio_median == pytest.approx(40.0)
    assert (pair.ours_work, pair.peer_work) == (100.0, 5.0)


def test_only_paired_implementations_are_timed_and_unknown_names_fail():
    clock, calls = FakeClock(), []
    runs = fake_runs(clock, {"ours": [1.0], "peer": [1.0], "other": [1.0]}, calls)
    method.interleaved(runs, {"x": ("ours", "peer")}, rounds=2, clock=clock, cpu_clock=clock)
    assert "other" not in calls
    with pytest.raises(KeyError, match="absent"):
        method.interleaved(runs, {"x": ("ours", "absent")}, rounds=1)


def test_as_dict_is_json_ready():
    clock, calls = FakeClock(), []
    runs = fake_runs(clock, {"ours": [1.0], "peer": [3.0]}, calls)
    record = method.run_rounds(runs, rounds=2, clock=clock, cpu_clock=clock, load=fixed_load)
    pair = method.pair_timing(record, "ours", "peer")
    data = json.loads(json.dumps(pair.as_dict()))
    assert data["ratio_median"] == 3.0 and data["ratio_iqr"] == [3.0, 3.0]
    assert data["ours_median_seconds"] == 1.0 and data["peer_median_seconds"] == 3.0
    assert json.loads(json.dumps(record.as_dict()))["median_seconds"] == {"ours": 1.0, "peer": 3.0}


def test_rounds_must_be_positive():
    with pytest.raises(ValueError):
        method.run_rounds({"a": lambda: None}, rounds=0)


def test_machine_records_load_and_versions_without_importing_them():
    code = (
        "import json, sys; from benchmarks import method; m = method.machine(); "
        "print(json.dumps({'m': m, 'jax': 'jax' in sys.modules, 'numba': 'numba' in sys.modules}))"
    )
    out = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, check=True, text=True, cwd=ROOT
        ).stdout
    )
    assert not out["jax"] and not out["numba"]
    m = out["m"]
    assert len(m["load_average"]) == 3 and m["cores"] >= 1
    assert m["versions"]["numpy"] and "T" in m["date"]


def test_a_pair_timing_survives_its_json_form():
    clock, calls = FakeClock(), []
    runs = fake_runs(clock, {"ours": [1.0, 2.0], "peer": [3.0]}, calls)
    pair = method.interleaved(runs, {"x": ("ours", "peer")}, rounds=3, clock=clock, cpu_clock=clock)["x"]
    again = method.PairTiming.from_dict(json.loads(json.dumps(pair.as_dict())))
    assert again == pair and again.summary() == pair.summary()


def test_with_no_minimum_the_first_round_still_runs():
    clock, calls = FakeClock(), []
    runs = fake_runs(clock, {"ours": [1.0], "peer": [1.0]}, calls)
    record = method.run_rounds(runs, rounds=5, budget_s=0.0, min_rounds=0, clock=clock, cpu_clock=clock)
    assert record.rounds == 1 and record.stopped_by_budget
