"""Induced utilities over outputs: what an agent's objective says about its first action.

DESIGN.md section 1: the base objective f scores agents across levels, the
mesa-objective g scores plans inside one level, so the two are not directly
comparable. The bridge is the utility g induces over outputs: for a state x
and a first action a, u_g(x)(a) is the best value of g over plans that start
with a. That is a vector over actions, like the base objective's optimal
action values Q_f(x, .), and the two can be compared:

- ``argmax_agreement``: does the action g likes best also maximise f?
- ``kendall_tau``: do g and f rank all the actions alike?
- ``regret``: how much base value the utility-best action gives up.

    >>> import planners, studies.analysis.induced as induced, worlds
    >>> maze = worlds.get("arrow-maze"); level = maze.sample(0, "test")
    >>> u = induced.induced_utilities(maze, level, planners.AStar(), "arrow")
    >>> induced.compare_to_base(u, induced.base_values(maze, level))  # doctest: +SKIP

Where the utilities come from (``source``):

``"oracle"``
    The exact optimal action values of the agent's objective g
    (`planners.ValueIteration.q_values`, discounted to convergence, or over
    ``horizon`` steps): what g induces for an unbounded planner. Discrete
    worlds only.
``"planner"``
    What the agent's own search believes, per planner:

    - `planners.AStar`: A* values paths, not actions, so each first action is
      valued by searching on from its successor: u(a) = r(a) + gamma * V(s'),
      where r(a) is g's reward for the step and V(s') the return of A*'s plan
      from s' (for a complete plan, the return of a shortest path to a goal:
      gamma^(1 + cost-to-go) for ``reach`` objectives). A step that ends g's
      episode (a goal, or a pruned goal) or the world's is worth r(a). When no
      goal can be reached from s', V(s') is the return of never reaching one,
      -step_cost / (1 - gamma) (0 for the catalogue objectives; -inf when
      undiscounted with a step cost). When a budget (``max_expansions``) runs
      out, V(s') is the estimate A* itself acts on: a goal reached after
      f = g + h steps, where g is the length of the path to its best frontier
      node and h the world's admissible heuristic there (an optimistic value).
      Without a budget these utilities equal the oracle's for every goal
      objective (the tests check it), except at a state standing on a goal
      tile: A* finds no path from there (a goal fires on *entering* the tile,
      and the search never re-enters its closed start state), so an action
      that stays put there is valued as never reaching a goal.
    - `planners.MCTS`: the root action values of one search from the state
      (`Plan.action_values`): with ``backup="max"`` the best return found
      through each action, by value iteration over the explored graph (a lower
      bound on the optimum); with ``backup="mean"`` the UCT means. NaN for an
      action the search never tried.
    - `planners.ValueIteration` (and any planner that fills
      `Plan.action_values`): those values; for the oracle they are its Q-values
      (with its own ``horizon`` setting).
    - A planner without action values (the reactive policy, the JAX
      trajectory optimisers) is refused with `worlds.InvalidParameterError`.

Missing values: NaN means "unknown" (an untried action) and is left out of
every metric; -inf means "worthless" and ranks below everything.

Affine invariance. A positive affine map of the utilities, u -> a * u + b with
a > 0, changes none of the metrics: the argmax set, the ranking (hence tau)
and the base regret (which is measured in *base* values) are all preserved.
Ties are decided relative to the utilities' spread (see `compare_to_base`), so
this holds exactly up to floating-point rounding. On the objective side,
scaling g's weights and step cost by a > 0 (``objective * a``) scales every
return, so every source above gives u -> a * u. Adding a constant c to every
*step's reward* is **not** such a map for episodic objectives: a plan that
ends its episode sooner collects fewer of the c's, so the change depends on
the plan's length (a positive living reward can make an exit-seeker avoid the
exit; the tests show it). That is why "affine transforms of g" are taken here
as transforms of its utilities and positive scalings of its weights.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from objectives import Objective, as_objective
from planners import Agent, AStar, ValueIteration, default_oracle, rollout
from planners.trajectory import simulate
from worlds import InvalidParameterError, Level, World
from worlds import get as get_world
from worlds.dispatch import heuristic, terminal

SOURCES = ("planner", "oracle")
#: ties: values within this fraction of the utilities' spread of the best one
DEFAULT_TOLERANCE = 1e-9
# values this many ulps apart are equal whatever the spread (rounding noise)
_ROUNDING = 64 * np.finfo(np.float64).eps


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise InvalidParameterError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")


def _needs_discrete(world: World, what: str) -> None:
    if world.continuous:
        raise InvalidParameterError(
            f"{what} needs the exact oracle, and {world.name} is continuous (it has none); "
            "use a discrete world"
        )


def _oracle_q(oracle, world, level, objective, state, horizon) -> np.ndarray:
    oracle = oracle or default_oracle()
    return oracle.q_values(world, level, objective, state, horizon=horizon).astype(np.float64)


def base_values(
    world: World | str,
    level: Level,
    state=None,
    *,
    base: Objective | str | None = None,
    oracle: ValueIteration | None = None,
    horizon: int | None = None,
) -> np.ndarray:
    """The base objective's optimal action values ``float64[A]`` at `state`
    (default: the level's start), from the oracle. `base` defaults to the
    world's base objective."""
    world = get_world(world)
    _needs_discrete(world, "base action values")
    base = as_objective(world, world.base if base is None else base)
    return _oracle_q(oracle, world, level, base, state, horizon)


def induced_utilities(
    world: World | str,
    level: Level,
    planner,
    objective: Objective | str,
    state=None,
    *,
    source: str = "planner",
    oracle: ValueIteration | None = None,
    horizon: int | None = None,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """The utility ``float64[A]`` that the agent (`planner`, `objective`)
    induces over first actions at `state` (default: the level's start).

    `source` is ``"planner"`` (the planner's own search; see the module
    docstring for what each planner contributes) or ``"oracle"`` (the exact
    optimal action values of `objective`; `planner` is then not consulted and
    may be None). `rng` (a generator or a seed) drives stochastic planners,
    so a seeded call is repeatable. `horizon` applies to the oracle.

    Raises `worlds.InvalidParameterError` for an unknown source, the oracle in
    a continuous world, or a planner that reports no action values; the
    planner's own `IncompatibleObjectiveError` for an objective it cannot serve.
    """
    _check_source(source)
    world = get_world(world)
    objective = as_objective(world, objective)
    if source == "oracle":
        _needs_discrete(world, 'source="oracle"')
        return _oracle_q(oracle, world, level, objective, state, horizon)
    if planner is None:
        raise InvalidParameterError('source="planner" needs a planner; pass one or use source="oracle"')
    if isinstance(rng, (int, np.integer)):
        rng = np.random.default_rng(int(rng))
    if isinstance(planner, AStar):
        return _astar_utilities(world, level, planner, objective, state)
    planner.check(world, objective)
    plan = planner.plan(world, level, objective, state=state, rng=rng)
    if plan.action_values is None:
        raise InvalidParameterError(
            f'{planner!r} reports no action values; use source="oracle" or a planner that has them '
            "(astar, mcts, value-iteration)"
        )
    return np.asarray(plan.action_values, dtype=np.float64).copy()


def _astar_utilities(world: World, level: Level, planner: AStar, objective: Objective, state) -> np.ndarray:
    """u(a) = r(a) + gamma * V_A*(s'), one A* search per action (see the module docstring)."""
    planner.check(world, objective)
    bound = objective.bind(world)
    gamma, cost = bound.discount, bound.step_cost
    start = world.kernel_state(world.initial_state(level) if state is None else state)
    n_actions = len(world.actions)
    utilities = np.full(n_actions, np.nan)
    if terminal(world.world_id, level.grid, level.params, start):
        return utilities  # nothing to choose: the world's episode is over
    goal_mask = ((bound.terminal != 0) & (bound.weights > 0)).astype(np.float64)
    goal_reward = float(bound.weights[goal_mask != 0].max())
    # the return of never reaching a goal
    never = -cost / (1.0 - gamma) if gamma < 1.0 else (-math.inf if cost > 0 else 0.0)
    for action in range(n_actions):
        states, feats = simulate(world, level, start, [action])
        reward = float(feats[0] @ bound.weights - cost)
        after = states[1]
        if bound.ended_at(feats) is not None or terminal(world.world_id, level.grid, level.params, after):
            utilities[action] = reward
            continue
        plan = planner.plan(world, level, objective, state=world.state_from_kernel(after))
        status = plan.stats.get("status")
        if plan.complete:
            rest = plan.value
        elif status == "no_path":
            rest = never
        else:  # budget exhausted: the f = g + h estimate A* acts on
            end, _ = simulate(world, level, after, plan.actions)
            h = heuristic(world.world_id, level.grid, level.params, end[-1], goal_mask)
            steps = len(plan.actions) + max(1, int(math.ceil(h)))
            paid = steps if gamma == 1.0 else (1.0 - gamma**steps) / (1.0 - gamma)
            rest = goal_reward * gamma ** (steps - 1) - cost * paid
        utilities[action] = reward + gamma * rest
    return utilities


# ---- the comparison ---------------------------------------------------------------
def _tie_groups(values: np.ndarray, tolerance: float) -> np.ndarray:
    """Integer ranks of `values` (NaN excluded by the caller) where values
    closer than the tie tolerance share a rank; -inf ranks lowest."""
    finite = values[np.isfinite(values)]
    spread = float(finite.max() - finite.min()) if finite.size else 0.0
    scale = float(np.abs(finite).max()) if finite.size else 0.0
    tol = max(tolerance * spread, _ROUNDING * scale)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values), dtype=np.int64)
    rank, previous = 0, None
    for i in order:
        v = values[i]
        if previous is not None:
            close = np.isfinite(v) and np.isfinite(previous) and v - previous <= tol
            if not (v == previous or close):
                rank += 1
        previous = v
        ranks[i] = rank
    return ranks


