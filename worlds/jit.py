"""The one place where mesabase compiles numba kernels.

Every built-in kernel is decorated with `kernel`, which is `numba.njit` with
`cache=True` and a cache folder of our own. numba's cache checks only the
source file of the cached function, not the files of the functions it calls: a
cached A* that inlines a world's `step` would survive an edit of that world's
kernel and run stale code. So the cache folder is keyed on a hash of *every*
kernel source in the distribution (every file under `worlds/` and `planners/`
that uses this decorator, the world registry, whose order sets the ids, and
the dispatch generator) and on a fingerprint of every declared plugin world's
package sources (`worlds.plugins`). Any kernel edit, and adding, removing or
editing a plugin world, moves all kernels to a fresh folder.

The cache root is `$MESABASE_CACHE_DIR`, else `$XDG_CACHE_HOME/mesabase`, else
`~/.cache/mesabase`. The folder actually used is `cache_dir()`.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numba
from numba.core import caching

from worlds import plugins

_PACKAGES_WITH_KERNELS = ("worlds", "planners")
_MARKER = "@kernel"
#: sources without kernels that kernels still compile in: the registry's order
#: gives the world ids that `worlds.dispatch` bakes in as constants
_ALSO_HASHED = ("worlds/registry.py", "worlds/dispatch.py", "worlds/plugins.py")

#: Every dispatcher made by `kernel`, so tests can count compilations.
KERNELS: list = []
#: set by `use_reference_counting`: every kernel then compiles with numba's runtime
_REFERENCE_COUNTING: list[bool] = []


def _kernel_sources() -> list[Path]:
    root = Path(__file__).resolve().parent.parent
    files = []
    for package in _PACKAGES_WITH_KERNELS:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if relative in _ALSO_HASHED or _MARKER in path.read_text(encoding="utf-8"):
                files.append(path)
    return files


def kernel_source_hash() -> str:
    """Hash of the text of every kernel source file; 16 hex digits."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for path in _kernel_sources():
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    """The mesabase cache folder (numba kernels, JAX executables)."""
    return _cache_root()


def _cache_root() -> Path:
    if os.environ.get("MESABASE_CACHE_DIR"):
        return Path(os.environ["MESABASE_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "mesabase"


def _cache_key() -> str:
    key = f"{numba.__version__}-{kernel_source_hash()}"
    plugin_key = plugins.fingerprint()
    return f"{key}-plugins-{plugin_key}" if plugin_key else key


_CACHE_DIR = _cache_root() / "numba" / _cache_key()


def cache_dir() -> Path:
    """The numba cache folder for this exact set of kernel sources and plugin worlds."""
    return _CACHE_DIR


def _place_in_package(py_file: str) -> str:
    """The folder of `py_file` named from its top-level package down
    (``worlds_arrow_maze``), or its own folder's name outside any package
    (the generated dispatch)."""
    return _place_of_folder(os.path.dirname(os.path.abspath(py_file)))


@functools.cache
def _place_of_folder(folder_name: str) -> str:
    # memoised: a module's kernels share a folder, and walking it costs file checks
    folder = Path(folder_name).resolve()
    parts = [folder.name]
    while (folder / "__init__.py").exists() and (folder.parent / "__init__.py").exists():
        folder = folder.parent
        parts.insert(0, folder.name)
    return "_".join(parts)


class _RelocatableLocator(caching.UserProvidedCacheLocator):
    """numba's locator for a user cache folder, with each source file's
    entries filed under its place in its package instead of a hash of its
    absolute path. The folder name already hashes every kernel source, and
    numba stamps each entry with its file's content hash, so a fresh install
    of the same sources elsewhere (a new virtual environment, CI's clean
    clone) loads the kernels compiled before instead of compiling them again."""

    def __init__(self, py_func, py_file):
        super().__init__(py_func, py_file)
        self._cache_path = os.path.join(numba.config.CACHE_DIR, _place_in_package(py_file))

    def ensure_cache_path(self):
        # numba makes the folder and writes a probe file for every kernel it
        # decorates; once a folder has passed, the other kernels decorated in
        # it skip that. Saving a compiled kernel still checks every time.
        if _DECORATING and self._cache_path in _CHECKED_FOLDERS:
            return
        super().ensure_cache_path()
        _CHECKED_FOLDERS.add(self._cache_path)

    @classmethod
    def from_function(cls, py_func, py_file):
        if not _DECORATING:
            return None  # someone else's numba function: numba's own locators
        return super().from_function(py_func, py_file)


#: cache folders already made and found writable in this process
_CHECKED_FOLDERS: set[str] = set()
#: True only while `kernel` decorates, so the locator serves mesabase kernels alone
_DECORATING: list[bool] = []
caching.CacheImpl._locator_classes.insert(0, _RelocatableLocator)


def kernel(function: Callable | None = None, *, allocates: bool = False) -> Callable:
    """Compile `function` with numba in nopython mode, cached on disk.

    Kernels are pure and allocation-free by default and are compiled without
    numba's reference-counting runtime: measured in the rollout loop, the
    atomic reference counts numba adds around every call with array arguments
    cost about 10 ns a call, ten times the work of a small kernel. Entry
    points that allocate their scratch arrays say ``@kernel(allocates=True)``.

    numba fixes a function's cache location when it is decorated, so the cache
    folder is swapped in only for that moment; other numba users in the same
    process keep their own setting.
    """
    if function is None:
        return lambda f: kernel(f, allocates=allocates)
    previous = numba.config.CACHE_DIR
    numba.config.CACHE_DIR = str(_CACHE_DIR)
    _DECORATING.append(True)
    try:
        options = {} if allocates or _REFERENCE_COUNTING else {"_nrt": False}
        dispatcher = numba.njit(cache=True, nogil=True, **options)(function)
    finally:
        _DECORATING.pop()
        numba.config.CACHE_DIR = previous
    KERNELS.append(dispatcher)
    return dispatcher


def use_reference_counting() -> None:
    """Compile every kernel, made or yet to be made, with numba's
    reference-counting runtime. A Python-reference world needs it: its
    dispatch branches box arrays for object mode, and arrays passed between
    kernels compiled with and without the runtime do not box correctly.
    Call it before any kernel compiles (`worlds.dispatch` does, at import);
    the cache folder of such a world set is its own, so no cached kernel is
    reused across the two settings."""
    _REFERENCE_COUNTING.append(True)
    for dispatcher in KERNELS:
        dispatcher.targetoptions.pop("_nrt", None)


def compiled_signature_count() -> int:
    """How many signatures all mesabase kernels have compiled or loaded so far."""
    return sum(len(k.signatures) for k in KERNELS)
