"""The plugin-step benchmark runs in a child process that has the plugin
world, and both worlds agree on every step (`task_plugin_step.check`)."""

import json

import pytest

from benchmarks import ratios, task_plugin_step


@pytest.mark.slow
def test_plugin_step_is_measured_in_a_child_process_that_has_the_plugin(capsys):
    assert task_plugin_step.child_environment()["MESABASE_WORLDS"].endswith(":MirrorMaze")
    assert ratios.main(["--quick", "--json", "--no-out", "--tasks", "plugin-step"]) == 0
    report = json.loads(capsys.readouterr().out)["report"]
    result = report["tasks"]["plugin-step"]
    assert result["measured_in_child_process"]
    pair = result["pairs"]["plugin_vs_builtin"]
    assert pair["rounds"] == len(pair["ours_seconds"]) == len(pair["peer_seconds"]) >= 3
    assert pair["ratio_min"] <= pair["ratio_median"] <= pair["ratio_max"]
