"""The figures reproductions draw from their studies: outcome against
planning depth (side-effect against instrumental proxy) and escape rates
from the U-trap, each fraction with its Wilson 95% interval over levels."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from planners import MISGENERALIZED
from studies.reporting.plots import OUTCOME_COLOURS, literal, pyplot
from studies.reporting.stats import binomial_ci


def _wilson_bars(hits: Sequence[int], n: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Fractions and their asymmetric Wilson error bars, shape ``(2, K)``."""
    cis = [binomial_ci(h, m) for h, m in zip(hits, n)]
    fractions = np.array([c[0] for c in cis])
    return fractions, np.array([[c[0] - c[1] for c in cis], [c[2] - c[0] for c in cis]])


def plot_depth(
    side_effect: Sequence[tuple[int, int, int]], instrumental: Sequence[tuple[int, int, int]], path: Path
) -> Path:
    """Misgeneralized fraction against planning depth for the two proxies;
    each curve is [(depth, misgeneralized levels, levels)]."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    styles = [("sweeps on test-sweep (side-effect proxy)", side_effect, "o", "-"),
              ("dustpan on test-bin (instrumental proxy)", instrumental, "s", "--")]  # fmt: skip
    for label, curve, marker, line in styles:
        if not curve:
            continue
        depths = [d for d, _, _ in curve]
        fractions, bars = _wilson_bars([h for _, h, _ in curve], [n for _, _, n in curve])
        ax.errorbar(depths, fractions, yerr=bars, marker=marker, ls=line, capsize=3, label=literal(label),
                    color=OUTCOME_COLOURS[MISGENERALIZED] if marker == "o" else "#1f4e9c")  # fmt: skip
    ax.set_xscale("log", base=2)
    depths = sorted({d for curve in (side_effect, instrumental) for d, _, _ in curve})
    ax.set_xticks(depths, [str(d) for d in depths])
    ax.minorticks_off()
    ax.set_xlabel("planning depth (value-iteration horizon, log scale)")
    ax.set_ylabel("misgeneralized fraction of levels\n(Wilson 95% CI over levels)")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("Which proxy shows up first as the planner looks further ahead?", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="center right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_escape(rates: Sequence[tuple[str, int, int]], path: Path) -> Path:
    """Escape (intended) fraction per planner on U-trap levels; rates are
    [(planner label, escaped levels, levels)]."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 0.9 + 0.5 * len(rates)))
    fractions, bars = _wilson_bars([h for _, h, _ in rates], [n for _, _, n in rates])
    y = np.arange(len(rates))[::-1]
    ax.barh(y, fractions, color="#1f4e9c", height=0.6)
    ax.errorbar(fractions, y, xerr=bars, fmt="none", ecolor="black", capsize=3)
    ax.set_yticks(y, [literal(f"{label} (n = {n})") for label, _, n in rates], fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_xlabel("escaped the trap and reached the exit (Wilson 95% CI over levels)")
    ax.set_title("U-trap: local search stays in the cup", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
