"""The demo registry: `mesabase demo` lists the demos, an unknown world is one
line that names them, and a registered demo runs through `run_demo`."""

import pytest

import worlds
from studies.cli import EXIT_BAD_INPUT, main
from studies.demos import Demo, demo_names, get_demo, register_demo, registry, run_demo
from worlds import MesabaseError


def test_demo_without_a_world_lists_the_demos(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for name in worlds.names():  # built-in demos first, then any plugin world's generic demo
        assert name in out and get_demo(name).description.split()[0] in out
    assert demo_names()[:4] == ["arrow-maze", "point-mass", "chests-keys", "cleaning"]


def test_every_world_has_a_demo():
    assert set(worlds.names()) <= set(demo_names())


def test_an_unknown_world_is_one_line_and_status_2(capsys):
    assert main(["demo", "nope"]) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "unknown world 'nope'; valid worlds: arrow-maze, point-mass, chests-keys, cleaning" in error


def test_a_world_without_a_demo_of_its_own_gets_the_generic_demo(monkeypatch):
    # as if cleaning had no demo of its own (a copy, so the registry's order survives)
    monkeypatch.setattr(registry, "_DEMOS", {k: v for k, v in registry._DEMOS.items() if k != "cleaning"})
    assert "cleaning" in demo_names()
    demo = get_demo("cleaning")
    assert demo.name == "cleaning" and demo.description.endswith("(the generic demo)")


def test_the_arrow_maze_demo_refuses_levels_before_any_work(tmp_path):
    with pytest.raises(MesabaseError, match="levels is only used by the point-mass demo"):
        run_demo("arrow-maze", out_dir=tmp_path, levels=3)
    assert not list(tmp_path.iterdir())


def test_a_registered_demo_runs_through_run_demo(tmp_path):
    calls = []

    def run(**arguments):
        calls.append(arguments)
        return "shown"

    register_demo(Demo("demo-for-tests", "a demo that records its call", run))
    assert run_demo("demo-for-tests", seed=4, out_dir=tmp_path, gif=False) == "shown"
    assert calls == [
        {
            "seed": 4, "out_dir": tmp_path, "budget": None, "console": None, "gif": False, "levels": 0,
            "fps": 5, "scale": 1.0,
        }
    ]  # fmt: skip
    assert "demo-for-tests" in demo_names()
