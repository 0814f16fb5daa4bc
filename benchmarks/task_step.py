"""Stepping environments: our kernels, our Gymnasium envs, Gymnasium's vector
envs and MiniGrid, per environment step.

Three comparisons, each on its own inputs (all built by `problem`):

1. **One level, one compiled loop.** ``"mesabase"`` plays a seeded random
   action sequence on one arrow maze in a single `worlds.jit.kernel`
   (`play_kernel`: `worlds.dispatch.step` and ``features`` per action);
   ``"gymnasium"`` is ``gymnasium.make("mesabase/ArrowMaze-v0", level=level)``,
   unwrapped, stepped from Python (`reset` once, `env.step(a)` per action,
   `reset` after every terminated or truncated episode). Both follow
   `worlds.gym_env.GridWorldEnv`'s episode semantics:

   - every step computes all the world's features and every catalogue
     objective's reward (``info["rewards"]``), an objective's reward being 0
     once one of its terminal features has fired in the episode;
   - the episode is *terminated* when the world terminates (the exit) or the
     env's own objective (the base, ``exit``) has ended, *truncated* after the
     env's ``max_steps`` (4 x the observation's tile count), and both sides
     then reset to the level's start state and play on with the next action.

   Both return a `StepResult` (the final state, the step count of the
   unfinished episode, terminated and truncated episode counts and every
   objective's summed reward); `check` asserts they are equal, exactly.

2. **N levels at once** (N = 16 and 64, `VECTOR_SIZES`): ``"vector-N"`` is
   `worlds.vector_env.GridWorldVectorEnv` (one kernel call per step for all N
   rows), ``"sync-N"`` and ``"async-N"`` are ``gymnasium.vector.SyncVectorEnv``
   and ``AsyncVectorEnv`` of the single env, each made by
   ``gymnasium.make_vec("mesabase/ArrowMaze-v0", num_envs=N,
   vectorization_mode=...)`` on the ``train`` split (levels sampled per
   episode, as in training) with Gymnasium's defaults (NEXT_STEP autoreset;
   ``AsyncVectorEnv`` with one worker process per env, shared memory). All
   three are reset once with `SEED` when prepared; every run then steps them
   with the same actions, ``StepProblem.vector_actions[N]`` (int64[T, N]), so
   each run continues the episodes where the last one left off (a reset per
   run would time level generation, not stepping). A run returns a
   `VectorResult` (the final observations, summed rewards and episode-end
   counts per row); `check` asserts that the first runs after the reset are
   all equal, exactly. With the default ``max_steps`` (900 on ``train``) few
   random-walk episodes end within a run, so a run times stepping, with the
   odd autoreset; tests/worlds/test_vector_env.py compares every step,
   autoresets included.

3. **Another library's env.** ``"mesabase-env"`` is our single env as a user
   steps it (``gymnasium.make``, wrappers included, a 19 x 19 arrow maze) and
   ``"minigrid"`` is ``gymnasium.make("MiniGrid-FourRooms-v0")`` (19 x 19,
   four rooms), each stepped with random actions for the same number of steps
   and reset when an episode ends (MiniGrid draws a new layout per episode; our
   level stays fixed). They are different environments, so their answers
   cannot agree: `check` asserts only that both stepped the same number of
   times (and that ``"mesabase-env"`` agrees with the kernel on its level).

Ratios compare seconds per environment step (`work`): ``vectorN_vs_sync`` is
how many times faster ``vector-N`` steps one environment than
``SyncVectorEnv`` does.

Scales: ``"quick"`` is a 31 x 31 maze and 10,000 actions, 960 vector
environment steps (60 steps of 16 envs, 15 of 64) and 1,000 MiniGrid steps;
``"full"`` a 101 x 101 maze and 30,000 actions, 3,200 vector environment steps
(200 x 16, 50 x 64) and 5,000 MiniGrid steps; an integer is that many actions
on the 31 x 31 maze (the scaling curve of the first comparison).

CPU time: ``AsyncVectorEnv`` steps in its worker processes, whose CPU time the
benchmark process's clock does not count; compare its wall time.
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
MINIGRID_ID = "MiniGrid-FourRooms-v0"
#: (maze size, actions) of the single-level loop; environment steps of a
#: vector run (T = that / N steps of N envs); MiniGrid steps
SCALES = {"quick": (31, 10_000, 960, 1_000), "full": (101, 30_000, 3_200, 5_000)}
SCALING_SIZE = 31
SEED = 2  # a level whose random walk reaches the arrow (no random walk here reaches the exit)
VECTOR_SIZES = (16, 64)
VECTOR_SPLIT = "train"
#: the size of our maze stepped beside MiniGrid's 19 x 19 FourRooms
ENV_SIZE = 19
VECTOR_MODES = {"vector": "vector_entry_point", "sync": "sync", "async": "async"}


@dataclasses.dataclass(frozen=True)
class StepProblem:
    world: World
    level: Level
    actions: np.ndarray  # int64[T]
    max_steps: int  # the env's truncation limit, read from the env itself
    vector_actions: dict[int, np.ndarray]  # N -> int64[T_v, N]
    env_level: Level  # our maze stepped beside MiniGrid
    env_actions: np.ndarray  # int64[M], in range(len(world.actions))
    minigrid_actions: np.ndarray  # int64[M], in range(7)


@dataclasses.dataclass(frozen=True)
class StepResult:
    state: tuple[int, ...]
    episode_steps: int
    terminated: int
    truncated: int
    returns: tuple[float, ...]  # per catalogue objective, in `world.objectives` order


@dataclasses.dataclass(frozen=True, eq=False)
class VectorResult:
    obs: np.ndarray  # uint8[N, C, S, S] after the last step
    returns: np.ndarray  # float64[N], the env's reward summed per row
    terminated: np.ndarray  # int64[N], episodes terminated per row
    truncated: np.ndarray  # int64[N]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VectorResult):
            return NotImplemented
        fields = ("obs", "returns", "terminated", "truncated")
        return all(np.array_equal(getattr(self, f), getattr(other, f)) for f in fields)

    def __repr__(self) -> str:
        return (
            f"VectorResult(obs {self.obs.shape} sum {int(self.obs.sum())}, returns {self.returns.tolist()}, "
            f"terminated {self.terminated.tolist()}, truncated {self.truncated.tolist()})"
        )


@dataclasses.dataclass(frozen=True)
class StepCount:
    steps: int
    episodes: int  # episodes that ended


def _make_env(level: Level):
    return gymnasium.make(GYM_ID, level=level).unwrapped


def problem(scale) -> StepProblem:
    if isinstance(scale, str):
        size, count, vector_steps, env_steps = SCALES[scale]
    else:
        size, count, vector_steps, env_steps = SCALING_SIZE, int(scale), max(VECTOR_SIZES), 1
    world = worlds.get("arrow-maze")
    level = world.sample(seed=SEED, split="test", size=size)
    rng = np.random.default_rng(SEED)
    actions = rng.integers(0, len(world.actions), size=count, dtype=np.int64)
    n_actions = len(world.actions)
    vector_actions = {n: rng.integers(0, n_actions, size=(vector_steps // n, n)) for n in VECTOR_SIZES}
    return StepProblem(
        world=world,
        level=level,
        actions=actions,
        max_steps=_make_env(level).max_steps,
        vector_actions=vector_actions,
        env_level=world.sample(seed=SEED, split="test", size=ENV_SIZE),
        env_actions=rng.integers(0, len(world.actions), size=env_steps, dtype=np.int64),
        minigrid_actions=rng.integers(0, 7, size=env_steps, dtype=np.int64),
    )


def work(p: StepProblem, name: str) -> int:
    """Environment steps in one run of `name`."""
    if name in ("mesabase", "gymnasium"):
        return len(p.actions)
    if name in ("mesabase-env", "minigrid"):
        return len(p.env_actions)
    return p.vector_actions[int(name.rsplit("-", 1)[1])].size


# ---- 1. one level: the compiled loop and the Gymnasium loop ---------------------------


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


def _kernel_player(world: World, level: Level, max_steps: int):
    """``play(actions) -> StepResult`` by `play_kernel` on `level`."""
    weights, terminal_mask, step_cost = catalogue_arrays(world)
    own = list(world.objectives).index(world.base)
    start = np.asarray(world.initial_state(level), dtype=np.int64)
    out_state = np.empty_like(start)

    def play(actions):
        steps, terminated, truncated, returns = play_kernel(
            world.world_id, level.grid, level.params, start, actions,
            weights, terminal_mask, step_cost, own, max_steps, out_state,
        )  # fmt: skip
        return StepResult(
            tuple(out_state.tolist()), int(steps), int(terminated), int(truncated),
            tuple(returns.tolist()),
        )  # fmt: skip

    return play


def _prepare_mesabase(p: StepProblem):
    play = _kernel_player(p.world, p.level, p.max_steps)
    play(p.actions[:1])  # compile / load from the cache outside the timing
    return lambda: play(p.actions)


def _gymnasium_player(env, world: World, actions: np.ndarray):
    """``run() -> StepResult``: `actions` through `env` from Python, resetting
    at the start and after every episode."""
    names = list(world.objectives)
    actions = actions.tolist()  # Python ints, as an agent would pass them

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
        inner = env.unwrapped
        return StepResult(
            tuple(inner.state.tolist()), inner.steps, terminated_count, truncated_count,
            tuple(returns[n] for n in names),
        )  # fmt: skip

    return run


def _prepare_gymnasium(p: StepProblem):
    return _gymnasium_player(_make_env(p.level), p.world, p.actions)


# ---- 2. N levels at once --------------------------------------------------------------


def _prepare_vector(kind: str, n: int):
    """`prepare` for ``"<kind>-<n>"``: the env made and reset once; each run
    steps it through ``vector_actions[n]`` and returns a `VectorResult`."""

    def prepare(p: StepProblem):
        envs = gymnasium.make_vec(
            GYM_ID, num_envs=n, vectorization_mode=VECTOR_MODES[kind], split=VECTOR_SPLIT
        )
        envs.reset(seed=SEED)
        actions = p.vector_actions[n]

        def run():
            returns = np.zeros(n)
            terminated, truncated = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
            obs = None
            for row in actions:
                obs, reward, ended, cut, _ = envs.step(row)
                returns += reward
                terminated += ended
                truncated += cut
            return VectorResult(obs, returns, terminated, truncated)

        return run

    return prepare


def _vector_reference(p: StepProblem, n: int) -> VectorResult:
    """Our vector env's `VectorResult` for N = `n`, made afresh."""
    return _prepare_vector("vector", n)(p)()


