"""The exact oracle: value iteration over a level's enumerated state space.

It gives every metric its yardstick: J* (the optimal return) and J^random (the
uniformly random policy's return) of any objective on any level small enough
to enumerate, so the normalised score n_h of DESIGN.md section 6 is exact.
It is also a planner that acts optimally.

Three methods solve the enumerated model; `ValueIteration.solve` picks one
per (objective, horizon, policy), and ``method="sweeps"`` forces the first:

- ``"sweeps"``: full value-iteration sweeps (`oracle_kernel.solve`), the
  reference. Any objective; to convergence it runs until no value moves by
  more than `tolerance`, about 3,200 sweeps at discount 0.99 on any level
  where values that small exist (every level of size 201 and up).
- ``"backward"``: optimal values of goal-reaching objectives (only the
  transitions that end the objective's episode pay, none of them less than
  0; see `oracle_kernel.goal_rewards`) by one breadth-first search backwards
  from the goals per distinct goal reward g (at most `MAX_GOAL_REWARDS`):
  the best ``g * discount**d`` exactly, the sweeps' fixed point
  (`oracle_kernel.backward_solve` says why), with finite horizons too.
- ``"linear"``: the uniformly random policy's values as one sparse LU solve
  of the Bellman equations ``(I - P) V = r`` (with two steps of iterative
  refinement), when the discount is below 1 and the horizon is long enough
  that its truncation moves no value by more than `TRUNCATION` (1e-15).

Everything else takes the sweeps: optimal values under step costs, rewards
on the way, penalties that end the episode, more than `MAX_GOAL_REWARDS`
goal rewards, and of objectives without a goal (collecting keys,
sweeping); random-policy
values that are undiscounted or have a short horizon. Why 1e-15: scores
divide by J* - J^random and call it undefined below 1e-12
(`planners.scoring.normalised_score`), so value errors must stay well under
1e-12 for a score near that spread to be right; the sweeps' own tolerance
(1e-14 relative per sweep) already leaves errors up to about
``1e-14 / (1 - discount)``, 1e-12 at discount 0.99, and the fast methods
stay below it (they have no stopping rule: their errors are rounding, and
a truncation of at most 1e-15 where the random policy has a horizon).
"""

from __future__ import annotations

import collections
import dataclasses
import time

import numpy as np

from objectives import BoundObjective, Objective, as_objective
from planners import oracle_kernel as ok
from planners.base import IncompatibleObjectiveError, Plan, PlannerBase, refuse_continuous
from planners.hashtable import KeyTable, table_find
from planners.limits import checked_float, checked_int, limit_value
from worlds import InvalidParameterError, Level, MesabaseError, World
from worlds import get as get_world
from worlds.dispatch import key, key_bound


class StateSpaceTooLargeError(MesabaseError, ValueError):
    """The level has more reachable states than the oracle is allowed to enumerate."""


#: what the uniformly random policy's values may lose to a finite horizon for
#: the "linear" method to stand in for the horizon's sweeps (see the module docstring)
TRUNCATION = 1e-15
#: distinct goal rewards the backward search takes (one search each); more take the sweeps
MAX_GOAL_REWARDS = 8
METHODS = ("auto", "sweeps")


@dataclasses.dataclass(frozen=True)
class Solution:
    """One objective solved on one model.

    Attributes:
        values: ``float64[N]`` state values.
        q_values: ``float64[N, A]`` action values.
        method: ``"sweeps"``, ``"backward"`` or ``"linear"`` (module docstring).
        sweeps: sweeps done (``"sweeps"``), search levels (``"backward"``), or 0.
    """

    values: np.ndarray
    q_values: np.ndarray
    method: str
    sweeps: int


@dataclasses.dataclass(frozen=True)
class TabularModel:
    """A level's reachable states and transitions, numbered by discovery.

    Attributes:
        states: ``int64[N, S]``; state 0 is the level's start.
        next_index: ``int64[N, A]`` successor numbers.
        features: ``float64[N, A, K]`` transition features.
        world_terminal: ``bool[N]``.
    """

    states: np.ndarray
    next_index: np.ndarray
    features: np.ndarray
    world_terminal: np.ndarray
    keys: KeyTable

    @property
    def size(self) -> int:
        return len(self.states)


