"""The registry of teaching demos: each shows "mesa != base" in one world.

A demo module builds one `Demo` and passes it to `register_demo` when it is
imported; the package face (``studies/demos/__init__.py``) imports every
built-in demo module. A world without a demo of its own (a plugin world, say)
gets the generic one (`studies.demos.generic`), so every registered world has
a demo. ``mesabase demo`` lists `demo_names`, and ``mesabase demo WORLD``
calls `run_demo`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studies.demos.common import DEFAULT_FPS, check_pacing
from worlds import MesabaseError
from worlds import names as world_names


@dataclasses.dataclass(frozen=True)
class Demo:
    """One teaching demo.

    Attributes:
        name: the world it shows (``mesabase demo NAME``).
        description: one line for the listing.
        run: ``run(seed, out_dir, budget, console, gif, levels, fps, scale) -> result``:
            plays the demo's episodes, prints them to `console` and writes
            into `out_dir` its PNG (``<world>.png``), its GIF
            (``<world>.gif``, unless `gif` is False) and its interactive
            page (``demo.html``). `budget` is the demo planner's budget
            (None: its default); `levels` > 0 asks for rates over that many
            seeded levels (a demo without rates refuses it); `fps` is the
            GIF's frames per second and `scale` multiplies the pictures'
            pixel sizes. Bad arguments raise a `worlds.MesabaseError` before
            any work.
    """

    name: str
    description: str
    run: Callable[..., Any]


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
        from studies.demos.generic import generic_demo  # it builds on this module

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
