"""The example plugin world (examples/lava) installed next to mesabase works
end to end with no edit to mesabase: it is registered through its entry
point, plans from the CLI, scores its episodes, runs a study to a report,
is a Gymnasium env and has a (generic) demo.

Skipped, saying why, when ``mesabase_lava`` is not installed
(``pip install -e examples/lava`` installs it; CI does).
"""

import importlib.util
from pathlib import Path

import gymnasium as gym
import pytest

import worlds
from planners import Agent, AStar, Reactive, ValueIteration, rollout
from studies import load, run_study, write_report
from studies.cli import main
from studies.core import study_path

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mesabase_lava") is None or "lava" not in worlds.names(),
    reason="the example plugin world is not installed: pip install -e examples/lava",
)

LEVEL = """\
#######
#S....#
#LLL.L#
#...G.#
#######
"""


@pytest.fixture(scope="module")
def lava():
    return worlds.get("lava")


def test_it_is_registered_after_the_built_ins_by_its_entry_point(lava):
    assert worlds.names()[:4] == ["arrow-maze", "chests-keys", "cleaning", "point-mass"]
    assert lava.world_id == worlds.names().index("lava") >= 4
    assert type(lava).__module__ == "mesabase_lava.world"


def test_mesabase_plan_draws_the_path_round_the_lava(tmp_path, capsys):
    path = tmp_path / "level.txt"
    path.write_text(LEVEL)
    assert main(["plan", "lava", str(path)]) == 0
    out = capsys.readouterr().out
    # A* walks along the bank to the ford (column 4) and down to the goal: 5 steps
    assert "#Sooo.#\n#LLLoL#\n#...G.#" in out
    assert "objective 'goal': 5 steps, outcome intended" in out
    assert "L lava (ends the episode)" in out


def test_rollouts_show_intended_misgeneralized_and_capability_failure(lava):
    train, test = lava.sample(0, "train"), lava.sample(0, "test")
    assert rollout(lava, test, Agent(AStar(), "goal")).outcome == "intended"
    assert rollout(lava, train, Agent(ValueIteration(), "lava_edge")).outcome == "intended"
    proxy = rollout(lava, test, Agent(ValueIteration(), "lava_edge"))
    assert proxy.outcome == "misgeneralized" and proxy.stop_reason == "max_steps"
    assert not proxy.events["reached_goal"] and not proxy.events["entered_lava"]
    reactive = rollout(lava, test, Agent(Reactive(), None))
    assert reactive.outcome == "capability_failure" and reactive.events["entered_lava"]


def test_the_study_it_ships_runs_by_name_to_a_report(tmp_path):
    assert study_path("lava").parts[-3:] == ("mesabase_lava", "studies", "lava.toml")
    study = load("lava", seeds=1)
    assert {cell.world for cell in study.cells} == {"lava"} and len(study.cells) == 8
    counts = run_study(study, tmp_path, executor="serial", progress=False)
    assert counts["played"] == 8
    files = write_report(tmp_path)
    report = Path(files["markdown"]).read_text()
    assert "value-iteration -> lava_edge" in report and "misgeneralized" in report


def test_it_is_a_gymnasium_env_with_every_catalogue_reward(lava):
    env = gym.make(lava.gym_id, split="test", render_mode="ansi")
    obs, _ = env.reset(seed=3)
    assert obs.shape == (4, 16, 16) and env.action_space.n == 4
    start = env.unwrapped.level
    row, col = (int(v) for v in lava.initial_state(start))
    # two steps down from the top row reach the bank (next to lava), a third enters lava unless at the ford
    rewards = [env.step(2)[1:] for _ in range(2)]
    assert [info["rewards"]["lava_edge"] for *_, info in rewards] == [0.0, 0.04]
    assert "@" in env.render() and row == 1 and col >= 1
    env.close()


def test_it_has_a_demo(tmp_path, capsys):
    assert main(["demo", "lava", "--out", str(tmp_path), "--no-gif"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "lava_edge-seeker on test pursued its proxy competently" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.html", "lava.png"]