class ValueIteration(PlannerBase):
    """Exact values of any objective on an enumerated level; also an optimal planner.

    Solved by backward search, a sparse linear solve or value-iteration
    sweeps, whichever is exact for the objective (module docstring).

    Args:
        max_states: refuse levels with more reachable states than this.
        horizon: default number of steps for finite-horizon values; None means
            discounted to convergence (objectives with discount 1 then need a
            horizon at call time).
        tolerance: relative change below which sweeps stop early (the
            other methods have no stopping rule).
        max_sweeps: sweeps to convergence at most; the backward search is
            cut at the same point, and the linear solve is used only where
            that point is past convergence.
    """

    name = "value-iteration"
    #: exact: no budget to shrink for a conformance test
    small_budget = None

    def __init__(
        self,
        max_states: int = 200_000,
        horizon: int | None = None,
        tolerance: float = 1e-14,
        max_sweeps: int = 1_000_000,
    ):
        self.max_states = checked_int("ValueIteration", "max_states", max_states, limit="states")
        if horizon is not None:
            horizon = checked_int("ValueIteration", "horizon", horizon, limit="plan_horizon")
        self.horizon = horizon
        self.tolerance = checked_float("ValueIteration", "tolerance", tolerance)
        self.max_sweeps = checked_int("ValueIteration", "max_sweeps", max_sweeps, limit="sweeps")
        # id(level) -> (level, model, {(objective, steps, policy, method): Solution})
        self._cache: collections.OrderedDict = collections.OrderedDict()

    def __repr__(self) -> str:
        return f"ValueIteration(horizon={self.horizon})"

    # ---- the tabular model ---------------------------------------------------
    def model(self, world: World | str, level: Level) -> TabularModel:
        """The enumerated state space of `level` (cached for recent levels)."""
        return self._entry(get_world(world), level)[1]

    def _entry(self, world: World, level: Level):
        entry = self._cache.get(id(level))
        if entry is not None and entry[0] is level:
            self._cache.move_to_end(id(level))
            return entry
        entry = (level, self._enumerate(world, level), {})
        self._cache[id(level)] = entry
        while len(self._cache) > 8:
            self._cache.popitem(last=False)
        return entry

    def _enumerate(self, world: World, level: Level) -> TabularModel:
        start = world.initial_state(level)
        capacity = min(self.max_states, max(16, world.capacity_hint(level)))
        keys_below = key_bound(world.world_id, level.grid, level.params)
        n_actions, n_features = len(world.actions), len(world.features)
        while True:
            states = np.empty((capacity, world.state_size), dtype=np.int64)
            next_index = np.empty((capacity, n_actions), dtype=np.int64)
            feats = np.empty((capacity, n_actions, n_features))
            terminal = np.empty(capacity, dtype=np.bool_)
            keys = KeyTable(capacity, keys_below)
            count = ok.enumerate_states(
                world.world_id, level.grid, level.params, start, self.max_states,
                states, next_index, feats, terminal, keys.rows, keys.begin(), keys.hashed,
            )  # fmt: skip
            if count == ok.OVER_LIMIT:
                raise StateSpaceTooLargeError(
                    f"{world.name} level {level!r} has more than {self.max_states} reachable states; "
                    "raise ValueIteration(max_states=...) or use a smaller level"
                )
            if count != ok.OUT_OF_MEMORY:
                break
            capacity = min(self.max_states, 2 * capacity)
        return TabularModel(
            states[:count].copy(), next_index[:count].copy(), feats[:count].copy(), terminal[:count].copy(),
            keys,
        )  # fmt: skip

    def state_index(self, world: World, level: Level, state) -> int:
        model = self.model(world, level)
        state = np.asarray(state, dtype=np.int64)
        state_key = key(world.world_id, level.grid, level.params, state)
        index = table_find(model.keys.rows, model.keys.stamp, state_key, model.keys.hashed)
        if index < 0:
            raise InvalidParameterError(
                f"state {state.tolist()} is not reachable from the start of {level!r}"
            )
        return int(index)

    # ---- values ---------------------------------------------------------------
    def _horizon(self, objective: Objective, horizon: int | None) -> int:
        horizon = self.horizon if horizon is None else horizon
        if horizon is None:
            if objective.discount >= 1.0:
                raise IncompatibleObjectiveError(
                    f"ValueIteration needs a horizon for the undiscounted objective {objective.name!r}; "
                    "pass horizon=... or give the objective a discount below 1"
                )
            return 0
        horizon = checked_int("ValueIteration", "horizon", horizon)
        cap = limit_value("plan_horizon")
        if horizon > cap:
            # an episode's horizon comes from the level (4 x its cells), not from
            # the user: too long to solve exactly, so scoring falls back to goals
            raise StateSpaceTooLargeError(
                f"a {horizon}-step horizon is over MAX_PLAN_HORIZON={cap:,} sweeps of exact value "
                "iteration; raise it with MESABASE_MAX_PLAN_HORIZON=... if the machine has the time"
            )
        return horizon

    def solve(
        self,
        world: World | str,
        level: Level,
        objective: Objective | str,
        *,
        horizon: int | None = None,
        policy: str = "optimal",
        method: str = "auto",
    ) -> tuple[np.ndarray, np.ndarray]:
        """State values ``float64[N]`` and action values ``float64[N, A]`` of
        `objective` under the optimal (``policy="optimal"``) or uniformly
        random (``policy="random"``) policy, indexed like `model(...).states`.
        ``method="auto"`` takes the fastest exact method (module docstring);
        ``"sweeps"`` the full sweeps, the reference the others are tested against."""
        solution = self.solution(world, level, objective, horizon=horizon, policy=policy, method=method)
        return solution.values, solution.q_values

    def solution(
        self,
        world: World | str,
        level: Level,
        objective: Objective | str,
        *,
        horizon: int | None = None,
        policy: str = "optimal",
        method: str = "auto",
    ) -> Solution:
        """Like `solve`, with the method used and the sweeps done (cached)."""
        world = get_world(world)
        objective = as_objective(world, objective)
        if policy not in ("optimal", "random"):
            raise InvalidParameterError(f"policy must be 'optimal' or 'random', got {policy!r}")
        if method not in METHODS:
            raise InvalidParameterError(f"method must be 'auto' or 'sweeps', got {method!r}")
        steps = self._horizon(objective, horizon)
        _, model, solutions = self._entry(world, level)
        cache_key = (objective, steps, policy, method)
        if cache_key not in solutions:
            solutions[cache_key] = self._solve(model, objective.bind(world), steps, policy, method)
        return solutions[cache_key]

    def _solve(self, model: TabularModel, bound: BoundObjective, steps: int, policy: str, method: str):
        values = np.empty(model.size)
        q_values = np.empty(model.next_index.shape)
        optimal = policy == "optimal"
        if method == "auto":
            reward = np.empty(model.next_index.shape)
            cont = np.empty(model.next_index.shape)
            ok.transition_rewards(
                model.next_index, model.features, model.world_terminal, bound.weights, bound.terminal,
                bound.step_cost, bound.discount, reward, cont,
            )  # fmt: skip
            # the sweeps stop after max_sweeps even to convergence: the same cut here
            cut = steps if steps > 0 else (self.max_sweeps if self.max_sweeps <= model.size else 0)
            if optimal:
                goals = np.empty(MAX_GOAL_REWARDS)
                count = ok.goal_rewards(reward, cont, model.world_terminal, goals)
                if count >= 0:
                    levels = ok.backward_solve(
                        model.next_index, reward, cont, model.world_terminal, goals[:count], bound.discount,
                        cut, values, q_values,
                    )  # fmt: skip
                    return Solution(values, q_values, "backward", int(levels))
            elif linear_is_exact(reward, model.world_terminal, bound.discount, steps or self.max_sweeps):
                values, q_values = random_policy_values(model.next_index, reward, cont, model.world_terminal)
                return Solution(values, q_values, "linear", 0)
            del reward, cont  # the sweeps make their own
        sweeps = ok.solve(
            model.next_index, model.features, model.world_terminal, bound.weights, bound.terminal,
            bound.step_cost, bound.discount, steps, self.tolerance, self.max_sweeps, optimal,
            values, q_values,
        )  # fmt: skip
        return Solution(values, q_values, "sweeps", int(sweeps))

    def optimal_return(
        self, world, level: Level, objective, *, state=None, horizon: int | None = None
    ) -> float:
        """J*: the best return of `objective` from `state` (default: the start)."""
        values, _ = self.solve(world, level, objective, horizon=horizon)
        return float(values[self._index(world, level, state)])

    def random_return(
        self, world, level: Level, objective, *, state=None, horizon: int | None = None
    ) -> float:
        """J^random: the uniformly random policy's expected return, exactly."""
        values, _ = self.solve(world, level, objective, horizon=horizon, policy="random")
        return float(values[self._index(world, level, state)])

    def q_values(
        self, world, level: Level, objective, state=None, *, horizon: int | None = None
    ) -> np.ndarray:
        """Optimal action values ``float64[A]`` at `state` (default: the start)."""
        _, q_values = self.solve(world, level, objective, horizon=horizon)
        return q_values[self._index(world, level, state)].copy()

    def _index(self, world, level: Level, state) -> int:
        return 0 if state is None else self.state_index(get_world(world), level, state)

    # ---- as a planner ------------------------------------------------------------
    def check(self, world: World, objective: Objective) -> None:
        refuse_continuous(self, world)
        objective.bind(world)
        self._horizon(objective, None)

    def plan(self, world, level: Level, objective, state=None, rng=None) -> Plan:
        """The greedy path on the optimal action values, up to the objective's
        end, the world's end or the horizon (default: the number of states).
        The values are stationary, so replanning from any state on the path
        would give the rest of it: a path that loops (an agent with nothing
        to gain bumping a wall) is returned whole instead of one step per
        call. Ties go to the
        lowest action index; with a finite horizon the values are those with
        the full horizon to go (a receding-horizon plan)."""
        world = get_world(world)
        objective = as_objective(world, objective)
        self.check(world, objective)
        began = time.perf_counter()
        fresh = id(level) not in self._cache
        values, q_values = self.solve(world, level, objective)
        model = self.model(world, level)
        bound = objective.bind(world)
        index = self._index(world, level, state)
        start_index = index
        limit = self.horizon or model.size
        actions = []
        while len(actions) < limit and not model.world_terminal[index]:
            action = int(np.argmax(q_values[index]))
            actions.append(action)
            fired = model.features[index, action] != 0
            index = int(model.next_index[index, action])
            if (fired & (bound.terminal != 0)).any():
                break
        return Plan(
            actions=np.array(actions, dtype=np.int64),
            value=float(values[start_index]),
            complete=True,
            stats={
                "expansions": model.size if fresh else 0,
                "states": model.size,
                "rollout_steps": 0,
                "seconds": time.perf_counter() - began,
            },
            action_values=q_values[start_index].copy(),
        )


