"""The size limits of a study, checked while its file is read, before it is
expanded into cells: a study over a limit is refused with one line naming the
limit, the study's estimate and how to raise it.

Each limit has a default here and an environment variable that raises (or
lowers) it, e.g. ``MESABASE_MAX_CELLS=2000000 mesabase run big.toml``. Every
built-in study, with its default seeds, is well under every limit.

>>> MAX_CELLS.value  # doctest: +SKIP
200000
"""

from __future__ import annotations

import dataclasses

from worlds.limits import env_number

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


__all__ = [
    "CELL_BYTES", "LIMITS", "Limit", "MAX_CELLS", "MAX_EVALUATIONS", "MAX_LEVELS", "MAX_RUNS", "MAX_SEEDS",
    "MAX_SEED_VALUE", "MAX_STEPS", "memory_note",
]  # fmt: skip
