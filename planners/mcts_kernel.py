"""The UCT kernel: one search tree in preallocated flat arrays (nodes x actions).

Like mctx, the tree is a handful of arrays indexed by node and action, and the
search reaches the world only through `worlds.dispatch`: one compiled kernel
serves every world and every objective. Each simulation selects down the tree
with UCB1 on min-max normalised action values, expands one new edge, estimates
the new leaf with a rollout, and backs the discounted return up the path.
"""

from __future__ import annotations

import numpy as np

from planners.rng import randint, uniform
from worlds.dispatch import features, heuristic, num_actions, step, terminal
from worlds.jit import kernel

UNEXPANDED, ENDED = -1, -2
RANDOM_ROLLOUT, GREEDY_ROLLOUT = 0, 1
MEAN_BACKUP, MAX_BACKUP = 0, 1
# stats slots
SIMULATIONS, ROLLOUT_STEPS, NODES, MAX_DEPTH = 0, 1, 2, 3


@kernel
def _score(
    world_id, grid, params, state, action, next_state, weights, terminal_mask, step_cost, needed, feat
):
    """Reward and end of a transition already stepped; `ends` means the
    objective's episode ends (a terminal feature fired or the world ended).
    Only the `needed` features (non-zero weight or terminal) are computed."""
    features(world_id, grid, params, state, action, next_state, needed, feat)
    reward = -step_cost
    ends = False
    for f in range(weights.shape[0]):
        if needed[f] != 0.0:
            reward += weights[f] * feat[f]
            if terminal_mask[f] != 0.0 and feat[f] != 0.0:
                ends = True
    if terminal(world_id, grid, params, next_state):
        ends = True
    return reward, ends


@kernel
def _rollout_action(world_id, grid, params, state, policy, epsilon, goal_mask, rng, next_state):
    """Choose a rollout action and write its successor into `next_state`."""
    n_actions = num_actions(world_id)
    if policy == RANDOM_ROLLOUT or uniform(rng) < epsilon:
        # uniform over the actions that change the state (by rejection): a
        # rollout that bumps into walls wastes its horizon and says nothing
        for _ in range(4 * n_actions):
            action = randint(rng, n_actions)
            step(world_id, grid, params, state, action, next_state)
            for i in range(state.shape[0]):
                if next_state[i] != state[i]:
                    return action
        return action
    # greedy on the world's heuristic: the successor closest to a goal, random ties
    best, best_h, ties = 0, np.inf, 0
    for a in range(n_actions):
        step(world_id, grid, params, state, a, next_state)
        h = heuristic(world_id, grid, params, next_state, goal_mask)
        if h < best_h:
            best, best_h, ties = a, h, 1
        elif h == best_h:
            ties += 1
            if randint(rng, ties) == 0:
                best = a
    step(world_id, grid, params, state, best, next_state)
    return best


@kernel
def rollout_return(
    world_id, grid, params, start, steps, weights, terminal_mask, step_cost, discount,
    policy, epsilon, goal_mask, needed, rng, state, next_state, feat, stats,
):  # fmt: skip
    """Discounted return of a rollout of at most `steps` steps from `start`."""
    for i in range(state.shape[0]):
        state[i] = start[i]
    total, scale = 0.0, 1.0
    for _ in range(steps):
        if terminal(world_id, grid, params, state):
            break
        action = _rollout_action(world_id, grid, params, state, policy, epsilon, goal_mask, rng, next_state)
        reward, ends = _score(
            world_id, grid, params, state, action, next_state, weights, terminal_mask, step_cost, needed, feat
        )
        stats[ROLLOUT_STEPS] += 1
        total += scale * reward
        scale *= discount
        if ends:
            break
        for i in range(state.shape[0]):
            state[i] = next_state[i]
    return total


@kernel
def _edge_q(edge_value, edge_best, edge_visits, node, action, backup):
    if backup == MAX_BACKUP:
        return edge_best[node, action]
    return edge_value[node, action] / edge_visits[node, action]


