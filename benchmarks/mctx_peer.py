"""The mctx peer of `planners.MCTS`: the same search problem on the arrow maze, in JAX.

A batch of `batch` trees per call, as mctx is built to be used: every tree
searches from the same root with its own random stream, in one jitted
`mctx.muzero_policy` / `gumbel_muzero_policy` call on the CPU (batch 1 is one
tree per call). The maze is stepped in JAX exactly as
`worlds.arrow_maze.kernels.step` does it (walls and the border block a move,
the exit is absorbing) and scored as the ``"exit"`` objective is: reward 1 on
entering the exit, which ends the episode (discount 0 there), discount 0.99
otherwise, no step cost. Priors are uniform. A new node's value comes from
the same estimate as ours, a uniformly random walk over the moves that change
the cell (`planners.mcts_kernel._rollout_action` with the ``"random"``
policy) for at most ``depth - node depth`` steps, returning the discounted
reward of reaching the exit; the root's value from a walk of ``depth`` steps.
The tree is cut at ``max_depth = depth``, as our search's horizon.

The work per simulation is ours with ``MCTS(transpositions=False)``: mctx
calls `recurrent_fn` once per simulation per tree, which expands one node and
rolls out from it for the rest of the horizon; our plain tree does the same
(one node and one rollout per simulation). mctx adds one root rollout per
tree and per call, 1/simulations of the work. With transpositions our search
rolls out much less (a simulation that steps into a known state keeps
selecting), which is the other comparison.

Both policies run as planners, without their self-play noise: MuZero with
no Dirichlet noise at the root, choosing the most visited root action (ties
to the higher Q) rather than sampling by visits; Gumbel MuZero with
``gumbel_scale=0`` (what mctx suggests for evaluation on
perfect-information games), choosing its own Sequential Halving winner.

    search = MctxSearch(level, simulations=256, depth=100, policy="muzero", batch=16)
    search.compile()                     # trace + XLA compile, outside timing
    actions, qvalues, visits = search(seed=0)   # int[16], float[16, 4], int[16, 4]
"""

from __future__ import annotations

import functools
import time

import jax
import jax.numpy as jnp
import mctx
import numpy as np

from worlds import Level
from worlds.arrow_maze import kernels as k

POLICIES = ("muzero", "gumbel")
DISCOUNT = 0.99
N_ACTIONS = k.N_ACTIONS
_ROW_STEP = jnp.asarray(k.ROW_STEP, dtype=jnp.int32)
_COL_STEP = jnp.asarray(k.COL_STEP, dtype=jnp.int32)


def _moved(walls, cell, action):
    """The cell after `action` from `cell` (int32[2]) on the open maze (the
    exit's absorption is handled by the callers)."""
    height, width = walls.shape
    nr, nc = cell[0] + _ROW_STEP[action], cell[1] + _COL_STEP[action]
    inside = (nr >= 0) & (nr < height) & (nc >= 0) & (nc < width)
    open_ = inside & ~walls[jnp.clip(nr, 0, height - 1), jnp.clip(nc, 0, width - 1)]
    return jnp.where(open_, jnp.stack([nr, nc]), cell)


def _rollout(walls, goal, cell, steps, key, depth):
    """Discounted reward of a uniformly random walk of at most `steps` (<= depth)
    steps from `cell`: each step picks uniformly among the moves that change
    the cell; entering `goal` pays 1 and ends the walk."""
    uniforms = jax.random.uniform(key, (depth,))
    actions = jnp.arange(N_ACTIONS)

    def cond(carry):
        t, _, _, done = carry
        return (t < steps) & ~done

    def body(carry):
        t, here, scale, _ = carry
        successors = jax.vmap(lambda a: _moved(walls, here, a))(actions)
        moves = jnp.any(successors != here, axis=-1)
        count = jnp.maximum(jnp.sum(moves), 1)
        pick = jnp.minimum((uniforms[t] * count).astype(jnp.int32), count - 1)
        action = jnp.argmax(jnp.cumsum(moves) > pick)
        there = successors[action]
        reached = jnp.all(there == goal)
        return t + 1, there, jnp.where(reached, scale, scale * DISCOUNT), reached

    at_goal = jnp.all(cell == goal)
    init = (jnp.int32(0), cell, jnp.float32(1.0), at_goal)
    _, _, scale, reached = jax.lax.while_loop(cond, body, init)
    return jnp.where(reached & ~at_goal, scale, 0.0)


