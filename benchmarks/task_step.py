"""Stepping an arrow maze: one compiled numba loop against the Gymnasium loop.

Both sides play the same seeded random action sequence on the same level with
the same episode semantics, those of `worlds.gym_env.GridWorldEnv`:

- every step computes all the world's features and every catalogue
  objective's reward (``info["rewards"]``), an objective's reward being 0
  once one of its terminal features has fired in the episode;
- the episode is *terminated* when the world terminates (the exit) or the
  env's own objective (the base, ``exit``) has ended, *truncated* after the
  env's ``max_steps`` (4 x the observation's tile count), and both sides then
  reset to the level's start state and play on with the next action.

``"mesabase"`` runs the whole sequence in one `worlds.jit.kernel`
(`play_kernel`: `worlds.dispatch.step` and ``features`` per action);
``"gymnasium"`` is ``gymnasium.make("mesabase/ArrowMaze-v0", level=level)``,
unwrapped, stepped from Python (`reset` once, `env.step(a)` per action,
`reset` after every terminated or truncated episode). Both return a
`StepResult`: the final state, the step count of the unfinished episode,
terminated and truncated episode counts and every objective's summed reward
(kept lean: the Gymnasium loop pays for its own bookkeeping). `check` asserts they are equal, exactly.

Scales: ``"quick"`` is a 31 x 31 maze and 10,000 actions, ``"full"`` a
101 x 101 maze and 100,000 actions; an integer is that many actions on the
31 x 31 maze (the scaling curve: seconds per run against the action count).
"""

from __future__ import annotations

import dataclasses

import gymnasium
import numpy as np

import worlds
from benchmarks.registry import Implementation
from worlds import Level, World
from worlds.dispatch import features, step, terminal
from worlds.gym_env import catalogue_arrays
from worlds.jit import kernel

GYM_ID = "mesabase/ArrowMaze-v0"
SCALES = {"quick": (31, 10_000), "full": (101, 100_000)}
SCALING_SIZE = 31
SEED = 2  # a level whose random walk reaches the arrow (no random walk here reaches the exit)


@dataclasses.dataclass(frozen=True)
class StepProblem:
    world: World
    level: Level
    actions: np.ndarray  # int64[T]
    max_steps: int  # the env's truncation limit, read from the env itself


@dataclasses.dataclass(frozen=True)
class StepResult:
    state: tuple[int, ...]
    episode_steps: int
    terminated: int
    truncated: int
    returns: tuple[float, ...]  # per catalogue objective, in `world.objectives` order


def _make_env(level: Level):
    return gymnasium.make(GYM_ID, level=level).unwrapped


def problem(scale) -> StepProblem:
    size, count = (SCALING_SIZE, int(scale)) if not isinstance(scale, str) else SCALES[scale]
    world = worlds.get("arrow-maze")
    level = world.sample(seed=SEED, split="test", size=size)
    actions = np.random.default_rng(SEED).integers(0, len(world.actions), size=count, dtype=np.int64)
    return StepProblem(world, level, actions, _make_env(level).max_steps)


@kernel(allocates=True)
def play_kernel(
    world_id, grid, params, start, actions, weights, terminal_mask, step_cost, own, max_steps, out_state
):
    """Play `actions` from `start` with `GridWorldEnv`'s episode semantics,
    resetting to `start` after every terminated or truncated episode.

    weights/terminal_mask float64[O, K], step_cost float64[O]; `own` is the
    index of the objective that ends the env's episode. Writes the final state
    into `out_state` and returns (episode steps, terminated, truncated,
    returns float64[O])."""
    n_objectives, n_features = weights.shape
    state = start.copy()
    next_state = np.empty_like(start)
    every = np.ones(n_features)
    feats = np.zeros(n_features)
    ended = np.zeros(n_objectives, dtype=np.bool_)
    returns = np.zeros(n_objectives)
    steps = terminated = truncated = 0
    for t in range(actions.shape[0]):
        action = actions[t]
        step(world_id, grid, params, state, action, next_state)
        features(world_id, grid, params, state, action, next_state, every, feats)
        for o in range(n_objectives):
            reward, fired = 0.0, 0.0
            for f in range(n_features):
                reward += weights[o, f] * feats[f]
                fired += terminal_mask[o, f] * (feats[f] != 0.0)
            if not ended[o]:
                returns[o] += reward - step_cost[o]
            if fired > 0.0:
                ended[o] = True
        for i in range(state.shape[0]):
            state[i] = next_state[i]
        steps += 1
        if terminal(world_id, grid, params, state) or ended[own]:
            terminated += 1
        elif steps >= max_steps:
            truncated += 1
        else:
            continue
        for i in range(state.shape[0]):  # reset
            state[i] = start[i]
        ended[:] = False
        steps = 0
    out_state[:] = state
    return steps, terminated, truncated, returns


def _prepare_mesabase(p: StepProblem):
    world, level = p.world, p.level
    weights, terminal_mask, step_cost = catalogue_arrays(world)
    own = list(world.objectives).index(world.base)
    start = np.asarray(world.initial_state(level), dtype=np.int64)
    out_state = np.empty_like(start)

    def play(actions):
        steps, terminated, truncated, returns = play_kernel(
            world.world_id, level.grid, level.params, start, actions,
            weights, terminal_mask, step_cost, own, p.max_steps, out_state,
        )  # fmt: skip
        return StepResult(
            tuple(out_state.tolist()), int(steps), int(terminated), int(truncated),
            tuple(returns.tolist()),
        )  # fmt: skip

    play(p.actions[:1])  # compile / load from the cache outside the timing
    return lambda: play(p.actions)


def _prepare_gymnasium(p: StepProblem):
    env = _make_env(p.level)
    names = list(p.world.objectives)
    actions = p.actions.tolist()  # Python ints, as an agent would pass them

    def run():
        env.reset()
        returns = dict.fromkeys(names, 0.0)
        terminated_count = truncated_count = 0
        for action in actions:
            _, _, terminated, truncated, info = env.step(action)
            for name, reward in info["rewards"].items():
                returns[name] += reward
            if terminated or truncated:
                terminated_count += terminated
                truncated_count += truncated
                env.reset()
        return StepResult(
            tuple(env.state.tolist()), env.steps, terminated_count, truncated_count,
            tuple(returns[n] for n in names),
        )  # fmt: skip

    return run


def check(p: StepProblem, results: dict) -> None:
    ours = results["mesabase"]
    assert ours.terminated + ours.truncated <= len(p.actions)
    assert ours.episode_steps <= p.max_steps
    for name, result in results.items():
        assert result == ours, f"{name} disagrees with mesabase:\n  {result}\n  {ours}"


IMPLEMENTATIONS = [
    Implementation("mesabase", ours=True, prepare=_prepare_mesabase),
    Implementation("gymnasium", ours=False, prepare=_prepare_gymnasium, requires="gymnasium"),
]

RATIOS = {"step_vs_gymnasium": ("mesabase", "gymnasium")}

SCALING = ("steps", [1_000, 10_000], [1_000, 10_000, 100_000], ["mesabase", "gymnasium"])
