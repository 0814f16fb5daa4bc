"""A reactive policy: no search over outcomes and no objective, just a rule."""

from __future__ import annotations

import time

import numpy as np

from objectives import Objective, as_objective
from planners.base import Plan, PlannerBase, refuse_continuous
from planners.limits import PlannerOptionError
from planners.reactive_kernel import first_move_towards
from planners.trajectory import plan_return
from worlds import Level, UnknownNameError, World
from worlds import get as get_world


class Reactive(PlannerBase):
    """Step along a shortest path towards the nearest tile of one kind.

    A fixed heuristic with no explicit objective, the kind of policy a small
    network trained on chests-and-keys ends up with ("go to the nearest key").
    It plans one step at a time: breadth-first search to the nearest tile of
    kind `towards` that is still there (keys not yet picked up, dirt not yet
    swept), then the first move of that path.

    Args:
        towards: a tile kind of the world (``world.tile_kinds``); None takes
            the world's own rule (``world.reactive_rule``: the nearest key in
            chests-keys, the nearest dirt in cleaning, the exit in the maze).
        then: an action to take when standing on such a tile (``"sweep"`` for
            dirt); None when arriving is enough (keys are picked up by
            stepping on them). Ignored when `towards` is None.

    It ignores the objective it is given; in `planners.rollout` give it
    ``objective=None`` and the episode is scored against the catalogue
    objective that best explains it (its revealed objective).
    """

    name = "reactive"
    #: no search, so no budget
    small_budget = None
    needs_objective = False

    def __init__(self, towards: str | None = None, then: str | None = None):
        if towards is not None and (not isinstance(towards, str) or not towards):
            raise PlannerOptionError(
                f"Reactive towards must be a tile kind name or None, got {towards!r}", "towards"
            )
        if then is not None and (not isinstance(then, str) or not then):
            raise PlannerOptionError(f"Reactive then must be an action name or None, got {then!r}", "then")
        self.towards = towards
        self.then = then

    def __repr__(self) -> str:
        then = "" if self.then is None else f", then={self.then!r}"
        return f"Reactive(towards={self.towards!r}{then})"

    def rule(self, world: World) -> tuple[str, str | None]:
        """(tile kind, action on arrival) this policy follows in `world`."""
        if self.towards is None:
            return world.reactive_rule["towards"], world.reactive_rule.get("then")
        return self.towards, self.then

    def check(self, world: World, objective: Objective | None) -> None:
        """Refuse worlds without the tile kind (or the `then` action); any
        objective is fine, since it is ignored."""
        world = get_world(world)
        refuse_continuous(self, world)
        towards, then = self.rule(world)
        if towards not in world.tile_kinds:
            raise UnknownNameError(f"{world.name} tile kind", towards, world.tile_kinds)
        if then is not None and then not in world.actions:
            raise UnknownNameError(f"{world.name} action", then, world.actions)

    def plan(
        self,
        world: World | str,
        level: Level,
        objective: Objective | str | None = None,
        state: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> Plan:
        world = get_world(world)
        self.check(world, None)
        began = time.perf_counter()
        state = world.initial_state(level) if state is None else np.asarray(state, dtype=np.int64)
        here = (int(state[0]), int(state[1]))
        towards, then = self.rule(world)
        cells = world.locate(level, state, towards)
        targets = np.zeros((level.height, level.width), dtype=np.bool_)
        targets[cells[:, 0], cells[:, 1]] = True
        if then is not None and targets[here]:
            action, length = world.action_index(then), 0
        else:
            action, length = first_move_towards(world.walls(level), world.moves, here[0], here[1], targets)
        actions = np.array([action] if action >= 0 else [], dtype=np.int64)
        value = float("nan")
        if objective is not None and len(actions):
            value = plan_return(world, level, state, actions, as_objective(world, objective).bind(world))
        return Plan(
            actions=actions,
            value=value,
            complete=action >= 0,
            stats={
                "expansions": 0,
                "rollout_steps": 0,
                "seconds": time.perf_counter() - began,
                "distance": int(length),
                "status": "moving" if action >= 0 else "nothing_left",
            },
        )
