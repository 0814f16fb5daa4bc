"""The figures of study reports: outcome bars, the 2-D robustness plot and
rendered example episodes (replayed from their stored rows).

The plots take the summary rows of `studies.episodes.summary.summarise` (or
one episode row of `studies.core.store.ResultStore.rows`) and write one PNG
each with matplotlib's Agg backend (`pyplot`), so reports build without a
display. The pages they go into are `studies.reporting.pages`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import objectives
import planners
import worlds
from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED, OUTCOMES
from studies.reporting.formatting import is_finite, num
from worlds import MesabaseError

OUTCOME_COLOURS = {INTENDED: "#2e9e4f", MISGENERALIZED: "#d63031", CAPABILITY_FAILURE: "#f0a500"}
OUTCOME_NAMES = {
    INTENDED: "intended",
    MISGENERALIZED: "misgeneralized",
    CAPABILITY_FAILURE: "capability failure",
}
_SPLIT_MARKERS = ("o", "s", "^", "D", "v", "P")


class ReplayError(MesabaseError):
    """A stored episode that replays differently (the code changed since the run)."""


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def literal(text: str) -> str:
    """`text` drawn as written: a ``$`` in a study's label would otherwise
    start matplotlib's mathtext, and a malformed formula fails the whole report."""
    return str(text).replace("$", r"\$")


def agent_colours(summary: list[dict[str, Any]]) -> dict[str, Any]:
    """One colour per agent label, the same in every world's subplot."""
    import matplotlib

    agents = list(dict.fromkeys(row["agent"] for row in summary))
    cmap = matplotlib.colormaps["tab10" if len(agents) <= 10 else "tab20"]
    return {agent: cmap(i % cmap.N) for i, agent in enumerate(agents)}


def plot_outcomes(summary: list[dict[str, Any]], path: Path) -> Path:
    """Stacked horizontal bars of the outcome fractions, one bar per agent x split."""
    plt = pyplot()
    several_worlds = len({row["world"] for row in summary}) > 1
    labels = [
        literal(
            (f"{row['world']}: " if several_worlds else "")
            + f"{row['agent']} | {row['split']} (n={row['n']})"
        )
        for row in summary
    ]
    y = np.arange(len(summary))[::-1]
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.42 * len(summary)))
    left = np.zeros(len(summary))
    for outcome in OUTCOMES:
        widths = np.array([row[f"frac_{outcome}"] for row in summary])
        ax.barh(
            y, widths, left=left, color=OUTCOME_COLOURS[outcome], label=OUTCOME_NAMES[outcome], height=0.7
        )
        for yi, x0, w in zip(y, left, widths):
            if w >= 0.08:
                ax.text(x0 + w / 2, yi, f"{w:.0%}", ha="center", va="center", fontsize=9, color="white")
        left += widths
    for i in range(1, len(summary)):  # a thin line between agents
        if (summary[i]["world"], summary[i]["agent"]) != (summary[i - 1]["world"], summary[i - 1]["agent"]):
            ax.axhline(y[i] + 0.5, color="0.3", lw=0.8)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(summary) - 0.4)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("fraction of episodes")
    ax.set_title("Outcomes per agent and split")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.06), ncol=3, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _limits(rows: list[dict[str, Any]]) -> tuple[float, float]:
    """Axis limits holding [0, 1] and every confidence interval."""
    values = [0.0, 1.0]
    for row in rows:
        for axis in ("capability", "alignment"):
            values += [v for v in (row[f"{axis}_lo"], row[f"{axis}_hi"]) if is_finite(v)]
    return min(values) - 0.06, max(values) + 0.06


def _shade_regions(ax, tau: float, low: float, high: float) -> None:
    """Colour the three outcome regions of the (capability, alignment) plane."""
    alpha = 0.13
    ax.fill_between([low, high], tau, high, color=OUTCOME_COLOURS[INTENDED], alpha=alpha, lw=0)
    ax.fill_between([tau, high], low, tau, color=OUTCOME_COLOURS[MISGENERALIZED], alpha=alpha, lw=0)
    ax.fill_between([low, tau], low, tau, color=OUTCOME_COLOURS[CAPABILITY_FAILURE], alpha=alpha, lw=0)
    ax.axhline(tau, color="0.5", lw=0.8, ls="--")
    ax.axvline(tau, color="0.5", lw=0.8, ls="--", ymax=(tau - low) / (high - low))
    style = {"fontsize": 9, "alpha": 0.8, "fontweight": "bold"}
    ax.text(low + 0.02, high - 0.02, "intended", va="top", color=OUTCOME_COLOURS[INTENDED], **style)
    # the misgeneralized band is narrow when tau is near 1: write along it
    ax.text(tau + 0.012, (low + tau) / 2, "misgeneralized", rotation=90, ha="left", va="center",
            color=OUTCOME_COLOURS[MISGENERALIZED], **style)  # fmt: skip
    ax.text(low + 0.02, low + 0.02, "capability failure", color="#b07800", **style)


def _point(ax, row, colour, marker, size) -> tuple[float, float] | None:
    """One agent x split: its mean (capability, alignment) with CI error bars."""
    x, y = row["capability_mean"], row["alignment_mean"]
    if not is_finite(x, y):
        return None
    xerr = [[x - row["capability_lo"]], [row["capability_hi"] - x]]
    yerr = [[y - row["alignment_lo"]], [row["alignment_hi"] - y]]
    ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="none", ecolor=colour, elinewidth=1, capsize=3, alpha=0.8)
    ax.plot(x, y, marker=marker, ms=size, color=colour, mec="black", mew=0.7, ls="none", zorder=3)
    return x, y


