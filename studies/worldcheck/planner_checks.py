"""Planner conformance: one check per planner in `planners.PLANNERS`.

Every planner that the registry's table (`planners.compatibility`) says can
serve the world plans from the start of a level of the world's first split,
with the small budget the planner declares, for every objective it serves;
each action it proposes must be one the world takes. Then `planners.rollout`
plays a short episode with it and scores it: exactly by the oracle in a
discrete world, against the reference planner in a continuous one.
A planner that serves none of the world's objectives is skipped, with its reason.
"""

from __future__ import annotations

import numpy as np

import planners
from planners import OUTCOMES, Agent, rollout
from studies.worldcheck.core import CheckFailed, CheckSkipped, Settings, register
from worlds import Level, World


def action_problem(world: World, level: Level, actions: np.ndarray) -> str | None:
    """What is wrong with a plan's `actions` in `world`, or None: indices
    ``int[T]`` in ``range(len(world.actions))``, or, in a continuous world,
    finite vectors ``float[T, A]`` within the world's action scale."""
    actions = np.asarray(actions)
    if actions.ndim == 1 and actions.dtype.kind in "iu":
        bad = [int(a) for a in actions if not 0 <= a < len(world.actions)]
        return f"action indices {bad[:3]} outside 0..{len(world.actions) - 1}" if bad else None
    if not world.continuous:
        return f"actions of dtype {actions.dtype} and shape {actions.shape}, not action indices"
    if actions.ndim != 2 or actions.shape[1] != world.action_size:
        return f"action vectors of shape {actions.shape}, not (T, {world.action_size})"
    if not np.isfinite(actions).all():
        return "action vectors that are not finite"
    scale = world.action_scale(level)
    if np.abs(actions).max(initial=0.0) > scale * (1 + 1e-9):
        return f"action components up to {np.abs(actions).max():.4g}, over the action scale {scale:g}"
    return None


def _conformance(planner_name: str):
    def body(world: World, settings: Settings) -> str:
        rows = [row for row in planners.compatibility([world]) if row["planner"] == planner_name]
        served = [row["objective"] for row in rows if row["works"]]
        if not served:
            raise CheckSkipped(
                f"serves none of its objectives: {rows[0]['reason']}" if rows else "no table rows"
            )
        cls = planners.planner_class(planner_name)
        planner = planners.make(planner_name, cls.small_budget)
        split = next(iter(world.splits))
        level = world.sample(settings.seed, split)
        probes = planners.probe_objectives(world)
        acted = 0
        for name in served:
            objective = probes[name] if planner.needs_objective else None
            plan = planner.plan(world, level, objective, rng=np.random.default_rng(settings.seed))
            problem = action_problem(world, level, plan.actions)
            if problem:
                raise CheckFailed(f"planning for {name!r} on {level!r} proposes {problem}")
            acted += len(plan.actions) > 0
            if not planner.needs_objective:
                break  # one policy whatever the objective: one plan says it all
        if not acted:
            raise CheckFailed(f"proposes no action from the start of {level!r} for any objective")
        if not planner.needs_objective:
            objective, planned = None, "plans without an objective"
        else:
            objective = world.base if world.base in served else probes[served[0]]
            planned = f"plans for {len(served)} objective(s)"
        agent = Agent(planner, objective)
        scoring = "reference" if world.continuous else "oracle"
        episode = rollout(world, level, agent, max_steps=settings.rollout_steps, seed=settings.seed,
                          scoring=scoring)  # fmt: skip
        if episode.outcome not in OUTCOMES or episode.scoring != scoring:
            raise CheckFailed(f"rollout gave outcome {episode.outcome!r} scored by {episode.scoring!r}")
        budget = "no budget" if cls.small_budget is None else f"budget {cls.small_budget}"
        return (
            f"{budget}: {planned}; a {episode.steps}-step rollout on {split} "
            f"is {episode.outcome} ({scoring}, alignment {episode.alignment:.2f})"
        )

    return body


for _name in planners.PLANNERS:
    register(f"planner:{_name}", f"{_name} plans valid actions and its rollout is scored")(
        _conformance(_name)
    )
