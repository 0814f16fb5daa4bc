"""The world's Gymnasium env: Gymnasium's own ``check_env`` on every split in
both render modes, every catalogue reward in ``info``, and seeded episodes
that repeat."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env

from studies.worldcheck.core import CheckFailed, Settings, fail_unless, one_line, register
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
