"""The limits of studies, in one place: how large a study may be (checked
while its file is read, before it is expanded into cells), how many workers a
run may start, how long an unreachable Ray address may take to fail, how long
a study's name may be as a folder name, and how large a level `mesabase plan`
draws.

Each limit is a named constant; the ones a user may need to raise read an
environment variable (``MESABASE_MAX_...``, e.g.
``MESABASE_MAX_CELLS=2000000 mesabase run big.toml``), and every refusal names
the limit and how to raise it. Every built-in study is well under every limit.
"""

from __future__ import annotations

import dataclasses
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


# ---- the size of a study ---------------------------------------------------------
#: a rough memory need per cell: the cell, its id, its queued task and its row
CELL_BYTES = 2048


@dataclasses.dataclass(frozen=True)
class Limit:
    """One size limit: its default, the environment variable that sets it and
    what it counts (for the refusal)."""

    name: str
    default: int
    counts: str

    @property
    def variable(self) -> str:
        """The environment variable that raises the limit, e.g. ``MESABASE_MAX_CELLS``."""
        return f"MESABASE_{self.name}"

    @property
    def value(self) -> int:
        """The limit in force: the environment variable's value, else the default."""
        return env_number(self.variable, self.default)

    def refusal(self, estimate: int, extra: str = "") -> str | None:
        """None if `estimate` is within the limit, else the one-line refusal."""
        limit = self.value
        if estimate <= limit:
            return None
        return (
            f"{estimate:,} {self.counts}{extra} is over the limit {self.name} = {limit:,}; "
            f"make the study smaller, or raise the limit with {self.variable}={estimate}"
        )


#: seeded levels per split of an episode study (``seeds``, ``--seeds``) and seeds of an analysis
MAX_SEEDS = Limit("MAX_SEEDS", 10_000, "seeds")
#: training levels of one learning run (``levels``) and evaluation levels (``evaluate.levels``)
MAX_LEVELS = Limit("MAX_LEVELS", 10_000, "levels")
#: cells (episodes) one study may play, summed over its runs or units
MAX_CELLS = Limit("MAX_CELLS", 200_000, "cells")
#: learning runs of one learning study: the product of its sweep's lists
MAX_RUNS = Limit("MAX_RUNS", 10_000, "learning runs")
#: candidates one learning run scores (``evaluations``)
MAX_EVALUATIONS = Limit("MAX_EVALUATIONS", 100_000, "evaluations")
#: steps of one episode (``max_steps``), and IRL and planner horizons a study file sets
MAX_STEPS = Limit("MAX_STEPS", 100_000, "steps")

#: the largest seed a study file may give: the optimisers' random generators take 32-bit seeds
MAX_SEED_VALUE = 2**32 - 2

LIMITS = (MAX_SEEDS, MAX_LEVELS, MAX_CELLS, MAX_RUNS, MAX_EVALUATIONS, MAX_STEPS)


def memory_note(cells: int) -> str:
    """A rough memory need of `cells` cells, for a refusal: ``" (about 390 MiB)"``."""
    return f" (about {cells * CELL_BYTES / 2**20:,.0f} MiB to hold them)"
