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

The subpackages, by concern: `core` (kind registry, study files, cells, store,
runner, executors), `episodes`, `learning` and `analysis` (the study kinds,
registered by `studies.kinds`), `reporting` (statistics, figures, pages),
`demos` (registered teaching demos) and `cli` (the `mesabase` command).
"""

import studies.kinds  # noqa: F401  (importing it registers the built-in study kinds)
from studies.analysis import (
    IRLResult,
    compare_to_base,
    epic_distance,
    induced_utilities,
    regret,
    swap_decomposition,
)
from studies.core import (
    EXECUTORS,
    Cell,
    Executor,
    ResultStore,
    StudyError,
    StudyKind,
    builtin_names,
    get_kind,
    kind_names,
    load,
    register_kind,
)
from studies.demos import DemoResult, demo_names, register_demo, run_demo, sentence
from studies.episodes import Study, parse, run_study
from studies.learning import LearnedObjective, Prior, learn_objective, learnable_features
from studies.reporting import write_report

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
    "StudyKind",
    "builtin_names",
    "compare_to_base",
    "demo_names",
    "epic_distance",
    "get_kind",
    "induced_utilities",
    "kind_names",
    "learn_objective",
    "learnable_features",
    "load",
    "parse",
    "regret",
    "register_demo",
    "register_kind",
    "run_demo",
    "run_study",
    "sentence",
    "swap_decomposition",
    "write_report",
]