@kernel(allocates=True)
def mcts_search(
    world_id, grid, params, root_state, weights, terminal_mask, step_cost, discount,
    simulations, depth, c_uct, policy, epsilon, backup, rng,
    node_state, node_depth, node_visits, children, edge_visits, edge_value, edge_best, edge_reward,
    path_node, path_action, root_values, stats,
):  # fmt: skip
    """Run `simulations` UCT simulations from `root_state`; returns the most
    visited root action (ties: higher value, then at random).

    An edge's value is the mean return of the simulations through it
    (``backup=MEAN_BACKUP``, UCT as usual) or the best return seen
    (``MAX_BACKUP``): in a deterministic world every sampled return is
    achievable, so the best one is a lower bound that rises to the optimum.

    Buffers (capacity N >= simulations + 1, horizon D = depth):
    node_state int64[N, S], node_depth/node_visits int64[N], children int64[N, A]
    (child node, UNEXPANDED or ENDED), edge_visits int64[N, A], edge_value
    (sum of returns), edge_best and edge_reward float64[N, A],
    path_node/path_action int64[D + 1], root_values float64[A] (out: the
    value of each root action, NaN if unvisited),
    stats int64[4]. `rng` is a uint64[1] generator state.
    """
    n_actions = num_actions(world_id)
    n_features = weights.shape[0]
    goal_mask = np.zeros(n_features)
    needed = np.zeros(n_features)
    for f in range(n_features):
        if weights[f] != 0.0 or terminal_mask[f] != 0.0:
            needed[f] = 1.0
        if terminal_mask[f] != 0.0 and weights[f] > 0.0:
            goal_mask[f] = 1.0
    state = np.empty(root_state.shape[0], dtype=np.int64)
    next_state = np.empty(root_state.shape[0], dtype=np.int64)
    feat = np.empty(n_features)
    unexpanded = np.empty(n_actions, dtype=np.int64)
    stats[:] = 0

    node_state[0, :] = root_state
    node_depth[0] = 0
    node_visits[0] = 0
    children[0, :] = UNEXPANDED
    edge_visits[0, :] = 0
    edge_value[0, :] = 0.0
    edge_best[0, :] = -np.inf
    n_nodes = 1
    q_min, q_max = np.inf, -np.inf

    for _ in range(simulations):
        node = 0
        length = 0
        leaf_value = 0.0
        while True:
            # expand an untried action if there is one, else select by UCB1
            count = 0
            for a in range(n_actions):
                if children[node, a] == UNEXPANDED:
                    unexpanded[count] = a
                    count += 1
            if count > 0:
                action = unexpanded[randint(rng, count)]
                step(world_id, grid, params, node_state[node], action, next_state)
                reward, ends = _score(
                    world_id, grid, params, node_state[node], action, next_state, weights, terminal_mask,
                    step_cost, needed, feat,
                )  # fmt: skip
                edge_reward[node, action] = reward
                path_node[length], path_action[length] = node, action
                length += 1
                remaining = depth - node_depth[node] - 1
                if ends or remaining <= 0 or n_nodes >= node_state.shape[0]:
                    children[node, action] = ENDED
                else:
                    child = n_nodes
                    n_nodes += 1
                    node_state[child, :] = next_state
                    node_depth[child] = node_depth[node] + 1
                    node_visits[child] = 0
                    children[child, :] = UNEXPANDED
                    edge_visits[child, :] = 0
                    edge_value[child, :] = 0.0
                    edge_best[child, :] = -np.inf
                    children[node, action] = child
                    leaf_value = rollout_return(
                        world_id, grid, params, node_state[child], remaining, weights, terminal_mask,
                        step_cost, discount, policy, epsilon, goal_mask, needed, rng, state, next_state,
                        feat, stats,
                    )  # fmt: skip
                break
            log_n = np.log(max(node_visits[node], 1))
            best_score, action = -np.inf, 0
            for a in range(n_actions):
                q = _edge_q(edge_value, edge_best, edge_visits, node, a, backup)
                q_norm = (q - q_min) / (q_max - q_min) if q_max > q_min else 0.0
                score = q_norm + c_uct * np.sqrt(log_n / edge_visits[node, a])
                if score > best_score:
                    best_score, action = score, a
            path_node[length], path_action[length] = node, action
            length += 1
            child = children[node, action]
            if child == ENDED:
                break
            node = child
        stats[MAX_DEPTH] = max(stats[MAX_DEPTH], length)

        # back the discounted return up the path
        value = leaf_value
        for i in range(length - 1, -1, -1):
            n, a = path_node[i], path_action[i]
            if children[n, a] == ENDED and i == length - 1:
                value = edge_reward[n, a]
            else:
                value = edge_reward[n, a] + discount * value
            edge_visits[n, a] += 1
            edge_value[n, a] += value
            edge_best[n, a] = max(edge_best[n, a], value)
            node_visits[n] += 1
            q = _edge_q(edge_value, edge_best, edge_visits, n, a, backup)
            q_min, q_max = min(q_min, q), max(q_max, q)
        stats[SIMULATIONS] += 1
    stats[NODES] = n_nodes

    # most visited, then highest value, then a random one of the tied: a fixed
    # tie-break would walk an agent with no signal into the same wall forever
    best, best_visits, best_q, ties = 0, -1, -np.inf, 0
    for a in range(n_actions):
        visits = edge_visits[0, a]
        q = _edge_q(edge_value, edge_best, edge_visits, 0, a, backup) if visits > 0 else -np.inf
        root_values[a] = q if visits > 0 else np.nan
        if visits > best_visits or (visits == best_visits and q > best_q):
            best, best_visits, best_q, ties = a, visits, q, 1
        elif visits == best_visits and q == best_q:
            ties += 1
            if randint(rng, ties) == 0:
                best = a
    return best
