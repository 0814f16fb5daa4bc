"""The report figures: the robustness plot on fixed [0, 1] axes (overflow
clipped and marked, labels stacked without overlap, small multiples above
six agents), agent colours away from the outcome colours, and outcome bars
with the Wilson interval of the intended fraction."""

import math

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from planners import OUTCOMES
from studies.reporting import plots
from studies.reporting.stats import binomial_ci


def summary_row(agent, split, capability, alignment, spread=0.1, n=6, intended=3, world="arrow-maze"):
    """A summary row as `studies.episodes.summary.summarise` writes it, with
    the fields the figures read: means, CI ends and outcome fractions."""
    row = {"world": world, "agent": agent, "split": split, "n": n, "threshold": 0.9}
    for axis, mean in (("capability", capability), ("alignment", alignment)):
        row.update({f"{axis}_mean": mean, f"{axis}_lo": mean - spread, f"{axis}_hi": mean + spread})
    counts = dict(zip(OUTCOMES, (intended, n - intended, 0), strict=True))
    for outcome, count in counts.items():
        row[f"frac_{outcome}"], row[f"frac_{outcome}_lo"], row[f"frac_{outcome}_hi"] = binomial_ci(count, n)
    return row


def _lab(colour) -> np.ndarray:
    """CIELAB (D65) of a matplotlib colour: the space where a distance is a perceived difference."""
    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ linear
        / np.array([0.95047, 1.0, 1.08883])
    )
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_the_lab_distance_tells_near_colours_from_far_ones():
    assert np.allclose(_lab("white"), [100, 0, 0], atol=0.05) and np.allclose(_lab("black"), 0, atol=1e-9)
    assert np.linalg.norm(_lab("#d63031") - _lab("#d83535")) < 3
    assert np.linalg.norm(_lab("#d63031") - _lab("tab:red")) < 25  # tab10's red: what the palette avoids


def test_no_agent_colour_is_near_an_outcome_colour():
    summary = [summary_row(f"agent {i}", "train", 0.5, 0.5) for i in range(12)]
    colours = plots.agent_colours(summary)
    assert list(colours) == [f"agent {i}" for i in range(12)]
    assert len(set(colours.values())) == len(plots.AGENT_PALETTE) == 10
    for colour in plots.AGENT_PALETTE:
        for outcome in plots.OUTCOME_COLOURS.values():
            assert np.linalg.norm(_lab(colour) - _lab(outcome)) > 45, (colour, outcome)


def test_clip_to_unit_marks_values_past_the_tolerance():
    clipped, overflow = plots.clip_to_unit([-0.3, -0.005, 0.0, 0.5, 1.0, 1.004, 1.2, math.nan])
    assert clipped[:7].tolist() == [0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0] and math.isnan(clipped[7])
    assert overflow.tolist() == [-1, 0, 0, 0, 0, 0, 1, 0]
    clipped, overflow = plots.clip_to_unit(np.array([[1.5, -2.0]]), tolerance=0.0)
    assert clipped.shape == overflow.shape == (1, 2) and overflow.tolist() == [[1, -1]]


def test_stacked_labels_keep_apart_and_stay_near_their_wish():
    # three labels wanted at one height centre on it, one step apart
    assert plots.stack_positions([50.0, 50.0, 50.0], 10.0, 0.0, 100.0).tolist() == [60.0, 50.0, 40.0]
    # labels already apart stay where they are
    assert plots.stack_positions([90.0, 40.0], 10.0, 0.0, 100.0).tolist() == [90.0, 40.0]
    # a stack that would leave the axes moves back inside as a whole
    assert plots.stack_positions([2.0, 2.0], 10.0, 0.0, 100.0).tolist() == [10.0, 0.0]


def _is_png(path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_robustness_plot_with_coincident_agents_and_overflow(tmp_path):
    summary = [
        summary_row("astar -> exit", "train", 1.0, 1.0, spread=0.0),
        summary_row("astar -> exit", "test", 1.0, 1.0, spread=0.0),
        summary_row("astar -> arrow", "train", 1.0, 1.0, spread=0.0),
        summary_row("astar -> arrow", "test", 1.0, -0.002, spread=0.002),
        summary_row("$mcts$ (30) -> exit", "train", 0.86, 0.86),
        summary_row("$mcts$ (30) -> exit", "test", 1.3, -0.4, spread=0.2),  # mean and CI outside
        summary_row("nan agent", "test", math.nan, math.nan),
    ]
    path = plots.plot_robustness(summary, {"arrow-maze": 0.9}, tmp_path / "robustness.png")
    assert path == tmp_path / "robustness.png" and _is_png(path)


def test_robustness_plot_of_eight_agents_in_two_worlds_is_small_multiples(tmp_path):
    summary = [
        summary_row(f"mcts ({budget})", split, budget / 1000, 1.0 - budget / 1000 * (split == "test"))
        for budget in (10, 30, 100, 200, 400, 600, 800, 1000)
        for split in ("train", "test")
    ]
    summary += [summary_row("vi -> chests", "train", 1.0, 1.0, world="chests-keys")]
    assert plots._panels(summary) == [
        ("arrow-maze", f"mcts ({b})") for b in (10, 30, 100, 200, 400, 600, 800, 1000)
    ] + [("chests-keys", None)]
    path = plots.plot_robustness(summary, {"arrow-maze": 0.9, "chests-keys": 0.8}, tmp_path / "r.png")
    assert _is_png(path)


def test_outcome_bars_with_the_wilson_interval(tmp_path):
    summary = [summary_row("a", "train", 1, 1, n=8, intended=8), summary_row("a", "test", 0, 0, intended=0)]
    del summary[1]["frac_intended_lo"]  # a row without the interval is drawn without it
    assert _is_png(plots.plot_outcomes(summary, tmp_path / "outcomes.png"))


@pytest.mark.parametrize("counts, text", [([6], "6 levels"), ([2, 6, 2], "2-6 levels"), ([1], "1 level")])
def test_level_counts_in_titles(counts, text):
    assert plots._level_counts([{"n": n} for n in counts]) == text
