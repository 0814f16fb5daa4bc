"""The point mass: a continuous double integrator with obstacles, an exit and a beacon."""

from worlds.point_mass.world import PointMass

__all__ = ["PointMass"]
