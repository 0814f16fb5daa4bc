"""The swap counterfactual: split an agent's base-score gap by swapping its objective.

For an agent (P, g) and base objective f, the gap between the best possible
base score J*(f) and the agent's own J(P, g) splits exactly into two parts:

    J*(f) - J(P, g) = [J(P, f) - J(P, g)]   +   [J*(f) - J(P, f)]
          gap           objective part          capability part

The objective part is what swapping g for f gains with the *same* planner:
the agent's loss from pursuing the wrong thing. The capability part is what
even the planner pursuing f leaves on the table: its loss from not being good
enough. This is the 2-D robustness decomposition of DESIGN.md section 1 done by
intervention (swapping) rather than by inferring the agent's objective.

Scores are the episodes' normalised base scores (``Episode.alignment``, n_f),
so J*(f) = 1 and a random walk is 0, averaged over the seeded levels of a
split. The parts can be negative: a planner whose proxy happens to serve f
better than f itself (a short-horizon searcher helped by a shaped proxy) has
a negative objective part.

    >>> from studies.analysis.swap import swap_decomposition
    >>> swap_decomposition("arrow-maze", "astar", "arrow", "test", range(6))  # doctest: +SKIP
    {..., 'gap': 1.0007..., 'objective_part': 1.0007..., 'capability_part': 1.3e-16, ...}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from objectives import Objective, as_objective
from planners import Agent, ValueIteration, make, rollout
from worlds import InvalidParameterError, World
from worlds import get as get_world


def resolve_planner(spec):
    """A planner from a planner object, a registered name (``"astar"``), a
    ``(name, budget)`` pair, or a mapping ``{"name": ..., "budget": ...,
    **constructor options}``."""
    if hasattr(spec, "plan") and hasattr(spec, "check"):
        return spec
    if isinstance(spec, str):
        return make(spec)
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
        return make(spec[0], spec[1])
    if isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
        options = {k: v for k, v in spec.items() if k not in ("name", "budget")}
        try:
            return make(spec["name"], spec.get("budget"), **options)
        except TypeError as error:
            raise InvalidParameterError(f"bad options for planner {spec['name']!r}: {error}") from None
    raise InvalidParameterError(
        f"expected a planner, a planner name, a (name, budget) pair or a mapping with a 'name', got {spec!r}"
    )


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def swap_decomposition(
    world: World | str,
    planner,
    objective: Objective | str,
    split: str,
    seeds: Iterable[int],
    *,
    max_steps: int | None = None,
    scoring: str = "oracle",
    oracle: ValueIteration | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The swap decomposition of the agent (`planner`, `objective`) on the
    levels ``world.sample(seed, split, **overrides)`` for each of `seeds`.

    On each level two episodes run from the same episode seed (the level's
    seed): the agent as it is, (P, g), and the same planner with the base
    objective swapped in, (P, f). So the result is deterministic given the
    seeds, and swapping g for itself (g == f) gives an objective part of
    exactly 0. `planner` is anything `resolve_planner` accepts; f is the
    world's base objective (episodes score alignment against it), so the
    planner must be able to pursue it. `scoring` and `max_steps` go to `planners.rollout`: ``"oracle"``
    (exact n_f over `max_steps` steps), ``"goal"`` (reached or not) or
    ``"reference"`` (continuous worlds; n_f may then exceed 1).

    Returns a dict with ``world``, ``split``, ``planner``, ``objective``,
    ``base``, ``seeds`` (those used), ``levels`` (how many), ``agent_score``
    (mean n_f of (P, g)), ``swapped_score`` (mean n_f of (P, f)),
    ``optimal_score`` (1.0), ``gap``, ``objective_part``,
    ``capability_part`` (means over the levels; gap = objective_part +
    capability_part), ``rows`` (one dict per level with the same quantities,
    the level's size and both episodes' outcomes and capabilities) and
    ``dropped`` (seeds where a score was undefined, NaN: no policy beats
    random within `max_steps`; they are left out of the means).
    """
    world = get_world(world)
    if world.continuous and scoring == "oracle":
        raise InvalidParameterError(
            f'{world.name} is continuous and has no exact oracle; pass scoring="reference"'
        )
    planner = resolve_planner(planner)
    objective = as_objective(world, objective)
    base_objective = as_objective(world, world.base)
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InvalidParameterError("swap_decomposition needs at least one seed")
    agent, swapped = Agent(planner, objective), Agent(planner, base_objective)
    rows, dropped = [], []
    for seed in seeds:
        level = world.sample(seed, split, **dict(overrides or {}))
        mine = rollout(world, level, agent, max_steps, seed=seed, scoring=scoring, oracle=oracle)
        theirs = rollout(world, level, swapped, max_steps, seed=seed, scoring=scoring, oracle=oracle)
        j_agent, j_swapped = float(mine.alignment), float(theirs.alignment)
        row = {
            "seed": seed,
            "size": [level.height, level.width],
            "agent_score": j_agent,
            "swapped_score": j_swapped,
            "gap": 1.0 - j_agent,
            "objective_part": j_swapped - j_agent,
            "capability_part": 1.0 - j_swapped,
            "agent_outcome": mine.outcome,
            "swapped_outcome": theirs.outcome,
            "agent_capability": float(mine.capability),
            "agent_steps": mine.steps,
            "swapped_steps": theirs.steps,
            "scoring": mine.scoring,
        }
        rows.append(row)
        if np.isnan(j_agent) or np.isnan(j_swapped):
            dropped.append(seed)
    kept = [r for r in rows if r["seed"] not in dropped]
    return {
        "world": world.name,
        "split": split,
        "planner": repr(planner),
        "objective": objective.name,
        "base": base_objective.name,
        "seeds": seeds,
        "levels": len(kept),
        "agent_score": _mean([r["agent_score"] for r in kept]),
        "swapped_score": _mean([r["swapped_score"] for r in kept]),
        "optimal_score": 1.0,
        "gap": _mean([r["gap"] for r in kept]),
        "objective_part": _mean([r["objective_part"] for r in kept]),
        "capability_part": _mean([r["capability_part"] for r in kept]),
        "rows": rows,
        "dropped": dropped,
    }


def swap_by_split(
    world: World | str,
    planner,
    objective: Objective | str,
    seeds: Iterable[int],
    splits: Sequence[str] | None = None,
    **options: Any,
) -> dict[str, dict[str, Any]]:
    """`swap_decomposition` for each split (default: all of the world's
    splits, e.g. train and test), keyed by split name."""
    world = get_world(world)
    seeds = list(seeds)
    splits = list(world.splits) if splits is None else list(splits)
    return {split: swap_decomposition(world, planner, objective, split, seeds, **options) for split in splits}


def format_swap(results: Mapping[str, Mapping[str, Any]] | Mapping[str, Any]) -> str:
    """A plain-text table of `swap_by_split` results (or of one
    `swap_decomposition` result)."""
    if "gap" in results:
        results = {results["split"]: results}
    width = max(8, *(len(split) + 2 for split in results))
    columns = f"{'levels':>7}{'J(P,g)':>9}{'J(P,f)':>9}{'gap':>9}{'objective':>11}{'capability':>12}"
    lines = [f"{'split':<{width}}{columns}"]
    for split, r in results.items():
        lines.append(
            f"{split:<{width}}{r['levels']:>7}{r['agent_score']:>9.3f}{r['swapped_score']:>9.3f}"
            f"{r['gap']:>9.3f}{r['objective_part']:>11.3f}{r['capability_part']:>12.3f}"
        )
    return "\n".join(lines)
