"""mesabase studies: experiments over agents, levels and splits, and the CLI.

    >>> from studies import load, run_study, write_report
    >>> study = load("arrow-maze")                  # a built-in name or a TOML path
    >>> run_study(study, "mesabase-out/arrow-maze")  # doctest: +SKIP
    >>> write_report("mesabase-out/arrow-maze")      # doctest: +SKIP

The `mesabase` command is `studies.cli:main`; the teaching demo is
`studies.run_demo`.
"""

from studies.demo import DemoResult, run_demo, sentence
from studies.report import write_report
from studies.runner import EXECUTORS, run_study
from studies.spec import Cell, Study, StudyError, builtin_names, load, parse
from studies.store import ResultStore

__all__ = [
    "EXECUTORS",
    "Cell",
    "DemoResult",
    "ResultStore",
    "Study",
    "StudyError",
    "builtin_names",
    "load",
    "parse",
    "run_demo",
    "run_study",
    "sentence",
    "write_report",
]
