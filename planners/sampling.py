"""Sampling-based trajectory optimisation in JAX: CEM and MPPI.

Both sample whole action sequences around a mean, roll every sample out at
once (`jax.vmap` over `lax.scan` rollouts) and move the mean towards the
samples that scored well; neither needs gradients, so with enough samples
they can find the way round an obstacle that traps a gradient planner. The
search variable is the acceleration in units of ``max_accel``, clipped to
[-1, 1]. Both act by MPC with a warm start, like `GradientPlanner`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from planners.jax_planner import JaxPlanner, positive_float, positive_int
from planners.jax_trajectory import trajectory_return
from planners.limits import PlannerOptionError, checked_batch, checked_float
from worlds import JaxDynamics
from worlds.xla_flags import one_kernel


class _Sampler(JaxPlanner):
    def __init__(self, horizon, samples, iterations, std, hold, execute, warm_start, seed):
        super().__init__(horizon, execute, warm_start, seed)
        owner = type(self).__name__
        self.samples = positive_int(owner, "samples", samples, "samples")
        self.iterations = positive_int(owner, "iterations", iterations, "iterations")
        self.std = positive_float(owner, "std", std)
        self.hold = positive_int(owner, "hold", hold, "plan_horizon")
        checked_batch(owner, "samples", self.samples, self.horizon)

    def _noise(self, key, dtype, action_size: int):
        """Standard normal noise ``float[N, H, A]``, each draw held for `hold`
        steps: white noise averages out over a trajectory, held noise makes
        detours, which is what escaping a trap takes."""
        knots = -(-self.horizon // self.hold)
        noise = jax.random.normal(key, (self.samples, knots, action_size), dtype)
        return jnp.repeat(noise, self.hold, axis=1)[:, : self.horizon]

    def _config(self):
        return (self.horizon, self.samples, self.iterations, self.std, self.hold, self._extra_config())

    def _stats(self, warm_started):
        return {
            "samples": self.samples,
            "horizon": self.horizon,
            "rollouts": self.samples * self.iterations,
            "rollout_steps": self.samples * self.iterations * self.horizon,
        }

    def _returns(self, dynamics: JaxDynamics, params, start, objective, normalised, tag: bool = True):
        """Returns ``float[N]`` (and reached flags) of ``float[N, H, A]`` sequences,
        as one CPU kernel unless the caller's kernel already holds them (`tag`)."""
        actions = dynamics.action_scale(params) * normalised
        returns = jax.vmap(lambda a: trajectory_return(dynamics, params, start, a, objective))
        # the rollouts as one CPU kernel (`worlds.xla_flags`); CEM's refit (top-k)
        # stays outside, where XLA's library calls are allowed
        return one_kernel(returns)(actions) if tag else returns(actions)

    def _first_mean(self, warm, has_warm):
        return jnp.where(has_warm, warm, jnp.zeros_like(warm))


