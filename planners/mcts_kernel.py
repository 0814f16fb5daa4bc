"""The UCT kernel: one search graph in preallocated flat arrays (nodes x actions).

Like mctx, the tree is a handful of arrays indexed by node and action, and the
search reaches the world only through `worlds.dispatch`: one compiled kernel
serves every world and every objective. Each simulation selects down the tree
with UCB1 on min-max normalised action values, expands one new edge, estimates
the new leaf with a rollout, and backs the discounted return up the path.
"""

from __future__ import annotations

import numpy as np

from planners.hashtable import table_find, table_insert
from planners.rng import randint, uniform
from worlds.dispatch import features, heuristic, key, num_actions, step, terminal
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
    simulations, depth, c_uct, policy, epsilon, backup, transpositions, rng,
    node_state, node_visits, node_rollout, children, edge_visits, edge_value, edge_best, edge_reward,
    table, stamp, hashed, path_node, path_action, root_values, stats,
):  # fmt: skip
    """Run `simulations` UCT simulations from `root_state`; returns the most
    visited root action (ties: higher value, then at random).

    With `transpositions`, nodes are states: a transposition table on the
    world's `key` maps each state to one node, so the tree is a graph and
    paths that meet share their statistics; a simulation that steps into a
    known state follows it and keeps selecting. Without, every expanded edge
    makes a new node (a plain tree, as in mctx), so each simulation that does
    not end the episode or reach the horizon on the way down creates a node
    and rolls out from it for the rest of the horizon. A simulation descends
    until it creates a node (then estimates it with a rollout), ends the
    objective's episode, or reaches `depth` steps.

    An edge's value is the mean return of the simulations through it
    (``backup=MEAN_BACKUP``, UCT as usual) or the best return seen
    (``MAX_BACKUP``): in a deterministic world every sampled return is
    achievable, so the best one is a lower bound that rises to the optimum.

    Buffers (capacity N >= simulations + 1, horizon D = depth):
    node_state int64[N, S], node_visits int64[N], children int64[N, A]
    (child node, UNEXPANDED or ENDED), edge_visits int64[N, A], edge_value
    (sum of returns), edge_best and edge_reward float64[N, A], table
    int64[T, 3] (see `planners.hashtable`), path_node/path_action
    int64[D + 1], root_values float64[A] (out: the value of each root action,
    NaN if unvisited), stats int64[4]. `rng` is a uint64[1] generator state.
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
    capacity = node_state.shape[0]

    n_nodes = _new_node(
        root_state, 0, node_state, node_visits, node_rollout, children, edge_visits, edge_value, edge_best
    )
    if transpositions:
        table_insert(table, stamp, key(world_id, grid, params, root_state), 0, hashed)
    q_min, q_max = np.inf, -np.inf

    for _ in range(simulations):
        node = 0
        length = 0
        leaf_value = 0.0
        while length < depth:
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
                # counts go up on the way down, so a simulation that comes back
                # to a state (a cycle) does not pick the same edge forever
                edge_visits[node, action] += 1
                node_visits[node] += 1
                if ends:
                    children[node, action] = ENDED
                    break
                k = key(world_id, grid, params, next_state) if transpositions else 0
                known = table_find(table, stamp, k, hashed) if transpositions else -1
                if known >= 0:  # a transposition: follow it and keep selecting
                    children[node, action] = known
                    node = known
                    continue
                if n_nodes < capacity:
                    child = n_nodes
                    n_nodes = _new_node(
                        next_state, n_nodes, node_state, node_visits, node_rollout, children, edge_visits,
                        edge_value, edge_best,
                    )  # fmt: skip
                    if transpositions:
                        table_insert(table, stamp, k, child, hashed)
                    children[node, action] = child
                leaf_value = rollout_return(
                    world_id, grid, params, next_state, depth - length, weights, terminal_mask, step_cost,
                    discount, policy, epsilon, goal_mask, needed, rng, state, next_state, feat, stats,
                )  # fmt: skip
                if children[node, action] >= 0:
                    node_rollout[children[node, action]] = leaf_value
                break
            log_n = np.log(max(node_visits[node], 1))
            best_score, action = -np.inf, 0
            for a in range(n_actions):
                q = _edge_q(edge_value, edge_best, edge_visits, node, a, backup)
                q_norm = (q - q_min) / (q_max - q_min) if q_max > q_min else 0.0
                # explore towards rarely visited *states*, not rarely taken edges:
                # in a graph many edges lead back to well-trodden states
                child = children[node, a]
                tried = edge_visits[node, a] if child == ENDED else node_visits[child] + 1
                score = q_norm + c_uct * np.sqrt(log_n / tried)
                if score > best_score:
                    best_score, action = score, a
            path_node[length], path_action[length] = node, action
            length += 1
            edge_visits[node, action] += 1
            node_visits[node] += 1
            child = children[node, action]
            if child == ENDED:
                break
            node = child
        stats[MAX_DEPTH] = max(stats[MAX_DEPTH], length)

        # back the discounted return up the path
        value = leaf_value
        for i in range(length - 1, -1, -1):
            n, a = path_node[i], path_action[i]
            ended = children[n, a] == ENDED
            value = edge_reward[n, a] if ended else edge_reward[n, a] + discount * value
            edge_value[n, a] += value
            edge_best[n, a] = max(edge_best[n, a], value)
            q = _edge_q(edge_value, edge_best, edge_visits, n, a, backup)
            q_min, q_max = min(q_min, q), max(q_max, q)
        stats[SIMULATIONS] += 1
    stats[NODES] = n_nodes
    if backup == MAX_BACKUP:
        _graph_values(children, edge_reward, node_rollout, n_nodes, discount, depth, root_values)

    # most visited, then highest value, then a random one of the tied: a fixed
    # tie-break would walk an agent with no signal into the same wall forever
    best, best_visits, best_q, ties = 0, -1, -np.inf, 0
    for a in range(n_actions):
        visits = edge_visits[0, a]
        q = _edge_q(edge_value, edge_best, edge_visits, 0, a, backup) if visits > 0 else -np.inf
        if backup == MEAN_BACKUP or visits == 0:
            root_values[a] = q if visits > 0 else np.nan
        if visits > best_visits or (visits == best_visits and q > best_q):
            best, best_visits, best_q, ties = a, visits, q, 1
        elif visits == best_visits and q == best_q:
            ties += 1
            if randint(rng, ties) == 0:
                best = a
    return best


@kernel(allocates=True)
def _graph_values(children, edge_reward, node_rollout, n_nodes, discount, sweeps, root_values):
    """Root action values by value iteration over the explored graph.

    Every expanded edge is a known deterministic transition and every rollout
    an achieved return, so up to `sweeps` Bellman sweeps over them give the
    best return achievable with what the search has seen: a lower bound on the
    optimum that equals it once the relevant states are explored.
    """
    values = np.empty(n_nodes)
    for n in range(n_nodes):
        values[n] = node_rollout[n]
    for _ in range(sweeps):
        changed = False
        for n in range(n_nodes - 1, -1, -1):
            best = node_rollout[n]
            for a in range(children.shape[1]):
                child = children[n, a]
                if child == UNEXPANDED:
                    continue
                q = edge_reward[n, a] if child == ENDED else edge_reward[n, a] + discount * values[child]
                best = max(best, q)
            if best != values[n]:
                values[n] = best
                changed = True
        if not changed:
            break
    for a in range(children.shape[1]):
        child = children[0, a]
        if child == UNEXPANDED:
            root_values[a] = np.nan
        elif child == ENDED:
            root_values[a] = edge_reward[0, a]
        else:
            root_values[a] = edge_reward[0, a] + discount * values[child]


@kernel
def _new_node(
    state, node, node_state, node_visits, node_rollout, children, edge_visits, edge_value, edge_best
):
    """Initialise node `node` for `state`; returns the node count after it."""
    for i in range(state.shape[0]):
        node_state[node, i] = state[i]
    node_visits[node] = 0
    node_rollout[node] = -np.inf
    for a in range(children.shape[1]):
        children[node, a] = UNEXPANDED
        edge_visits[node, a] = 0
        edge_value[node, a] = 0.0
        edge_best[node, a] = -np.inf
    return node + 1
