"""mesabase objectives: what a planner optimises over plans, as plain data.

>>> from objectives import reach
>>> both = reach("exit") + 0.5 * reach("arrow")
>>> bound = both.bind("arrow-maze")   # float64[K] arrays in feature order
"""

from objectives.objective import (
    BoundObjective,
    Objective,
    ObjectiveError,
    as_objective,
    catalogue,
    collect,
    get,
    reach,
)

__all__ = [
    "BoundObjective",
    "Objective",
    "ObjectiveError",
    "as_objective",
    "catalogue",
    "collect",
    "get",
    "reach",
]
