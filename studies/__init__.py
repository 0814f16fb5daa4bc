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

Revealed objectives: `studies.irl.irl` (maximum causal entropy, optimal or
depth-limited planner models), `epic_distance` and `regret` between objectives,
`induced_utilities` with `compare_to_base`, and `swap_decomposition`.

The `mesabase` command is `studies.cli:main`; the teaching demo is
`studies.run_demo`.
"""

from studies.demo import DemoResult, run_demo, sentence
from studies.epic import epic_distance, regret
from studies.executors import EXECUTORS, Executor
from studies.induced import compare_to_base, induced_utilities
from studies.irl import IRLResult
from studies.learn import LearnedObjective, Prior, learn_objective, learnable_features
from studies.report import write_report
from studies.runner import run_study
from studies.spec import Cell, Study, StudyError, builtin_names, load, parse
from studies.store import ResultStore
from studies.swap import swap_decomposition

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
