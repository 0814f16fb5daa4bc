"""The analysis of revealed objectives: IRL (`studies.analysis.irl`), EPIC
distance and regret between objectives, induced utilities over outputs, the
swap counterfactual, and the ``analysis`` study kind that runs them.

    >>> from studies.analysis.irl import irl
    >>> result = irl("chests-keys", levels, episodes)  # doctest: +SKIP

(The face leaves the function `irl` out: the name is the subpackage's.)
"""

from studies.analysis.epic import epic_distance, regret
from studies.analysis.induced import compare_to_base, induced_utilities
from studies.analysis.irl import IRLResult, fit_irl
from studies.analysis.swap import swap_by_split, swap_decomposition

__all__ = [
    "IRLResult",
    "compare_to_base",
    "epic_distance",
    "fit_irl",
    "induced_utilities",
    "regret",
    "swap_by_split",
    "swap_decomposition",
]
