"""The cleaning robot: cleanliness, sweeps and a full dustpan agree in training only."""

from worlds.cleaning.world import Cleaning

__all__ = ["Cleaning"]
