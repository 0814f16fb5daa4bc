"""Worlds from outside the package: found, fingerprinted and loaded.

A world written in its own package registers through the entry point group
``mesabase.worlds``; in its ``pyproject.toml``::

    [project.entry-points."mesabase.worlds"]
    lava = "mesabase_lava.world:Lava"

The value names a `worlds.World` subclass (made with no arguments) or a World
instance. While developing, ``MESABASE_WORLDS="mesabase_lava.world:Lava"``
(comma-separated) names worlds the same way without installing them; the
module only has to be importable.

Finding a plugin does not import it: `declared` reads the entry points and
the variable, and `source_files` locates the plugin package's files through
`importlib.util.find_spec` of its top-level package, which runs none of its
code. `worlds.jit` hashes those files into the numba cache key before any
kernel is compiled, so adding, removing or editing a plugin moves every kernel
to a fresh cache folder. Loading (importing) happens later, in
`worlds.dispatch`, once the `worlds` package has defined its public names.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
from pathlib import Path

GROUP = "mesabase.worlds"
ENVIRONMENT_VARIABLE = "MESABASE_WORLDS"


class PluginLoadError(ImportError):
    """A declared plugin world that could not be imported or made."""


@dataclasses.dataclass(frozen=True)
class PluginSpec:
    """One declared plugin world, not yet imported.

    Attributes:
        label: the entry point's name, or ``$MESABASE_WORLDS[i]``.
        target: ``"module:attribute"``, the World subclass or instance.
    """

    label: str
    target: str

    @property
    def module(self) -> str:
        return self.target.partition(":")[0].strip()

    @property
    def attribute(self) -> str:
        return self.target.partition(":")[2].strip()


def declared() -> list[PluginSpec]:
    """Every declared plugin world: entry points sorted by name, then
    ``$MESABASE_WORLDS`` in its own order. The order gives the world ids."""
    specs = list(_installed())
    variable = os.environ.get(ENVIRONMENT_VARIABLE, "")
    for index, target in enumerate(t.strip() for t in variable.split(",")):
        # a world both installed and named in the variable is declared once
        if target and target not in {spec.target for spec in specs}:
            specs.append(PluginSpec(f"${ENVIRONMENT_VARIABLE}[{index}]", target))
    return specs


@functools.lru_cache(maxsize=1)
def _installed() -> tuple[PluginSpec, ...]:
    # the scan reads every installed distribution's metadata; what is
    # installed does not change while mesabase runs, so it is read once
    points = importlib.metadata.entry_points(group=GROUP)
    return tuple(PluginSpec(point.name, point.value) for point in sorted(points, key=lambda p: p.name))


def source_files(spec: PluginSpec) -> list[Path]:
    """The Python files of the plugin's top-level package (or its lone
    module), without importing it; empty when it cannot be found."""
    top = spec.module.split(".")[0]
    try:
        found = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return []
    if found is None:
        return []
    if found.submodule_search_locations:
        return sorted(
            path
            for folder in found.submodule_search_locations
            for path in Path(folder).rglob("*.py")
            if "__pycache__" not in path.parts
        )
    return [Path(found.origin)] if found.origin and found.origin.endswith(".py") else []


def fingerprint(specs: list[PluginSpec] | None = None) -> str:
    """Hash of the declared plugins and the text of their sources; 16 hex
    digits, or "" when no plugin is declared (the built-in cache key stays)."""
    specs = declared() if specs is None else specs
    if not specs:
        return ""
    digest = hashlib.sha256()
    for spec in specs:
        digest.update(f"{spec.label}={spec.target}\n".encode())
        files = source_files(spec)
        # names relative to the package, so the same sources installed elsewhere hash alike
        top = files[0].parent if files else None
        for path in files:
            top = Path(os.path.commonpath([top, path.parent]))
        for path in files:
            digest.update(path.relative_to(top).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load(spec: PluginSpec):
    """Import the plugin and return its World instance; `PluginLoadError`
    says which plugin failed and why."""
    where = f"plugin world {spec.label} ({spec.target})"
    if not spec.module or not spec.attribute:
        raise PluginLoadError(f"{where}: expected 'module:attribute', e.g. 'mesabase_lava.world:Lava'")
    try:
        module = importlib.import_module(spec.module)
    except Exception as error:
        raise PluginLoadError(f"{where} could not be imported: {type(error).__name__}: {error}") from error
    try:
        target = getattr(module, spec.attribute)
    except AttributeError:
        if getattr(module.__spec__, "_initializing", False):
            # the plugin's module imported `worlds`, which loads plugins, before defining its world
            raise PluginLoadError(
                f"{where}: {spec.module!r} was still being imported when mesabase loaded its plugins; "
                f"import worlds before {spec.module} (e.g. `import worlds` at the top of the "
                "plugin package's __init__.py)"
            ) from None
        raise PluginLoadError(f"{where}: module {spec.module!r} has no {spec.attribute!r}") from None
    from worlds.base import World

    if isinstance(target, type) and issubclass(target, World):
        try:
            return target()
        except Exception as error:
            raise PluginLoadError(f"{where}: {spec.attribute}() failed: {error}") from error
    if isinstance(target, World):
        return target
    raise PluginLoadError(f"{where}: {spec.attribute!r} is neither a worlds.World subclass nor an instance")
