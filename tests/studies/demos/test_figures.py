"""The figure building blocks: a TrueType font, wrapped text, legend strips
that wrap onto rows, titled panels and the caption frame."""

import numpy as np
import pytest

from studies.reporting import figures


def _swatch(rgb) -> np.ndarray:
    return np.full((24, 24, 3), rgb, dtype=np.uint8)


def test_the_font_is_dejavu_at_the_asked_size():
    regular, bold = figures.font(20), figures.font(20, bold=True)
    assert regular.size == 20 and "DejaVuSans.ttf" in regular.path
    assert "Bold" in bold.path
    # a real font: twice the size is about twice as wide
    assert 1.8 < figures.text_width("mesa", 40) / figures.text_width("mesa", 20) < 2.2


def test_wrap_breaks_between_words_within_the_width():
    width = figures.text_width("aaaa bbbb", 20)
    assert figures.wrap("aaaa bbbb cccc", width, 20) == ["aaaa bbbb", "cccc"]
    assert figures.wrap("aaaa bbbb cccc", 10_000, 20) == ["aaaa bbbb cccc"]
    # a word wider than the width keeps a line of its own
    assert figures.wrap("a supercalifragilistic b", 10, 20) == ["a", "supercalifragilistic", "b"]


def test_a_legend_strip_wraps_onto_rows_and_shows_each_swatch():
    entries = [("exit", _swatch((214, 48, 49))), ("green arrow (proxy)", _swatch((39, 174, 96)))]
    wide = figures.legend_strip(entries, 800, size=16)
    narrow = figures.legend_strip(entries, figures.text_width("green arrow (proxy)", 16) + 40, size=16)
    assert wide.dtype == np.uint8 and wide.shape[1] == 800 and wide.shape[2] == 3
    assert narrow.shape[0] == 2 * wide.shape[0]  # one row each
    swatch = int(round(16 * 1.4))
    # the first swatch's middle is the exit's red, the second row's the arrow's green
    assert tuple(narrow[swatch // 2, swatch // 2]) == (214, 48, 49)
    assert tuple(narrow[wide.shape[0] + swatch // 2, swatch // 2]) == (39, 174, 96)
    assert figures.legend_strip([], 300).shape == (1, 300, 3)


def test_a_titled_panel_keeps_the_image_under_its_header():
    image = np.zeros((50, 80, 3), dtype=np.uint8)
    panel = figures.titled_panel(image, "test level, 17x17", "arrow-seeking agent", size=22, width=120)
    assert panel.shape[1] == 120 and panel.shape[0] > 50 + 22
    assert (panel[-50:, :80] == 0).all() and (panel[-50:, 80:] == 255).all()
    padded = figures.titled_panel(image, "test level, 17x17", size=22, header_height=200)
    assert padded.shape[0] == 200 + 22 // 4 + 50


def test_the_caption_frame_is_the_asked_size_with_text_in_the_middle():
    frame = figures.caption_frame("At test the arrow moved.", 600, 400)
    assert frame.shape == (400, 600, 3) and frame.dtype == np.uint8
    ink = np.argwhere(frame.min(axis=2) < 128)
    assert len(ink) > 100
    assert 150 < ink[:, 0].mean() < 250 and 200 < ink[:, 1].mean() < 400
    # a long caption shrinks to fit instead of running off the frame
    long = figures.caption_frame("word " * 400, 300, 200)
    assert long.shape == (200, 300, 3)


def test_grid_keeps_relative_sizes():
    small, large = np.zeros((10, 10, 3), np.uint8), np.zeros((20, 30, 3), np.uint8)
    out = figures.grid([small, large], columns=2, gap=4)
    assert out.shape == (20, 30 + 4 + 30, 3)
    assert (out[:10, :10] == 0).all() and (out[10:, :10] == 255).all()  # the small one is not stretched
    with pytest.raises(ValueError, match="does not fit"):
        figures.pad(large, 10, 10)
