"""The arrow maze: a green arrow marks the exit in training and moves at test time."""

from worlds.arrow_maze.world import ArrowMaze

__all__ = ["ArrowMaze"]