_DEFAULT: ValueIteration | None = None


def default_oracle() -> ValueIteration:
    """The shared oracle that rollouts use to normalise scores."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = ValueIteration()
    return _DEFAULT


def linear_is_exact(reward: np.ndarray, world_terminal: np.ndarray, discount: float, steps: int) -> bool:
    """Whether `steps` of the random policy's sweeps reach its infinite-horizon
    values to within `TRUNCATION`: the part of a value after `steps` steps is
    at most ``max|r| * discount**steps / (1 - discount)``. ``reward``
    ``float64[N, A]``, ``world_terminal`` ``bool[N]``."""
    if discount >= 1.0:
        return False
    live = reward[~world_terminal]
    largest = float(np.abs(live).max()) if live.size else 0.0
    if not np.isfinite(largest):
        return False
    # in logs: discount**steps underflows long before the bound matters
    if largest == 0.0:
        return True
    return np.log(largest) + steps * np.log(discount) - np.log1p(-discount) <= np.log(TRUNCATION)


def random_policy_values(
    next_index: np.ndarray, reward: np.ndarray, cont: np.ndarray, world_terminal: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The uniformly random policy's values ``float64[N]`` and action values
    ``float64[N, A]`` to convergence, from one sparse LU factorisation of
    ``(I - P) V = r``, where ``P[s, t]`` sums ``cont[s, a] / A`` over the
    actions a from s to t and ``r[s]`` is the mean of ``reward[s]``;
    world-terminal states are worth 0. ``I - P`` is strictly diagonally
    dominant by rows (each row of P sums to at most the discount < 1), so the
    solve is stable; two steps of iterative refinement take the residual
    to rounding level."""
    n, n_actions = next_index.shape
    live = ~world_terminal
    rows = np.repeat(np.arange(n), n_actions)
    weight = np.where(live[:, None], cont / n_actions, 0.0).ravel()
    kept = weight != 0.0
    # scipy.sparse costs a fifth of a second to import; only this solve needs it
    from scipy import sparse
    from scipy.sparse import linalg as sparse_linalg

    transitions = sparse.csr_matrix(
        (weight[kept], (rows[kept], next_index.ravel()[kept])), shape=(n, n)
    )  # duplicate (s, t) entries add up: several actions may lead to t
    system = (sparse.identity(n, format="csr") - transitions).tocsc()
    rhs = np.where(live, reward.mean(axis=1), 0.0)
    factors = sparse_linalg.splu(system)
    values = factors.solve(rhs)
    for _ in range(2):
        values += factors.solve(rhs - system @ values)
    q_values = reward + cont * values[next_index]
    q_values[world_terminal] = 0.0
    values[world_terminal] = 0.0
    return values, q_values
