"""The registry of teaching demos: each shows "mesa != base" in one world.

A demo module builds one `Demo` and passes it to `register_demo` when it is
imported; the package face (``studies/demos/__init__.py``) imports every
built-in demo module. A world without a demo of its own (a plugin world, say)
gets the generic one (`studies.demos.generic`), so every registered world has
a demo. ``mesabase demo`` lists `demo_names`, and ``mesabase demo WORLD``
calls `run_demo`.
"""

from __future__ import annotations

from pathlib import Path

from studies.demos.common import DEFAULT_FPS, Demo, check_pacing
from worlds import MesabaseError
from worlds import names as world_names

_DEMOS: dict[str, Demo] = {}


def register_demo(demo: Demo) -> Demo:
    """Add `demo` to the registry (registering a name again replaces it)."""
    _DEMOS[demo.name] = demo
    return demo


def demo_names() -> list[str]:
    """Every registered demo, in registration order, then every other
    registered world (shown by the generic demo), in world order."""
    return [*_DEMOS, *(name for name in world_names() if name not in _DEMOS)]


def get_demo(name: str) -> Demo:
    """The demo of world `name`: its own, else the generic demo of a
    registered world; an unknown name lists the worlds."""
    if name in _DEMOS:
        return _DEMOS[name]
    if name in world_names():
        from studies.demos.generic import generic_demo  # the fallback, imported when needed

        return generic_demo(name)
    raise MesabaseError(f"unknown world {name!r}; valid worlds: {', '.join(demo_names())}")


def run_demo(
    world_name: str = "arrow-maze",
    seed: int = 0,
    out_dir: str | Path = "mesabase-out",
    budget: int | None = None,
    console=None,
    gif: bool = True,
    levels: int = 0,
    fps: float = DEFAULT_FPS,
    scale: float = 1.0,
):
    """Play the demo of `world_name`, print it and write its PNG, GIF and
    ``demo.html``; see `Demo.run`. Returns the demo's result (e.g.
    `studies.demos.grid.DemoResult`). A bad `fps` or `scale` raises
    `worlds.InvalidParameterError` before any work."""
    demo = get_demo(world_name)
    check_pacing(fps, scale)
    return demo.run(
        seed=seed, out_dir=out_dir, budget=budget, console=console, gif=gif, levels=levels,
        fps=fps, scale=scale,
    )  # fmt: skip
