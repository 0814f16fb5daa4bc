"""The fit: weights over the MDPs' features that make the demonstrations most
likely under a planner model (`fit_irl`, `irl_loss`), by L-BFGS or Adam, and
the fitted objective (`IRLResult`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from objectives import Objective
from studies.analysis.irl.demonstrations import Demonstrations, walk
from studies.analysis.irl.mdp import TabularMDP, check_discount, positive
from studies.analysis.irl.models import LevelFit, check_model
from worlds import InvalidParameterError

OPTIMIZERS = ("lbfgs", "adam")


@dataclasses.dataclass(frozen=True)
class IRLResult:
    """A fitted (revealed) objective.

    Attributes:
        objective: an `objectives.Objective` over the fitted features; its
            terminal features are the goal features with positive weight,
            its step cost 0 (the fit has no constant feature).
        weights: feature name -> fitted weight (in units of the temperature).
        normalised: the weights scaled to unit L2 norm (zeros stay zeros).
        theta: ``float64[K]`` the fitted weights in feature order.
        feature_names: the K feature names.
        history: per iteration ``{"iteration", "loss", "grad_norm"}``; the loss
            is the mean negative log-likelihood per demonstration (for the
            optimal model with a discount below 1, the MCE dual) plus the L2
            penalty.
        planner_model, depth, temperature, horizon, discount: the model fitted.
        converged: the optimiser's own verdict; message says why it stopped.
    """

    objective: Objective
    weights: dict[str, float]
    normalised: dict[str, float]
    theta: np.ndarray
    feature_names: tuple[str, ...]
    history: list[dict[str, float]]
    planner_model: str
    depth: int | None
    temperature: float
    horizon: int
    discount: float
    converged: bool
    message: str


def irl_loss(
    mdps: Sequence[TabularMDP],
    demonstrations: Sequence,
    weights,
    *,
    planner_model: str = "optimal",
    depth: int | None = None,
    horizon: int | None = None,
    temperature: float = 1.0,
    discount: float = 1.0,
    l2: float = 0.0,
) -> tuple[float, np.ndarray]:
    """The fit's loss and its gradient ``float64[K]`` at `weights` ``float[K]``.

    The loss is the demonstration-weighted mean over levels of the per-
    demonstration negative log-likelihood, plus ``l2 / 2 * |weights|^2``. For
    the optimal model its gradient is ``(expected - demonstrated feature
    counts) / temperature`` (plus ``l2 * weights``).
    """
    problem = fit_levels(mdps, demonstrations, horizon, discount)
    depth = check_model(planner_model, depth)
    function = loss_function(problem, planner_model, depth, temperature, discount, l2)
    return function(np.asarray(weights, dtype=np.float64))


def fit_levels(mdps, demonstrations, horizon, discount) -> list[LevelFit]:
    """One `LevelFit` per MDP, its demonstrations summarised (`Demonstrations`)."""
    mdps, demonstrations = list(mdps), list(demonstrations)
    if not mdps:
        raise InvalidParameterError("no MDPs: pass at least one level")
    if len(mdps) != len(demonstrations):
        raise InvalidParameterError(
            f"{len(mdps)} MDPs but {len(demonstrations)} demonstration sets; pass one set per MDP"
        )
    names = mdps[0].feature_names
    if any(mdp.feature_names != names for mdp in mdps):
        raise InvalidParameterError("every MDP must have the same features, in the same order")
    discount = check_discount(discount)
    if horizon is None:  # the longest trajectory anywhere
        horizon = 1
        for mdp, demos in zip(mdps, demonstrations):
            if not isinstance(demos, Demonstrations):
                horizon = max([horizon] + [len(walk(mdp, t, i)[0]) for i, t in enumerate(demos)])
    else:
        horizon = positive(horizon, "horizon", integer=True)
    levels = []
    for mdp, demos in zip(mdps, demonstrations):
        if not isinstance(demos, Demonstrations):
            demos = Demonstrations.from_trajectories(mdp, demos, horizon, discount)
        elif demos.discount != discount:
            raise InvalidParameterError(
                f"demonstrations summed with discount {demos.discount} "
                f"cannot be fitted with discount {discount}"
            )
        if demos.visits.shape != mdp.next_index.shape or demos.feature_counts.shape != (mdp.n_features,):
            raise InvalidParameterError("demonstrations were made for an MDP of another shape")
        levels.append(LevelFit(mdp, demos))
    if sum(level.demos.count for level in levels) <= 0:
        raise InvalidParameterError("no demonstrations: pass at least one trajectory")
    return levels


def loss_function(levels: list[LevelFit], planner_model, depth, temperature, discount, l2):
    """``theta float64[K] -> (loss, gradient float64[K])``: the levels' losses
    weighted by their demonstrations, plus the L2 penalty."""
    inv_temp = 1.0 / positive(temperature, "temperature")
    discount = check_discount(discount)
    if isinstance(l2, bool) or not isinstance(l2, (int, float, np.number)) or not l2 >= 0:
        raise InvalidParameterError(f"l2 must be a non-negative number, got {l2!r}")
    total = sum(level.demos.count for level in levels)

    def function(theta: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = 0.5 * l2 * float(theta @ theta), l2 * theta
        for level in levels:
            if planner_model == "optimal":
                part, part_grad = level.mce(theta, inv_temp, discount)
            else:
                part, part_grad = level.depth_limited(theta, inv_temp, discount, depth)
            share = level.demos.count / total
            loss += share * part
            grad = grad + share * part_grad
        return loss, grad

    return function


def fit_irl(
    mdps: Sequence[TabularMDP],
    demonstrations: Sequence,
    *,
    planner_model: str = "optimal",
    depth: int | None = None,
    horizon: int | None = None,
    temperature: float = 1.0,
    discount: float = 1.0,
    l2: float = 1e-2,
    iterations: int = 200,
    optimizer: str = "lbfgs",
    lr: float = 0.05,
    init=None,
    seed: int = 0,
    objective_discount: float = 1.0,
    name: str | None = None,
) -> IRLResult:
    """Fit weights over the MDPs' features to demonstrations.

    Args:
        mdps: one `TabularMDP` per level, all with the same features.
        demonstrations: per MDP, a list of trajectories (`Trajectory` or
            (states, actions) pairs of indices) or a `Demonstrations`.
        planner_model: ``"optimal"`` (MCE) or ``"depth-limited"`` (with `depth`).
        horizon: steps the modelled agent has (default: the longest
            trajectory); demonstrations ending in an absorbing state are
            padded to it. Unused by the depth-limited policy, which is
            stationary, except to cut longer trajectories.
        temperature: the Boltzmann temperature (inverse rationality).
        discount: discount of the modelled agent's values (and, for the
            optimal model, of the matched feature counts).
        l2: L2 penalty ``l2 / 2 * |w|^2`` on the weights.
        iterations: optimiser iterations (at most).
        optimizer: ``"lbfgs"`` (scipy's L-BFGS-B; scipy comes with JAX) or
            ``"adam"`` with learning rate `lr`.
        init: initial weights ``float[K]`` (default: small seeded noise, which
            breaks the depth-limited model's ties at zero).
        objective_discount: the discount of the returned `Objective`.
    """
    depth = check_model(planner_model, depth)
    if optimizer not in OPTIMIZERS:
        raise InvalidParameterError(
            f"unknown optimizer {optimizer!r}; valid optimizers: {', '.join(OPTIMIZERS)}"
        )
    iterations = positive(iterations, "iterations", integer=True)
    levels = fit_levels(mdps, demonstrations, horizon, discount)
    function = loss_function(levels, planner_model, depth, temperature, discount, l2)
    names = levels[0].mdp.feature_names
    if init is None:
        theta0 = 0.01 * np.random.default_rng(seed).standard_normal(len(names))
    else:
        theta0 = np.array(init, dtype=np.float64)
        if theta0.shape != (len(names),):
            raise InvalidParameterError(f"init must be float[{len(names)}], got shape {theta0.shape}")
    if optimizer == "lbfgs":
        theta, history, converged, message = _lbfgs(function, theta0, iterations)
    else:
        theta, history, converged, message = _adam(function, theta0, iterations, positive(lr, "lr"))
    weights = {f: float(w) for f, w in zip(names, theta)}
    norm = float(np.linalg.norm(theta))
    normalised = {f: (float(w) / norm if norm > 0 else 0.0) for f, w in zip(names, theta)}
    goals = set(levels[0].mdp.goal_features)
    terminal = {f for f, w in weights.items() if f in goals and w > 0}
    label = name or f"revealed ({planner_model}{'' if depth is None else f', depth {depth}'})"
    objective = Objective(weights, terminal, 0.0, check_discount(objective_discount), name=label)
    return IRLResult(
        objective, weights, normalised, theta, names, history, planner_model, depth, float(temperature),
        max(level.demos.horizon for level in levels), float(discount), converged, message,
    )  # fmt: skip


def _lbfgs(function, theta0, iterations):
    from scipy.optimize import minimize  # a JAX dependency

    history: list[dict[str, float]] = []
    last: dict[str, Any] = {}

    def evaluate(theta):
        loss, grad = function(theta)
        last.update(theta=theta.copy(), loss=loss, grad=grad)
        return loss, grad

    def record(theta):
        loss, grad = (last["loss"], last["grad"]) if np.array_equal(theta, last["theta"]) else function(theta)
        history.append({"iteration": len(history), "loss": loss, "grad_norm": float(np.linalg.norm(grad))})

    evaluate(theta0)
    record(theta0)
    result = minimize(
        evaluate, theta0, jac=True, method="L-BFGS-B", callback=record,
        options={"maxiter": iterations, "gtol": 1e-9, "ftol": 1e-13},
    )  # fmt: skip
    return np.asarray(result.x, dtype=np.float64), history, bool(result.success), str(result.message)


def _adam(function, theta, iterations, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    history: list[dict[str, float]] = []
    first, second = np.zeros_like(theta), np.zeros_like(theta)
    theta = theta.copy()
    for step in range(1, iterations + 1):
        loss, grad = function(theta)
        history.append({"iteration": step - 1, "loss": loss, "grad_norm": float(np.linalg.norm(grad))})
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad**2
        theta -= lr * (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + eps)
    loss, grad = function(theta)
    history.append({"iteration": iterations, "loss": loss, "grad_norm": float(np.linalg.norm(grad))})
    return theta, history, True, f"ran {iterations} Adam steps"