# ---- 3. a single env beside MiniGrid's ---------------------------------------------------


def _prepare_env(p: StepProblem):
    env = gymnasium.make(GYM_ID, level=p.env_level)  # as a user makes it: wrappers included
    return _gymnasium_player(env, p.world, p.env_actions)


def _prepare_minigrid(p: StepProblem):
    import minigrid  # noqa: F401  (registers the MiniGrid envs)

    env = gymnasium.make(MINIGRID_ID)
    env.reset(seed=SEED)
    actions = p.minigrid_actions.tolist()

    def run():
        episodes = 0
        for action in actions:
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                episodes += 1
                env.reset()
        return StepCount(len(actions), episodes)

    return run


# ---- agreement -----------------------------------------------------------------------------


def check(p: StepProblem, results: dict) -> None:
    """Every result agrees with ours on its own inputs: the single-level pair
    with the kernel, ``vector-N``, ``sync-N`` and ``async-N`` with a fresh
    `GridWorldVectorEnv`, ``"mesabase-env"`` with the kernel on its level;
    MiniGrid (another env) only stepped as often as ours."""
    single = _kernel_player(p.world, p.level, p.max_steps)(p.actions)
    assert single.terminated + single.truncated <= len(p.actions)
    assert single.episode_steps <= p.max_steps
    references = {"mesabase": single, "gymnasium": single}
    if "mesabase-env" in results:
        max_steps = _make_env(p.env_level).max_steps
        references["mesabase-env"] = _kernel_player(p.world, p.env_level, max_steps)(p.env_actions)
    for n in VECTOR_SIZES:
        if any(name.endswith(f"-{n}") for name in results):
            reference = _vector_reference(p, n)
            references |= {f"{kind}-{n}": reference for kind in VECTOR_MODES}
    for name, result in results.items():
        if name == "minigrid":
            assert result.steps == len(p.env_actions), f"minigrid stepped {result.steps} times"
            continue
        want = references[name]
        assert result == want, f"{name} disagrees with mesabase:\n  {result}\n  {want}"


