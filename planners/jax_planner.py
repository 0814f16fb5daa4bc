"""What the JAX planners share: checks, warm starts, MPC and the plan record.

A JAX planner optimises an open-loop action sequence over a fixed horizon
with one jitted ``solve`` function and acts by model-predictive control: it
returns the first `execute` actions and keeps the rest of its solution,
shifted, as the warm start of its next call on the same level and objective.
``solve`` takes the level, the start state and the objective as array
arguments, so neither a new level nor a new objective recompiles it;
`traces` counts how often JAX traced it (tests assert it stays at one).

The optimisation loops run as single CPU kernels (`worlds.xla_flags.one_kernel`,
per compilation, whatever ran JAX first in the process); where XLA cannot
compile a solver that way the planner recompiles it with a kernel per operation
and warns. `plan_batch` plans many levels in one call: ``solve`` under
`jax.vmap` over the levels' arrays (on a GPU, where one is lent, that is where
the throughput is; nothing needs one).

Planners with the same configuration share one compiled solver in the
process, and compiled code is kept on disk in JAX's persistent compilation
cache (under the mesabase cache folder, see `worlds.jit`) unless the user has
set a cache folder of their own.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from objectives import Objective
from planners.base import IncompatibleObjectiveError, Plan, PlannerBase, resolve
from planners.jax_trajectory import ObjectiveArrays
from planners.limits import PlannerOptionError, checked_bool, checked_float, checked_int, checked_seed
from worlds import InvalidParameterError, JaxDynamics, Level, World
from worlds import get as get_world
from worlds.jit import cache_root
from worlds.xla_flags import kernel_compiler_options, single_kernels

#: configuration key -> {"function" and "mapped_function": the solve function
#: for one level and for levels under vmap, "solve" and "batch": them jitted,
#: "traces": count, "one_kernel": whether
#: its loops are single kernels, "dynamics"}
_SOLVERS: dict[Any, dict[str, Any]] = {}


def _jit_solvers(entry: dict[str, Any]) -> None:
    """Jit the entry's solve function alone ("solve") and mapped over levels
    ("batch"), with single-kernel loops unless ``entry["one_kernel"]`` is off.
    Fresh functions each time, so that JAX traces them anew."""
    solve, mapped_solve, one = entry["function"], entry["mapped_function"], entry["one_kernel"]

    def traced(*args):
        entry["traces"] += 1  # runs only while JAX traces, not on compiled calls
        with single_kernels(one):
            return solve(*args)

    def mapped(*args):
        with single_kernels(one):
            return jax.vmap(mapped_solve, in_axes=(0, 0, None, None, None, 0))(*args)

    options = kernel_compiler_options() if one else {}
    entry["solve"] = jax.jit(traced, compiler_options=options)
    entry["batch"] = jax.jit(mapped, compiler_options=options)


def _use_persistent_cache() -> None:
    if jax.config.jax_compilation_cache_dir is None:
        jax.config.update("jax_compilation_cache_dir", str(cache_root() / "jax"))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)


_use_persistent_cache()


def positive_int(owner: str, label: str, value, limit: str | None = None) -> int:
    """`value` if it is a positive integer within the named limit of `planners.limits`."""
    return checked_int(owner, label, value, limit=limit)


def positive_float(owner: str, label: str, value) -> float:
    """`value` if it is a positive, finite number."""
    return checked_float(owner, label, value, strict=True)


class JaxPlanner(PlannerBase):
    """Base class. Subclasses set `name` and implement ``_solver(dynamics, mapped)``
    for a world's `worlds.JaxDynamics`, returning a function
    ``solve(params, start, objective, warm, has_warm, key)`` ->
    ``(decision float[H, A], actions float[H, A], value, reached)``, where
    `decision` is the planner's own search variable (shifted for the warm
    start) and `actions` the action vectors it stands for. The planner reaches
    a world only through the continuous-world contract
    (`worlds.ContinuousWorld`), so a new continuous world needs no change here."""

    name = "jax"
    needs_objective = True

    def __init__(self, horizon: int, execute: int, warm_start: bool, seed: int):
        owner = type(self).__name__
        self.horizon = positive_int(owner, "horizon", horizon, "plan_horizon")
        self.execute = positive_int(owner, "execute", execute)
        if self.execute > self.horizon:
            raise PlannerOptionError(
                f"{owner} execute ({execute}) cannot exceed the horizon ({horizon})", "execute"
            )
        self.warm_start = checked_bool(owner, "warm_start", warm_start)
        self.seed = checked_seed(owner, seed)
        self._rng = np.random.default_rng(seed)
        self._entry: dict[str, Any] | None = None
        self._warm: tuple[Any, jax.Array] | None = None
        #: the dynamics of the world planned in last (what `solver()` compiles for)
        self._dynamics: JaxDynamics | None = None

    # ---- contract -------------------------------------------------------
    def check(self, world: World, objective: Objective) -> None:
        if not world.continuous:
            raise IncompatibleObjectiveError(
                f"{self.name} plans continuous action sequences through differentiable dynamics; "
                f"{world.name} is a discrete world (use astar, mcts or value-iteration there)"
            )
        objective.bind(world)

    def reset(self) -> None:
        """Forget the warm start (rollout calls this at the start of an episode)."""
        self._warm = None

    def warm_from_actions(
        self, world: World | str, level: Level, objective: Objective | str, actions
    ) -> None:
        """Warm-start the next `plan` on this level and objective from
        action vectors ``float[T, A]`` (cut or padded to the horizon)."""
        problem = resolve(self, world, level, objective, None)
        size = problem.world.action_size
        actions = np.asarray(actions, dtype=np.float64).reshape(-1, size)[: self.horizon]
        padded = np.concatenate([actions, np.zeros((self.horizon - len(actions), size))])
        scale = problem.world.action_scale(level)
        decision = self._decision_from_actions(padded / scale)
        self._warm = ((level, problem.objective), jnp.asarray(decision, dtype=jnp.zeros(()).dtype))

    def _decision_from_actions(self, normalised: np.ndarray) -> np.ndarray:
        """The search variable standing for accelerations in units of max_accel."""
        return normalised

    def solver(self, world: World | str | None = None):
        """The jitted solve function for `world` (default: the world of the
        last `plan` or `solver_arguments` call), built on first use and shared
        by every planner with the same `_config` on the same dynamics."""
        dynamics = self._dynamics if world is None else get_world(world).jax_dynamics
        if dynamics is None:
            raise InvalidParameterError(
                f"{self.name}: name the world, or plan once, before asking for a solver"
            )
        if self._entry is None or self._entry["dynamics"] is not dynamics:
            key = (type(self), self._config(), dynamics)
            if key not in _SOLVERS:
                entry: dict[str, Any] = {"traces": 0, "dynamics": dynamics, "one_kernel": True}
                entry["function"] = self._solver(dynamics)
                entry["mapped_function"] = self._solver(dynamics, mapped=True)
                _jit_solvers(entry)
                _SOLVERS[key] = entry
            self._entry = _SOLVERS[key]
        return self._entry["solve"]

    def batch_solver(self, world: World | str | None = None):
        """`solver()` mapped over levels with `jax.vmap` and jitted: the same
        arguments, with the level parameters ``float[L, P]``, start states
        ``float[L, S]`` and PRNG keys ``key[L]`` stacked along a first axis
        (objective, warm start and its flag shared), and every result stacked
        the same way. Built on first use, shared like `solver()`."""
        self.solver(world)
        return self._entry["batch"]

    def _run(self, name: str, *arguments):
        """Call the entry's jitted `name` ("solve" or "batch"). Where XLA
        cannot compile the solver with single-kernel loops (an operation its
        kernels cannot hold), recompile it without them, once, and warn."""
        entry = self._entry
        try:
            return entry[name](*arguments)
        except jax.errors.JaxRuntimeError as error:
            # XLA says so as UNIMPLEMENTED or as a missing runtime symbol; an
            # error of any other cause recurs below and is raised from there
            if not entry["one_kernel"]:
                raise
            warnings.warn(
                f"{self.name}: XLA cannot compile this solver with its loops as single CPU kernels "
                f"({str(error).splitlines()[0]}); it runs with a kernel per operation, several times "
                "slower. Please report it with the planner's settings.",
                RuntimeWarning,
                stacklevel=3,
            )
            entry["one_kernel"] = False
            _jit_solvers(entry)
            return entry[name](*arguments)

    @property
    def single_kernels(self) -> bool:
        """Whether this planner's solver asks XLA for single-kernel loops
        (`worlds.xla_flags.one_kernel`): False only after XLA refused and the
        solver was recompiled with a kernel per operation."""
        return self._entry is None or self._entry["one_kernel"]

    @property
    def traces(self) -> int:
        """How many times JAX has traced this planner's solver (0 before use)."""
        return 0 if self._entry is None else self._entry["traces"]

    def _config(self) -> tuple:
        """Everything the solver's code depends on (hashable)."""
        raise NotImplementedError

    def _solver(self, dynamics: JaxDynamics, mapped: bool = False):
        """The solve function; `mapped` when it will run under `jax.vmap`
        over levels (a subclass may pick another formulation there)."""
        raise NotImplementedError

    def _stats(self, warm_started: bool) -> dict[str, Any]:
        raise NotImplementedError

    # ---- planning -------------------------------------------------------
    def solver_arguments(self, world, level: Level, objective, state=None, rng=None) -> tuple:
        """The arguments `plan` passes to `solver()` from this point: level
        parameters, start, objective arrays, warm start, whether it is one,
        and a PRNG key (for benchmarks that time the compiled solver alone)."""
        return self._arguments(world, level, objective, state, rng)[0]

    def _arguments(self, world, level, objective, state, rng):
        problem = resolve(self, world, level, objective, None)
        world = problem.world
        self._dynamics = world.jax_dynamics
        start = world.initial_state(level) if state is None else np.asarray(state, dtype=np.float64)
        dtype = jnp.zeros(()).dtype  # float32 unless the user enabled x64
        objective_arrays = ObjectiveArrays(
            *(jnp.asarray(a, dtype=dtype) for a in ObjectiveArrays.of(problem.bound))
        )
        warm_key = (level, problem.objective)
        has_warm = self.warm_start and self._warm is not None and self._warm[0] == warm_key
        warm = self._warm[1] if has_warm else jnp.zeros((self.horizon, world.action_size), dtype=dtype)
        seed = int((rng or self._rng).integers(2**31))
        arguments = (
            jnp.asarray(world.arrays(level), dtype=dtype),
            jnp.asarray(start, dtype=dtype),
            objective_arrays,
            warm,
            jnp.asarray(has_warm),
            jax.random.key(seed),
        )
        return arguments, warm_key

    def plan_batch(
        self,
        world: World | str,
        levels: list[Level],
        objective: Objective | str,
        states: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> list[Plan]:
        """Plans for many levels at once, in one call of `batch_solver` (a
        level's arrays are data, so the levels share one compiled program):
        what `plan` returns for each level, from a cold start, with the seeds
        `plan` would draw for the levels in turn from `rng`. `states`
        ``float[L, S]`` defaults to each level's initial state. Warm starts are
        neither used nor kept."""
        if len(levels) == 0:
            return []
        problem = resolve(self, world, levels[0], objective, None)
        world = problem.world
        self._dynamics = world.jax_dynamics
        dtype = jnp.zeros(()).dtype  # float32 unless the user enabled x64
        # built in numpy and moved once: per-level device arrays cost more than planning
        params = jnp.asarray(np.stack([world.arrays(level) for level in levels]), dtype=dtype)
        if states is None:
            states = np.stack([world.initial_state(level) for level in levels])
        starts = jnp.asarray(np.asarray(states, dtype=np.float64), dtype=dtype)
        objective_arrays = ObjectiveArrays(
            *(jnp.asarray(a, dtype=dtype) for a in ObjectiveArrays.of(problem.bound))
        )
        generator = rng or self._rng
        seeds = np.array([generator.integers(2**31) for _ in levels], dtype=np.int64)
        keys = jax.vmap(jax.random.key)(jnp.asarray(seeds))
        warm = jnp.zeros((self.horizon, world.action_size), dtype=dtype)
        began = time.perf_counter()
        self.batch_solver()
        _, actions, values, reached = self._run(
            "batch", params, starts, objective_arrays, warm, jnp.asarray(False), keys
        )
        actions = np.asarray(actions, dtype=np.float64)
        seconds = time.perf_counter() - began
        values, reached = np.asarray(values), np.asarray(reached)
        return [
            Plan(
                actions=actions[i, : self.execute],
                value=float(values[i]),
                complete=bool(reached[i]),
                stats={
                    **self._stats(False),
                    "seconds": seconds,
                    "batch": len(levels),
                    "warm_started": False,
                    "planned": actions[i],
                },
            )
            for i in range(len(levels))
        ]

    def plan(
        self,
        world: World | str,
        level: Level,
        objective: Objective | str,
        state: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> Plan:
        arguments, warm_key = self._arguments(world, level, objective, state, rng)
        has_warm = bool(arguments[4])
        began = time.perf_counter()
        self.solver()
        decision, actions, value, reached = self._run("solve", *arguments)
        actions = np.asarray(actions, dtype=np.float64)
        seconds = time.perf_counter() - began
        if self.warm_start:
            shifted = jnp.concatenate([decision[self.execute :], jnp.repeat(decision[-1:], self.execute, 0)])
            self._warm = (warm_key, shifted)
        return Plan(
            actions=actions[: self.execute],
            value=float(value),
            complete=bool(reached),
            stats={
                **self._stats(has_warm),
                "seconds": seconds,
                "warm_started": bool(has_warm),
                "planned": actions,
            },
        )