def _best(values: np.ndarray, tolerance: float) -> np.ndarray:
    """Boolean mask of the actions tied for the best of `values` (NaN never best)."""
    known = ~np.isnan(values)
    mask = np.zeros(len(values), dtype=bool)
    if not known.any():
        return mask
    ranks = _tie_groups(values[known], tolerance)
    mask[np.flatnonzero(known)] = ranks == ranks.max()
    return mask


def compare_to_base(
    utilities: Sequence[float], base_values: Sequence[float], *, tolerance: float = DEFAULT_TOLERANCE
) -> dict[str, Any]:
    """Compare an induced utility over actions with the base action values.

    Ties: two values tie when they differ by at most `tolerance` times the
    spread (max - min of the finite values) of their vector, or by rounding
    noise; so the result is unchanged by u -> a * u + b, a > 0. Actions whose
    utility is NaN (unknown) are left out; -inf ranks below everything.

    Returns a dict:

    - ``argmax_agreement``: the fraction of the utility-best actions (all
      those tied for best) that are also base-best; 1.0 or 0.0 without ties.
      It is the chance that an agent breaking ties uniformly picks a
      base-optimal action.
    - ``regret``: max(base) minus the base value of the utility-best action,
      averaged over the tied utility-best actions (>= 0; 0 means the agent's
      favourite is base-optimal); ``worst_regret``: the same for the worst of
      them.
    - ``kendall_tau``: Kendall's tau-b between the tie-grouped rankings of
      utilities and base values over the known actions (NaN when either is
      constant or fewer than two actions are known).
    - ``utility_best`` and ``base_best``: the tied best action indices.
    """
    u = np.asarray(utilities, dtype=np.float64)
    f = np.asarray(base_values, dtype=np.float64)
    if u.shape != f.shape or u.ndim != 1:
        raise InvalidParameterError(
            f"utilities and base values must be 1-D and of one length, got shapes {u.shape} and {f.shape}"
        )
    if np.isnan(f).any() or np.isinf(f).any():
        raise InvalidParameterError(f"base values must be finite, got {f.tolist()}")
    nan = float("nan")
    known = ~np.isnan(u)
    if not known.any():
        return {
            "argmax_agreement": nan, "regret": nan, "worst_regret": nan, "kendall_tau": nan,
            "utility_best": [], "base_best": np.flatnonzero(_best(f, tolerance)).tolist(),
        }  # fmt: skip
    utility_best = _best(u, tolerance)
    base_best = _best(f, tolerance)
    base_max = float(f.max())
    regrets = base_max - f[utility_best]
    # a base-best action's regret is within the tie tolerance of 0: report 0
    regrets[base_best[utility_best]] = 0.0
    return {
        "argmax_agreement": float(base_best[utility_best].mean()),
        "regret": float(max(regrets.mean(), 0.0)),
        "worst_regret": float(max(regrets.max(), 0.0)),
        "kendall_tau": _kendall_tau(u[known], f[known], tolerance),
        "utility_best": np.flatnonzero(utility_best).tolist(),
        "base_best": np.flatnonzero(base_best).tolist(),
    }


