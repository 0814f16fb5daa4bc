"""The gradient base optimiser (studies.learning.gradient): its meta-gradient
against finite differences, a search that raises the smoothed base return,
and clear errors. Every search here shares one compiled step (float64, two
levels, horizon 8): about 15 s of compilation, once."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import worlds
from studies.learning.gradient import Search, default_theta0, gradient_search
from worlds import InvalidParameterError

WORLD = worlds.get("point-mass")
DYNAMICS = WORLD.jax_dynamics
FEATURES = list(WORLD.features)
TERMINAL = frozenset({"reached_exit"})
# small enough that no plan collides or reaches the exit, so the fitness is smooth
TINY = {"horizon": 8, "inner_iterations": 15}


def tiny_search(**options):
    return Search(WORLD, FEATURES, TERMINAL, 0.99, 0.0, [0, 1], "train", {}, **TINY, **options)


@pytest.fixture
def x64():
    with jax.enable_x64(True):
        yield


@pytest.mark.slow
def test_meta_gradient_matches_central_differences(x64):
    search = tiny_search()
    theta = np.array([-0.05, -0.05, 50.0, 0.5, -0.5, -0.05])
    fitness, penalty, gradient = search.value_and_grad(theta)
    assert np.isfinite(fitness) and penalty == 0.0
    eps = 1e-5

    def fitness(t):
        return search.value_and_grad(t)[0]

    steps = eps * np.eye(6)
    differences = np.array([fitness(theta + step) - fitness(theta - step) for step in steps]) / (2 * eps)
    assert np.abs(gradient).max() > 0.1  # the check is not vacuous
    np.testing.assert_allclose(gradient, differences, rtol=1e-4, atol=1e-6 * np.abs(gradient).max())


def test_search_raises_the_smoothed_base_return_from_a_sparse_start(x64):
    steps = []
    history = gradient_search(
        WORLD, FEATURES, TERMINAL, 0.99, 0.0, [0, 1], "train", {}, steps=10, **TINY,
        progress=lambda step, fitness: steps.append(step),
    )  # fmt: skip
    assert steps == list(range(11)) and [row["step"] for row in history] == steps
    assert history[0]["theta"] == default_theta0(WORLD, FEATURES).tolist()
    fitness = [row["fitness"] for row in history]
    assert fitness[-1] > fitness[0] + 0.05
    # it learned to head for the exit (the beacon sits on it in training)
    final = dict(zip(FEATURES, history[-1]["theta"]))
    assert final["exit_distance"] + final["beacon_distance"] < 0


def test_the_penalty_is_subtracted_and_reported(x64):
    theta = np.array([-0.05, -0.05, 50.0, 0.5, -0.5, -0.05])
    plain = tiny_search().value_and_grad(theta)
    cost = np.array([0.0, 0.0, 0.0, 0.0, 2.0, 0.0])
    fitness, penalty, gradient = tiny_search(l1=0.1, cost=cost).value_and_grad(theta)
    assert fitness == pytest.approx(plain[0])
    assert penalty == pytest.approx(0.1 * np.abs(theta).sum() + 2.0 * 0.5)
    np.testing.assert_allclose(gradient, plain[2] - 0.1 * np.sign(theta) - cost * np.sign(theta))


def test_the_dynamics_are_twice_differentiable_inside_a_box(x64):
    # the meta-gradient differentiates the dynamics twice; inside a box the
    # distance to the box's outside is 0, where a bare sqrt would give NaN
    level = WORLD.parse(
        "size 10\ndt 0.1\nmax_accel 2\ndrag 0.5\nstart 5 1\nexit 5 9 0.6\nbeacon 5 9 0.6\nbox 4 4 6 6"
    )
    params = jnp.asarray(WORLD.arrays(level))

    def weighted_features(p):
        state = jnp.array([p[0], p[1], 0.3, -0.2])
        return DYNAMICS.transition(params, state, jnp.array([0.5, 1.0]), False)[1] @ jnp.arange(1.0, 7.0)

    hessian = jax.jit(jax.hessian(weighted_features))
    for position in ([2.0, 1.0], [4.2, 5.0], [5.0, 5.0]):  # in the open, inside the box, at its centre
        assert np.isfinite(hessian(jnp.array(position))).all()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"world": "arrow-maze"}, "JAX dynamics"),
        ({"features": ["exit_distance", "speed"]}, "speed"),
        ({"features": ["effort", "effort"]}, "distinct"),
        ({"level_seeds": []}, "level_seeds"),
        ({"steps": 0}, "steps"),
        ({"horizon": 0}, "horizon"),
        ({"theta0": [1.0, 2.0]}, "theta0"),
    ],
)
def test_bad_inputs_raise_one_clear_error(change, message):
    arguments = {"world": WORLD, "features": FEATURES, "level_seeds": [0], **change}
    options = {k: arguments.pop(k) for k in ("steps", "horizon", "theta0") if k in arguments}
    theta0 = options.pop("theta0", None)
    with pytest.raises(InvalidParameterError, match=message):
        gradient_search(
            arguments["world"], arguments["features"], TERMINAL, 0.99, 0.0, arguments["level_seeds"],
            "train", {}, theta0, **options,
        )  # fmt: skip
