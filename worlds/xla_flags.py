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
once, when the backend starts, so the option has no effect in a process that
ran JAX code before importing the point-mass world.
"""

from __future__ import annotations

import os

OPTION = "xla_cpu_small_while_loop_byte_threshold"
#: large enough for any loop mesabase compiles; XLA still refuses loops that
#: call out to libraries (custom calls), which keep the usual runtime
THRESHOLD = 1_000_000_000


def enable_small_loop_kernels() -> bool:
    """Add the option to ``XLA_FLAGS`` unless the user has set backend options
    or opted out. Returns whether it is now set by us or by the user."""
    flags = os.environ.get("XLA_FLAGS", "")
    if OPTION in flags:
        return True
    if os.environ.get("MESABASE_XLA_DEFAULTS", "1") == "0" or "xla_backend_extra_options" in flags:
        return False
    os.environ["XLA_FLAGS"] = f"{flags} --xla_backend_extra_options={OPTION}={THRESHOLD}".strip()
    return True
