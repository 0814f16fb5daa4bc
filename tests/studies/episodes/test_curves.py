"""The threshold and budget figures draw from their tables."""

from planners import OUTCOMES
from studies.episodes.threshold import threshold_curve
from studies.reporting.curves import plot_budget, plot_threshold


def test_threshold_figure(tmp_path):
    rows = [
        {"world": "arrow-maze", "agent": a, "split": s, "capability": 1.0, "alignment": x, "threshold": 0.9}
        for a in ("a", "b $x$") for s in ("train", "test") for x in (0.5, 0.95)
    ]  # fmt: skip
    path = plot_threshold(threshold_curve(rows), {"arrow-maze": 0.9}, (0.8, 0.95), tmp_path / "t.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_budget_figure(tmp_path):
    series = []
    for budget, k in ((10, 0), (100, 2), (1000, 4)):
        row = {"world": "arrow-maze", "group": "mcts -> exit", "split": "test", "budget": budget, "n": 4}
        for o in OUTCOMES:
            row.update({f"frac_{o}": 0.0, f"frac_{o}_lo": 0.0, f"frac_{o}_hi": 0.5})
        row.update(frac_intended=k / 4, frac_intended_lo=max(0.0, k / 4 - 0.3), frac_intended_hi=1.0)
        series.append(row)
    path = plot_budget(series, tmp_path / "b.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