class CEM(_Sampler):
    """The cross-entropy method over action sequences.

    Args:
        horizon: planned steps H.
        samples: sequences drawn per iteration.
        iterations: refits of the sampling distribution per call.
        elites: best samples the distribution is refitted to (default samples // 8).
        std: initial standard deviation, in units of max_accel.
        hold: steps each noise draw is held for (1: white noise).
        min_std: floor under the refitted standard deviation.
        execute, warm_start, seed: as in `GradientPlanner`.

    The plan is the best sample seen in any iteration.
    """

    name = "cem"
    #: a budget (samples) small enough for a conformance test
    small_budget = 32

    def __init__(
        self,
        horizon: int = 50,
        samples: int = 256,
        iterations: int = 8,
        elites: int | None = None,
        std: float = 1.0,
        min_std: float = 0.05,
        hold: int = 10,
        execute: int = 1,
        warm_start: bool = True,
        seed: int = 0,
    ):
        super().__init__(horizon, samples, iterations, std, hold, execute, warm_start, seed)
        self.elites = max(1, self.samples // 8) if elites is None else positive_int("CEM", "elites", elites)
        if self.elites > self.samples:
            raise PlannerOptionError(f"CEM elites ({elites}) cannot exceed samples ({samples})", "elites")
        self.min_std = checked_float("CEM", "min_std", min_std)

    def _extra_config(self):
        return (self.elites, self.min_std)

    def __repr__(self) -> str:
        return f"CEM(horizon={self.horizon}, samples={self.samples}, iterations={self.iterations})"

    def _solver(self, dynamics: JaxDynamics, mapped: bool = False):
        def solve(params, start, objective, warm, has_warm, key):
            def body(carry, key):
                mean, std, best_x, best_v, best_reached = carry
                x = jnp.clip(mean + std * self._noise(key, mean.dtype, dynamics.action_size), -1.0, 1.0)
                values, reached = self._returns(dynamics, params, start, objective, x)
                top, order = jax.lax.top_k(values, self.elites)
                elite = x[order]
                better = top[0] > best_v
                best_x = jnp.where(better, elite[0], best_x)
                best_reached = jnp.where(better, reached[order[0]], best_reached)
                best_v = jnp.maximum(top[0], best_v)
                std = jnp.maximum(elite.std(axis=0), self.min_std)
                return (elite.mean(axis=0), std, best_x, best_v, best_reached), None

            mean = self._first_mean(warm, has_warm)
            std = jnp.full_like(mean, self.std)
            first = (mean, std, mean, jnp.array(-jnp.inf, mean.dtype), jnp.array(False))
            (mean, _, best_x, best_v, reached), _ = jax.lax.scan(
                body, first, jax.random.split(key, self.iterations)
            )
            # the warm start is the shifted mean, which keeps the search's memory
            return mean, dynamics.action_scale(params) * best_x, best_v, reached

        return solve


class MPPI(_Sampler):
    """Model-predictive path integral control.

    Args:
        horizon: planned steps H.
        samples: perturbed sequences per iteration.
        iterations: mean updates per call.
        temperature: the softmax temperature on returns; lower is greedier.
        std: standard deviation of the perturbations, in units of max_accel.
        hold: steps each noise draw is held for (1: white noise).
        execute, warm_start, seed: as in `GradientPlanner`.

    The plan is the return-weighted mean of the perturbed sequences.
    """

    name = "mppi"
    #: a budget (samples) small enough for a conformance test
    small_budget = 32

    def __init__(
        self,
        horizon: int = 50,
        samples: int = 256,
        iterations: int = 4,
        temperature: float = 1.0,
        std: float = 0.5,
        hold: int = 5,
        execute: int = 1,
        warm_start: bool = True,
        seed: int = 0,
    ):
        super().__init__(horizon, samples, iterations, std, hold, execute, warm_start, seed)
        self.temperature = positive_float("MPPI", "temperature", temperature)

    def _extra_config(self):
        return (self.temperature,)

    def __repr__(self) -> str:
        return f"MPPI(horizon={self.horizon}, samples={self.samples}, temperature={self.temperature})"

    def _solver(self, dynamics: JaxDynamics, mapped: bool = False):
        def solve(params, start, objective, warm, has_warm, key):
            def body(mean, key):
                x = jnp.clip(mean + self.std * self._noise(key, mean.dtype, dynamics.action_size), -1.0, 1.0)
                values, _ = self._returns(dynamics, params, start, objective, x, tag=False)
                weights = jax.nn.softmax((values - values.max()) / self.temperature)
                # a weighted sum, not a matrix product, which one kernel could not hold
                return jnp.sum(weights[:, None, None] * x, axis=0), None

            def iterate(first, keys):
                return jax.lax.scan(body, first, keys)[0]

            # every iteration, rollouts and refit, as one CPU kernel (`worlds.xla_flags`)
            keys = jax.random.split(key, self.iterations)
            mean = one_kernel(iterate)(self._first_mean(warm, has_warm), keys)
            actions = dynamics.action_scale(params) * mean
            value, reached = trajectory_return(dynamics, params, start, actions, objective)
            return mean, actions, value, reached

        return solve
