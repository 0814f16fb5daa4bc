"""Teaching demos, one per world that has one, found through a registry:
``mesabase demo`` lists them and ``mesabase demo WORLD`` runs one.

Importing this package registers the built-in demos (the modules below); a
new demo is a module that calls `register_demo`, plus one import here. Any
other registered world (a plugin world) gets the generic demo
(`studies.demos.generic`), which a world may tune with ``demo_settings``.
"""

# imported (and so registered) in the order `mesabase demo` lists them
from studies.demos import grid, point_mass

# isort: split
from studies.demos import chests_keys, cleaning
from studies.demos.chests_keys import ChestsKeysDemoResult, run_chests_keys_demo
from studies.demos.cleaning import CleaningDemoResult, run_cleaning_demo
from studies.demos.common import (
    OUTCOME_STYLE,
    Panel,
    Played,
    sentence,
    write_episodes_gif,
    write_episodes_png,
)
from studies.demos.generic import GenericDemoResult, generic_demo, generic_sentence, run_generic_demo
from studies.demos.grid import DemoResult, run_arrow_maze_demo
from studies.demos.point_mass import PointMassDemoResult, point_mass_sentence, run_point_mass_demo
from studies.demos.registry import Demo, demo_names, get_demo, register_demo, run_demo

#: the modules that register the built-in demos, in listing order
BUILTIN_DEMO_MODULES = (grid, point_mass, chests_keys, cleaning)

__all__ = [
    "BUILTIN_DEMO_MODULES",
    "OUTCOME_STYLE",
    "ChestsKeysDemoResult",
    "CleaningDemoResult",
    "Demo",
    "DemoResult",
    "GenericDemoResult",
    "Panel",
    "Played",
    "PointMassDemoResult",
    "demo_names",
    "generic_demo",
    "generic_sentence",
    "get_demo",
    "point_mass_sentence",
    "register_demo",
    "run_arrow_maze_demo",
    "run_chests_keys_demo",
    "run_cleaning_demo",
    "run_demo",
    "run_generic_demo",
    "run_point_mass_demo",
    "sentence",
    "write_episodes_gif",
    "write_episodes_png",
]
