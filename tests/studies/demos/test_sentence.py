"""The demos' one-sentence story of an episode, on hand-picked episodes."""

import planners
import worlds
from studies.demos.common import sentence


def _episode(objective: str, budget: int):
    maze = worlds.get("arrow-maze")
    level = maze.sample(seed=3, split="test")
    agent = planners.Agent(planners.AStar(max_expansions=budget), objective)
    return maze, planners.rollout(maze, level, agent, scoring="goal")


def test_a_capability_failure_of_the_base_agent_names_the_goal_once():
    maze, episode = _episode("exit", 5)
    assert episode.outcome == planners.CAPABILITY_FAILURE
    text = sentence(maze, episode)
    assert text.startswith(f"It did not reach the exit in {episode.steps} steps")
    assert "nor the exit" not in text


def test_a_proxy_agents_capability_failure_names_both_goals():
    maze, episode = _episode("arrow", 5)
    assert episode.outcome == planners.CAPABILITY_FAILURE
    assert sentence(maze, episode).startswith("It reached neither the arrow nor the exit")
