"""mesabase studies: experiments over agents, levels and splits, and the CLI.

    >>> from studies import load, run_study, write_report
    >>> study = load("arrow-maze")                  # a built-in name or a TOML path
    >>> run_study(study, "mesabase-out/arrow-maze")  # doctest: +SKIP
    >>> write_report("mesabase-out/arrow-maze")      # doctest: +SKIP

The base optimiser selects an objective for a fixed planner by its base return
in training (mesa != base by selection):

    >>> learned = learn_objective("arrow-maze", "value-iteration", levels=50,
    ...                           overrides={"arrow_at_exit_prob": 0.9})  # doctest: +SKIP
    >>> learned.weights                               # doctest: +SKIP

Revealed objectives: `studies.analysis.irl.irl` (maximum causal entropy, optimal or
depth-limited planner models), `epic_distance` and `regret` between objectives,
`induced_utilities` with `compare_to_base`, and `swap_decomposition`.

The `mesabase` command is `studies.cli:main`; the teaching demo is
`studies.run_demo`.
"""

from studies.analysis.epic import epic_distance, regret
from studies.analysis.induced import compare_to_base, induced_utilities
from studies.analysis.irl import IRLResult
from studies.analysis.swap import swap_decomposition
from studies.core.executors import EXECUTORS, Executor
from studies.core.runner import run_study
from studies.core.spec import Cell, Study, StudyError, builtin_names, load, parse
from studies.core.store import ResultStore
from studies.demos.grid import DemoResult, run_demo, sentence
from studies.learning.learn import LearnedObjective, Prior, learn_objective, learnable_features
from studies.reporting.report import write_report

__all__ = [
    "EXECUTORS",
    "Cell",
    "DemoResult",
    "Executor",
    "IRLResult",
    "LearnedObjective",
    "Prior",
    "ResultStore",
    "Study",
    "StudyError",
    "builtin_names",
    "compare_to_base",
    "epic_distance",
    "induced_utilities",
    "learn_objective",
    "learnable_features",
    "load",
    "parse",
    "regret",
    "run_demo",
    "run_study",
    "sentence",
    "swap_decomposition",
    "write_report",
]
