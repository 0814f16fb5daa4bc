"""numba kernels of tabular maximum-causal-entropy IRL (`studies.analysis.irl`:
its `soft` and `models` modules call them).

Plain loops over flat arrays, writing into ``out`` arguments, allocation-free.
Every kernel takes a tabular MDP as ``next_index int64[N, A]`` (deterministic
successors), a reward ``float64[N, A]`` and ``absorbing bool[N]``. Absorbing
states loop to themselves under every action with zero reward. In the soft
(MCE) kernels they are ordinary states: their A equal choices keep the entropy
an agent would have had, so ending an episode is neither rewarded nor
penalised by the entropy term. The hard-max lookahead values them at 0.

These kernels call nothing outside this file, so numba's own per-file cache
check keeps them fresh.
"""

from __future__ import annotations

import math

from worlds.jit import kernel


@kernel
def soft_values(next_index, reward, absorbing, inv_temp, discount, values):
    """Finite-horizon soft (log-sum-exp) values of a Boltzmann-rational agent.

    Writes ``values float64[T+1, N]``: ``values[t, s]`` is the soft value with
    T - t steps to go, ``values[T] = 0``, where
    ``Q_t(s, a) = r(s, a) + discount * V_{t+1}(s')`` and
    ``V_t(s) = temperature * log sum_a exp(Q_t(s, a) / temperature)``.
    `absorbing` is unused: absorbing states need no special case here.
    """
    horizon = values.shape[0] - 1
    n_states, n_actions = next_index.shape
    for s in range(n_states):
        values[horizon, s] = 0.0
    for t in range(horizon - 1, -1, -1):
        for s in range(n_states):
            best = -math.inf
            for a in range(n_actions):
                q = reward[s, a] + discount * values[t + 1, next_index[s, a]]
                if q > best:
                    best = q
            total = 0.0
            for a in range(n_actions):
                q = reward[s, a] + discount * values[t + 1, next_index[s, a]]
                total += math.exp((q - best) * inv_temp)
            values[t, s] = best + math.log(total) / inv_temp


@kernel
def soft_policy(next_index, reward, absorbing, values, inv_temp, discount, policy):
    """The time-varying Boltzmann policy ``float64[T, N, A]`` of `soft_values`
    ``float64[T+1, N]``: ``pi_t(a | s) = exp((Q_t(s, a) - V_t(s)) / temperature)``;
    uniform in absorbing states (where every action loops)."""
    horizon, n_states, n_actions = policy.shape
    for t in range(horizon):
        for s in range(n_states):
            if absorbing[s]:
                for a in range(n_actions):
                    policy[t, s, a] = 1.0 / n_actions
                continue
            for a in range(n_actions):
                q = reward[s, a] + discount * values[t + 1, next_index[s, a]]
                policy[t, s, a] = math.exp((q - values[t, s]) * inv_temp)


@kernel
def occupancy(next_index, policy, start, out):
    """State occupancy ``out float64[T, N]`` of `policy` from `start`.

    `policy` is ``float64[P, N, A]`` with P = T (time-varying) or P = 1
    (stationary). ``out[t, s]`` is the probability of being in s at step t, so
    each row sums to 1 when every policy row does.
    """
    horizon, n_states = out.shape
    n_actions = next_index.shape[1]
    stationary = policy.shape[0] == 1
    for s in range(n_states):
        out[0, s] = 0.0
    out[0, start] = 1.0
    for t in range(horizon - 1):
        for s in range(n_states):
            out[t + 1, s] = 0.0
        row = 0 if stationary else t
        for s in range(n_states):
            mass = out[t, s]
            if mass == 0.0:
                continue
            for a in range(n_actions):
                out[t + 1, next_index[s, a]] += mass * policy[row, s, a]


@kernel
def mce_visits(
    next_index, reward, absorbing, values, start, length, inv_temp, discount, mass, mass_next, visits
):
    """Discounted state-action visits ``visits float64[N, A]`` of the soft
    policy with `length` steps to go, from `start`, over its `length` steps.

    The policy is read off `values` ``float64[T+1, N]`` (from `soft_values`)
    rather than stored: with T steps solved, the agent with `length` <= T
    steps to go acts as the last `length` steps of the T-step solution.
    ``visits[s, a] = sum_t discount^t P(s_t = s, a_t = a)``, zero in absorbing
    states. `mass` and `mass_next` are ``float64[N]`` scratch.
    """
    n_states, n_actions = next_index.shape
    offset = values.shape[0] - 1 - length
    for s in range(n_states):
        mass[s] = 0.0
        for a in range(n_actions):
            visits[s, a] = 0.0
    mass[start] = 1.0
    weight = 1.0
    for step in range(length):
        t = offset + step
        for s in range(n_states):
            mass_next[s] = 0.0
        for s in range(n_states):
            m = mass[s]
            if m == 0.0:
                continue
            if absorbing[s]:
                mass_next[s] += m
                continue
            v = values[t, s]
            for a in range(n_actions):
                successor = next_index[s, a]
                p = m * math.exp((reward[s, a] + discount * values[t + 1, successor] - v) * inv_temp)
                visits[s, a] += weight * p
                mass_next[successor] += p
        for s in range(n_states):
            mass[s] = mass_next[s]
        weight *= discount


@kernel
def lookahead(
    next_index, reward, features, absorbing, depth, discount, q, grad_q, v, grad_v, v_next, grad_v_next
):
    """Depth-limited optimal action values and their gradients in the weights.

    ``q float64[N, A]``: the best `depth`-step return from taking a in s,
    ``Q^d(s, a) = r(s, a) + discount * V^{d-1}(s')``, ``V^k(s) = max_a Q^k(s, a)``,
    ``V^0 = 0`` (what `planners.ValueIteration(horizon=depth)` computes).
    ``grad_q float64[N, A, K]``: dQ^d(s, a)/dw for a reward linear in
    `features` ``float64[N, A, K]``: the discounted features along the greedy
    continuation (ties go to the lowest action, as in the planner).
    `v`, `v_next` ``float64[N]`` and `grad_v`, `grad_v_next` ``float64[N, K]``
    are scratch.
    """
    n_states, n_actions, n_features = features.shape
    for s in range(n_states):
        v[s] = 0.0
        for k in range(n_features):
            grad_v[s, k] = 0.0
    for _ in range(depth - 1):
        for s in range(n_states):
            if absorbing[s]:
                v_next[s] = 0.0
                for k in range(n_features):
                    grad_v_next[s, k] = 0.0
                continue
            best, best_action = -math.inf, 0
            for a in range(n_actions):
                value = reward[s, a] + discount * v[next_index[s, a]]
                if value > best:
                    best, best_action = value, a
            v_next[s] = best
            successor = next_index[s, best_action]
            for k in range(n_features):
                grad_v_next[s, k] = features[s, best_action, k] + discount * grad_v[successor, k]
        for s in range(n_states):
            v[s] = v_next[s]
            for k in range(n_features):
                grad_v[s, k] = grad_v_next[s, k]
    for s in range(n_states):
        for a in range(n_actions):
            if absorbing[s]:
                q[s, a] = 0.0
                for k in range(n_features):
                    grad_q[s, a, k] = 0.0
                continue
            successor = next_index[s, a]
            q[s, a] = reward[s, a] + discount * v[successor]
            for k in range(n_features):
                grad_q[s, a, k] = features[s, a, k] + discount * grad_v[successor, k]
