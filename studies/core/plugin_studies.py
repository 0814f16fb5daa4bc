"""Study files that installed packages ship, next to the built-in ones.

A package declares a folder of study files through the ``mesabase.studies``
entry point group; the value names the folder as a (namespace) package, and
every ``*.toml`` in it is a study named by its file's stem::

    [project.entry-points."mesabase.studies"]
    lava = "mesabase_lava.studies"    # mesabase_lava/studies/*.toml

`mesabase studies` lists them, and `mesabase run NAME` and `mesabase show
NAME` find them like built-in studies. A built-in study keeps its name: a
shipped study of the same name, or one a package earlier in name order
already ships, is left out with a warning that says which.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import importlib.util
import warnings
from pathlib import Path

GROUP = "mesabase.studies"


@dataclasses.dataclass(frozen=True)
class ShippedStudy:
    name: str
    path: Path
    #: the distribution that ships it (``mesabase-lava``), or the entry point's name
    source: str


@functools.cache
def shipped_studies(builtin: tuple[str, ...]) -> dict[str, ShippedStudy]:
    """Name -> study for every study file the installed packages declare,
    leaving out any whose name `builtin` or an earlier package already has."""
    found: dict[str, ShippedStudy] = {}
    for point in sorted(importlib.metadata.entry_points(group=GROUP), key=lambda p: p.name):
        source = point.dist.name if point.dist is not None else point.name
        for path in _study_files(point):
            earlier = found.get(path.stem)
            if path.stem in builtin or earlier:
                by = f"{earlier.source} ({earlier.path})" if earlier else "a built-in study"
                warnings.warn(
                    f"{source}'s study {path} is left out: the name {path.stem!r} is already taken by {by}; "
                    "rename the file",
                    RuntimeWarning,
                    stacklevel=2,
                )
                continue
            found[path.stem] = ShippedStudy(path.stem, path, source)
    return found


def _study_files(point: importlib.metadata.EntryPoint) -> list[Path]:
    """The ``*.toml`` files of the folder `point` names; none, with a
    warning, when that folder cannot be found."""
    try:
        spec = importlib.util.find_spec(point.value)
    except (ImportError, ValueError) as error:
        spec, reason = None, f"{type(error).__name__}: {error}"
    else:
        reason = "no such package or folder"
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if not folders:
        warnings.warn(
            f"study folder {point.name} = {point.value!r} ({GROUP} entry point) is left out: {reason}",
            RuntimeWarning,
            stacklevel=3,
        )
    return sorted(path for folder in folders for path in Path(folder).glob("*.toml"))
