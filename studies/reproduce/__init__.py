"""Reproductions of the published results mesabase is built around:
``mesabase reproduce [NAME | all] [--quick]`` runs a curated study per result
and writes ``reproductions.md`` and ``reproductions.html``, one row per
result with the paper's claim, our number with its interval, the verdict and
the command.

- `registry`: `Reproduction`, `Verdict` and the registry;
- `entries`: the built-in reproductions and their judges;
- `measures`: numbers the judges read from a finished episode folder (learning
  studies are read with `studies.learning.runs` and `seedstats`);
- `figures`: the figures some rows draw;
- `run`: running studies (full or ``--quick``) and writing the page.
"""

import studies.reproduce.entries  # noqa: F401  (importing it registers the built-in reproductions)
from studies.reproduce.registry import (
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    Reproduction,
    Verdict,
    get_reproduction,
    register,
    reproduction_names,
)
from studies.reproduce.run import load_variant, reproduce, write_page

__all__ = [
    "NOT_REPRODUCED",
    "PARTLY",
    "REPRODUCED",
    "Reproduction",
    "Verdict",
    "get_reproduction",
    "load_variant",
    "register",
    "reproduce",
    "reproduction_names",
    "write_page",
]
