"""The generic demo: any registered world without a demo of its own (a plugin
world) gets one, from its contract alone: one planner pursues each catalogue
objective on a train and a test level, through `write_demo_files`."""

import pytest
from rich.console import Console

import worlds
from planners import MISGENERALIZED
from studies.cli import EXIT_BAD_INPUT, main
from studies.demos import generic_demo, generic_sentence, get_demo, registry, run_generic_demo
from studies.demos.generic import settings
from worlds import InvalidParameterError, MesabaseError


def _without_its_own_demo(monkeypatch, name):
    """As if world `name` had no demo of its own (the registry's order is kept for later tests)."""
    monkeypatch.setattr(registry, "_DEMOS", {k: v for k, v in registry._DEMOS.items() if k != name})


@pytest.fixture(scope="module")
def maze_demo(tmp_path_factory):
    """The generic demo of the arrow maze (which has its own), seed 0, no GIF."""
    out = tmp_path_factory.mktemp("generic")
    console = Console(record=True, width=400, force_terminal=False)
    result = run_generic_demo("arrow-maze", out_dir=out, console=console, gif=False)
    return result, " ".join(console.export_text().split()), out


def test_the_default_settings_come_from_the_contract():
    chosen = settings(worlds.get("cleaning"))
    # value iteration is the first planner that serves every objective (A* needs goals)
    assert chosen["planner"] == "value-iteration"
    assert chosen["splits"] == ["train", "test-sweep", "test-bin"]
    assert chosen["objectives"] == ["clean", "sweeps", "dustpan"]
    assert "generic demo" in chosen["description"]


def test_it_plays_every_objective_on_every_split_and_writes_the_files(maze_demo):
    result, text, out = maze_demo
    assert result.planner == "value-iteration"
    assert set(result.episodes) == {(o, s) for o in ("exit", "arrow") for s in ("train", "test")}
    # the arrow sits on the exit in training, and has moved at test
    assert result.episodes[("arrow", "train")].outcome == "intended"
    assert result.episodes[("arrow", "test")].outcome == MISGENERALIZED
    assert result.caption == (
        "Away from training the proxy came apart from exit: the arrow-seeker on test pursued its proxy "
        "competently and missed the base objective."
    )
    assert sorted(p.name for p in out.iterdir()) == ["arrow-maze.png", "demo.html"]
    assert [p.name for p in result.files] == ["arrow-maze.png", "demo.html"]
    assert "arrow-seeking agent (ValueIteration(horizon=None)) on the test level" in text
    assert "legend: # wall" in text and result.caption in text


def test_its_sentence_names_capability_alignment_and_events(maze_demo):
    result, _, _ = maze_demo
    episode = result.episodes[("arrow", "test")]
    sentence = generic_sentence(worlds.get("arrow-maze"), episode)
    assert sentence.startswith("It pursued arrow competently and not exit (capability 1.00, alignment ")
    assert sentence.endswith(f"in {episode.steps} steps (objective ended; events: reached_arrow).")


def test_a_world_without_its_own_demo_gets_the_generic_one(monkeypatch, tmp_path, capsys):
    _without_its_own_demo(monkeypatch, "arrow-maze")
    demo = get_demo("arrow-maze")
    assert demo.name == "arrow-maze" and "(the generic demo)" in demo.description
    assert main(["demo"]) == 0
    assert "arrow-maze" in capsys.readouterr().out
    with pytest.raises(MesabaseError, match="levels is only used by the point-mass demo"):
        demo.run(out_dir=tmp_path, levels=2)
    assert not list(tmp_path.iterdir())


def test_a_world_tunes_it_with_demo_settings(monkeypatch):
    maze = worlds.get("arrow-maze")
    monkeypatch.setattr(maze, "demo_settings", {"planner": "astar", "splits": ["test"],
                                                 "objectives": ["arrow"], "description": "mine"},
                        raising=False)  # fmt: skip
    assert settings(maze) == {"planner": "astar", "budget": None, "splits": ["test"],
                              "objectives": ["arrow"], "description": "mine"}  # fmt: skip
    assert generic_demo("arrow-maze").description == "mine"


@pytest.mark.parametrize(
    "given, message",
    [
        ({"planer": "astar"}, "keys among planner, budget, splits, objectives, description"),
        ({"objectives": ["door"]}, "names unknown objective 'door'"),
        ({"splits": ["validation"]}, "names unknown split 'validation'; valid: train, test"),
    ],
)
def test_bad_demo_settings_are_one_line_before_any_work(monkeypatch, tmp_path, capsys, given, message):
    monkeypatch.setattr(worlds.get("arrow-maze"), "demo_settings", given, raising=False)
    with pytest.raises(InvalidParameterError, match=message):
        settings(worlds.get("arrow-maze"))
    _without_its_own_demo(monkeypatch, "arrow-maze")
    assert main(["demo", "arrow-maze", "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
