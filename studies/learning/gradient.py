"""The ``gradient`` base optimiser: gradient descent on a mesa-optimiser that
itself runs gradient descent.

The agent is a gradient planner (the mesa-optimiser) pursuing a learned
objective with weights θ over named features. The base optimiser chooses θ
to maximise the *base* objective's return (the world's ``exit`` objective)
over training levels, by differentiating through the planner:

    u_0      a fixed, seeded action sequence per level and restart
    u_{k+1}  = u_k + inner_lr * Adam(∇_u R_θ(max_accel * tanh(u_k)))    k < inner_iterations
    fitness  = mean over levels of R̃_base(max_accel * tanh(u_K))
    θ       <- θ + lr * Adam(clip(∇_θ [fitness - penalty(θ)]))

R_θ is the return that `planners.GradientPlanner` maximises (that of
`planners.jax_trajectory.trajectory_return`) under the objective with weights
θ. R̃_base is a *smoothed* base return: the reached indicators take the value
of the sigmoid whose gradient the dynamics already gives them, and reaching
the exit ends the episode with that probability rather than all at once, so
the fitness is a differentiable function of the actions. The inner loop has
a fixed number of iterations (`lax.scan`) so that `jax.grad` reaches θ
through all of them; `GradientPlanner` itself runs a ``fori_loop`` with a
dynamic trip count, which reverse mode cannot differentiate.

Short unrolls learn better. Through 30 inner iterations ∇θ is rough (the
gradient of an unrolled optimiser grows chaotic with its length): the search
random-walks along a plateau and now and then falls off the cliff where the
distance weight reaches 0 and the planner stops moving. With 10-15 iterations
the fitness rises and stays up. Hence ``inner_iterations=15``.

One outer step is one jitted call, vmapped over levels and restarts. Its
learning rates, levels and objective are arguments, so every search with
the same number of inner iterations (and array shapes) shares one compiled
step in the process, and JAX's persistent cache keeps it across processes.

>>> history = gradient_search("point-mass", list(worlds.get("point-mass").features),
...                           frozenset({"reached_exit"}), 0.99, 0.0, list(range(8)), "train", {})
... # doctest: +SKIP
>>> history[-1]["theta"]  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import objectives
from objectives import Objective
from planners.jax_planner import positive_float, positive_int  # also turns on JAX's persistent cache
from planners.jax_trajectory import ObjectiveArrays, trajectory_return
from worlds import ContinuousWorld, InvalidParameterError, JaxDynamics, World
from worlds import get as get_world

_OWNER = "gradient search"


def jax_dynamics_of(world: World) -> JaxDynamics | None:
    """The world's `worlds.JaxDynamics`, or None for a world without them
    (every discrete world, and a continuous one that declares none)."""
    if not isinstance(world, ContinuousWorld):
        return None
    try:
        return world.jax_dynamics
    except NotImplementedError:
        return None


def default_theta0(world: World | str, features: Sequence[str]) -> np.ndarray:
    """The default θ0 ``float64[len(features)]``: the base objective's goals
    (its terminal features, on point-mass ``reached_exit``) weighted as the
    base objective weighs them (+50), every other feature 0.

    It is the base objective's own goal without its shaping: a sparse
    objective. On point-mass, far from the exit its gradient (a sigmoid 0.3
    units wide, 5-9 units away) is ~1e-11, so a local gradient planner has
    nothing to follow and drifts: a mean base return of about -44 on train
    levels 0-7 with ``GradientPlanner(horizon=30, iterations=20,
    restarts=2)``, against about +21 for the ``exit`` objective itself.
    Raises `worlds.InvalidParameterError` when no goal is among the features.
    """
    world = get_world(world)
    features = list(features)
    base = objectives.get(world, world.base)
    goals = [f for f in world.features if f in base.terminal]
    if not goals or any(goal not in features for goal in goals):
        raise InvalidParameterError(
            f"{_OWNER}: the default theta0 weights {', '.join(goals) or 'the base goals'}, which is not "
            f"among the features {features}; pass theta0"
        )
    theta = np.zeros(len(features))
    for goal in goals:
        theta[features.index(goal)] = base.weights[goal]
    return theta


# ---- the differentiable pieces --------------------------------------------------


def learned_return(dynamics: JaxDynamics, params, start, actions, objective: ObjectiveArrays):
    """The return (a float scalar) of actions ``float[T, A]`` from `start`
    ``float[S]``: `planners.jax_trajectory.trajectory_return`'s step-by-step
    (batched) form, which is twice differentiable and is what runs under
    `vmap` here."""
    return trajectory_return(dynamics, params, start, actions, objective, batched=True)[0]


def smoothed_return(dynamics: JaxDynamics, events, params, start, actions, base: ObjectiveArrays):
    """The smoothed return (a float scalar) of actions ``float[T, A]`` from
    `start` ``float[S]`` under `base`.

    As `learned_return`, except that the world's events (``bool[K]`` mask
    `events`, the reached indicators) are their smooth values s
    (`JaxDynamics.smooth_events`) and a terminal event ends the episode with
    probability s: later rewards are weighted by the probability of not
    having ended yet. Other terminal features end it as usual.
    `base.terminal` ``float[K]`` must include the world's own end (on
    point-mass the base objective's ``reached_exit``).
    """
    geometry = dynamics.prepare(params)

    def step(carry, action):
        state, alive, scale = carry
        # the meta-gradient differentiates the step twice (the inner loop's
        # Hessian-vector products); under `vmap` a contact branch would
        # compute both sides anyway, hence branch=False
        next_state, features = dynamics.transition(geometry, state, action, False)
        features = dynamics.smooth_events(params, next_state, features)
        reward = jnp.sum(base.weights * features) - base.step_cost
        fires = jnp.where(events, features, jax.lax.stop_gradient(features != 0.0))
        survives = jnp.prod(1.0 - base.terminal * fires)
        return (next_state, alive * survives, scale * base.discount), reward * alive * scale

    one = jnp.ones((), dtype=actions.dtype)
    _, rewards = jax.lax.scan(step, (start.astype(actions.dtype), one, one), actions)
    return jnp.sum(rewards)


# ---- the outer step -------------------------------------------------------------


class _Data(NamedTuple):
    """An outer step's traced arguments (L levels, R restarts, H horizon, n
    learned weights, K world features)."""

    params: jax.Array  # float[L, P]
    starts: jax.Array  # float[L, S]
    init: jax.Array  # float[L, R, H, A], the initial unconstrained actions
    scatter: jax.Array  # float[n, K]: θ @ scatter is the weight vector in feature order
    terminal: jax.Array  # float[K], the learned objective's terminal mask
    step_cost: jax.Array  # float scalar, the learned objective's
    discount: jax.Array  # float scalar, the learned objective's
    base: ObjectiveArrays  # the base objective; its terminal mask includes the world's end
    l1: jax.Array  # float scalar
    cost: jax.Array  # float[n]
    lr: jax.Array  # float scalar, the base optimiser's
    inner_lr: jax.Array  # float scalar, the mesa-optimiser's


# Both Adams give directions only: the learning rates are traced (`_Data`),
# so a sweep over them reuses one compiled step.
#: the mesa-optimiser's Adam; eps_root keeps sqrt(v) differentiable where a
#: gradient is 0 (optax's advice for meta-gradients through Adam)
_INNER = optax.scale_by_adam(eps_root=1e-16)
#: the base optimiser's Adam. Near a sparse θ the inner Adam divides by a
#: ~1e-11 gradient and ∇θ reaches 1e9: clipping keeps one such step from
#: filling Adam's second moment for hundreds of steps
_OUTER = optax.chain(optax.clip_by_global_norm(1.0), optax.scale_by_adam())


def _build(dynamics: JaxDynamics, events: tuple[bool, ...], inner_iterations: int) -> Callable:
    """The jitted outer step ``(θ float[n], opt_state, _Data) -> (θ', opt_state',
    fitness, penalty, ∇θ (fitness - penalty) float[n])`` in the world of
    `dynamics` (`events`: which of its K features are events); fitness and
    penalty are those of the θ passed in, before the update."""
    events = np.array(events, dtype=np.bool_)

    def values(weights, data: _Data, u):
        """The learned return of unconstrained actions u ``float[L, R, H, A]``: ``float[L, R]``."""
        objective = ObjectiveArrays(weights, data.terminal, data.step_cost, data.discount)

        def one(params, start, u):
            return learned_return(
                dynamics, params, start, dynamics.action_scale(params) * jnp.tanh(u), objective
            )

        return jax.vmap(jax.vmap(one, in_axes=(None, None, 0)))(data.params, data.starts, u)

    def plan(weights, data: _Data):
        """The mesa-optimiser on every level at once: Adam on the learned
        return of each restart, then the restart that return likes best;
        actions ``float[L, H, A]``."""
        # the sequences' returns are independent, so the gradient of their sum
        # is each one's own gradient; vmapping inside the iteration rather
        # than around the scan keeps tracing short
        ascent = jax.grad(lambda u: jnp.sum(values(weights, data, u)))

        def iteration(carry, _):
            u, state = carry
            direction, state = _INNER.update(ascent(u), state, u)
            return (u + data.inner_lr * direction, state), None

        u = data.init
        (u, _), _ = jax.lax.scan(iteration, (u, _INNER.init(u)), None, length=inner_iterations)
        if u.shape[1] > 1:
            # as the planner does; the choice is piecewise constant in θ, and
            # the gradient flows through the chosen restart
            best = jnp.argmax(jax.lax.stop_gradient(values(weights, data, u)), axis=1)
            u = jnp.take_along_axis(u, best[:, None, None, None], axis=1)
        return jax.vmap(dynamics.action_scale)(data.params)[:, None, None] * jnp.tanh(u[:, 0])

    def objective(theta, data: _Data):
        actions = plan(theta @ data.scatter, data)
        returns = jax.vmap(functools.partial(smoothed_return, dynamics, events), in_axes=(0, 0, 0, None))(
            data.params, data.starts, actions, data.base
        )
        fitness = jnp.mean(returns)
        penalty = data.l1 * jnp.sum(jnp.abs(theta)) + jnp.sum(data.cost * jnp.abs(theta))
        return fitness - penalty, (fitness, penalty)

    def step(theta, opt_state, data: _Data):
        (_, (fitness, penalty)), gradient = jax.value_and_grad(objective, has_aux=True)(theta, data)
        # Adam minimises: give it the loss's gradient and step against its direction
        direction, opt_state = _OUTER.update(-gradient, opt_state, theta)
        return theta - data.lr * direction, opt_state, fitness, penalty, gradient

    return jax.jit(step)


#: (dynamics, events, inner_iterations) -> the jitted step; jit's own cache
#: tells shapes and dtypes apart
_STEPS: dict[tuple, Callable] = {}


def _outer_step(dynamics: JaxDynamics, events: tuple[bool, ...], inner_iterations: int) -> Callable:
    key = (dynamics, events, inner_iterations)
    if key not in _STEPS:
        _STEPS[key] = _build(dynamics, events, inner_iterations)
    return _STEPS[key]


def _vector(label: str, value, n: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.shape != (n,) or not np.isfinite(array).all():
        raise InvalidParameterError(
            f"{_OWNER}: {label} must be {n} finite numbers, one per feature, got shape {array.shape}"
        )
    return array


# ---- the search -----------------------------------------------------------------


class Search:
    """A prepared search: the levels and objectives as device arrays and the
    compiled outer step. `gradient_search` is the usual way in; `value_and_grad`
    exposes the fitness and its gradient (for tests and diagnostics).

    Arguments as in `gradient_search`. Arrays are in JAX's default float
    (float32, or float64 under ``jax.enable_x64``) as the planners' are.
    """

    def __init__(
        self,
        world: World | str,
        features: Sequence[str],
        terminal: frozenset[str],
        discount: float,
        step_cost: float,
        level_seeds: Sequence[int],
        split: str,
        overrides: dict[str, Any] | None,
        *,
        lr: float = 0.05,
        horizon: int = 30,
        inner_iterations: int = 15,
        inner_lr: float = 0.1,
        restarts: int = 1,
        init_scale: float = 0.5,
        l1: float = 0.0,
        cost: np.ndarray | None = None,
        seed: int = 0,
    ):
        world = get_world(world)
        dynamics = jax_dynamics_of(world)
        if dynamics is None:
            raise InvalidParameterError(
                f"{_OWNER} differentiates through a continuous world's JAX dynamics "
                f"(world.jax_dynamics); {world.name} has none (use another base optimiser there)"
            )
        self.features = list(features)
        if not self.features or len(set(self.features)) != len(self.features):
            raise InvalidParameterError(f"{_OWNER}: features must be distinct names, got {self.features}")
        unknown = sorted((set(self.features) | set(terminal)) - set(world.features))
        if unknown:
            raise InvalidParameterError(
                f"{_OWNER}: unknown {world.name} feature(s) {unknown}; valid: {', '.join(world.features)}"
            )
        self.level_seeds = [int(s) for s in level_seeds]
        if not self.level_seeds:
            raise InvalidParameterError(f"{_OWNER}: level_seeds must name at least one level")
        for label, value in (("horizon", horizon), ("inner_iterations", inner_iterations)):
            positive_int(_OWNER, label, value)
        positive_int(_OWNER, "restarts", restarts)
        for label, value in (("lr", lr), ("inner_lr", inner_lr), ("init_scale", init_scale)):
            positive_float(_OWNER, label, value)
        n = len(self.features)
        cost = np.zeros(n) if cost is None else _vector("cost", cost, n)
        if not (np.isfinite(l1) and l1 >= 0 and (cost >= 0).all()):
            raise InvalidParameterError(f"{_OWNER}: l1 and cost must be non-negative")

        self.world = world
        self.learned = Objective(dict.fromkeys(self.features, 0.0), terminal, step_cost, discount)
        learned = self.learned.bind(world)
        # the base objective's terminal features hold the world's end (the
        # exit region on point-mass), so the smoothed return ends there too
        base = objectives.get(world, world.base).bind(world)

        levels = [world.sample(seed=s, split=split, **(overrides or {})) for s in self.level_seeds]
        init = init_scale * np.random.default_rng(seed).standard_normal(
            (len(levels), restarts, horizon, dynamics.action_size)
        )
        scatter = np.zeros((n, len(world.features)))
        scatter[np.arange(n), [world.feature_index(f) for f in self.features]] = 1.0
        self.dtype = jnp.zeros(()).dtype  # float32 unless the user enabled x64, as in the planners

        def device(a):
            return jnp.asarray(a, dtype=self.dtype)

        self.data = _Data(
            params=device(np.stack([world.arrays(level) for level in levels])),
            starts=device(np.stack([world.initial_state(level) for level in levels])),
            init=device(init),
            scatter=device(scatter),
            terminal=device(learned.terminal),
            step_cost=device(learned.step_cost),
            discount=device(learned.discount),
            base=ObjectiveArrays(
                device(base.weights), device(base.terminal), device(base.step_cost), device(base.discount)
            ),
            l1=device(l1),
            cost=device(cost),
            lr=device(lr),
            inner_lr=device(inner_lr),
        )
        events = tuple(bool(f in world.events) for f in world.features)
        self.step = _outer_step(dynamics, events, int(inner_iterations))

    def objective(self, theta) -> Objective:
        """The learned objective of weights θ ``float[n]``."""
        weights = dict(zip(self.features, (float(t) for t in theta)))
        return Objective(weights, self.learned.terminal, self.learned.step_cost, self.learned.discount)

    def value_and_grad(self, theta) -> tuple[float, float, np.ndarray]:
        """(smoothed fitness, penalty, ∇θ (fitness - penalty) ``float64[n]``) at θ ``float[n]``."""
        theta = jnp.asarray(_vector("theta", theta, len(self.features)), dtype=self.dtype)
        _, _, fitness, penalty, gradient = self.step(theta, _OUTER.init(theta), self.data)
        return float(fitness), float(penalty), np.asarray(gradient, dtype=np.float64)

    def run(self, theta0, steps: int, progress: Callable[[int, float], None] | None = None) -> list[dict]:
        """`steps` outer steps from `theta0` ``float[n]``; the history, as `gradient_search`'s."""
        steps = positive_int(_OWNER, "steps", steps)
        theta = jnp.asarray(_vector("theta0", theta0, len(self.features)), dtype=self.dtype)
        state = _OUTER.init(theta)
        history = []
        for step in range(steps + 1):
            # the last call only scores the final θ (its update is dropped), so
            # that one compiled function serves every row
            new_theta, new_state, fitness, penalty, _ = self.step(theta, state, self.data)
            history.append(
                {
                    "step": step,
                    "theta": np.asarray(theta, dtype=np.float64).tolist(),
                    "fitness": float(fitness),
                    "penalty": float(penalty),
                }
            )
            if progress is not None:
                progress(step, history[-1]["fitness"])
            theta, state = new_theta, new_state
        return history


