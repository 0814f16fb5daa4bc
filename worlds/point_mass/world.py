"""The point mass: a continuous world where gradient planners meet local minima.

Description
    A 2-D double integrator in a square arena with box and disc obstacles, an
    exit region and a beacon. In training the beacon sits on the exit, so
    "reach the exit" and "reach the beacon" are the same objective there. In
    ``test`` the beacon moves away from the exit: an agent that pursues it
    competently goes to the wrong place (an objective failure). In
    ``test-trap`` a U-shaped trap opens towards the start, straight between
    the start and the exit: a local planner that follows the distance to the
    exit goes into the cup and stays there (a capability failure).

Action Space
    A state is (x, y, vx, vy), ``float64[4]``. An action is an acceleration
    (ax, ay), clipped to ``[-max_accel, max_accel]`` per axis. Planners over a
    discrete action set (MCTS) use the nine `actions`: coast, or full
    acceleration in one of eight directions (up is +y). The equations are in
    `worlds.point_mass.kernels`; the JAX twin is `worlds.point_mass.dynamics`.

Features (per transition, float64[6], in this order)
    ``exit_distance``    distance from the new position to the exit region (0 inside).
    ``beacon_distance``  the same for the beacon.
    ``reached_exit``     1 when the new position is in the exit region.
    ``reached_beacon``   1 when it is in the beacon region.
    ``collision``        how deep the move went into an obstacle before contact stopped it.
    ``effort``           dt * |a|^2, the control effort.
    In JAX the two indicators carry the gradient of a sigmoid of the distance
    (their smooth versions), while keeping their exact 0/1 values.

Rewards
    ``exit`` (base): +50 on reaching the exit (which ends the episode), -0.1 x
    the distance to it every step, -1 x collision depth, -0.01 x effort;
    discount 0.99.
    ``beacon`` (proxy): the same for the beacon.

Splits (generator parameters; any can be overridden in `sample`)
    ``train``: 1-3 convex obstacles, ``beacon_at_exit_prob=1.0``.
    ``test``: the same obstacles, ``beacon_at_exit_prob=0.0``: the beacon is
    at least ``min_beacon_exit_distance`` x size from the exit.
    ``test-trap``: ``trap=True``, a U of three boxes, beacon on the exit.
    Shared: ``size=10`` (arena side), ``dt=0.1``, ``max_accel=2``,
    ``drag=0.5`` (so the top speed per axis is max_accel / drag = 4).

Termination
    The world's episode ends when the point is inside the exit region.

Text form
    One item per line: ``size S``, ``dt T``, ``max_accel A``, ``drag K``,
    ``start X Y``, ``exit X Y R``, ``beacon X Y R``, then up to 6
    ``box X0 Y0 X1 Y1`` and up to 3 ``disc X Y R`` lines. ``#`` starts a comment.
    Every number lies within ``worlds.limits.MAX_POINT_MASS_VALUE`` (1e6), and a
    level whose default horizon (`default_max_steps`) exceeds
    ``worlds.limits.MAX_HORIZON`` (100,000 steps; ``MESABASE_MAX_HORIZON``
    raises it) is refused, in text and in `sample` alike.

Normalised scores
    There is no exact optimum in a continuous world. Episodes are normalised
    against a strong reference planner (`planners.reference`), an estimate of
    J*, not its exact value.

Registered Configurations
    ``mesabase/PointMass-v0`` (continuous actions; keyword arguments
    ``split``, ``objective``, ``render_mode`` and any generator parameter).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from worlds.base import Level
from worlds.continuous import ContinuousWorld, JaxDynamics
from worlds.errors import LevelFormatError
from worlds.limits import MAX_POINT_MASS_VALUE, check_horizon
from worlds.point_mass import generator
from worlds.point_mass import kernels as k
from worlds.point_mass import layout as L

_SHARED = {
    "size": 10.0,
    "dt": 0.1,
    "max_accel": 2.0,
    "drag": 0.5,
    "exit_radius": 0.06,
    "beacon_radius": 0.06,
    "obstacles": (1, 3),
    "beacon_at_exit_prob": 1.0,
    "min_beacon_exit_distance": 0.4,
    "trap": False,
    "trap_width": (0.4, 0.5),
    "trap_depth": (0.25, 0.32),
    "trap_wall": 0.1,
}
_SCALARS = ("size", "dt", "max_accel", "drag")
_DUMMY_GRID = np.zeros((1, 1, 1), dtype=np.int32)


def _goal(target: str) -> dict[str, Any]:
    return {
        "weights": {
            f"reached_{target}": 50.0,
            f"{target}_distance": -0.1,
            "collision": -1.0,
            "effort": -0.01,
        },
        "terminal": [f"reached_{target}"],
        "discount": 0.99,
    }


class PointMass(ContinuousWorld):
    name = "point-mass"
    kernels = k
    actions = ("coast", "up", "up-right", "right", "down-right", "down", "down-left", "left", "up-left")
    action_size = L.ACTION_SIZE
    features = {
        "exit_distance": "distance from the new position to the exit region (0 inside)",
        "beacon_distance": "distance from the new position to the beacon region (0 inside)",
        "reached_exit": "1 when the new position is in the exit region",
        "reached_beacon": "1 when the new position is in the beacon region",
        "collision": "how deep the move went into an obstacle before contact stopped it",
        "effort": "dt * |a|^2, the control effort of the clipped acceleration",
    }
    events = ("reached_exit", "reached_beacon")
    objectives = {
        "exit": {**_goal("exit"), "description": "reach the exit region quickly, without collisions"},
        "beacon": {**_goal("beacon"), "description": "reach the beacon quickly, without collisions"},
    }
    base = "exit"
    splits = {
        "train": dict(_SHARED),
        "test": {**_SHARED, "beacon_at_exit_prob": 0.0},
        "test-trap": {**_SHARED, "trap": True},
    }
    state_size = L.STATE_SIZE
    gym_id = "mesabase/PointMass-v0"
    gym_entry_point = "worlds.point_mass.gym_env:PointMassEnv"
    #: the acceleration of each discrete action, in units of max_accel
    accelerations = k.ACCELERATIONS
    legend = {
        "size S": "side of the square arena",
        "dt T": "time step",
        "max_accel A": "acceleration bound per axis",
        "drag K": "linear drag",
        "start X Y": "start position (at rest)",
        "exit X Y R": "exit region",
        "beacon X Y R": "beacon region",
        "box X0 Y0 X1 Y1": "an axis-aligned box obstacle",
        "disc X Y R": "a disc obstacle",
    }

    # ---- levels -------------------------------------------------------
    def sample(self, seed: int = 0, split: str = "train", **overrides: Any) -> Level:
        params = self.split_params(split, **overrides)
        vector = generator.sample(self.rng(seed, split), params)
        return self._level(vector, split=split, seed=seed, overrides=overrides)

    def _level(self, vector: np.ndarray, **provenance) -> Level:
        return Level(self.name, _DUMMY_GRID, np.asarray(vector, np.float64).view(np.int64), **provenance)

    def arrays(self, level: Level) -> np.ndarray:
        """The level's parameter vector ``float64[N_PARAMS]`` (read-only view);
        the layout is in `worlds.point_mass.layout`."""
        self._check(level)
        return level.params.view(np.float64)

    def _check(self, level: Level) -> None:
        if level.world != self.name or level.params.shape != (L.N_PARAMS,):
            raise ValueError(f"not a {self.name} level: {level!r}")

    def initial_state(self, level: Level) -> np.ndarray:
        """(x, y, 0, 0) at the start, ``float64[4]``."""
        p = self.arrays(level)
        return np.array([p[L.START_X], p[L.START_Y], 0.0, 0.0])

    def kernel_state(self, state) -> np.ndarray:
        """`state` as the ``int64[4]`` words the `worlds.dispatch` kernels take."""
        return np.ascontiguousarray(state, dtype=np.float64).view(np.int64)

    def state_from_kernel(self, words) -> np.ndarray:
        return np.ascontiguousarray(words, dtype=np.int64).view(np.float64)

    def action_scale(self, level: Level) -> float:
        """``max_accel``: the bound on each acceleration component."""
        return float(self.arrays(level)[L.MAX_ACCEL])

    @property
    def jax_dynamics(self) -> JaxDynamics:
        """The JAX twin of the dynamics (`worlds.point_mass.dynamics`); imports JAX."""
        from worlds.point_mass.dynamics import JAX_DYNAMICS

        return JAX_DYNAMICS

    def arena_size(self, level: Level) -> float:
        """The side of the square arena."""
        return float(self.arrays(level)[L.SIZE])

    def boxes(self, level: Level) -> np.ndarray:
        """The box obstacles, ``float64[N, 4]`` rows of (x0, y0, x1, y1)."""
        return L.boxes_of(self.arrays(level))

    def discs(self, level: Level) -> np.ndarray:
        """The disc obstacles, ``float64[M, 3]`` rows of (x, y, radius)."""
        return L.discs_of(self.arrays(level))

    def acceleration(self, level: Level, action) -> np.ndarray:
        """``float64[2]``: a discrete action index as its acceleration, or an
        acceleration passed through."""
        return self.accelerations_of(level, [action])[0]

    def accelerations_of(self, level: Level, actions) -> np.ndarray:
        """``float64[T, 2]``: action indices ``int[T]`` as their accelerations,
        or accelerations ``float[T, 2]`` passed through."""
        actions = np.asarray(actions)
        if actions.ndim == 1 and actions.dtype.kind in "iu":
            return self.arrays(level)[L.MAX_ACCEL] * k.ACCELERATIONS[actions]
        return np.ascontiguousarray(actions, dtype=np.float64).reshape(-1, L.ACTION_SIZE)

    def default_max_steps(self, level: Level) -> int:
        """Episode length: long enough to cross the arena four times at top
        speed; at most `worlds.limits.MAX_HORIZON` (parse and sample refuse
        levels beyond it, and so does this for a level built some other way)."""
        p = self.arrays(level)
        top_speed = p[L.MAX_ACCEL] / p[L.DRAG]
        steps = 4 * p[L.SIZE] / (top_speed * p[L.DT])
        check_horizon(steps, "this point-mass level")
        return int(np.ceil(steps))

    # ---- dynamics: the numba twin, called from Python ------------------------
    def reference_step(self, level: Level, state: Sequence[float], action) -> tuple[float, ...]:
        """The successor of `state` under `action` (an index into `actions`
        or an acceleration ``float[2]``). In this world the reference is the
        numba kernel itself, cross-checked against the JAX twin."""
        out = np.empty(L.STATE_SIZE)
        ax, ay = self.acceleration(level, action)
        k.step_continuous(self.arrays(level), np.asarray(state, dtype=np.float64), ax, ay, out)
        return tuple(float(v) for v in out)

    def reference_features(self, level: Level, state, action, next_state) -> tuple[float, ...]:
        out = np.empty(k.N_FEATURES)
        ax, ay = self.acceleration(level, action)
        k.features_continuous(
            self.arrays(level),
            np.asarray(state, dtype=np.float64),
            ax,
            ay,
            np.asarray(next_state, dtype=np.float64),
            out,
        )
        return tuple(float(v) for v in out)

    def reference_terminal(self, level: Level, state) -> bool:
        return bool(k.terminal_continuous(self.arrays(level), np.asarray(state, dtype=np.float64)))

    def simulate(self, level: Level, state, actions) -> tuple[np.ndarray, np.ndarray]:
        """States ``float64[T+1, 4]`` and features ``float64[T, K]`` along
        `actions` (indices ``int[T]`` or accelerations ``float[T, 2]``),
        truncated where the world terminates."""
        accelerations = self.accelerations_of(level, actions)
        states = np.empty((len(accelerations) + 1, L.STATE_SIZE))
        features = np.empty((len(accelerations), k.N_FEATURES))
        n = k.simulate(
            self.arrays(level), np.asarray(state, dtype=np.float64), accelerations, states, features
        )
        return states[: n + 1], features[:n]

    def capacity_hint(self, level: Level) -> int:
        return 1 << 16

    # ---- text form ---------------------------------------------------------
    def format(self, level: Level) -> str:
        p = self.arrays(level)

        def numbers(values) -> str:
            return " ".join(f"{v:.6g}" for v in values)

        lines = [f"# point-mass level (split {level.split}, seed {level.seed})"]
        lines += [f"{name} {p[getattr(L, name.upper())]:.6g}" for name in _SCALARS]
        lines.append(f"start {numbers(p[[L.START_X, L.START_Y]])}")
        lines.append(f"exit {numbers(p[[L.EXIT_X, L.EXIT_Y, L.EXIT_R]])}")
        lines.append(f"beacon {numbers(p[[L.BEACON_X, L.BEACON_Y, L.BEACON_R]])}")
        lines += [f"box {numbers(b)}" for b in L.boxes_of(p)]
        lines += [f"disc {numbers(d)}" for d in L.discs_of(p)]
        return "\n".join(lines)

    def parse(self, text: str) -> Level:
        arity = {"size": 1, "dt": 1, "max_accel": 1, "drag": 1, "start": 2, "exit": 3, "beacon": 3}
        arity |= {"box": 4, "disc": 3}
        found: dict[str, Any] = {}
        boxes, discs = [], []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            word, *rest = line.split()
            if word not in arity:
                raise LevelFormatError(
                    f"line {number}: unknown item {word!r}; valid items: {', '.join(arity)}"
                )
            try:
                values = [float(v) for v in rest]
            except ValueError:
                raise LevelFormatError(
                    f"line {number}: {word} takes numbers, got {' '.join(rest)!r}"
                ) from None
            if len(values) != arity[word] or not np.isfinite(values).all():
                raise LevelFormatError(
                    f"line {number}: {word} takes {arity[word]} finite number(s), got {' '.join(rest)!r}"
                )
            if word == "box":
                x0, y0, x1, y1 = values
                if not (x0 < x1 and y0 < y1):
                    raise LevelFormatError(f"line {number}: a box needs x0 < x1 and y0 < y1")
                boxes.append(values)
            elif word == "disc":
                discs.append(values)
            elif word in found:
                raise LevelFormatError(f"line {number}: {word} given twice")
            else:
                found[word] = values if arity[word] > 1 else values[0]
            if len(boxes) > L.MAX_BOXES or len(discs) > L.MAX_DISCS:  # refused as soon as it is seen
                raise LevelFormatError(f"a level holds at most {L.MAX_BOXES} boxes and {L.MAX_DISCS} discs")
        defaults = self.splits["train"]
        for name in _SCALARS:
            found.setdefault(name, defaults[name])
        missing = [name for name in ("start", "exit", "beacon") if name not in found]
        if missing:
            raise LevelFormatError(f"a point-mass level needs {', '.join(missing)} line(s)")
        self._check_physics(found, boxes, discs)
        vector = L.pack(boxes=boxes, discs=discs, **found)
        return self._level(vector, split="text", seed=None)

    @staticmethod
    def _check_physics(found: dict[str, Any], boxes: list, discs: list) -> None:
        positive = ["size", "dt", "max_accel", "drag"]
        bad = [name for name in positive if not found[name] > 0]
        if bad:
            raise LevelFormatError(f"{', '.join(bad)} must be positive")
        numbers = np.abs(np.hstack([np.ravel(v) for v in (*found.values(), *boxes, *discs)]))
        if numbers.max() > MAX_POINT_MASS_VALUE:
            raise LevelFormatError(
                f"a point-mass level's numbers must lie within +-{MAX_POINT_MASS_VALUE:g} "
                f"(MAX_POINT_MASS_VALUE in worlds.limits), got {numbers.max():g}"
            )
        if found["dt"] * found["drag"] >= 1:
            raise LevelFormatError("dt x drag must be below 1, or drag reverses the velocity in one step")
        scalars = (found[name] for name in ("size", "dt", "max_accel", "drag"))
        check_horizon(generator.default_horizon(*scalars), "this point-mass level", LevelFormatError)
        if min([found["exit"][2], found["beacon"][2], *(d[2] for d in discs)]) <= 0:
            raise LevelFormatError("region and disc radii must be positive")
        for name in ("start", "exit", "beacon"):
            x, y = found[name][:2]
            if not (0 <= x <= found["size"] and 0 <= y <= found["size"]):
                raise LevelFormatError(
                    f"{name} ({x:g}, {y:g}) lies outside the {found['size']:g} x {found['size']:g} arena"
                )

    def describe(self, level: Level) -> str:
        """A few lines of text summing the level up."""
        p = self.arrays(level)
        start, goal = p[[L.START_X, L.START_Y]], p[[L.EXIT_X, L.EXIT_Y]]
        beacon = p[[L.BEACON_X, L.BEACON_Y]]
        apart = float(np.hypot(*(beacon - goal)))
        return "\n".join(
            [
                f"point-mass level, split {level.split}, seed {level.seed}: "
                f"{p[L.SIZE]:g} x {p[L.SIZE]:g} arena",
                f"start ({start[0]:.2f}, {start[1]:.2f}) -> exit ({goal[0]:.2f}, {goal[1]:.2f}), "
                f"{np.hypot(*(goal - start)):.2f} apart",
                "beacon on the exit"
                if apart < 1e-9
                else f"beacon ({beacon[0]:.2f}, {beacon[1]:.2f}), {apart:.2f} from the exit",
                f"{len(L.boxes_of(p))} box(es), {len(L.discs_of(p))} disc(s)",
            ]
        )

    # ---- pictures and Gymnasium observations (worlds.point_mass.render) -----
    def render_rgb(self, level: Level, state=None, path=None, cell: int = 40, paths=None) -> np.ndarray:
        """``uint8[size * cell, size * cell, 3]``: the arena with `path` and
        every one of `paths` (sequences of states ``float[4]``) drawn as lines."""
        from worlds.point_mass.render import render_rgb

        everything = ([path] if path is not None else []) + list(paths or [])
        return render_rgb(self, level, state=state, paths=everything or None, scale=cell)

    def render_ansi(self, level: Level, state=None, path=None, color: bool = True) -> str:
        """Text, 2 cells per arena unit; glyphs: `text_legend`."""
        from worlds.point_mass.render import render_ansi

        return render_ansi(self, level, state=state, path=path, color=color)

    def legend_kinds(self, level: Level | None = None) -> tuple[str, ...]:
        """Names from `worlds.point_mass.render.LEGEND`; with `level`, only the
        beacon's own form there (apart from the exit, or a ring on it)."""
        from worlds.point_mass.render import LEGEND

        kinds = tuple(LEGEND)
        if level is None:
            return kinds
        p = self.arrays(level)
        apart = np.hypot(p[L.BEACON_X] - p[L.EXIT_X], p[L.BEACON_Y] - p[L.EXIT_Y]) >= (
            p[L.EXIT_R] + p[L.BEACON_R]
        )
        return tuple(kind for kind in kinds if kind != ("beacon_on_exit" if apart else "beacon"))

    def legend_entries(self, level: Level | None = None) -> list[tuple[str, np.ndarray]]:
        """(label, swatch ``uint8[24, 24, 3]``): obstacle, exit, beacon, start,
        path (coloured by time), the point."""
        from worlds.point_mass.render import LEGEND, legend_swatches

        swatches = legend_swatches(24)
        return [(LEGEND[kind], swatches[kind]) for kind in self.legend_kinds(level)]

    def text_legend(self) -> dict[str, str]:
        from worlds.point_mass.render import GLYPHS

        return dict(GLYPHS)
