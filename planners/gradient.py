"""Gradient trajectory optimisation: optax over open-loop action sequences.

Each restart is an action sequence in an unconstrained space, squashed into
the acceleration bounds by ``max_accel * tanh(u)``, and improved by an optax
optimiser on the gradient of the objective's return through the
differentiable dynamics (`lax.scan` rollouts). Restarts run side by side
under `jax.vmap`; the best return seen by any restart wins; the whole
optimisation, rollouts included, is one CPU kernel (`worlds.xla_flags`). It
is a local method: behind a U-shaped obstacle the gradient of "get closer to
the exit" points into the wall, which is the capability failure the
``test-trap`` split shows.

The pieces compose in optax's style, so an ablation can swap them:

    GradientPlanner(optimizer=optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(0.05)),
                    init=initialisers.zeros())
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

from planners import initialisers
from planners.jax_planner import JaxPlanner, positive_float, positive_int
from planners.jax_trajectory import trajectory_return
from planners.limits import PlannerOptionError, checked_batch, checked_choice
from worlds import JaxDynamics
from worlds.xla_flags import one_kernel

#: optimiser name -> optax constructor taking the learning rate, for `optimizer="..."`
OPTIMIZERS: dict[str, Callable[[float], optax.GradientTransformation]] = {
    "adam": optax.adam,
    "adamw": optax.adamw,
    "adabelief": optax.adabelief,
    "lion": optax.lion,
    "rmsprop": optax.rmsprop,
    "sgd": optax.sgd,
}


def _optimizer(optimizer, lr: float) -> tuple[optax.GradientTransformation, object]:
    """The optax transformation `optimizer` stands for, and what names it in
    the solver cache: ``(name, lr)`` for a name (None is ``"adam"``), else itself."""
    if optimizer is None:
        optimizer = "adam"
    if isinstance(optimizer, str):
        checked_choice("GradientPlanner", "optimizer", optimizer, OPTIMIZERS)
        return OPTIMIZERS[optimizer](lr), (optimizer, lr)
    if not (callable(getattr(optimizer, "init", None)) and callable(getattr(optimizer, "update", None))):
        raise PlannerOptionError(
            f"GradientPlanner optimizer must be an optax.GradientTransformation or one of "
            f"{', '.join(OPTIMIZERS)}, got {optimizer!r}",
            "optimizer",
        )
    return optimizer, optimizer


def _initialiser(init) -> tuple[Callable, object]:
    """The initialiser `init` stands for, and what names it in the solver cache."""
    if init is None or init == "gaussian":
        return initialisers.gaussian(0.5), ("gaussian", 0.5)
    if isinstance(init, str):
        checked_choice("GradientPlanner", "init", init, initialisers.NAMED)
        return initialisers.NAMED[init](), (init,)
    if not callable(init):
        raise PlannerOptionError(
            f"GradientPlanner init must be an initialiser from planners.initialisers or one of "
            f"{', '.join(initialisers.NAMED)}, got {init!r}",
            "init",
        )
    return init, init


class GradientPlanner(JaxPlanner):
    """Adam (by default) on action sequences, with restarts and MPC.

    Args:
        horizon: planned steps H.
        iterations: optimiser steps per restart on a cold start.
        restarts: sequences optimised in parallel (`vmap`); restart 0 is the
            warm start when there is one.
        lr: learning rate of the default ``optax.adam``.
        optimizer: any ``optax.GradientTransformation`` (replaces `lr`), or
            the name of one in `OPTIMIZERS` (built with `lr`).
        init: an initialiser from `planners.initialisers`, called as
            ``init(key, (restarts, H, A))`` for the unconstrained variables,
            or its name (``"gaussian"``, ``"zeros"``).
        warm_iterations: optimiser steps when warm-started (default
            iterations // 4): a shifted plan needs only polishing.
        execute: actions returned per call (MPC); the rest warm-starts the next.
        warm_start: keep the shifted plan between calls.
        seed: seeds the initialiser unless `plan(rng=...)` is given.
    """

    name = "gradient"
    #: a budget (iterations) small enough for a conformance test
    small_budget = 10

    def __init__(
        self,
        horizon: int = 50,
        iterations: int = 100,
        restarts: int = 8,
        lr: float = 0.1,
        optimizer: optax.GradientTransformation | str | None = None,
        init: Callable | str | None = None,
        warm_iterations: int | None = None,
        execute: int = 1,
        warm_start: bool = True,
        seed: int = 0,
    ):
        super().__init__(horizon, execute, warm_start, seed)
        self.iterations = positive_int("GradientPlanner", "iterations", iterations, "iterations")
        self.restarts = positive_int("GradientPlanner", "restarts", restarts, "restarts")
        checked_batch("GradientPlanner", "restarts", self.restarts, self.horizon)
        self.lr = positive_float("GradientPlanner", "lr", lr)
        self.warm_iterations = (
            max(1, self.iterations // 4)
            if warm_iterations is None
            else positive_int("GradientPlanner", "warm_iterations", warm_iterations, "iterations")
        )
        # defaults and names are recorded by value so that equal planners share a compiled solver
        self.optimizer, optimizer_piece = _optimizer(optimizer, self.lr)
        self.init, init_piece = _initialiser(init)
        self._pieces = optimizer_piece, init_piece

    def __repr__(self) -> str:
        return (
            f"GradientPlanner(horizon={self.horizon}, iterations={self.iterations}, "
            f"restarts={self.restarts}, lr={self.lr})"
        )

    def _config(self):
        return (self.horizon, self.iterations, self.warm_iterations, self.restarts, self._pieces)

    def _decision_from_actions(self, normalised):
        return np.arctanh(np.clip(normalised, -0.999, 0.999))

    def _stats(self, warm_started):
        iterations = self.warm_iterations if warm_started else self.iterations
        return {
            "restarts": self.restarts,
            "horizon": self.horizon,
            "iterations": iterations,
            "rollout_steps": self.restarts * iterations * self.horizon,
        }

    def _solver(self, dynamics: JaxDynamics, mapped: bool = False):
        optimizer, init = self.optimizer, self.init
        shape = (self.restarts, self.horizon, dynamics.action_size)
        cold, warm_steps = self.iterations, self.warm_iterations
        # one restart on one level runs unbatched, where the rollout's contact
        # test stays a real branch and rewards are computed after the scan (see
        # `trajectory_return`); several restarts or levels run side by side
        # under `vmap`, where a branch computes both sides and the step-by-step
        # form is faster
        batched = self.restarts > 1 or mapped

        def solve(params, start, objective, warm, has_warm, key):
            scale = dynamics.action_scale(params)
            squash = lambda u: scale * jnp.tanh(u)  # noqa: E731

            def value(u):
                return trajectory_return(dynamics, params, start, squash(u), objective, batched=batched)

            grad = jax.value_and_grad(lambda u: -value(u)[0])

            def optimise(u, has_warm):
                def body(_, carry):
                    u, opt_state, best_u, best_v = carry
                    loss, g = grad(u)
                    better = -loss > best_v
                    best_u, best_v = jnp.where(better, u, best_u), jnp.where(better, -loss, best_v)
                    updates, opt_state = optimizer.update(g, opt_state, u)
                    return optax.apply_updates(u, updates), opt_state, best_u, best_v

                steps = jnp.where(has_warm, warm_steps, cold)
                u, _, best_u, best_v = jax.lax.fori_loop(
                    0, steps, body, (u, optimizer.init(u), u, jnp.array(-jnp.inf, u.dtype))
                )
                last = value(u)[0]
                return jnp.where(last > best_v, u, best_u), jnp.maximum(last, best_v)

            def optimise_all(starts, has_warm):
                if batched:
                    return jax.vmap(optimise, in_axes=(0, None))(starts, has_warm)
                decision, best_value = optimise(starts[0], has_warm)
                return decision[None], best_value[None]

            starts = init(key, shape).astype(start.dtype)
            starts = jnp.where(has_warm, starts.at[0].set(warm), starts)
            # the whole optimisation, rollouts included, as one CPU kernel
            # (`worlds.xla_flags`): per-operation launches would cost ten times more
            decisions, values = one_kernel(optimise_all)(starts, has_warm)
            best = jnp.argmax(values)
            decision = decisions[best]
            return decision, squash(decision), values[best], value(decision)[1]

        return solve
