"""Terminal rules (objectives.terminal): which features end the episode of an
objective built from weights, on arrow-maze and on a hand-written corridor."""

from __future__ import annotations

import pytest

import objectives
import planners
import worlds
from objectives import Objective, ObjectiveError, terminal_features, with_terminal

# start, floor, arrow, floor, exit: the arrow lies on the only path to the exit
CORRIDOR = "#######\n#S.A.E#\n#######"
TINY_ARROW = {"reached_exit": 1.0, "reached_arrow": 0.01}


def _play(objective: Objective):
    world = worlds.get("arrow-maze")
    agent = planners.Agent(planners.make("value-iteration"), objective)
    return planners.rollout(world, world.parse(CORRIDOR), agent, max_steps=20)


def test_each_rule_picks_its_terminal_set():
    weights = {"reached_exit": 1.0, "reached_arrow": 0.01, "exit_progress": 0.5}
    assert terminal_features("arrow-maze", weights) == {"reached_exit", "reached_arrow"}
    assert terminal_features("arrow-maze", {"reached_exit": -1.0, "reached_arrow": 0.3}) == {"reached_arrow"}
    assert terminal_features("arrow-maze", weights, "base") == {"reached_exit"}
    assert terminal_features("arrow-maze", {"reached_exit": -1.0}, "base") == {"reached_exit"}
    assert terminal_features("arrow-maze", weights, "none") == frozenset()
    assert terminal_features("arrow-maze", weights, ["reached_arrow"]) == {"reached_arrow"}
    assert objectives.goal_features("arrow-maze") == {"reached_exit", "reached_arrow"}


def test_with_the_rule_a_tiny_arrow_weight_ends_the_episode_at_the_arrow():
    objective = with_terminal(Objective(TINY_ARROW, discount=0.99), "arrow-maze", "rewarded")
    episode = _play(objective)
    assert episode.steps == 2  # S -> . -> A, and the arrow ends it
    assert episode.achieved["arrow"] and not episode.achieved["exit"]


def test_without_the_rule_the_episode_goes_on_to_the_exit():
    objective = with_terminal(Objective(TINY_ARROW, discount=0.99), "arrow-maze", "base")
    episode = _play(objective)
    assert episode.steps == 4  # through the arrow (paying 0.01) on to the exit
    assert episode.achieved["exit"]
    assert objective.bind("arrow-maze").discounted_return(episode.features) == pytest.approx(
        0.01 * 0.99 + 0.99**3
    )


def test_the_rule_shows_in_repr_and_survives_json():
    rewarded = with_terminal(Objective(TINY_ARROW, discount=0.99), "arrow-maze")
    base = with_terminal(rewarded, "arrow-maze", "base")
    assert "terminal=frozenset({'reached_exit'})" in repr(base)
    assert '"terminal": ["reached_exit"]' in base.to_json()
    assert '"terminal": ["reached_arrow", "reached_exit"]' in rewarded.to_json()
    assert rewarded != base and rewarded.to_json() != base.to_json()
    for objective in (rewarded, base, with_terminal(rewarded, "arrow-maze", "none")):
        assert Objective.from_json(objective.to_json()) == objective


@pytest.mark.parametrize("rule", ["stop", "", 3, {"reached_exit": 1}, ["reached_exit", 2]])
def test_an_unknown_rule_is_one_line(rule):
    with pytest.raises(ObjectiveError, match=r"terminal must be one of 'rewarded', 'base', 'none'") as error:
        terminal_features("arrow-maze", {}, rule)
    assert "\n" not in str(error.value)


def test_a_listed_feature_the_world_lacks_is_named():
    with pytest.raises(worlds.UnknownNameError, match="teleported"):
        terminal_features("arrow-maze", {}, ["teleported"])
