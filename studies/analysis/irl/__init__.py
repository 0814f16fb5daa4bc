"""Tabular maximum-causal-entropy IRL: the objective that best explains an agent.

An agent with no explicit objective (`planners.Reactive`), or one whose
objective we pretend not to know, has a *revealed* objective: the weights over
the world's linear features under which its behaviour is most likely
(DESIGN.md section 1). This module fits them on any level small enough for the
oracle's state enumeration.

The model of the demonstrator is a choice, and the answer depends on it
(Armstrong & Mindermann: planner and objective cannot both be identified from
behaviour):

``planner_model="optimal"``
    Maximum causal entropy (Ziebart 2010): the demonstrator is Boltzmann-
    rational in the soft finite-horizon action values,
    ``pi_t(a | s) = exp((Q_t(s, a) - V_t(s)) / temperature)`` with
    ``V_t(s) = temperature * log sum_a exp(Q_t(s, a) / temperature)``. The
    mean negative log-likelihood of the demonstrations is convex in the
    weights and its gradient is
    ``(expected feature counts - demonstrated feature counts) / temperature``.
``planner_model="depth-limited"``, ``depth=d``
    A Boltzmann choice over `d`-step lookahead values, the values
    `planners.ValueIteration(horizon=d)` acts on:
    ``pi(a | s) = softmax_a(Q^d(s, a) / temperature)``, stationary. The
    feature-matching identity does not hold for it, so the weights maximise
    the likelihood of the demonstrated actions, with the exact gradient of
    the lookahead recursion (the features along the greedy continuation).

The MDP (`TabularMDP`, built by `mdp_of`) is the oracle's enumerated level
with two kinds of absorbing state, which loop to themselves under every
action with zero features: world-terminal states, and one extra state that
every transition firing a *goal* feature (a terminal feature of any catalogue
objective, e.g. ``reached_exit`` or ``reached_arrow``) leads to, because an
agent's episode ends when its goal fires. (`irl` drops a goal that some
episode fired and then carried on past: it evidently did not end that
agent's episode.) The occupancy keeps the mass that reaches an absorbing
state, so every time step of it sums to 1. In the soft values an absorbing
state keeps its A equal choices: having ended costs the MCE agent no
entropy, so a goal's weight alone says how much it wants to end there. (Were
absorbing states worth 0, every positive goal would be put off until the
last steps, to keep choosing; a direct path would then need huge weights.)
The depth-limited model's hard-max lookahead values them at 0, like the
planner it models.

Demonstrations that end in an absorbing state are padded there up to the
horizon. One that stops elsewhere (out of steps, or a policy with no move
left) is modelled as an agent that had exactly its own length to act: the
last steps of the longer soft solution, so one backward pass serves every
length.

Weights are in units of the temperature: the policy depends on
``weights / temperature`` only, and with the temperature fixed the MCE
weights are identified. Features a demonstrator never triggers (a wall it
never bumps) would be pushed to minus infinity, so a small L2 penalty `l2`
keeps the fit finite.

>>> result = irl("chests-keys", levels, episodes)  # doctest: +SKIP
>>> result.weights  # doctest: +SKIP
{'collected_key': 16.4, 'opened_chest': 6.3}
>>> result.objective  # an objectives.Objective over the fitted features  # doctest: +SKIP

Modules: `mdp` (the tabular model), `soft` (soft value iteration and
occupancies), `demonstrations`, `models` (the planner models' losses),
`fit` (the fit and `IRLResult`), `episodes` (`irl` from played episodes) and
`kernels` (their numba loops).
"""

from studies.analysis.irl.demonstrations import Demonstrations, demonstration_counts
from studies.analysis.irl.episodes import irl
from studies.analysis.irl.fit import OPTIMIZERS, IRLResult, fit_irl, irl_loss
from studies.analysis.irl.mdp import TabularMDP, Trajectory, default_features, goal_features, mdp_of
from studies.analysis.irl.models import PLANNER_MODELS, boltzmann, depth_limited_policy, lookahead_q
from studies.analysis.irl.soft import (
    expected_feature_counts,
    occupancy,
    sample_trajectories,
    soft_value_iteration,
    soft_values,
    state_action_visits,
)

__all__ = [
    "OPTIMIZERS",
    "PLANNER_MODELS",
    "Demonstrations",
    "IRLResult",
    "TabularMDP",
    "Trajectory",
    "boltzmann",
    "default_features",
    "demonstration_counts",
    "depth_limited_policy",
    "expected_feature_counts",
    "fit_irl",
    "goal_features",
    "irl",
    "irl_loss",
    "lookahead_q",
    "mdp_of",
    "occupancy",
    "sample_trajectories",
    "soft_value_iteration",
    "soft_values",
    "state_action_visits",
]
