"""What the fit needs of the demonstrations on one `TabularMDP`
(`Demonstrations`): mean feature counts, state-action visits and the
horizons of the agents they are modelled as."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from studies.analysis.irl.mdp import TabularMDP, check_discount, positive
from studies.analysis.irl.soft import occupancy, policy_steps, state_action_visits
from worlds import InvalidParameterError


@dataclasses.dataclass(frozen=True)
class Demonstrations:
    """What the fit needs of the demonstrations on one MDP, as means per
    demonstration (so an exact expert is the limit of many samples).

    Attributes:
        feature_counts: ``float64[K]`` mean (discounted) summed features.
        visits: ``float64[N, A]`` mean state-action visit counts, absorbing
            states excluded (the likelihood of the depth-limited model).
        horizons: horizon -> fraction of demonstrations modelled as agents
            with that many steps to act.
        count: how many demonstrations these are (their weight when levels
            are pooled).
        discount: the discount `feature_counts` were summed with.
        padding: mean number of steps spent padded in an absorbing state.
    """

    feature_counts: np.ndarray
    visits: np.ndarray
    horizons: Mapping[int, float]
    count: float
    discount: float = 1.0
    padding: float = 0.0

    @property
    def horizon(self) -> int:
        """The longest horizon among the demonstrations."""
        return max(self.horizons, default=0)

    @classmethod
    def from_trajectories(
        cls, mdp: TabularMDP, trajectories: Sequence, horizon: int | None = None, discount: float = 1.0
    ) -> Demonstrations:
        """Statistics of `trajectories` (`Trajectory` or (states, actions) pairs).

        A trajectory is followed through the MDP from its start state: steps
        after it enters an absorbing state, or beyond `horizon`, are ignored.
        One that ends in an absorbing state counts as an agent with the full
        horizon (padded in the absorbing state); one that stops elsewhere as
        an agent with exactly its own length. `horizon` defaults to the
        longest trajectory.
        """
        discount = check_discount(discount)
        walks = [walk(mdp, trajectory, i) for i, trajectory in enumerate(trajectories)]
        if not walks:
            raise InvalidParameterError("no demonstrations: pass at least one trajectory")
        if horizon is None:
            horizon = max([1] + [len(steps) for steps, _ in walks])
        else:
            horizon = positive(horizon, "horizon", integer=True)
        counts = np.zeros(mdp.n_features)
        visits = np.zeros(mdp.next_index.shape)
        horizons: dict[int, float] = {}
        padding = 0.0
        for steps, absorbed in walks:
            truncated = len(steps) > horizon
            steps = steps[:horizon]
            for t, (s, a) in enumerate(steps):
                visits[s, a] += 1.0
                counts += discount**t * mdp.features[s, a]
            length = horizon if absorbed or truncated else len(steps)
            if length > 0:
                horizons[length] = horizons.get(length, 0.0) + 1.0 / len(walks)
            padding += length - len(steps)
        n = len(walks)
        return cls(counts / n, visits / n, horizons, float(n), discount, padding / n)

    @classmethod
    def exact(
        cls, mdp: TabularMDP, policy, horizon: int | None = None, discount: float = 1.0, count: float = 1.0
    ) -> Demonstrations:
        """The limit of infinitely many demonstrations of `policy` (shapes as
        in `occupancy`) over `horizon` steps, weighted as `count` of them."""
        policy, horizon = policy_steps(mdp, policy, horizon)
        discount = check_discount(discount)
        visits = state_action_visits(mdp, policy, horizon)
        discounted = visits if discount == 1.0 else state_action_visits(mdp, policy, horizon, discount)
        counts = np.tensordot(discounted, mdp.features, axes=2)
        padding = float(occupancy(mdp, policy, horizon)[:, mdp.absorbing].sum())
        return cls(counts, visits, {horizon: 1.0}, positive(count, "count"), discount, padding)


def walk(mdp: TabularMDP, trajectory, number: int) -> tuple[list[tuple[int, int]], bool]:
    """The (state, action) steps of a trajectory through `mdp`, and whether it
    ended in an absorbing state."""
    try:
        states, actions = trajectory
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"demonstration {number} is not a (states, actions) pair: {type(trajectory).__name__}"
        ) from None
    states, actions = np.asarray(states, dtype=np.int64), np.asarray(actions, dtype=np.int64)
    if states.ndim != 1 or actions.ndim != 1:
        raise InvalidParameterError(
            f"demonstration {number} must hold 1-D state and action indices; "
            "fit episodes with irl(), which numbers their states"
        )
    if len(states) not in (len(actions), len(actions) + 1) or len(states) == 0:
        raise InvalidParameterError(
            f"demonstration {number} has {len(states)} states for {len(actions)} actions; "
            "give T+1 (or T) states for T actions"
        )
    if states[0] != mdp.start:
        raise InvalidParameterError(
            f"demonstration {number} starts in state {states[0]}, not the MDP's start {mdp.start}"
        )
    if actions.size and (actions.min() < 0 or actions.max() >= mdp.n_actions):
        raise InvalidParameterError(f"demonstration {number} has actions outside [0, {mdp.n_actions})")
    steps, s = [], mdp.start
    for t in range(len(actions) + 1):
        if t < len(states) and states[t] != s and not mdp.absorbing[s]:  # ended: any label
            raise InvalidParameterError(
                f"demonstration {number} does not follow the MDP at step {t}: "
                f"it is in state {states[t]} where the MDP's transitions lead to {s}"
            )
        if t == len(actions) or mdp.absorbing[s]:
            break
        steps.append((int(s), int(actions[t])))
        s = int(mdp.next_index[s, actions[t]])
    return steps, bool(mdp.absorbing[s])


def demonstration_counts(
    mdp: TabularMDP, trajectories: Sequence, horizon: int | None = None, discount: float = 1.0
) -> np.ndarray:
    """``float64[K]``: mean over `trajectories` of their (discounted) summed
    features, each padded in its absorbing state up to `horizon`."""
    return Demonstrations.from_trajectories(mdp, trajectories, horizon, discount).feature_counts