def _search(walls, goal, start, seed, *, num_simulations, depth, policy, batch):
    """`batch` searches from `start` (int32[2]) in one call; returns
    (actions int[B], qvalues float[B, A], visits int[B, A])."""
    key = jax.random.key(seed)
    root_key, search_key = jax.random.split(key)
    root_keys = jax.random.split(root_key, batch)

    def recurrent_fn(params, rng_key, action, embedding):
        cell, node_depth, done = embedding  # [B, 2], [B], [B]

        def one(rng, a, here, d, ended):
            there = jnp.where(ended, here, _moved(walls, here, a))
            entered = ~ended & jnp.all(there == goal)
            value = _rollout(walls, goal, there, depth - (d + 1), rng, depth)
            reward = entered.astype(jnp.float32)
            discount = jnp.where(ended | entered, 0.0, DISCOUNT)
            value = jnp.where(ended | entered, 0.0, value)
            return (reward, discount, value), (there, d + 1, ended | entered)

        keys = jax.random.split(rng_key, action.shape[0])
        (reward, discount, value), new_embedding = jax.vmap(one)(keys, action, cell, node_depth, done)
        out = mctx.RecurrentFnOutput(
            reward=reward,
            discount=discount,
            prior_logits=jnp.zeros((action.shape[0], N_ACTIONS)),
            value=value,
        )
        return out, new_embedding

    starts = jnp.broadcast_to(start, (batch, 2))
    root = mctx.RootFnOutput(
        prior_logits=jnp.zeros((batch, N_ACTIONS)),
        value=jax.vmap(lambda key: _rollout(walls, goal, start, depth, key, depth))(root_keys),
        embedding=(starts, jnp.zeros(batch, jnp.int32), jnp.zeros(batch, bool)),
    )
    common = dict(
        params=(),
        rng_key=search_key,
        root=root,
        recurrent_fn=recurrent_fn,
        num_simulations=num_simulations,
        max_depth=depth,
    )
    if policy == "muzero":
        out = mctx.muzero_policy(**common, dirichlet_fraction=0.0)
    else:
        out = mctx.gumbel_muzero_policy(**common, gumbel_scale=0.0)
    summary = out.search_tree.summary()
    visits, qvalues = summary.visit_counts, summary.qvalues
    # MuZero: the most visited (q in [0, 1] breaks ties between the integer
    # counts); Gumbel MuZero: its Sequential Halving choice
    most_visited = jnp.argmax(visits + 0.5 * jnp.clip(qvalues, 0.0, 1.0), axis=-1)
    actions = most_visited if policy == "muzero" else out.action
    return actions, qvalues, visits


_STATIC = ("num_simulations", "depth", "policy", "batch")
_search_jit = jax.jit(_search, static_argnames=_STATIC)
# compiled searches by (maze shape, simulations, depth, policy, batch): the start and
# the maze are arguments, so one compile serves every start on mazes of a size
_COMPILED: dict[tuple, object] = {}


class MctxSearch:
    """A compiled mctx search of `batch` trees on one arrow-maze level (CPU).

    Args:
        level: an arrow-maze `Level`.
        simulations: mctx's ``num_simulations``.
        depth: the horizon: the rollout length from the root and the tree's
            ``max_depth``, as `MCTS(depth=...)`.
        policy: ``"muzero"`` or ``"gumbel"``.
        start: the root cell (row, column); the level's start by default.
        batch: trees per call, all from `start`, each with its own random
            stream.
    """

    def __init__(
        self,
        level: Level,
        simulations: int,
        depth: int = 100,
        policy: str = "muzero",
        start: tuple[int, int] | None = None,
        batch: int = 1,
    ):
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}, got {policy!r}")
        if int(batch) < 1:
            raise ValueError(f"batch must be a positive integer, got {batch!r}")
        self.batch = int(batch)
        self.device = jax.devices("cpu")[0]
        params = level.params
        if start is None:
            start = (int(params[k.START_R]), int(params[k.START_C]))
        put = functools.partial(jax.device_put, device=self.device)
        self._args = (
            put(np.asarray(level.grid[k.TILES] == k.WALL)),
            put(np.array([params[k.EXIT_R], params[k.EXIT_C]], dtype=np.int32)),
            put(np.array(start, dtype=np.int32)),
        )
        self._static = dict(
            num_simulations=int(simulations), depth=int(depth), policy=policy, batch=self.batch
        )
        self._key = (level.grid.shape, *self._static.values())
        self._compiled = _COMPILED.get(self._key)
        self._calls = 0

    def compile(self, fresh: bool = False) -> float:
        """Trace, lower and compile the search (reusing a compile of the same
        shape, budget and policy unless `fresh`); returns the seconds it took."""
        began = time.perf_counter()
        if fresh or self._key not in _COMPILED:
            search = _search_jit
            if fresh:  # a new function: JAX's trace, lowering and compile caches all miss

                def search(*args, **static):
                    return _search(*args, **static)

                search = jax.jit(search, static_argnames=_STATIC)
            _COMPILED[self._key] = search.lower(*self._args, np.uint32(0), **self._static).compile()
        self._compiled = _COMPILED[self._key]
        return time.perf_counter() - began

    def __call__(self, seed: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Search once with every tree; returns (actions int[B], root Q-values
        float[B, A], root visit counts int[B, A]). Without a seed each call
        draws the next one (0, 1, 2...)."""
        if self._compiled is None:
            self.compile()
        if seed is None:
            seed, self._calls = self._calls, self._calls + 1
        actions, qvalues, visits = self._compiled(*self._args, np.uint32(seed))
        # np.asarray waits for the result: the timing covers the whole search
        return np.asarray(actions), np.asarray(qvalues), np.asarray(visits)
