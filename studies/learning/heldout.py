"""Held-out levels: fresh levels of a run's training distribution that
selection never saw, on which its learned objective and the base objective
are both played (issue 18, point 5).

The held-out seeds start after the largest training seed, so none of them is a
training level; they take the training split, the training overrides and the
same mixture fraction (`candidates.mixed_overrides`), so with as many held-out
levels as training levels they hold exactly as many mixed levels.

>>> held_out_levels(10, 10, {}, {"fraction": 0.2, "overrides": {"arrow_at_exit_prob": 0.0}})[0]
(10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from studies.core.limits import MAX_SEED_VALUE
from studies.learning.candidates import mixed_overrides
from studies.learning.config import levels_seeds
from worlds import InvalidParameterError


def held_out_count(levels: int | Sequence[int], held_out: int | None) -> int:
    """How many held-out levels a run plays: `held_out` (``evaluate.held_out``)
    or, by default, as many as it has training levels."""
    return len(levels_seeds(levels)) if held_out is None else held_out


def held_out_levels(
    levels: int | Sequence[int],
    count: int,
    overrides: Mapping[str, Any],
    mixture: Mapping[str, Any] | None,
) -> tuple[tuple[int, ...], list[dict[str, Any]]]:
    """(seeds ``[count]``, overrides ``[count]``): `count` level seeds after
    the largest training seed of `levels` (a count or the seeds), and each
    level's generator overrides, the training `overrides` with an exact
    fraction ``mixture["fraction"]`` of them also given ``mixture["overrides"]``."""
    start = max(levels_seeds(levels)) + 1
    if start + count - 1 > MAX_SEED_VALUE:
        raise InvalidParameterError(
            f"evaluate.held_out: {count} held-out levels after seed {start - 1} pass the largest seed "
            f"{MAX_SEED_VALUE}"
        )
    return tuple(range(start, start + count)), mixed_overrides(count, overrides, mixture)