def _kendall_tau(u: np.ndarray, f: np.ndarray, tolerance: float) -> float:
    from scipy.stats import kendalltau

    if len(u) < 2:
        return float("nan")
    ru, rf = _tie_groups(u, tolerance), _tie_groups(f, tolerance)
    if len(set(ru.tolist())) < 2 or len(set(rf.tolist())) < 2:
        return float("nan")
    return float(kendalltau(ru, rf).statistic)


# ---- over many states and levels -----------------------------------------------------
def level_states(world: World | str, level: Level, *, oracle: ValueIteration | None = None) -> np.ndarray:
    """Every reachable state of `level` where the world's episode is not over,
    ``int64[N, S]`` in the oracle's discovery order (the start first)."""
    world = get_world(world)
    _needs_discrete(world, "enumerating a level's states")
    model = (oracle or default_oracle()).model(world, level)
    return model.states[~model.world_terminal].copy()


def compare_over_states(
    world: World | str,
    level: Level,
    planner,
    objective: Objective | str,
    states: Iterable | None = None,
    *,
    source: str = "planner",
    base: Objective | str | None = None,
    oracle: ValueIteration | None = None,
    horizon: int | None = None,
    seed: int = 0,
    tolerance: float = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """`compare_to_base` at each of `states` of one level (default: every
    non-terminal reachable state, `level_states`), with means.

    A stochastic planner is seeded per state from `seed` and the state's
    position in `states`, so the result is repeatable. Returns ``states``
    (how many were compared), ``mean_agreement``, ``mean_tau`` (over the
    states where tau is defined), ``tau_defined``, ``mean_regret``,
    ``max_regret`` and ``rows`` (one `compare_to_base` dict per state, with
    its ``state``, ``utilities`` and ``base_values``).
    """
    _check_source(source)
    world = get_world(world)
    _needs_discrete(world, "comparing with the base objective's action values")
    oracle = oracle or default_oracle()
    if states is None:
        states = level_states(world, level, oracle=oracle)
    rows = []
    for i, state in enumerate(states):
        state = np.asarray(state, dtype=np.int64)
        if terminal(world.world_id, level.grid, level.params, state):
            continue
        u = induced_utilities(
            world, level, planner, objective, state, source=source, oracle=oracle, horizon=horizon,
            rng=np.random.default_rng([seed, i]),
        )  # fmt: skip
        f = base_values(world, level, state, base=base, oracle=oracle, horizon=horizon)
        row = compare_to_base(u, f, tolerance=tolerance)
        row.update(state=state.tolist(), utilities=u.tolist(), base_values=f.tolist())
        rows.append(row)
    return _summary(rows)


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(key: str) -> float:
        values = np.array([r[key] for r in rows], dtype=np.float64)
        values = values[~np.isnan(values)]
        return float(values.mean()) if values.size else float("nan")

    taus = [r["kendall_tau"] for r in rows if not np.isnan(r["kendall_tau"])]
    regrets = [r["regret"] for r in rows if not np.isnan(r["regret"])]
    return {
        "states": len(rows),
        "mean_agreement": mean("argmax_agreement"),
        "mean_tau": mean("kendall_tau"),
        "tau_defined": len(taus),
        "mean_regret": mean("regret"),
        "max_regret": float(max(regrets)) if regrets else float("nan"),
        "rows": rows,
    }


def compare_over_levels(
    world: World | str,
    planner,
    objective: Objective | str,
    split: str,
    seeds: Iterable[int],
    *,
    states: str = "episode",
    source: str = "planner",
    max_steps: int | None = None,
    base: Objective | str | None = None,
    oracle: ValueIteration | None = None,
    horizon: int | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """`compare_over_states` over the seeded levels of `split`, pooled.

    `states` is ``"episode"`` (the states the agent itself visits in a seeded
    rollout of at most `max_steps` steps, the final one excluded when the
    world has ended there) or ``"all"`` (every non-terminal reachable state of
    each level). Means are over all the states pooled; ``per_level`` holds
    each level's summary without its rows.
    """
    if states not in ("episode", "all"):
        raise InvalidParameterError(f"states must be 'episode' or 'all', got {states!r}")
    _check_source(source)
    world = get_world(world)
    _needs_discrete(world, "comparing with the base objective's action values")
    oracle = oracle or default_oracle()
    objective = as_objective(world, objective)
    rows, per_level = [], []
    for seed in seeds:
        level = world.sample(int(seed), split)
        chosen = None
        if states == "episode":
            if planner is None:
                raise InvalidParameterError('states="episode" needs a planner to play the episode')
            # scored by goals only: the scores are not used, so spare the oracle
            agent = Agent(planner, objective)
            episode = rollout(world, level, agent, max_steps, seed=int(seed), scoring="goal")
            chosen = episode.states
        summary = compare_over_states(
            world, level, planner, objective, chosen, source=source, base=base, oracle=oracle,
            horizon=horizon, seed=int(seed), tolerance=tolerance,
        )  # fmt: skip
        for row in summary["rows"]:
            row["seed"] = int(seed)
        rows.extend(summary["rows"])
        per_level.append({"seed": int(seed), **{k: v for k, v in summary.items() if k != "rows"}})
    result = _summary(rows)
    result["per_level"] = per_level
    return result
