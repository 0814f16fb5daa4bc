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

The `mesabase` command is `studies.cli:main`; the teaching demo is
`studies.run_demo`.
"""

from studies.demo import DemoResult, run_demo, sentence
from studies.executors import EXECUTORS, run_each
from studies.learn import LearnedObjective, Prior, learn_objective, learnable_features
from studies.report import write_report
from studies.runner import run_study
from studies.spec import Cell, Study, StudyError, builtin_names, load, parse
from studies.store import ResultStore

__all__ = [
    "EXECUTORS",
    "Cell",
    "DemoResult",
    "LearnedObjective",
    "Prior",
    "ResultStore",
    "Study",
    "StudyError",
    "builtin_names",
    "learn_objective",
    "learnable_features",
    "load",
    "parse",
    "run_demo",
    "run_each",
    "run_study",
    "sentence",
    "write_report",
]
