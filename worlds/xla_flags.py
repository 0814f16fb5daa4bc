"""One XLA CPU option that makes the JAX rollouts an order of magnitude faster.

XLA's CPU runtime runs a compiled program as a sequence of small kernels, one
per fused operation, and pays a fixed launch cost for each. A `lax.scan`
rollout of the point mass launches dozens of them per time step, forward and
backward, so a gradient step at horizon 50 costs thousands of launches and
almost no arithmetic. XLA can instead compile a whole while loop into a single
kernel when the loop touches few bytes: the limit is the backend option
``xla_cpu_small_while_loop_byte_threshold`` (1 kB by default, far below what
our loops touch). `enable_small_loop_kernels` raises it, before JAX builds its
CPU backend, so that the planners' optimisation loops, rollouts included,
become one kernel each. Results are the same up to float rounding.

It only adds to ``XLA_FLAGS``: when that variable already sets
``--xla_backend_extra_options`` it is left exactly as the user wrote it, and
``MESABASE_XLA_DEFAULTS=0`` turns the addition off. XLA reads the variable
once, when the backend starts; in a process that already ran JAX code the
addition would come too late, so it warns instead, and the planners keep the
formulation that is fastest without the option (`SMALL_LOOP_KERNELS`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable

OPTION = "xla_cpu_small_while_loop_byte_threshold"
#: large enough for any loop mesabase compiles; XLA still refuses loops that
#: call out to libraries (custom calls), which keep the usual runtime
THRESHOLD = 1_000_000_000


def jax_backend_started() -> bool:
    """Whether JAX has started a backend in this process (then changes to
    ``XLA_FLAGS`` no longer count). False when JAX cannot tell."""
    try:
        from jax._src import xla_bridge  # the only place JAX says so

        return bool(xla_bridge.backends_are_initialized())
    except (ImportError, AttributeError):
        return False


def enable_small_loop_kernels(backend_started: Callable[[], bool] = jax_backend_started) -> bool:
    """Add the option to ``XLA_FLAGS`` unless the user has set backend options
    or opted out. Returns whether JAX's CPU backend runs (or will run) with
    the option."""
    flags = os.environ.get("XLA_FLAGS", "")
    if OPTION in flags:
        return True
    if os.environ.get("MESABASE_XLA_DEFAULTS", "1") == "0" or "xla_backend_extra_options" in flags:
        return False
    if backend_started():
        warnings.warn(
            "JAX ran before mesabase's point mass was imported, too early for mesabase to set "
            f"XLA_FLAGS='--xla_backend_extra_options={OPTION}={THRESHOLD}': a one-restart gradient "
            "planner is then about ten times slower. Import worlds (or planners) before running JAX "
            "code, or set that XLA_FLAGS yourself; MESABASE_XLA_DEFAULTS=0 silences this.",
            RuntimeWarning,
            stacklevel=2,
        )
        return False
    os.environ["XLA_FLAGS"] = f"{flags} --xla_backend_extra_options={OPTION}={THRESHOLD}".strip()
    return True
