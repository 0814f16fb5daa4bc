"""Every world's Gymnasium id is registered as soon as Gymnasium is imported,
before or after `worlds`, without `worlds` importing Gymnasium itself.

Importing Gymnasium takes about 40 ms, a tenth of a warm start to the first
plan (`benchmarks.warm_start`), and planning, studies and pool workers never
use it. So `import worlds` registers the ids at once only if Gymnasium is
already loaded; otherwise a one-shot import hook registers them the moment
Gymnasium finishes loading. Either way ``gymnasium.make("mesabase/...")``
works after ``import worlds``, whichever of the two was imported first.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings


def register_when_gymnasium_loads() -> None:
    """Register the ids now if Gymnasium is loaded, else when it loads."""
    if "gymnasium" in sys.modules:
        _register()
    elif not any(isinstance(finder, _GymnasiumWatcher) for finder in sys.meta_path):
        sys.meta_path.insert(0, _GymnasiumWatcher())


def _register() -> None:
    gym_env = sys.modules.get("worlds.gym_env")
    if gym_env is not None and getattr(gym_env.__spec__, "_initializing", False):
        return  # `worlds.gym_env` is what imports Gymnasium; it registers when it finishes
    importlib.import_module("worlds.gym_env")  # registers the ids as it loads


class _GymnasiumWatcher(importlib.abc.MetaPathFinder):
    """Finds Gymnasium through the other finders, and registers mesabase's ids
    after its module has run; then steps out of the import system."""

    def find_spec(self, name, path=None, target=None):
        if name != "gymnasium":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run_module = spec.loader.exec_module

        def run_then_register(module) -> None:
            run_module(module)
            try:
                _register()
            except Exception as error:  # Gymnasium itself must still import
                warnings.warn(
                    f"mesabase could not register its Gymnasium ids ({type(error).__name__}: {error}); "
                    "call worlds.register_envs() to see why",
                    RuntimeWarning,
                    stacklevel=2,
                )

        spec.loader.exec_module = run_then_register
        return spec
