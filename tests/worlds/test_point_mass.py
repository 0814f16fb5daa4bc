"""The point-mass dynamics: hand-worked steps, the numba and JAX twins agreeing
to 1e-9, the generator's splits and the text form."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import worlds
from worlds.point_mass import dynamics
from worlds.point_mass import layout as L

# a 2 x 2 box centred at (5, 5) and a disc; the exit top centre, the beacon top left
BOX_LEVEL = """
size 10
start 5 3.99
exit 5 9 0.5
beacon 1 9 0.5
box 4 4 6 6
disc 8 2 1
"""


@pytest.fixture(scope="module")
def world():
    return worlds.get("point-mass")


@pytest.fixture(scope="module")
def box_level(world):
    return world.parse(BOX_LEVEL)


def features(world, level, state, action):
    next_state = world.reference_step(level, state, action)
    return next_state, dict(zip(world.features, world.reference_features(level, state, action, next_state)))


def test_free_flight_is_semi_implicit_euler_with_drag(world, box_level):
    # v' = v + dt (a - k v) = 1 + 0.1 (2 - 0.5) = 1.15; x' = x + dt v' = 2.115
    next_state, f = features(world, box_level, (2.0, 8.0, 1.0, 0.0), (2.0, 0.0))
    assert next_state == pytest.approx((2.115, 8.0, 1.15, 0.0), abs=1e-12)
    assert f["effort"] == pytest.approx(0.1 * 4.0)
    assert f["collision"] == 0.0
    assert f["exit_distance"] == pytest.approx(np.hypot(2.885, 1.0) - 0.5)


def test_accelerations_are_clipped_per_axis(world, box_level):
    clipped = world.reference_step(box_level, (2.0, 8.0, 0.0, 0.0), (5.0, -7.0))
    assert clipped == world.reference_step(box_level, (2.0, 8.0, 0.0, 0.0), (2.0, -2.0))


def test_contact_pushes_out_of_a_box_face_and_stops_the_inward_velocity(world, box_level):
    # vy' = 3 + 0.1 (0 - 1.5) = 2.85; y' = 3.99 + 0.285 = 4.275, 0.275 inside the
    # bottom face at y = 4: pushed back to 4, the upward velocity removed
    next_state, f = features(world, box_level, (5.0, 3.99, 0.5, 3.0), (0.0, 0.0))
    vx = 0.5 + 0.1 * (0.0 - 0.25)
    assert next_state == pytest.approx((5.0 + 0.1 * vx, 4.0, vx, 0.0), abs=1e-12)
    assert f["collision"] == pytest.approx(0.275)


def test_contact_with_a_disc_moves_along_the_radius(world, box_level):
    next_state = world.reference_step(box_level, (8.0, 0.95, 0.0, 1.0), (0.0, 0.0))
    assert np.hypot(next_state[0] - 8.0, next_state[1] - 2.0) == pytest.approx(1.0)
    assert next_state[3] <= 0.0


def test_the_arena_edge_stops_the_point(world, box_level):
    # vx' = -1 + 0.1 (-2 + 0.5) = -1.15; x' = 0.01 - 0.115 < 0: clipped, vx zeroed
    assert world.reference_step(box_level, (0.01, 5.0, -1.0, 0.0), (-2.0, 0.0)) == pytest.approx(
        (0.0, 5.0, 0.0, 0.0)
    )


def test_reaching_the_exit_fires_and_ends_the_world(world, box_level):
    _, f = features(world, box_level, (5.0, 8.4, 0.0, 1.0), (0.0, 2.0))
    assert f["reached_exit"] == 1.0 and f["exit_distance"] == 0.0 and f["reached_beacon"] == 0.0
    assert world.reference_terminal(box_level, (5.0, 8.6, 0.0, 0.0))
    assert not world.reference_terminal(box_level, (5.0, 8.4, 0.0, 0.0))


def test_discrete_actions_are_full_accelerations(world, box_level):
    assert world.actions[2] == "up-right"
    assert world.reference_step(box_level, (2.0, 8.0, 0.0, 0.0), 2) == world.reference_step(
        box_level, (2.0, 8.0, 0.0, 0.0), (2.0, 2.0)
    )


levels = st.builds(
    lambda seed, split: worlds.get("point-mass").sample(seed=seed, split=split),
    st.integers(0, 50),
    st.sampled_from(["train", "test", "test-trap"]),
)
coordinates = st.floats(0.0, 10.0, allow_nan=False)
velocities = st.floats(-6.0, 6.0, allow_nan=False)
accelerations = st.floats(-3.0, 3.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(levels, coordinates, coordinates, velocities, velocities, accelerations, accelerations)
def test_jax_and_numba_dynamics_agree_to_1e9(level, x, y, vx, vy, ax, ay):
    world = worlds.get("point-mass")
    state, action = np.array([x, y, vx, vy]), np.array([ax, ay])
    expected_state = world.reference_step(level, state, action)
    expected_features = world.reference_features(level, state, action, expected_state)
    with jax.enable_x64(True):
        params = jnp.asarray(world.arrays(level), dtype=jnp.float64)
        got_state, got_features = _transition(params, jnp.asarray(state), jnp.asarray(action))
        terminal = bool(dynamics.terminal(params, jnp.asarray(expected_state)))
    np.testing.assert_allclose(np.asarray(got_state), expected_state, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.asarray(got_features), expected_features, rtol=0, atol=1e-9)
    assert terminal == world.reference_terminal(level, expected_state)


_transition = jax.jit(dynamics.transition)


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(levels, st.integers(0, 2**31 - 1))
def test_jax_and_numba_trajectories_agree_to_1e9(level, seed):
    world = worlds.get("point-mass")
    actions = np.random.default_rng(seed).uniform(-2.0, 2.0, size=(60, 2))
    states, features = world.simulate(level, world.initial_state(level), actions)
    from planners.jax_trajectory import trajectory

    with jax.enable_x64(True):
        params = jnp.asarray(world.arrays(level), dtype=jnp.float64)
        got_states, got_features = trajectory(
            world.jax_dynamics, params, jnp.asarray(world.initial_state(level)), jnp.asarray(actions)
        )
    steps = len(features)  # numba stops at the exit; JAX rolls on
    np.testing.assert_allclose(np.asarray(got_states)[: steps + 1], states, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.asarray(got_features)[:steps], features, rtol=0, atol=1e-9)


@pytest.mark.slow
def test_reached_indicators_are_exact_with_a_smooth_gradient(world, box_level):
    with jax.enable_x64(True):
        params = jnp.asarray(world.arrays(box_level))
        index = world.feature_index("reached_exit")

        def reached(y):
            return dynamics.features(params, jnp.array([5.0, y, 0.0, 0.0]), jnp.zeros(2))[index]

        assert float(reached(8.0)) == 0.0 and float(reached(8.7)) == 1.0
        assert float(jax.grad(reached)(8.0)) > 0.0  # outside, the gradient points at the exit


def test_signed_distance_gradient_is_the_surface_normal(world, box_level):
    with jax.enable_x64(True):
        params = jnp.asarray(world.arrays(box_level))
        grad = jax.grad(lambda p: dynamics.signed_distance(params, p[0], p[1])[0])
        np.testing.assert_allclose(grad(jnp.array([5.0, 3.0])), [0.0, -1.0])  # below the box
        np.testing.assert_allclose(grad(jnp.array([5.5, 5.0])), [1.0, 0.0])  # inside, nearest face right
        np.testing.assert_allclose(grad(jnp.array([8.0, 3.5])), [0.0, 1.0])  # above the disc


@pytest.mark.parametrize("seed", range(20))
def test_trap_is_a_cup_opening_towards_the_start(world, seed):
    level = world.sample(seed=seed, split="test-trap")
    p = world.arrays(level)
    boxes = L.boxes_of(p)
    cap, left, right = boxes
    start, exit_xy = p[[L.START_X, L.START_Y]], p[[L.EXIT_X, L.EXIT_Y]]
    assert left[2] < start[0] < right[0]  # the start is under the cup's mouth
    assert start[1] < left[1] and start[1] < right[1]  # below the arms: the cup opens down
    assert exit_xy[1] > cap[3] and cap[0] < exit_xy[0] < cap[2]  # the exit is beyond the cap
    assert np.allclose(p[[L.BEACON_X, L.BEACON_Y]], exit_xy)


@pytest.mark.parametrize("seed", range(20))
def test_test_split_moves_the_beacon_and_train_keeps_it_on_the_exit(world, seed):
    train, test = world.arrays(world.sample(seed, "train")), world.arrays(world.sample(seed, "test"))
    assert np.allclose(train[[L.BEACON_X, L.BEACON_Y]], train[[L.EXIT_X, L.EXIT_Y]])
    apart = np.hypot(*(test[[L.BEACON_X, L.BEACON_Y]] - test[[L.EXIT_X, L.EXIT_Y]]))
    assert apart >= 0.4 * test[L.SIZE]
    assert 1 <= len(L.boxes_of(train)) + len(L.discs_of(train)) <= 3


@pytest.mark.parametrize("split", ["train", "test", "test-trap"])
def test_text_form_round_trips(world, split):
    for seed in range(10):
        level = world.sample(seed, split)
        assert world.parse(world.format(level)) == level


@pytest.mark.parametrize(
    "text, message",
    [
        ("start 1 1\nexit 5 5 0.5", "needs beacon"),
        ("start 1 1\nexit 5 5 0.5\nbeacon 5 5 0.5\nbox 3 3 2 4", "x0 < x1"),
        ("start 1 1\nexit 5 5 0.5\nbeacon 5 5 0.5\nwarp 1", "unknown item 'warp'"),
        ("start 1 1\nexit 5 5 0.5\nbeacon 5 5 0.5\ndrag 0", "drag must be positive"),
        ("start 11 1\nexit 5 5 0.5\nbeacon 5 5 0.5", "outside the 10 x 10 arena"),
        ("start 1 one\nexit 5 5 0.5\nbeacon 5 5 0.5", "takes numbers"),
    ],
)
def test_bad_level_text_says_what_is_wrong(world, text, message):
    with pytest.raises(worlds.LevelFormatError, match=message):
        world.parse(text)


def test_describe_and_generator_overrides(world):
    level = world.sample(3, "test", obstacles=0)
    assert "beacon (" in world.describe(level) and "0 box(es), 0 disc(s)" in world.describe(level)
    with pytest.raises(worlds.InvalidParameterError, match="obstacles"):
        world.sample(0, "train", obstacles=(3, 1))


def depth_inside(boxes, x, y):
    """How far each point (x, y) lies inside the union of `boxes` (0 outside)."""
    depth = np.zeros_like(x)
    for x0, y0, x1, y1 in boxes:
        inside = np.minimum.reduce([x - x0, x1 - x, y - y0, y1 - y])
        depth = np.maximum(depth, inside)
    return depth


@pytest.mark.parametrize("seed", range(5))
def test_contact_never_lets_the_point_through_the_trap_walls(world, seed):
    # pushed upwards with held random sideways accelerations, the point may
    # dip into a wall by at most one step's travel (0.4), never further: no
    # tunnelling through a wall, no sliding along a seam between its boxes
    level = world.sample(seed=seed, split="test-trap")
    cap, *arms = L.boxes_of(world.arrays(level))
    # the solid U as drawn: arms reaching all the way up to the cap's top
    solid = [cap, *([x0, y0, x1, cap[3]] for x0, y0, x1, _ in arms)]
    rng = np.random.default_rng(seed)
    for _ in range(100):
        sideways = np.repeat(rng.uniform(-2.0, 2.0, size=(20, 1)), 10, axis=0)
        actions = np.hstack([sideways, np.full((200, 1), 2.0)])
        states, _ = world.simulate(level, world.initial_state(level), actions)
        assert depth_inside(solid, states[:, 0], states[:, 1]).max() < 0.45


# the cheap contact test inside `dynamics.advance` against the signed distance it stands in for
_WORLD = worlds.get("point-mass")
_levels = st.builds(
    lambda seed, split: _WORLD.sample(seed=seed, split=split),
    st.integers(0, 30),
    st.sampled_from(["train", "test", "test-trap"]),
)


def _box_faces(level):
    boxes = L.boxes_of(_WORLD.arrays(level))
    return [(x, y) for x0, y0, x1, y1 in boxes for x in (x0, x1) for y in (y0, (y0 + y1) / 2, y1)]


@jax.jit
def _inside_and_distance(params, xs, ys):
    geometry = dynamics.prepare(params)
    inside = jax.vmap(lambda x, y: dynamics.inside_obstacle(geometry, x, y))(xs, ys)
    distance = jax.vmap(lambda x, y: dynamics.signed_distance(geometry, x, y)[0])(xs, ys)
    return inside, distance


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(_levels, st.lists(st.tuples(st.floats(-1.0, 11.0), st.floats(-1.0, 11.0)), min_size=1, max_size=50))
def test_contact_test_is_exactly_a_negative_signed_distance(level, points):
    xs, ys = np.array([*points, *_box_faces(level)]).T
    with jax.enable_x64(True):
        params = jnp.asarray(_WORLD.arrays(level))
        inside, distance = _inside_and_distance(params, jnp.asarray(xs), jnp.asarray(ys))
    np.testing.assert_array_equal(np.asarray(inside), np.asarray(distance) < 0.0)
