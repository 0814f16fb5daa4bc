"""The continuous-world contract, next to the discrete one in `worlds.base`.

A continuous world has real-valued states and actions. It keeps everything a
`World` declares (name, actions, features, catalogue, splits, text form,
rendering, Gymnasium env) and adds what planners and studies use to reach its
dynamics without importing the world's own modules:

- ``world.arrays(level)``: the level as one ``float64[P]`` vector, the
  argument every dynamics function below takes as ``params``;
- ``world.action_size``: A, the length of an action vector;
- ``world.simulate(level, state, actions)``: play an action sequence in
  numba (float64), for scoring episodes;
- ``world.accelerations_of(level, actions)``: actions as ``float64[T, A]``
  (discrete action indices, for MCTS over a discretised action set, become
  their vectors);
- ``world.action_scale(level)``: the bound on each action component;
- ``world.jax_dynamics``: a `JaxDynamics`, the same dynamics as pure JAX
  functions, so that the JAX planners can `jit`, `vmap` and differentiate
  through them.

The numba kernels (`worlds.dispatch`) take ``kernel_state(state)``: the
``float64[S]`` state viewed as ``int64[S]`` words, so that the discrete
planners' kernels (MCTS) run on continuous worlds unchanged.

Shapes: ``params`` float[P]; a state float[S]; an action float[A]; features
float[K] in ``world.features`` order. JAX functions run in their inputs'
dtype (float32 unless x64 is enabled).
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from typing import Any

import numpy as np

from worlds.base import Level, World
from worlds.errors import InvalidParameterError


@dataclasses.dataclass(frozen=True, eq=False)
class JaxDynamics:
    """A continuous world's dynamics as pure JAX functions.

    Planners key their compiled solvers on this object (by identity), so a
    world should hand out one instance.

    Attributes:
        action_size: A, the length of an action vector.
        prepare: ``prepare(params) -> geometry``: whatever the step wants
            precomputed from ``params`` float[P] (any pytree), once per rollout.
        advance: ``advance(geometry, state, action, branch) -> (next_state,
            aux)``: the dynamics alone; `aux` is what `transition_features`
            needs besides the successor (a pytree of arrays). ``branch=True``
            may use `lax.cond` (fastest for a single rollout); batched callers
            pass False (under `vmap` both sides of a branch run anyway). Both
            give the same results.
        transition_features: ``transition_features(params, next_states, aux)
            -> float[..., K]``: elementwise over leading axes, so it takes one
            step or a whole stacked trajectory.
        transition: ``transition(geometry, state, action, branch) ->
            (next_state float[S], features float[K])``.
        terminal: ``terminal(params, state) -> bool``: whether the world's
            episode is over; `state` is float[S] or float[S, T] (components
            first, for a whole trajectory at once).
        action_scale: ``action_scale(params) -> scalar``: the bound on each
            action component (planners search in units of it).
        smooth_events: ``smooth_events(params, next_state, features) ->
            float[K]``: `features` with each 0/1 event replaced by the smooth
            value whose gradient the dynamics gives it (a gradient-based base
            optimiser scores with these).
    """

    action_size: int
    prepare: Callable[..., Any]
    advance: Callable[..., Any]
    transition_features: Callable[..., Any]
    transition: Callable[..., Any]
    terminal: Callable[..., Any]
    action_scale: Callable[..., Any]
    smooth_events: Callable[..., Any]


class ContinuousWorld(World):
    """Base class of the continuous worlds (see the module doc).

    Subclasses implement the members below as well as `World`'s generator,
    text form, rendering and reference dynamics (``reference_step`` takes an
    action index or an action vector float[A]).
    """

    continuous = True
    #: no grid moves: a continuous world's actions are vectors
    moves = np.zeros((0, 2), dtype=np.int64)

    def arrays(self, level: Level) -> np.ndarray:
        """The level as ``float64[P]`` (read-only), the ``params`` of every
        dynamics function."""
        raise NotImplementedError

    def action_scale(self, level: Level) -> float:
        """The bound on each action component in `level`."""
        raise NotImplementedError

    def accelerations_of(self, level: Level, actions) -> np.ndarray:
        """``float64[T, A]``: action indices ``int[T]`` as their vectors, or
        action vectors ``float[T, A]`` passed through."""
        raise NotImplementedError

    def simulate(self, level: Level, state, actions) -> tuple[np.ndarray, np.ndarray]:
        """States ``float64[T'+1, S]`` and features ``float64[T', K]`` along
        `actions` (indices ``int[T]`` or vectors ``float[T, A]``), cut where
        the world's episode ends (T' <= T)."""
        raise NotImplementedError

    @property
    def jax_dynamics(self) -> JaxDynamics:
        """The world's dynamics in JAX (imports JAX on first use)."""
        raise NotImplementedError

    def check_state(self, level: Level, state) -> np.ndarray:
        """`state` as ``float64[state_size]`` after checking it is finite and real."""
        values = np.asarray(state)
        if values.shape != (self.state_size,) or values.dtype.kind not in "iuf":
            raise InvalidParameterError(
                f"a {self.name} state is {self.state_size} real numbers, got {reprlib.repr(state)}"
            )
        values = values.astype(np.float64)
        if not np.isfinite(values).all():
            raise InvalidParameterError(f"a {self.name} state must be finite, got {values.tolist()}")
        return values

    def to_networkx(self, level: Level, *, reference: bool = False):
        raise NotImplementedError(f"{self.name} is continuous: it has no finite state graph")
