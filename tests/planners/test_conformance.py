"""Every planner x every catalogue objective x every registered world, on train
and test levels: it plays, or it raises the documented error. Swapping the
objective between calls compiles nothing new."""

import pytest

import planners
import worlds
from objectives import catalogue
from planners import OUTCOMES, Agent, IncompatibleObjectiveError, make, rollout
from worlds.jit import compiled_signature_count

SMALL_BUDGETS = {
    "astar": 200,
    "mcts": 64,
    "value-iteration": None,
    "reactive": None,
    "gradient": 10,
    "cem": 32,
    "mppi": 32,
}
CASES = [
    (planner, world, objective, split)
    for planner in planners.PLANNERS
    for world in worlds.names()
    for objective in planners.probe_objectives(world)
    for split in worlds.get(world).splits
]


@pytest.mark.parametrize("planner_name, world_name, objective_name, split", CASES)
def test_every_pair_plays_or_refuses(planner_name, world_name, objective_name, split):
    world = worlds.get(world_name)
    objective = planners.probe_objectives(world)[objective_name]
    level = world.sample(0, split)
    planner = make(planner_name, SMALL_BUDGETS[planner_name])
    row = next(
        r
        for r in planners.compatibility([world_name])
        if r["planner"] == planner_name and r["objective"] == objective_name
    )
    if not row["works"]:
        with pytest.raises(IncompatibleObjectiveError):
            rollout(world, level, Agent(planner, objective), max_steps=50)
        return
    episode = rollout(world, level, Agent(planner, objective), max_steps=50, seed=0)
    assert episode.outcome in OUTCOMES
    assert set(episode.returns) == set(catalogue(world))
    assert {"plans", "seconds", "rollout_steps"} <= set(episode.planner_stats)


@pytest.mark.parametrize("planner_name", list(planners.PLANNERS))
@pytest.mark.parametrize("world_name", worlds.names())
def test_swapping_objectives_compiles_nothing(planner_name, world_name):
    world = worlds.get(world_name)
    level = world.sample(1, "train")
    planner = make(planner_name, SMALL_BUDGETS[planner_name])
    served = [
        objective
        for name, objective in planners.probe_objectives(world).items()
        if next(
            r["works"]
            for r in planners.compatibility([world_name])
            if r["planner"] == planner_name and r["objective"] == name
        )
    ]
    if not served:
        pytest.skip(f"{planner_name} serves no catalogue objective in {world_name}")
    planner.plan(world, level, served[0])  # compile or load once
    before = compiled_signature_count()
    for objective in served[1:] + [served[0] * 2.0]:
        planner.plan(world, level, objective)
    assert compiled_signature_count() == before


def test_compatibility_table_is_what_check_says():
    rows = planners.compatibility()
    assert {r["planner"] for r in rows} == set(planners.PLANNERS)
    refused = [r for r in rows if not r["works"]]
    continuous = {name for name in worlds.names() if worlds.get(name).continuous}
    for row in refused:
        if row["planner"] in ("gradient", "cem", "mppi"):
            assert row["world"] not in continuous and "is a discrete world" in row["reason"]
        elif row["world"] in continuous:
            assert row["planner"] != "mcts" and "is continuous" in row["reason"]
        else:
            assert row["planner"] == "astar" and "A* needs a goal objective" in row["reason"]
    # MCTS serves every world, over the point mass's discretised actions
    assert all(r["works"] for r in rows if r["planner"] == "mcts")


def test_unknown_planner_names_list_the_valid_ones():
    with pytest.raises(
        worlds.UnknownNameError,
        match="valid planners: astar, cem, gradient, mcts, mppi, reactive, value-iteration",
    ):
        make("dijkstra")


def test_the_reactive_policy_has_no_budget():
    with pytest.raises(worlds.InvalidParameterError, match="reactive planner has no budget"):
        make("reactive", 10)
