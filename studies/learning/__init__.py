"""The base optimiser: select a fixed planner's objective by its base return
on training levels (mesa != base by selection), and the learning study kind.

    >>> from studies.learning import LearnConfig, learn_objective
    >>> learned = learn_objective("arrow-maze", "value-iteration", LearnConfig(levels=50))  # doctest: +SKIP

Pieces: `config` (the settings), `candidates` (theta as an objective),
`fitness` (base return in stored episodes), `optimisers` (the search
strategies), `gradient` (the JAX meta-gradient strategy), `learn` (the entry
point), `study` and `heldout` (the ``learn`` study kind and its held-out
levels), and its report: `runs` (finished runs by setting), `seedstats`
(statistics over optimiser seeds), `scores` (learned against base objective
per setting), `diversity` and `report`.
"""

from studies.learning.candidates import learnable_features, mixed_overrides, objective_from
from studies.learning.config import OPTIMIZERS, LearnConfig, LearningProblem, PlannerSpec, Prior, resolve
from studies.learning.fitness import Evaluation, Fitness, agent_cells
from studies.learning.learn import LearnedObjective, check_config, learn_objective
from studies.learning.optimisers import (
    CMAES,
    Candidates,
    GradientAscent,
    RandomSearch,
    Strategy,
    make_strategy,
)

__all__ = [
    "CMAES",
    "OPTIMIZERS",
    "Candidates",
    "Evaluation",
    "Fitness",
    "GradientAscent",
    "LearnConfig",
    "LearnedObjective",
    "LearningProblem",
    "PlannerSpec",
    "Prior",
    "RandomSearch",
    "Strategy",
    "agent_cells",
    "check_config",
    "learn_objective",
    "learnable_features",
    "make_strategy",
    "mixed_overrides",
    "objective_from",
    "resolve",
]
