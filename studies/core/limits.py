"""The limits of the study core, in one place: how many workers a run may
start, how long an unreachable Ray address may take to fail, and how long a
study's name may be as a folder name.

Each limit is a named constant; the ones a user may need to raise read an
environment variable (``MESABASE_MAX_...``), and every refusal names the
limit and how to raise it.
"""

from __future__ import annotations

import os

from worlds.limits import env_number

#: worker processes per CPU a run may start; above this the pool only thrashes
#: (raise with the environment variable ``MESABASE_MAX_WORKERS``, an absolute count)
MAX_WORKERS_PER_CPU = 4

#: the environment variable that replaces ``MAX_WORKERS_PER_CPU * CPUs``
MAX_WORKERS_ENV = "MESABASE_MAX_WORKERS"

#: seconds to wait for a Ray cluster's address to answer before giving up
#: (raise with the environment variable ``MESABASE_RAY_CONNECT_TIMEOUT``)
RAY_CONNECT_TIMEOUT_S = 5.0

#: the environment variable that replaces ``RAY_CONNECT_TIMEOUT_S``
RAY_CONNECT_TIMEOUT_ENV = "MESABASE_RAY_CONNECT_TIMEOUT"

#: bytes in a study name used as a folder name, when the filesystem does not say
#: (POSIX filesystems allow 255; not raisable: it is the filesystem's limit)
FALLBACK_NAME_MAX = 255


def max_workers() -> int:
    """The most worker processes a run may start: ``MESABASE_MAX_WORKERS`` if
    set, else `MAX_WORKERS_PER_CPU` per CPU of this machine."""
    return int(env_number(MAX_WORKERS_ENV, MAX_WORKERS_PER_CPU * (os.cpu_count() or 1), int))


def ray_connect_timeout() -> float:
    """Seconds to wait for a Ray address to answer (``MESABASE_RAY_CONNECT_TIMEOUT`` if set)."""
    return float(env_number(RAY_CONNECT_TIMEOUT_ENV, RAY_CONNECT_TIMEOUT_S, float))


#: most cells of a grid level `mesabase plan` draws in the terminal (200 x 200);
#: a larger level is planned and summarised but not drawn, since drawing it
#: takes minutes and gigabytes (raise with ``MESABASE_MAX_PRINTED_CELLS``)
MAX_PRINTED_CELLS = 40_000

#: the environment variable that replaces ``MAX_PRINTED_CELLS``
MAX_PRINTED_CELLS_ENV = "MESABASE_MAX_PRINTED_CELLS"


def max_printed_cells() -> int:
    """The most grid cells `mesabase plan` draws (``MESABASE_MAX_PRINTED_CELLS`` if set)."""
    return int(env_number(MAX_PRINTED_CELLS_ENV, MAX_PRINTED_CELLS, int))
