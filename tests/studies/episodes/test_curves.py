"""The threshold, budget and scaling figures draw from their tables."""

import math

from planners import OUTCOMES
from studies.episodes.threshold import threshold_curve
from studies.reporting.curves import plot_budget, plot_scaling, plot_threshold


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


def test_scaling_figure(tmp_path):
    """Base and proxy, two depths, one split; an alignment below 0 and an
    undefined one are drawn without error."""
    table = []
    for depth in (25, 100):
        for role, objective in (("base", "exit"), ("proxy", "arrow")):
            for budget, k in ((10, 0), (100, 3), (1000, 4)):
                alignment = math.nan if (depth, budget) == (25, 10) else (-0.4 if role == "proxy" else k / 4)
                table.append({
                    "world": "arrow-maze", "split": "test", "planner": "mcts", "series": f"depth={depth}",
                    "objective": objective, "role": role, "budget": budget, "n": 4,
                    "success_frac": k / 4, "success_lo": max(0.0, k / 4 - 0.3),
                    "success_hi": min(1.0, k / 4 + 0.3), "alignment_mean": alignment,
                    "alignment_lo": alignment - 0.1, "alignment_hi": alignment + 0.1,
                })  # fmt: skip
    path = plot_scaling(table, tmp_path / "s.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