def gradient_search(
    world: World | str,
    features: list[str],
    terminal: frozenset[str],
    discount: float,
    step_cost: float,
    level_seeds: list[int],
    split: str,
    overrides: dict[str, Any] | None,
    theta0: np.ndarray | None = None,
    *,
    steps: int = 30,
    lr: float = 0.05,
    horizon: int = 30,
    inner_iterations: int = 15,
    inner_lr: float = 0.1,
    restarts: int = 1,
    init_scale: float = 0.5,
    l1: float = 0.0,
    cost: np.ndarray | None = None,
    seed: int = 0,
    progress: Callable[[int, float], None] | None = None,
) -> list[dict]:
    """Learn the weights θ of the agent's objective by gradient ascent on the
    smoothed base return of an unrolled gradient planner.

    Args:
        world: a continuous world with JAX dynamics (``point-mass``).
        features: the n feature names θ weights; the learned objective is
            ``Objective(dict(zip(features, θ)), terminal, step_cost, discount)``.
        level_seeds: the L training levels, ``world.sample(seed, split, **overrides)``.
        theta0: ``float[n]``; None is `default_theta0` (only the base goals weighted).
        steps: outer (base) Adam steps, of learning rate `lr`, on ∇θ clipped
            to norm 1.
        horizon: H, the length of the open-loop action sequences.
        inner_iterations, inner_lr: the mesa-optimiser's Adam steps and rate
            (see the module's note on short unrolls).
        restarts: R sequences per level; the one the learned objective scores
            best is kept, as in `planners.GradientPlanner`.
        init_scale: standard deviation of the fixed, seeded initial
            unconstrained actions ``float[L, R, H, 2]`` (0.5: the planner's default).
        l1, cost: the penalty ``l1 * sum|θ| + sum(cost * |θ|)`` (cost ``float[n]``)
            subtracted from the fitness.
        seed: seeds the initial actions.
        progress: called as ``progress(step, fitness)`` after each row.

    Returns:
        steps + 1 dicts, one per outer step, the first for `theta0`: ``step``,
        ``theta`` (n floats), ``fitness`` (the smoothed base return of the
        plans for θ, averaged over the levels) and ``penalty``. The fitness
        need not rise monotonically: the best row is not always the last.

    Raises:
        worlds.InvalidParameterError: a world without JAX dynamics, an unknown
            or repeated feature, no levels, a non-positive count or rate, a
            theta0 or cost of the wrong length.
    """
    positive_int(_OWNER, "steps", steps)
    search = Search(
        world,
        features,
        terminal,
        discount,
        step_cost,
        level_seeds,
        split,
        overrides,
        lr=lr,
        horizon=horizon,
        inner_iterations=inner_iterations,
        inner_lr=inner_lr,
        restarts=restarts,
        init_scale=init_scale,
        l1=l1,
        cost=cost,
        seed=seed,
    )
    if theta0 is None:
        theta0 = default_theta0(search.world, search.features)
    return search.run(theta0, steps, progress)
