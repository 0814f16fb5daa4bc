"""Curve figures of episode reports: outcome fractions against the outcome
threshold tau (`plot_threshold`), and success against log budget for a
planner swept over budgets (`plot_budget`). Both draw Wilson 95% intervals
over levels as bands or error bars, with matplotlib's Agg backend
(`studies.reporting.plots.pyplot`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from planners import INTENDED, OUTCOMES
from studies.reporting.plots import OUTCOME_COLOURS, OUTCOME_NAMES, literal, pyplot

_SPLIT_STYLES = ("-", "--", ":", "-.")
_COLUMNS = 3


def _panels(count: int):
    """A grid of `count` small-multiple axes (spares hidden)."""
    plt = pyplot()
    columns = min(_COLUMNS, count)
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False, sharey=True)
    flat = list(axes.flat)
    for ax in flat[count:]:
        ax.set_visible(False)
    return plt, fig, flat[:count]


def plot_threshold(
    curve: list[dict[str, Any]], thresholds: dict[str, float], band: tuple[float, float], path: Path
) -> Path:
    """Outcome fractions against tau, one panel per (world, agent), one line
    style per split, outcome colours as everywhere; the `band` of tau over
    which findings must hold is shaded and each world's study tau marked,
    with the Wilson 95% intervals there (threshold.csv has them at every tau).

    `curve` is `studies.episodes.threshold.threshold_curve`'s list of dicts
    (keys world, agent, split, tau, n, frac_<outcome>[_lo, _hi])."""
    from matplotlib.lines import Line2D

    groups = list(dict.fromkeys((c["world"], c["agent"]) for c in curve))
    splits = list(dict.fromkeys(c["split"] for c in curve))
    styles = {s: _SPLIT_STYLES[i % len(_SPLIT_STYLES)] for i, s in enumerate(splits)}
    several_worlds = len({w for w, _ in groups}) > 1
    plt, fig, axes = _panels(len(groups))
    for ax, (world, agent) in zip(axes, groups):
        ax.axvspan(*band, color="0.85", alpha=0.6, lw=0)
        ax.axvline(thresholds[world], color="0.3", lw=0.9, ls=(0, (1, 1)))
        for index, split in enumerate(splits):
            mine = [c for c in curve if (c["world"], c["agent"], c["split"]) == (world, agent, split)]
            lines = sorted(mine, key=lambda c: c["tau"])
            if not lines:
                continue
            taus = [c["tau"] for c in lines]
            # the Wilson interval at the study's tau only: bands at every tau overlap into a blur
            at = min(lines, key=lambda c: abs(c["tau"] - thresholds[world]))
            for outcome in OUTCOMES:
                colour = OUTCOME_COLOURS[outcome]
                ax.plot(taus, [c[f"frac_{outcome}"] for c in lines], color=colour, ls=styles[split], lw=1.6)
                value = at[f"frac_{outcome}"]
                error = [[value - at[f"frac_{outcome}_lo"]], [at[f"frac_{outcome}_hi"] - value]]
                ax.errorbar(
                    at["tau"] + 0.008 * index, value, yerr=error, color=colour, capsize=3, lw=1, marker="."
                )
        title = f"{world}: {agent}" if several_worlds else agent
        n = sorted({c["n"] for c in curve if (c["world"], c["agent"]) == (world, agent)})
        ax.set_title(literal(f"{title} (n = {'/'.join(map(str, n))} levels)"), fontsize=9)
        ax.set_xlim(0.5, 1.0)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("outcome threshold τ", fontsize=8)
        ax.tick_params(labelsize=8)
    axes[0].set_ylabel("fraction of levels")
    handles = [Line2D([], [], color=OUTCOME_COLOURS[o], lw=2, label=OUTCOME_NAMES[o]) for o in OUTCOMES]
    handles += [Line2D([], [], color="0.3", ls=styles[s], label=literal(f"split: {s}")) for s in splits]
    handles.append(Line2D([], [], color="0.3", ls=(0, (1, 1)), label="study's τ"))
    handles.append(plt.Rectangle((0, 0), 1, 1, color="0.85", label=f"τ in [{band[0]:g}, {band[1]:g}]"))
    title = "Outcome fractions against the threshold τ (error bars: Wilson 95% over levels at the study's τ)"
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_budget(series: list[dict[str, Any]], path: Path) -> Path:
    """Success (the intended fraction with its Wilson 95% interval) against
    budget on a log axis, one panel per (world, swept planner), one line per split.

    `series` holds summary rows (`studies.episodes.summary.summarise`) with
    an added ``group`` key naming the swept planner (e.g. "mcts -> exit")."""
    groups = list(dict.fromkeys((r["world"], r["group"]) for r in series))
    splits = list(dict.fromkeys(r["split"] for r in series))
    styles = {s: _SPLIT_STYLES[i % len(_SPLIT_STYLES)] for i, s in enumerate(splits)}
    markers = dict(zip(splits, "osD^v"))
    several_worlds = len({w for w, _ in groups}) > 1
    plt, fig, axes = _panels(len(groups))
    for ax, (world, group) in zip(axes, groups):
        for index, split in enumerate(splits):
            mine = [r for r in series if (r["world"], r["group"], r["split"]) == (world, group, split)]
            rows = sorted(mine, key=lambda r: r["budget"])
            if not rows:
                continue
            # a small sideways shift per split keeps overlapping error bars apart on the log axis
            shift = 1.0 + 0.04 * (index - (len(splits) - 1) / 2)
            x = [r["budget"] * shift for r in rows]
            y = [r[f"frac_{INTENDED}"] for r in rows]
            low = [max(0.0, v - r[f"frac_{INTENDED}_lo"]) for v, r in zip(y, rows)]
            high = [max(0.0, r[f"frac_{INTENDED}_hi"] - v) for v, r in zip(y, rows)]
            n = "/".join(map(str, sorted({r["n"] for r in rows})))
            ax.errorbar(x, y, yerr=[low, high], ls=styles[split], marker=markers[split], capsize=3,
                        color=OUTCOME_COLOURS[INTENDED] if split == "train" else "0.2",
                        label=literal(f"{split} (n = {n} levels)"))  # fmt: skip
        ax.set_xscale("log")
        budgets = sorted({r["budget"] for r in series if (r["world"], r["group"]) == (world, group)})
        ax.set_xticks(budgets, [str(b) for b in budgets])
        ax.minorticks_off()
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("budget (simulations per step, log scale)", fontsize=8)
        ax.set_title(literal(f"{world}: {group}" if several_worlds else group), fontsize=9)
        ax.legend(fontsize=8, frameon=False)
        ax.tick_params(labelsize=8)
    axes[0].set_ylabel("intended fraction (Wilson 95%)")
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def _scaling_panels(rows: int, columns: int):
    """A rows x columns grid of axes (success and alignment have different ranges: no shared y)."""
    plt = pyplot()
    fig, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.0 * rows), squeeze=False)
    return plt, fig, axes


def _scaling_lines(ax, lines: list[dict[str, Any]], measure: str, colours: dict[str, Any]) -> None:
    """One line per series with its 95% error bars, budgets on a log axis."""
    series = list(dict.fromkeys(line["series"] for line in lines))
    for index, name in enumerate(series):
        mine = sorted((line for line in lines if line["series"] == name), key=lambda line: line["budget"])
        # a small sideways shift per series keeps overlapping error bars apart on the log axis
        shift = 1.0 + 0.05 * (index - (len(series) - 1) / 2)
        x = [line["budget"] * shift for line in mine]
        key = "success_frac" if measure == "success" else "alignment_mean"
        lo_key, hi_key = f"{measure}_lo", f"{measure}_hi"
        y = [line[key] for line in mine]
        low = [max(0.0, v - line[lo_key]) if math.isfinite(v) else 0.0 for v, line in zip(y, mine)]
        high = [max(0.0, line[hi_key] - v) if math.isfinite(v) else 0.0 for v, line in zip(y, mine)]
        ax.errorbar(x, y, yerr=[low, high], marker="o", ms=3.5, capsize=2.5, lw=1.4, color=colours[name],
                    label=literal(name or mine[0]["planner"]))  # fmt: skip
    budgets = sorted({line["budget"] for line in lines})
    ax.set_xscale("log")
    ax.set_xticks(budgets, [str(b) for b in budgets])
    ax.minorticks_off()
    ax.tick_params(labelsize=7)


def plot_scaling(table: list[dict[str, Any]], path: Path) -> Path:
    """Capability scaling: one row of panels per (world, split, planner);
    success at the agent's own objective (capability >= tau; Wilson 95% over
    levels) and mean alignment (bootstrap 95% over levels) against the budget
    on a log axis, base and proxy agents side by side; one line per series
    (the planner's other options, e.g. its depth).

    `table` is `studies.episodes.scaling.scaling_table`'s list of dicts (keys
    world, split, planner, series, objective, role, budget, n, success_frac,
    success_lo, success_hi, alignment_mean, alignment_lo, alignment_hi)."""
    from matplotlib import colormaps

    rows = list(dict.fromkeys((t["world"], t["split"], t["planner"]) for t in table))
    aims = list(
        dict.fromkeys((t["role"], t["objective"]) for t in sorted(table, key=lambda t: t["role"] != "base"))
    )
    columns = [(measure, aim) for measure in ("success", "alignment") for aim in aims]
    series = list(dict.fromkeys(t["series"] for t in table))
    palette = colormaps["viridis"]
    colours = {name: palette(0.85 * i / max(1, len(series) - 1)) for i, name in enumerate(series)}
    plt, fig, axes = _scaling_panels(len(rows), len(columns))
    for r, (world, split, planner) in enumerate(rows):
        for c, (measure, (kind, objective)) in enumerate(columns):
            ax = axes[r][c]
            lines = [t for t in table if (t["world"], t["split"], t["planner"], t["objective"]) ==
                     (world, split, planner, objective)]  # fmt: skip
            if not lines:
                ax.set_visible(False)
                continue
            _scaling_lines(ax, lines, measure, colours)
            n = "/".join(map(str, sorted({t["n"] for t in lines})))
            what = "own-objective success" if measure == "success" else "alignment"
            ax.set_title(
                literal(f"{world} {split}: {what}\n{kind} agent ({objective}), n = {n} level(s)"), fontsize=8
            )
            # a common scale across panels; alignment may dip below 0 (worse than random)
            lowest = min((t["alignment_lo"] for t in lines if math.isfinite(t["alignment_lo"])), default=0.0)
            ax.set_ylim(-0.05 if measure == "success" else min(-0.05, lowest - 0.05), 1.05)
            ax.axhline(0.0, color="0.8", lw=0.6)
            ax.set_xlabel(f"{planner} budget (log scale)", fontsize=7)
        axes[r][0].set_ylabel("fraction of levels (Wilson 95%)", fontsize=7)
        axes[r][len(aims)].set_ylabel("mean alignment (bootstrap 95%)", fontsize=7)
    shown = [ax.get_legend_handles_labels() for ax in axes.flat if ax.get_visible()]
    handles, labels = max(shown, key=lambda pair: len(pair[0]), default=([], []))
    fig.suptitle("Capability scaling: success at the agent's own objective and alignment against log compute",
                 fontsize=10)  # fmt: skip
    fig.tight_layout()
    if handles:
        fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_option_axes(axes: list[dict[str, Any]], path: Path) -> Path:
    """Outcome fractions (Wilson 95% over levels) against a planner option,
    one panel per axis of `studies.episodes.options.option_axes`."""
    plt = pyplot()
    columns = min(3, len(axes))
    rows = -(-len(axes) // columns)
    fig, grid = plt.subplots(rows, columns, figsize=(4.4 * columns, 3.2 * rows), squeeze=False, sharey=True)
    for ax, axis in zip(grid.flat, axes):
        values = [p["value"] for p in axis["points"]]
        for outcome in OUTCOMES:
            n = np.array([p["n"] for p in axis["points"]], dtype=float)
            share = np.array([p[outcome] for p in axis["points"]]) / n
            bars = [share - [p[f"{outcome}_lo"] for p in axis["points"]],
                    [p[f"{outcome}_hi"] for p in axis["points"]] - share]  # fmt: skip
            ax.errorbar(values, share, yerr=bars, marker="o", ms=4, capsize=2, color=OUTCOME_COLOURS[outcome],
                        label=OUTCOME_NAMES[outcome])  # fmt: skip
        if min(values) > 0 and max(values) / min(values) >= 8:
            ax.set_xscale("log", base=2)
        ax.set_xticks(values, [f"{v:g}" for v in values])
        ax.minorticks_off()
        ax.set_ylim(-0.03, 1.03)
        n = max(p["n"] for p in axis["points"])
        ax.set_title(literal(f"{axis['planner']} -> {axis['objective']} on {axis['split']} (n = {n} levels)"),
                     fontsize=9)  # fmt: skip
        ax.set_xlabel(literal(axis["option"]))
    for ax in list(grid.flat)[len(axes) :]:
        ax.set_axis_off()
    grid[0][0].set_ylabel("fraction of levels")
    handles, labels = grid[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.suptitle("Outcomes against a planner option (Wilson 95% CI over levels)", fontsize=10)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
