"""mesabase objectives: what a planner optimises over plans, as plain data.

>>> from objectives import reach, with_terminal
>>> both = reach("exit") + 0.5 * reach("arrow")
>>> bound = both.bind("arrow-maze")   # float64[K] arrays in feature order
>>> ends = with_terminal(both, "arrow-maze", "base").terminal   # only the exit ends it
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
from objectives.terminal import (
    DEFAULT_TERMINAL,
    TERMINAL_RULES,
    check_terminal_rule,
    goal_features,
    terminal_features,
    with_terminal,
)

__all__ = [
    "DEFAULT_TERMINAL",
    "TERMINAL_RULES",
    "BoundObjective",
    "Objective",
    "ObjectiveError",
    "as_objective",
    "catalogue",
    "check_terminal_rule",
    "collect",
    "get",
    "goal_features",
    "reach",
    "terminal_features",
    "with_terminal",
]
