"""`python -m benchmarks.ratios`: checks every implementation, prints JSON
ratios and writes scaling plots (a quick subset of tasks)."""

import json

from benchmarks import ratios, registry


def test_quick_json_ratios_and_scaling_plots(tmp_path, capsys):
    assert ratios.main(["--quick", "--json", "--tasks", "astar,step", "--out", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("astar_vs_networkx", "astar_vs_python", "step_vs_gymnasium"):
        assert report[key] > 1.0  # ours is faster than the peer
    assert (tmp_path / "scaling-astar.png").stat().st_size > 0
    assert (tmp_path / "scaling-step.png").stat().st_size > 0
    assert json.loads((tmp_path / "ratios.json").read_text())["ratios"] == {
        k: v for k, v in report.items() if k != "report"
    }


def test_unknown_tasks_are_one_line_errors(capsys):
    assert ratios.main(["--tasks", "dijkstra"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_every_task_names_its_ratio_pairs_from_its_own_registry():
    for name in registry.TASKS:
        names = set(registry.implementations(name))
        for ours, peer in registry.task(name).RATIOS.values():
            assert ours in names and peer in names
            assert registry.implementations(name)[ours].ours and not registry.implementations(name)[peer].ours
