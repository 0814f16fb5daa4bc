"""Initialisers for the JAX planners' search variables, in optax's style:
each returns a function ``init(key, shape) -> float[shape]``."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def gaussian(scale: float = 0.5):
    """Independent normal draws with standard deviation `scale`."""

    def init(key, shape):
        return scale * jax.random.normal(key, shape)

    return init


def zeros():
    """All zeros: every restart starts from coasting (so restarts coincide)."""

    def init(key, shape):
        return jnp.zeros(shape)

    return init


#: initialiser name -> its constructor with default arguments, for ``GradientPlanner(init="...")``
NAMED = {"gaussian": gaussian, "zeros": zeros}