IMPLEMENTATIONS = [
    Implementation("mesabase", ours=True, prepare=_prepare_mesabase),
    Implementation("gymnasium", ours=False, prepare=_prepare_gymnasium, requires="gymnasium"),
    *(
        Implementation(f"{kind}-{n}", ours=kind == "vector", prepare=_prepare_vector(kind, n))
        for n in VECTOR_SIZES
        for kind in VECTOR_MODES
    ),
    Implementation("mesabase-env", ours=True, prepare=_prepare_env),
    Implementation("minigrid", ours=False, prepare=_prepare_minigrid, requires="minigrid"),
]

RATIOS = {
    "step_vs_gymnasium": (
        "mesabase",
        "gymnasium",
        "one arrow maze: the compiled step loop vs the Gymnasium env stepped from Python, per step",
    ),
    **{
        f"vector{n}_vs_{kind}": (
            f"vector-{n}",
            f"{kind}-{n}",
            f"{n} arrow mazes: GridWorldVectorEnv vs gymnasium {name} of the single env, per env step",
        )
        for n in VECTOR_SIZES
        for kind, name in (("sync", "SyncVectorEnv"), ("async", "AsyncVectorEnv"))
    },
    "env_vs_minigrid": (
        "mesabase-env",
        "minigrid",
        f"single env through gymnasium.make: a 19x19 arrow maze vs {MINIGRID_ID} (different envs), per step",
    ),
}

SCALING = ("steps", [1_000, 10_000], [1_000, 10_000, 100_000], ["mesabase", "gymnasium"])
