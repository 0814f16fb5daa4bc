"""Every planner x every catalogue objective x every registered world, on every
split: it plays, or it raises the documented error. Swapping the objective
between calls compiles nothing new.

Each planner supplies its own `small_budget`, so a planner registered in
`planners.PLANNERS` inherits this suite with no test edit.
"""

import pytest

import planners
import worlds
from objectives import catalogue
from planners import OUTCOMES, Agent, AStar, IncompatibleObjectiveError, goal_objective_problem, make, rollout
from planners.base import refuse_continuous
from planners.jax_planner import JaxPlanner
from worlds.jit import compiled_signature_count

CASES = [
    (planner, world, objective, split)
    for planner in planners.PLANNERS
    for world in worlds.names()
    for objective in planners.probe_objectives(world)
    for split in worlds.get(world).splits
]


def small(planner_name: str):
    """The planner called `planner_name` with the small budget it declares."""
    return make(planner_name, planners.planner_class(planner_name).small_budget)


def table_row(planner_name: str, world_name: str, objective_name: str) -> dict:
    return next(
        r
        for r in planners.compatibility([world_name])
        if r["planner"] == planner_name and r["objective"] == objective_name
    )


@pytest.mark.parametrize("planner_name, world_name, objective_name, split", CASES)
def test_every_pair_plays_or_refuses(planner_name, world_name, objective_name, split):
    world = worlds.get(world_name)
    objective = planners.probe_objectives(world)[objective_name]
    level = world.sample(0, split)
    planner = small(planner_name)
    if not table_row(planner_name, world_name, objective_name)["works"]:
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
    planner = small(planner_name)
    served = [
        objective
        for name, objective in planners.probe_objectives(world).items()
        if table_row(planner_name, world_name, name)["works"]
    ]
    if not served:
        pytest.skip(f"{planner_name} serves no catalogue objective in {world_name}")
    planner.plan(world, level, served[0])  # compile or load once
    before = compiled_signature_count()
    for objective in served[1:] + [served[0] * 2.0]:
        planner.plan(world, level, objective)
    assert compiled_signature_count() == before


@pytest.mark.parametrize("planner_name", list(planners.PLANNERS))
def test_every_planner_declares_a_small_budget_that_make_accepts(planner_name):
    cls = planners.planner_class(planner_name)
    budget = cls.small_budget
    assert budget is None or (isinstance(budget, int) and budget > 0)
    assert small(planner_name).name == planner_name


def expected_refusal(planner_name: str, objective) -> str | None:
    """What the table must say in a discrete world, from what the planner is:
    None when it serves `objective`, else (part of) the reason it refuses.

    - JAX planners differentiate through dynamics: they refuse every discrete world.
    - A* (and any subclass) needs a goal objective: it refuses exactly the
      objectives that are not goal objectives.
    - Every other planner serves every objective of a discrete world.
    """
    cls = planners.planner_class(planner_name)
    if issubclass(cls, JaxPlanner):
        return "is a discrete world"
    if issubclass(cls, AStar):
        problem = goal_objective_problem(objective)
        return None if problem is None else f"A* needs a goal objective, and {objective.name!r} {problem}"
    return None


def test_compatibility_table_covers_every_planner_and_world():
    rows = planners.compatibility()
    assert {r["planner"] for r in rows} == set(planners.PLANNERS)
    assert {r["world"] for r in rows} == set(worlds.names())
    # MCTS serves every world, over the point mass's discretised actions
    assert all(r["works"] for r in rows if r["planner"] == "mcts")


@pytest.mark.parametrize("world_name", [name for name in worlds.names() if not worlds.get(name).continuous])
def test_compatibility_in_a_discrete_world_follows_from_what_each_planner_is(world_name):
    world = worlds.get(world_name)
    for row in planners.compatibility([world_name]):
        objective = planners.probe_objectives(world)[row["objective"]]
        expected = expected_refusal(row["planner"], objective)
        assert row["works"] == (expected is None), row
        assert expected is None or expected in row["reason"], row


@pytest.mark.parametrize("world_name", [name for name in worlds.names() if worlds.get(name).continuous])
def test_compatibility_in_a_continuous_world_is_all_or_nothing(world_name):
    """JAX planners serve every objective; any other planner serves every
    objective or refuses them all as a search over discrete states."""
    world = worlds.get(world_name)
    rows = planners.compatibility([world_name])
    for planner_name in planners.PLANNERS:
        cls = planners.planner_class(planner_name)
        verdicts = [(r["works"], r["reason"]) for r in rows if r["planner"] == planner_name]
        if issubclass(cls, JaxPlanner) or verdicts[0][0]:
            assert all(works for works, _ in verdicts), planner_name
            continue
        with pytest.raises(IncompatibleObjectiveError, match="is continuous") as refusal:
            refuse_continuous(cls(), world)
        assert verdicts == [(False, str(refusal.value))] * len(verdicts), planner_name


def test_unknown_planner_names_list_the_valid_ones():
    valid = ", ".join(sorted(planners.PLANNERS))
    with pytest.raises(worlds.UnknownNameError, match=f"valid planners: {valid}"):
        make("dijkstra")


def test_the_reactive_policy_has_no_budget():
    with pytest.raises(worlds.InvalidParameterError, match="reactive planner has no budget"):
        make("reactive", 10)