def _robustness_axes(ax, rows, colours, markers, tau) -> None:
    """One world's robustness plot: points per agent x split, arrows from train."""
    low, high = _limits(rows)
    _shade_regions(ax, tau, low, high)
    agents = list(dict.fromkeys(row["agent"] for row in rows))
    for index, agent in enumerate(agents):
        # later agents drawn smaller, so points on top of each other stay visible
        size = max(5.0, 13.0 - 2.0 * index)
        points = {}
        for row in (r for r in rows if r["agent"] == agent):
            points[row["split"]] = _point(ax, row, colours[agent], markers[row["split"]], size)
        start = points.get("train")
        for split, end in points.items():
            if split != "train" and start is not None and end is not None and start != end:
                arrow = {"arrowstyle": "-|>", "color": colours[agent], "lw": 1.8, "shrinkA": 7, "shrinkB": 7}
                ax.annotate("", xy=end, xytext=start, arrowprops=arrow, zorder=2)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_aspect("equal")
    ax.set_xlabel("capability (own objective, normalised)")
    ax.set_ylabel("alignment (base objective, normalised)")


def plot_robustness(summary: list[dict[str, Any]], thresholds: dict[str, float], path: Path) -> Path:
    """The 2-D robustness plot, one subplot per world (DESIGN.md section 6)."""
    from matplotlib.lines import Line2D

    plt = pyplot()
    worlds = list(dict.fromkeys(row["world"] for row in summary))
    splits = list(dict.fromkeys(row["split"] for row in summary))
    markers = {split: _SPLIT_MARKERS[i % len(_SPLIT_MARKERS)] for i, split in enumerate(splits)}
    colours = agent_colours(summary)
    fig, axes = plt.subplots(1, len(worlds), figsize=(5.8 * len(worlds), 5.8), squeeze=False)
    for ax, world in zip(axes[0], worlds):
        rows = [row for row in summary if row["world"] == world]
        _robustness_axes(ax, rows, colours, markers, thresholds[world])
        tau = f"tau = {thresholds[world]:g}"
        ax.set_title(
            f"{world} ({tau})" if len(worlds) > 1 else f"{world}: mean per agent and split, 95% CI ({tau})"
        )
    handles = [
        Line2D([], [], color=c, marker="o", ls="-", mec="black", label=literal(a)) for a, c in colours.items()
    ]
    handles += [
        Line2D([], [], color="0.5", marker=m, ls="none", mec="black", label=literal(f"split: {s}"))
        for s, m in markers.items()
    ]
    fig.tight_layout()
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=9,
               title="agent (arrow: train -> test)")  # fmt: skip
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def replay(row: dict[str, Any]):
    """Play a stored episode again (it is a deterministic function of its row);
    returns (world, level, episode)."""
    world = worlds.get(row["world"])
    level = world.sample(seed=row["seed"], split=row["split"], **row["overrides"])
    planner = planners.make(row["planner"], row["budget"], **row["options"])
    objective = None if row["objective"] == "none" else objectives.get(world, row["objective"])
    episode = planners.rollout(
        world,
        level,
        planners.Agent(planner, objective),
        row["max_steps"],
        threshold=row["threshold"],
        seed=row["seed"],
        scoring="goal",
    )
    return world, level, episode


def plot_example(row: dict[str, Any], path: Path) -> Path:
    """Replay one episode and save its picture, titled with agent, split, seed and outcome."""
    plt = pyplot()
    world, level, episode = replay(row)
    if episode.steps != row["steps"]:
        raise ReplayError(f"the replay took {episode.steps} steps, the stored episode {row['steps']}")
    size = {} if world.continuous else {"cell": int(np.clip(512 // max(level.height, level.width), 8, 48))}
    image = world.render_rgb(level, state=episode.states[-1], path=episode.states, **size)
    height, width = image.shape[:2]
    fig, ax = plt.subplots(figsize=(6.0, 6.0 * height / width + 0.9))
    ax.imshow(image, interpolation="nearest")
    ax.set_axis_off()
    title = (
        f"{row['agent']} | {row['split']} seed {row['seed']}: {OUTCOME_NAMES[row['outcome']]}\n"
        f"capability {num(row['capability'])}, alignment {num(row['alignment'])}; "
        f"{row['steps']} steps, {row['stop_reason'].replace('_', ' ')}"
    )
    ax.set_title(literal(title), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def choose_examples(rows: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Up to `count` episodes that illustrate the findings: a misgeneralized and
    a capability failure on test-like splits first, then an intended one; each
    preference picks an agent not shown yet where it can."""
    preferences = [
        (MISGENERALIZED, True),
        (CAPABILITY_FAILURE, True),
        (INTENDED, True),
        (INTENDED, False),
        (MISGENERALIZED, False),
        (CAPABILITY_FAILURE, False),
    ]
    ordered = sorted(rows, key=lambda r: (r["world"], r["agent"], r["split"], r["seed"]))
    chosen: list[dict[str, Any]] = []
    for outcome, test_like in preferences:
        if len(chosen) >= count:
            break
        matching = [r for r in ordered if r["outcome"] == outcome and (r["split"] != "train") == test_like]
        shown = {r["agent"] for r in chosen}
        fresh = [r for r in matching if r["agent"] not in shown and r not in chosen]
        pick = next(iter(fresh or [r for r in matching if r not in chosen]), None)
        if pick is not None:
            chosen.append(pick)
    return chosen[:count]


def caption(row: dict[str, Any]) -> str:
    """An example episode's caption: agent, split, seed and outcome."""
    return f"{row['agent']}, {row['split']} seed {row['seed']}: {OUTCOME_NAMES[row['outcome']]}"
