"""UCT Monte Carlo tree search over the world kernels, acting by receding horizon."""

from __future__ import annotations

import time

import numpy as np

from objectives import Objective
from planners import mcts_kernel as mk
from planners.base import Plan, PlannerBase, resolve
from planners.hashtable import KeyTable
from planners.limits import checked_bool, checked_choice, checked_float, checked_int, checked_seed
from planners.rng import seed_state
from worlds import Level, World
from worlds.dispatch import key_bound

ROLLOUT_POLICIES = {"random": mk.RANDOM_ROLLOUT, "greedy": mk.GREEDY_ROLLOUT}
BACKUPS = {"mean": mk.MEAN_BACKUP, "max": mk.MAX_BACKUP}


class _Tree:
    """The preallocated tree arrays, reused between plans."""

    def __init__(self, capacity: int, state_size: int, n_actions: int, depth: int, key_bound: int):
        self.capacity = capacity
        self.node_state = np.empty((capacity, state_size), dtype=np.int64)
        self.node_visits = np.empty(capacity, dtype=np.int64)
        self.node_rollout = np.empty(capacity)
        self.children = np.empty((capacity, n_actions), dtype=np.int64)
        self.edge_visits = np.empty((capacity, n_actions), dtype=np.int64)
        self.edge_value = np.empty((capacity, n_actions))
        self.edge_best = np.empty((capacity, n_actions))
        self.edge_reward = np.empty((capacity, n_actions))
        self.path_node = np.empty(depth + 1, dtype=np.int64)
        self.path_action = np.empty(depth + 1, dtype=np.int64)
        self.root_values = np.empty(n_actions)
        self.stats = np.zeros(4, dtype=np.int64)
        self.keys = KeyTable(capacity, key_bound)

    def fits(self, capacity: int, state_size: int, n_actions: int, depth: int, key_bound: int) -> bool:
        return (
            self.capacity >= capacity
            and self.node_state.shape[1] == state_size
            and self.children.shape[1] == n_actions
            and self.path_node.shape[0] >= depth + 1
            and self.keys.fits(capacity, key_bound)
        )


class MCTS(PlannerBase):
    """UCT with rollouts; the budget is its capability knob.

    Args:
        simulations: simulations per decision.
        depth: the planning horizon: tree depth plus rollout length.
        c: the UCB1 exploration constant, on action values min-max normalised
            over the tree (so one constant suits objectives of any scale).
        rollout: ``"random"`` or ``"greedy"`` (a step towards the nearest goal
            on the world's heuristic, random with probability `epsilon`).
        seed: seeds the planner's own generator; `plan(rng=...)` overrides it.
        backup: ``"max"`` (default) values an action by the best return seen
            through it, which suits the deterministic worlds here: any sampled
            return is achievable; the reported root values come from value
            iteration over the explored graph. ``"mean"`` is classic UCT, as in
            mctx.
        transpositions: True (default): states reached along different paths
            share one node, a transposition table on the world's `key`, so the
            budget is not spent on re-deriving the same state, and a
            simulation that steps into a known state keeps selecting instead
            of rolling out. False: a plain tree, one new node per expanded
            edge, so every simulation that neither ends the episode nor
            reaches the horizon in the tree rolls out from its new node for
            the rest of the horizon (``depth`` minus the node's depth): the
            work mctx does, for like-for-like timings.

    Each `plan` searches from the given state and returns one action, the most
    visited at the root (receding horizon). It serves every objective.
    """

    name = "mcts"
    #: a budget (simulations) small enough for a conformance test
    small_budget = 64

    def __init__(
        self,
        simulations: int = 1000,
        depth: int = 100,
        c: float = 1.4,
        rollout: str = "random",
        seed: int = 0,
        epsilon: float = 0.1,
        backup: str = "max",
        transpositions: bool = True,
    ):
        self.simulations = checked_int("MCTS", "simulations", simulations, limit="simulations")
        self.depth = checked_int("MCTS", "depth", depth, limit="depth")
        self.c = checked_float("MCTS", "exploration constant c", c, option="c")
        self.rollout = checked_choice("MCTS", "rollout", rollout, ROLLOUT_POLICIES)
        self.backup = checked_choice("MCTS", "backup", backup, BACKUPS)
        self.epsilon = checked_float("MCTS", "epsilon", epsilon, maximum=1.0)
        self.seed = checked_seed("MCTS", seed)
        self.transpositions = checked_bool("MCTS", "transpositions", transpositions)
        self._rng = np.random.default_rng(seed)
        self._tree: _Tree | None = None

    def __repr__(self) -> str:
        return (
            f"MCTS(simulations={self.simulations}, depth={self.depth}, rollout={self.rollout!r}, "
            f"backup={self.backup!r}" + ("" if self.transpositions else ", transpositions=False") + ")"
        )

    def check(self, world: World, objective: Objective) -> None:
        objective.bind(world)

    def plan(
        self,
        world: World | str,
        level: Level,
        objective: Objective | str,
        state: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> Plan:
        problem = resolve(self, world, level, objective, state)
        world, bound, root = problem.world, problem.bound, problem.start
        generator = seed_state(int((rng or self._rng).integers(2**63)))
        capacity, n_actions = self.simulations + 1, len(world.actions)
        keys_below = key_bound(world.world_id, level.grid, level.params)
        tree = self._tree
        if tree is None or not tree.fits(capacity, world.state_size, n_actions, self.depth, keys_below):
            tree = self._tree = _Tree(capacity, world.state_size, n_actions, self.depth, keys_below)
        began = time.perf_counter()
        action = mk.mcts_search(
            world.world_id, level.grid, level.params, root, bound.weights, bound.terminal,
            bound.step_cost, bound.discount, self.simulations, self.depth, self.c,
            ROLLOUT_POLICIES[self.rollout], self.epsilon, BACKUPS[self.backup], self.transpositions,
            generator,
            tree.node_state, tree.node_visits, tree.node_rollout, tree.children, tree.edge_visits,
            tree.edge_value, tree.edge_best, tree.edge_reward,
            tree.keys.rows, tree.keys.begin(), tree.keys.hashed,
            tree.path_node, tree.path_action, tree.root_values, tree.stats,
        )  # fmt: skip
        seconds = time.perf_counter() - began
        return Plan(
            actions=np.array([action], dtype=np.int64),
            value=float(tree.root_values[action]),
            complete=True,
            stats={
                "simulations": int(tree.stats[mk.SIMULATIONS]),
                "rollout_steps": int(tree.stats[mk.ROLLOUT_STEPS]),
                "nodes": int(tree.stats[mk.NODES]),
                "tree_depth": int(tree.stats[mk.MAX_DEPTH]),
                "seconds": seconds,
            },
            action_values=tree.root_values.copy(),
        )
