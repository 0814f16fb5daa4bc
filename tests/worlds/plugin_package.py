"""A plugin world written to a temporary folder, for the plugin tests: the
arrow maze's kernels copied into a package of its own, `mirror_maze`, with a
world class that reuses the arrow maze's generator and text form, and has
no grid fast path, so A* steps it through `worlds.dispatch`."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = "mirror_maze.world:MirrorMaze"
WORLD = """
from worlds import ArrowMaze

from mirror_maze import kernels as mirror_kernels


class MirrorMaze(ArrowMaze):
    name = "mirror-maze"
    gym_id = "mesabase/MirrorMaze-v0"
    kernels = mirror_kernels

    def navigation(self, level):
        # no grid fast path: planners search through the dispatch kernels
        return None
"""


def write_plugin(folder: Path) -> Path:
    """Write the `mirror_maze` package under `folder`; returns its kernels file."""
    package = folder / "mirror_maze"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A plugin world for tests."""\n')
    (package / "world.py").write_text(WORLD)
    kernels = package / "kernels.py"
    kernels.write_text((ROOT / "worlds" / "arrow_maze" / "kernels.py").read_text())
    return kernels


def mirror_moves(kernels: Path) -> None:
    """Swap what "right" and "left" do in the plugin's step kernel."""
    text = kernels.read_text()
    edited = text.replace("COL_STEP = np.array([0, 1, 0, -1]", "COL_STEP = np.array([0, -1, 0, 1]")
    assert edited != text
    kernels.write_text(edited)


PYTHON_TARGET = "py_maze:PyMaze"
PYTHON_WORLD = '''
from worlds import ArrowMaze


class PyMaze(ArrowMaze):
    """The arrow maze on its Python reference alone: no kernels."""

    name = "py-maze"
    gym_id = "mesabase/PyMaze-v0"
    kernels = None

    def navigation(self, level):
        return None
'''


def write_python_world(folder: Path) -> None:
    """Write the one-module `py_maze` world under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "py_maze.py").write_text(PYTHON_WORLD)


CONTINUOUS_TARGET = "glide.world:Glide"
CONTINUOUS_WORLD = """
from worlds import PointMass

from glide import kernels as glide_kernels


class Glide(PointMass):
    name = "glide"
    gym_id = "mesabase/Glide-v0"
    kernels = glide_kernels
    accelerations = glide_kernels.ACCELERATIONS
"""


def write_continuous_plugin(folder: Path) -> None:
    """Write the `glide` package under `folder`: the point mass's numba
    kernels copied into a continuous plugin world, whose JAX dynamics stay
    the point mass's own."""
    package = folder / "glide"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A continuous plugin world for tests."""\n')
    (package / "world.py").write_text(CONTINUOUS_WORLD)
    (package / "kernels.py").write_text((ROOT / "worlds" / "point_mass" / "kernels.py").read_text())
