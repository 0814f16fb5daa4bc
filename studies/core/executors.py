"""The three executors that play a study's episodes: one job each, results in
completion order.

- ``serial``: in this process, one item after another.
- ``process`` (default): a pool of worker processes (``spawn``, so numba and
  JAX start clean in each; compiled kernels load from their disk caches).
- ``ray``: Ray core tasks, on a cluster with ``address`` or a local Ray
  otherwise (``pip install "mesabase[ray]"``).

`Executor(kind).map(function, items)` calls ``function(item)`` for every item
and yields the results as they finish. `function` must be picklable (a module-level
function or a ``functools.partial`` of one) for the pool and Ray.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from studies.core.limits import MAX_WORKERS_ENV, max_workers, ray_connect_timeout
from worlds import InvalidParameterError, MesabaseError

EXECUTORS = ("process", "serial", "ray")


class RayMissingError(MesabaseError):
    """The ray executor was asked for without Ray installed."""


class RayAddressError(MesabaseError):
    """A Ray cluster address that does not answer, or is not an address."""


def check_ray_address(address: str) -> None:
    """Refuse, within `studies.core.limits.ray_connect_timeout` seconds, a
    ``host:port`` (or ``ray://host:port``) address where nothing answers, so
    that Ray's own retries (tens of seconds) never start. Other forms, such as
    ``auto``, are left to Ray."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return
    if not 0 < int(port) < 65536:
        raise RayAddressError(f"--address {address!r}: the port must be between 1 and 65535")
    timeout = ray_connect_timeout()
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as error:
        reason = "no answer" if isinstance(error, TimeoutError) else error.strerror or str(error)
        raise RayAddressError(
            f"cannot reach a Ray cluster at {address} within {timeout:g} s ({reason}); check the address, "
            "start a head with 'ray start --head', or allow longer with MESABASE_RAY_CONNECT_TIMEOUT"
        ) from None


def check_executor(executor: str, workers: int | None, address: str | None = None) -> int:
    """Validate the executor's name and worker count (at most
    `studies.core.limits.max_workers`) and, for Ray, that `address` answers;
    returns the worker count."""
    if executor not in EXECUTORS:
        raise InvalidParameterError(f"unknown executor {executor!r}; valid executors: {', '.join(EXECUTORS)}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InvalidParameterError(f"workers must be a positive integer, got {workers}")
    limit = max_workers()
    if workers is not None and workers > limit:
        raise InvalidParameterError(
            f"workers: {workers} is over the limit of {limit} (MAX_WORKERS_PER_CPU per CPU); "
            f"raise it with the environment variable {MAX_WORKERS_ENV}"
        )
    if executor == "ray" and address:
        check_ray_address(address)
    return workers or min(limit, max(1, os.cpu_count() or 1))


class Executor:
    """Where episodes run, kept open across batches: a pool's workers (and
    their loaded kernels) or a Ray session serve every `map` call until
    `close` (or the end of a ``with`` block)."""

    def __init__(self, kind: str = "process", workers: int | None = None, address: str | None = None):
        self.workers = check_executor(kind, workers)
        self.kind, self.address = kind, address
        self._pool: ProcessPoolExecutor | None = None
        self._ray = None
        self._started_ray = False

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._started_ray:
            self._ray.shutdown()
            self._started_ray = False

    def start(self) -> None:
        """Start a pool's workers now, so that they spawn and import while
        this process still prepares the work (`map` starts them otherwise)."""
        if self.kind == "process" and self._pool is None:
            self._open_pool()
            for _ in range(self.workers):  # one each, mostly: a warm-up that only imports
                self._pool.submit(_warm)

    def _open_pool(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def map(self, function: Callable[[Any], Any], items: Iterable) -> Iterator:
        """Yield ``function(item)`` for every item, in completion order."""
        items = list(items)
        if not items:
            return iter(())
        if self.kind == "serial":
            return (function(item) for item in items)
        if self.kind == "process":
            return self._pool_map(function, items)
        return self._ray_map(function, items)

    def _pool_map(self, function, items: list) -> Iterator:
        if self._pool is None:
            self._open_pool()
        # keep a few items per worker in flight: enough to stay busy, few
        # enough that an interrupted run has little unfinished work
        pending, queue = set(), iter(items)
        for item in queue:
            pending.add(self._pool.submit(function, item))
            if len(pending) >= 4 * self.workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                item = next(queue, None)
                if item is not None:
                    pending.add(self._pool.submit(function, item))

    def _ray_map(self, function, items: list) -> Iterator:
        if self._ray is None:
            try:
                import ray
            except ImportError:
                raise RayMissingError(
                    'the ray executor needs Ray: pip install "mesabase[ray]" (or use --executor process)'
                ) from None
            self._ray = ray
            if not ray.is_initialized():
                try:
                    if self.address:
                        ray.init(address=self.address, log_to_driver=False)
                    else:
                        ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False)
                except ConnectionError as error:  # e.g. address "auto" with no cluster running
                    raise RayAddressError(
                        f"cannot connect to a Ray cluster at {self.address or 'a local Ray'}: "
                        f"{str(error).splitlines()[0] if str(error) else type(error).__name__}"
                    ) from None
                self._started_ray = True
        remote = self._ray.remote(_apply)
        pending = [remote.remote(function, item) for item in items]
        while pending:
            done, pending = self._ray.wait(pending, num_returns=1)
            for ref in done:
                yield self._ray.get(ref)


def _apply(function, item):
    return function(item)


def _warm() -> None:
    """A worker's first task from `Executor.start`. It does nothing: loading
    it imports this module, and with it `studies.core` (the worlds, objectives
    and planners), which is the start-up a worker's first cell would wait for.
    The `studies` package imports its other subpackages only on use, so a
    worker never imports the study kinds, reporting, plotting or JAX unless
    its cells' worlds or planners need them (``python -X importtime -c
    "import studies.core.runner"`` shows what a worker imports)."""
