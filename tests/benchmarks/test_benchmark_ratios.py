"""`python -m benchmarks.ratios`: checks every implementation, times them in
interleaved rounds, prints JSON ratios with their spread and writes scaling
plots (a quick subset of tasks, few rounds). Nothing here asserts on how fast
anything is: only on what is reported."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import method, ratios, registry

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def few_rounds(monkeypatch):
    monkeypatch.setitem(ratios._ROUNDS, "quick", 3)
    monkeypatch.setitem(ratios._BUDGET_SECONDS, "quick", 0.0)  # min_rounds (3) decide


@pytest.mark.slow
def test_quick_json_ratios_spread_and_scaling_plots(tmp_path, capsys, few_rounds):
    assert ratios.main(["--quick", "--json", "--tasks", "astar", "--out", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    report = out["report"]
    task = report["tasks"]["astar"]
    expected = {key for key, r in registry.ratio_pairs("astar").items() if task["seconds"].get(r.peer)}
    assert set(task["pairs"]) == expected and "astar_vs_networkx" in expected
    for key, pair in task["pairs"].items():
        timing = method.PairTiming.from_dict(pair)
        assert timing.rounds == task["rounds"] == 3
        assert len(timing.ours_seconds) == len(timing.peer_seconds) == len(timing.peer_cpu) == 3
        assert timing.ratio_min <= timing.ratio_iqr[0] <= timing.ratio_median <= timing.ratio_iqr[1]
        assert timing.ratio_median <= timing.ratio_max
        assert out[key] == timing.ratio_median == report["ratios"][key]
        assert pair["description"].startswith("A* on the arrow maze")
    assert len(task["load_before"]) == len(task["load_after"]) == 3
    assert {"cpu", "cores", "load_average", "versions", "date"} <= set(report["machine"])
    assert (tmp_path / "scaling-astar.png").stat().st_size > 0
    assert json.loads((tmp_path / "ratios.json").read_text())["ratios"] == report["ratios"]


@pytest.mark.slow
def test_tables_print_one_line_per_pair_with_its_spread(tmp_path, capsys, few_rounds):
    assert ratios.main(["--quick", "--tasks", "astar-open", "--out", str(tmp_path)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("astar_open_vs_")]
    assert {line.split(":")[0] for line in lines} >= {"astar_open_vs_networkx", "astar_open_vs_python"}
    for line in lines:
        assert "x [" in line and "(3 rounds, load " in line


def test_unknown_tasks_are_one_line_errors(capsys):
    assert ratios.main(["--tasks", "dijkstra"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_every_task_names_its_ratio_pairs_from_its_own_registry():
    for name in registry.TASKS:
        impls = registry.implementations(name)
        for ratio in registry.ratio_pairs(name).values():
            assert ratio.ours in impls and ratio.peer in impls
            assert impls[ratio.ours].ours and not impls[ratio.peer].ours


def test_ratio_entries_may_carry_a_description(monkeypatch):
    module = registry.task("astar")
    monkeypatch.setattr(module, "RATIOS", {"a": ("mesabase", "python"), "b": ("mesabase", "tcod", "why")})
    pairs = registry.ratio_pairs("astar")
    assert pairs["a"] == registry.Ratio("a", "mesabase", "python", "")
    assert pairs["b"].description == "why"


@pytest.mark.parametrize("wanted", [True, False])
def test_the_xla_option_is_decided_once_for_every_jax_implementation(wanted):
    """In a fresh process (JAX not started), `--xla-option` adds XLA's
    small-loop option to ``XLA_FLAGS`` and `--no-xla-option` keeps it out."""
    code = (
        "import os; from benchmarks import ratios; "
        f"print(ratios._xla_option({wanted}), os.environ.get('XLA_FLAGS', ''))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "MESABASE_XLA_DEFAULTS")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    in_force, _, flags = done.stdout.strip().partition(" ")
    assert done.returncode == 0, done.stderr
    assert in_force == str(wanted)
    assert ("xla_cpu_small_while_loop_byte_threshold" in flags) == wanted
