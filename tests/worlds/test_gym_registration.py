"""`import worlds` leaves Gymnasium unloaded, yet ``gymnasium.make`` finds
every world's id whichever of the two a program imports first. Each case runs
in a fresh interpreter, since this one has Gymnasium loaded already."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHECK_IDS = (
    "import gymnasium\n"
    "missing = [w.gym_id for w in map(worlds.get, worlds.names()) if w.gym_id not in gymnasium.registry]\n"
    "assert not missing, missing\n"
    "env = gymnasium.make('mesabase/ArrowMaze-v0', split='test', objective='arrow')\n"
    "observation, _ = env.reset(seed=0)\n"
    "print(observation.shape)\n"
)


def run(code: str) -> str:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


WORLDS_FIRST = "import sys, worlds\nassert 'gymnasium' not in sys.modules\n"


@pytest.mark.parametrize("first", [WORLDS_FIRST, "import gymnasium, worlds\n"])
def test_gymnasium_ids_are_registered_in_either_import_order(first):
    assert run(first + "import worlds\n" + CHECK_IDS).strip().startswith("(")


def test_a_submodule_import_of_gymnasium_registers_the_ids_too():
    code = (
        "import worlds\nfrom gymnasium.envs.registration import registry\n"
        "print('mesabase/Cleaning-v0' in registry)\n"
    )
    assert run(code).strip() == "True"


def test_the_gymnasium_names_of_worlds_load_on_first_use():
    import worlds
    from worlds import gym_env, vector_env

    assert worlds.GridWorldEnv is gym_env.GridWorldEnv
    assert worlds.make_vector_env is vector_env.make_vector_env
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        worlds.not_a_name  # noqa: B018


def test_importing_the_env_module_first_registers_the_ids():
    code = (
        "from worlds import gym_env\nimport gymnasium\nprint('mesabase/PointMass-v0' in gymnasium.registry)\n"
    )
    assert run(code).strip() == "True"
