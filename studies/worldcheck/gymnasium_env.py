"""The world's Gymnasium env: Gymnasium's own ``check_env`` on every split in
both render modes, every catalogue reward in ``info``, and seeded episodes
that repeat."""

from __future__ import annotations

import functools
import warnings

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env

from studies.worldcheck.core import CheckFailed, CheckSkipped, Settings, fail_unless, one_line, register
from worlds import World


def make_env(world: World, **kwargs) -> gym.Env:
    """``gymnasium.make`` of the world's registered id, playing `world` itself
    (so an unregistered `World` instance of a registered family is what runs)."""
    if world.gym_id not in gym.registry:
        raise CheckFailed(
            f"gymnasium id {world.gym_id!r} is not registered (worlds.register_envs registers every "
            "registered world's)"
        )
    return gym.make(world.gym_id, world=world, **kwargs)


@register("check-env", "gymnasium.utils.env_checker.check_env passes on every split, rgb_array and ansi")
def gymnasium_check_env(world: World, settings: Settings) -> str:
    advice: list[str] = []
    for split in world.splits:
        for mode in ("rgb_array", "ansi"):
            env = make_env(world, split=split, render_mode=mode)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    check_env(env.unwrapped, skip_render_check=False)
                except Exception as error:
                    raise CheckFailed(f"split {split}, render_mode {mode}: {error}") from None
                finally:
                    env.close()
            advice += [one_line(w.message) for w in caught if one_line(w.message) not in advice]
    passed = f"check_env passes on {len(world.splits)} split(s) x 2 render modes"
    if not advice:
        return passed
    first = advice[0].removeprefix("WARN: ").split(". ")[0]  # Gymnasium's advice, not a failure
    more = f" (and {len(advice) - 1} more)" if len(advice) > 1 else ""
    return f"{passed}; its advice: {first}{more}"


def _play(world: World, split: str, seed: int, steps: int) -> list:
    env = make_env(world, split=split)
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    trace = [(obs, 0.0, ())]
    for _ in range(steps):
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        trace.append((obs, reward, tuple(info["rewards"].values())))
        if terminated or truncated:
            break
    env.close()
    return trace


@register("gym-rewards", "info carries every catalogue reward; seeded episodes repeat")
def gymnasium_rewards(world: World, settings: Settings) -> str:
    split = next(iter(world.splits))
    env = make_env(world, split=split, objective=world.base)
    env.reset(seed=settings.seed)
    env.action_space.seed(settings.seed)
    _, reward, *_, info = env.step(env.action_space.sample())
    env.close()
    fail_unless(
        set(info.get("rewards", {})) == set(world.objectives),
        f"info['rewards'] has {sorted(info.get('rewards', {}))}, the catalogue {sorted(world.objectives)}",
    )
    fail_unless(
        reward == info["rewards"][world.base],
        f"the reward {reward} is not info['rewards'][{world.base!r}] = {info['rewards'][world.base]}",
    )
    last = list(world.splits)[-1]
    first, second = (_play(world, last, settings.seed + 3, 50) for _ in range(2))
    fail_unless(
        len(first) == len(second), f"two seeded episodes on {last} last {len(first)} and {len(second)} steps"
    )
    for t, ((obs_a, reward_a, all_a), (obs_b, reward_b, all_b)) in enumerate(zip(first, second)):
        fail_unless(
            np.array_equal(obs_a, obs_b),
            f"two seeded episodes on {last} see different observations at step {t}",
        )
        fail_unless(
            (reward_a, all_a) == (reward_b, all_b),
            f"two seeded episodes on {last} differ in reward at step {t}",
        )
    return (
        f"{len(world.objectives)} catalogue rewards in info; a seeded {len(first) - 1}-step episode repeats"
    )


@register("vector-env", "the vector env steps every row as Gymnasium's SyncVectorEnv of the single env does")
def gymnasium_vector_env(world: World, settings: Settings) -> str:
    if world.continuous or world.gym_entry_point != "worlds.gym_env:GridWorldEnv":
        raise CheckSkipped("the vector env plays grid worlds played by worlds.gym_env.GridWorldEnv")
    from worlds.vector_env import GridWorldVectorEnv

    rows, steps, ends = 4, 12 * settings.walk_length, 0
    # short episodes, so that autoresets happen and are compared too
    episode = max(2, settings.walk_length)
    for split in world.splits:
        ours = GridWorldVectorEnv(rows, world, split=split, max_steps=episode)
        single = functools.partial(make_env, world, split=split, max_steps=episode)
        theirs = gym.vector.SyncVectorEnv([single] * rows)
        got, want = ours.reset(seed=settings.seed), theirs.reset(seed=settings.seed)
        _same(got[0], want[0], f"split {split}, reset: the observations differ")
        actions = np.random.default_rng(settings.seed)
        for t in range(steps):
            chosen = actions.integers(0, len(world.actions), size=rows)
            got, want = ours.step(chosen), theirs.step(chosen)
            for name, a, b in zip(("observations", "rewards", "terminations", "truncations"), got, want):
                _same(a, b, f"split {split}, step {t}: the {name} differ")
            ends += int(np.sum(got[2]) + np.sum(got[3]))
        ours.close()
        theirs.close()
    layout = "in its kernel" if world.observation_layout else "row by row through World.observation"
    return (
        f"{rows} rows x {steps} random steps on each of {len(world.splits)} split(s), {ends} episode ends; "
        f"observations updated {layout}"
    )


def _same(ours, theirs, message: str) -> None:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.shape == theirs.shape and np.array_equal(ours, theirs):
        return
    rows = sorted({int(i) for i in np.argwhere(ours != theirs)[:, 0]}) if ours.shape == theirs.shape else []
    raise CheckFailed(f"{message}{f' in rows {rows}' if rows else ''} (is observation_layout right?)")
