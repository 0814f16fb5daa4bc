"""Chests and keys: keys are scarce in training and plentiful at test time."""

from worlds.chests_keys.world import ChestsKeys

__all__ = ["ChestsKeys"]
