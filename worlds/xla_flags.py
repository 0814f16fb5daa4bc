"""Single-kernel loops on XLA's CPU backend, in any process.

XLA's CPU runtime runs a compiled program as a sequence of small kernels, one
per fused operation, and pays a fixed launch cost for each. A `lax.scan`
rollout of the point mass launches dozens of them per time step, forward and
backward, so a gradient step at horizon 50 costs thousands of launches and
almost no arithmetic. XLA can instead compile a whole computation, loops
included, into one kernel: it does so for an HLO ``call`` that carries the
frontend attribute ``xla_cpu_small_call="true"`` (and that its call inliner
leaves alone, ``inlineable="false"``).

`one_kernel` asks for exactly that, per call site and per compilation: it
wraps a function in a nested `jax.jit` and tags that call with the two
attributes (`jax.experimental.xla_metadata`). It needs no process-wide
setting, so it works whatever ran JAX first in the process (the planners'
optimisation loops use it). Such a kernel cannot call out to libraries
(matrix products, sorting, top-k, XLA's YNNPACK/XNNPACK fusions): programs
that use `one_kernel` compile with `kernel_compiler_options`, which switch the
library fusions off, and a planner whose solver still fails to compile
recompiles it without tags (`single_kernels(False)`) and warns. The attribute
is internal to XLA; `single_kernel_loops` reads a compiled program's text and
counts the loops that got it, so the tests notice if a JAX release drops it.

XLA also has a process-wide route to the same kernels: its own pass tags every
while loop that touches fewer bytes than the backend option
``xla_cpu_small_while_loop_byte_threshold`` (1 kB by default, far below what
our loops touch). `enable_small_loop_kernels` raises that option through
``XLA_FLAGS`` when the point mass is imported before JAX has started its CPU
backend; it then also covers loops mesabase does not tag. XLA reads
``XLA_FLAGS`` once, when the backend starts, so the only ways to set it in a
process that may run JAX first are the environment the process starts with
(``XLA_FLAGS=...`` in the shell) or an assignment to ``os.environ`` before
the first JAX computation. It only adds to ``XLA_FLAGS``: when that variable
already sets ``--xla_backend_extra_options`` it is left exactly as the user
wrote it, and ``MESABASE_XLA_DEFAULTS=0`` turns the addition off.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import re
from collections.abc import Callable

OPTION = "xla_cpu_small_while_loop_byte_threshold"
#: large enough for any loop mesabase compiles; XLA still refuses loops that
#: call out to libraries (custom calls), which keep the usual runtime
THRESHOLD = 1_000_000_000
#: the frontend attributes that make XLA CPU emit a call as one kernel
SMALL_CALL = {"xla_cpu_small_call": "true", "inlineable": "false"}


def jax_backend_started() -> bool:
    """Whether JAX has started a backend in this process (then changes to
    ``XLA_FLAGS`` no longer count). False when JAX cannot tell."""
    try:
        from jax._src import xla_bridge  # the only place JAX says so

        return bool(xla_bridge.backends_are_initialized())
    except (ImportError, AttributeError):
        return False


def enable_small_loop_kernels(backend_started: Callable[[], bool] = jax_backend_started) -> bool:
    """Add the option to ``XLA_FLAGS`` unless the user has set backend options,
    opted out, or JAX's backend has already started (then it is too late and
    nothing changes; the planners do not depend on it, see `one_kernel`).
    Returns whether JAX's CPU backend runs (or will run) with the option."""
    flags = os.environ.get("XLA_FLAGS", "")
    if OPTION in flags:
        return True
    if os.environ.get("MESABASE_XLA_DEFAULTS", "1") == "0" or "xla_backend_extra_options" in flags:
        return False
    if backend_started():
        return False
    os.environ["XLA_FLAGS"] = f"{flags} --xla_backend_extra_options={OPTION}={THRESHOLD}".strip()
    return True


#: per-compilation XLA options for a program that calls `one_kernel`
#: functions: XLA's library-backed fusions (YNNPACK, XNNPACK) cannot sit
#: inside a single kernel, so they are switched off (an empty list)
KERNEL_OPTIONS = ("xla_cpu_experimental_ynn_fusion_type", "xla_cpu_experimental_xnn_fusion_type")


