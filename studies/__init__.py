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

import importlib
import importlib.util

from studies.core import kinds as _kinds

# the built-in study kinds register on the first kind lookup, not at import
_kinds.before_first_lookup(lambda: importlib.import_module("studies.kinds"))

#: where each public name lives; a name is imported on first use, so that a
#: process that needs only part of `studies` (a pool worker playing cells)
#: does not import the reporting, plotting and JAX code at start-up
_PUBLIC = {
    "studies.analysis": (
        "IRLResult",
        "compare_to_base",
        "epic_distance",
        "induced_utilities",
        "regret",
        "swap_decomposition",
    ),
    "studies.core": (
        "EXECUTORS",
        "Cell",
        "Executor",
        "ResultStore",
        "StudyError",
        "StudyKind",
        "builtin_names",
        "get_kind",
        "kind_names",
        "load",
        "register_kind",
        "study_names",
    ),
    "studies.demos": ("DemoResult", "demo_names", "register_demo", "run_demo", "sentence"),
    "studies.episodes": ("Study", "parse", "run_study"),
    "studies.learning": ("LearnedObjective", "Prior", "learn_objective", "learnable_features"),
    "studies.reporting": ("write_report",),
}
_HOME = {name: module for module, names in _PUBLIC.items() for name in names}


def __getattr__(name: str):
    """A public name, imported from its subpackage on first use; or a
    subpackage or module of `studies` not yet imported (``studies.kinds``)."""
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    if not name.startswith("__") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


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
    "study_names",
    "swap_decomposition",
    "write_report",
]
