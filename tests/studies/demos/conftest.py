"""Helpers for reading back what the demos write."""

import numpy as np
import pytest


def gif_frames(path) -> tuple[list[np.ndarray], list[int]]:
    """The frames (``uint8[H, W, 3]``) of a GIF and each one's duration in ms."""
    from PIL import Image, ImageSequence

    with Image.open(path) as gif:
        frames, durations = [], []
        for frame in ImageSequence.Iterator(gif):
            frames.append(np.asarray(frame.convert("RGB")))
            durations.append(frame.info["duration"])
    return frames, durations


@pytest.fixture
def read_gif():
    return gif_frames
