"""The lava world's own tests: the mesabase world contract, plus what the
world is for (the proxy agrees with the goal in training and not at test).

Run with the package installed (``pip install -e examples/lava``), or from a
checkout with ``MESABASE_WORLDS=mesabase_lava.world:Lava PYTHONPATH=examples/lava``.
"""

import numpy as np
import pytest

import worlds
from planners import Agent, Reactive, ValueIteration, rollout
from studies.worldcheck import QUICK
from studies.worldcheck.pytest_plugin import contract_tests

# one case per contract check: kernels = reference, text round trip, check_env, planners, ...
test_lava_contract = contract_tests("lava", settings=QUICK)

LEVEL = """\
#######
#S...G#
#LL.LL#
#.....#
#######
"""


@pytest.fixture(scope="module")
def lava():
    if "lava" not in worlds.names():
        pytest.skip("the lava world is not registered: pip install -e examples/lava")
    return worlds.get("lava")


def test_a_hand_written_level_round_trips_and_has_the_expected_features(lava):
    level = lava.parse(LEVEL)
    assert lava.format(level) == LEVEL
    # from the start, moving down enters lava; moving right ends next to lava (above lava at column 2)
    assert lava.reference_step(level, (1, 1), 2) == (2, 1)
    assert lava.reference_features(level, (1, 1), 2, (2, 1)) == (0.0, 1.0, 0.0, 0.0)
    assert lava.reference_features(level, (1, 1), 1, (1, 2)) == (0.0, 0.0, 1.0, 0.0)
    # above the ford (column 3) no lava is up, down, left or right
    assert lava.reference_features(level, (1, 2), 1, (1, 3)) == (0.0, 0.0, 0.0, 0.0)
    assert lava.reference_terminal(level, (2, 1)) and lava.reference_terminal(level, (1, 5))


@pytest.mark.parametrize("seed", [0, 1])
def test_the_proxy_agrees_in_training_and_misgeneralises_at_test(lava, seed):
    outcomes = {}
    for split in ("train", "test"):
        level = lava.sample(seed, split)
        for objective in ("goal", "lava_edge"):
            outcomes[objective, split] = rollout(lava, level, Agent(ValueIteration(), objective)).outcome
    assert outcomes == {
        ("goal", "train"): "intended",
        ("lava_edge", "train"): "intended",
        ("goal", "test"): "intended",
        ("lava_edge", "test"): "misgeneralized",
    }


def test_the_reactive_policy_walks_into_lava_at_test(lava):
    episode = rollout(lava, lava.sample(0, "test"), Agent(Reactive(), None))
    assert episode.outcome == "capability_failure" and episode.events["entered_lava"]
    assert episode.features[-1, lava.feature_index("entered_lava")] == 1.0
    assert np.array_equal(episode.states[0], lava.initial_state(lava.sample(0, "test")))