def kernel_compiler_options() -> dict[str, str]:
    """``compiler_options`` for the `jax.jit` of a program that calls
    `one_kernel` functions: `KERNEL_OPTIONS` emptied, those of them this XLA
    knows (none off the CPU backend)."""
    import jax

    if _tagger() is None or jax.default_backend() != "cpu":
        return {}
    return {option: "" for option in KERNEL_OPTIONS if _known_option(option)}


@functools.cache
def _known_option(option: str) -> bool:
    """Whether XLA accepts `option` per compilation (a tiny test compile;
    the Python bindings list only some of XLA's options)."""
    import jax

    try:
        jax.jit(lambda x: x + 1, compiler_options={option: ""}).lower(0.0).compile()
    except Exception:  # XLA says "no such compile option" in a runtime error
        return False
    return True


def _tagger():
    """`set_xla_metadata` where this JAX has it, else None (then `one_kernel`
    is a plain nested jit: same results, the usual runtime)."""
    try:
        from jax.experimental.xla_metadata import set_xla_metadata
    except ImportError:  # pragma: no cover - older or newer JAX without it
        return None
    return set_xla_metadata


#: whether `one_kernel` tags calls traced now (see `single_kernels`)
_TAGGING = contextvars.ContextVar("mesabase_one_kernel", default=True)


@contextlib.contextmanager
def single_kernels(enabled: bool = True):
    """Within the block, `one_kernel` functions traced are tagged (the
    default) or not: ``single_kernels(False)`` is the way back to a kernel per
    operation, for a program XLA cannot compile otherwise."""
    token = _TAGGING.set(enabled)
    try:
        yield
    finally:
        _TAGGING.reset(token)


def one_kernel(fn: Callable) -> Callable:
    """`fn` (a function of arrays returning a pytree of arrays) as a nested
    `jax.jit` call that XLA's CPU backend compiles into a single kernel, loops
    included. Call the result inside a jitted function; results equal those
    of `fn` up to float rounding. On other backends it is a plain nested jit.

    Only the call is tagged, not the operations inside it, so XLA still fuses
    and simplifies them as usual. Functions that call out to libraries
    (matrix products XLA hands to Eigen, sorting, top-k, custom calls) are
    not worth tagging: XLA's kernel cannot contain them."""
    import jax

    jitted = jax.jit(fn)
    tag = _tagger()

    def call(*args):
        out = jitted(*args)
        if tag is None or not _TAGGING.get() or jax.default_backend() != "cpu":
            return out
        return tag(out, **SMALL_CALL)

    return call


_HEADER = re.compile(r"^(?:ENTRY )?%(?P<name>[\w.\-]+) .*\{$")
_CALLED = re.compile(
    r"(?:to_apply|body|condition|calls|branch_computations|true_computation|false_computation)"
    r"=(?P<names>\{[^}]*\}|%[\w.\-]+)"
)


def single_kernel_loops(hlo_text: str) -> tuple[int, int]:
    """(loops in single kernels, all loops) of a compiled program, from the
    text of ``jax.jit(f).lower(...).compile().as_text()``: how many of its
    while loops sit inside a call that XLA CPU emits as one kernel (see the
    module doc), and how many while loops it has."""
    bodies: dict[str, list[str]] = {}
    lines: list[str] = []
    for line in hlo_text.splitlines():
        header = _HEADER.match(line.rstrip())
        if header:
            lines = bodies.setdefault(header.group("name"), [])
        else:
            lines.append(line)

    def reachable(roots: list[str]) -> set[str]:
        seen, todo = set(), list(roots)
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                for line in bodies.get(name, []):
                    for called in _CALLED.finditer(line):
                        todo.extend(re.findall(r"%([\w.\-]+)", called.group("names")))
        return seen

    def whiles(computations) -> set[str]:
        return {
            line.split("=", 1)[0].strip()
            for name in computations
            for line in bodies.get(name, [])
            if " while(" in line
        }

    kernels = [
        m.group("name")
        for lines in bodies.values()
        for line in lines
        if " call(" in line and 'xla_cpu_small_call="true"' in line
        for m in [re.search(r"to_apply=%(?P<name>[\w.\-]+)", line)]
        if m
    ]
    return len(whiles(reachable(kernels))), len(whiles(bodies))
