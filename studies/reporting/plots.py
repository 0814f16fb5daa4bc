"""The figures of study reports: outcome bars, the 2-D robustness plot and
rendered example episodes (replayed from their stored rows).

The plots take the summary rows of `studies.episodes.summary.summarise` (or
one episode row of `studies.core.store.ResultStore.rows`) and write one PNG
each with matplotlib's Agg backend (`pyplot`), so reports build without a
display. The pages they go into are `studies.reporting.pages`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

import objectives
import planners
import worlds
from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED, OUTCOMES
from studies.reporting.formatting import is_finite, num, plural
from worlds import MesabaseError

OUTCOME_COLOURS = {INTENDED: "#2e9e4f", MISGENERALIZED: "#d63031", CAPABILITY_FAILURE: "#f0a500"}
OUTCOME_NAMES = {
    INTENDED: "intended",
    MISGENERALIZED: "misgeneralized",
    CAPABILITY_FAILURE: "capability failure",
}
#: split markers: no triangles, which mark values clipped at the edge
_SPLIT_MARKERS = ("o", "s", "D", "P", "X", "h")


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


#: agent colours: blues, purples, teals, browns and greys, far from the
#: green, red and orange of the outcome zones (`OUTCOME_COLOURS`) so an
#: agent is never read as an outcome
AGENT_PALETTE = (
    "#1f4e9c",  # dark blue
    "#7b3fa0",  # purple
    "#6d4c2f",  # brown
    "#00838f",  # teal
    "#546e7a",  # blue grey
    "#4a90d9",  # light blue
    "#b07cc6",  # lilac
    "#a1887f",  # light brown
    "#283593",  # indigo
    "#212121",  # near black
)

#: how far past [0, 1] a value may lie before it counts as overflow: a
#: normalised score of -0.002 (a hair worse than random) is 0 on the plot
OVERFLOW_TOLERANCE = 0.01

#: the robustness plot shows one panel per agent above this many agents in a world
SMALL_MULTIPLES_ABOVE = 6

#: points closer than this (in data units) are drawn as one cluster, spread apart
_COINCIDENT = 0.04
#: the axis range: [0, 1] with room for the overflow marks at the edges
_AXIS = (-0.08, 1.08)


def agent_colours(summary: list[dict[str, Any]]) -> dict[str, Any]:
    """One colour per agent label, the same in every world's subplot, taken
    in order from `AGENT_PALETTE` (repeating after ten agents, which the
    robustness plot then shows in separate panels)."""
    agents = list(dict.fromkeys(row["agent"] for row in summary))
    return {agent: AGENT_PALETTE[i % len(AGENT_PALETTE)] for i, agent in enumerate(agents)}


def _level_counts(rows: list[dict[str, Any]]) -> str:
    """ "6 levels" or "2-6 levels": the n of the rows' means."""
    counts = sorted({int(row["n"]) for row in rows})
    return plural("level", counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]} levels"


def plot_outcomes(summary: list[dict[str, Any]], path: Path) -> Path:
    """Stacked horizontal bars of the outcome fractions, one bar per agent x
    split, with the Wilson 95% interval of the intended fraction over levels
    (``frac_intended_lo``/``_hi`` of the summary rows) as a black error bar."""
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
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.42 * len(summary)))
    left = np.zeros(len(summary))
    for outcome in OUTCOMES:
        widths = np.array([row[f"frac_{outcome}"] for row in summary])
        ax.barh(
            y, widths, left=left, color=OUTCOME_COLOURS[outcome], label=OUTCOME_NAMES[outcome], height=0.7
        )
        for yi, x0, w in zip(y, left, widths):
            if w >= 0.08:
                ax.text(x0 + w / 2, yi + 0.1, f"{w:.0%}", ha="center", va="center", fontsize=9, color="white")
        left += widths
    # the intended segment starts at 0, so its interval sits at the segment's end,
    # along the bar's lower edge clear of the percentages
    for yi, row in zip(y, summary):
        frac, lo, hi = (row.get(f"frac_{INTENDED}{end}") for end in ("", "_lo", "_hi"))
        if is_finite(frac, lo, hi):
            ax.errorbar(frac, yi - 0.2, xerr=[[frac - lo], [hi - frac]], fmt="|", color="black", ms=6,
                        elinewidth=1.2, capsize=3, zorder=3)  # fmt: skip
    for i in range(1, len(summary)):  # a thin line between agents
        if (summary[i]["world"], summary[i]["agent"]) != (summary[i - 1]["world"], summary[i - 1]["agent"]):
            ax.axhline(y[i] + 0.5, color="0.3", lw=0.8)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(summary) - 0.4)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("fraction of levels (black bar: Wilson 95% CI of the intended fraction over levels)")
    ax.set_title(f"Outcomes per agent and split (n = {_level_counts(summary)} each)", pad=28)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def clip_to_unit(values, tolerance: float = OVERFLOW_TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """(clipped, overflow): `values` (any shape) clipped to [0, 1], and per
    value -1 where it lay below 0 - `tolerance`, +1 above 1 + `tolerance`,
    0 otherwise (NaN stays NaN with overflow 0). Arrays of `values`' shape."""
    data = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        overflow = np.where(data < -tolerance, -1, np.where(data > 1 + tolerance, 1, 0))
    return np.clip(data, 0.0, 1.0), overflow


def _shade_regions(ax, tau: float, labels: bool = True) -> None:
    """Colour the three outcome regions of the (capability, alignment) plane."""
    low, high = _AXIS
    alpha = 0.13
    ax.fill_between([low, high], tau, high, color=OUTCOME_COLOURS[INTENDED], alpha=alpha, lw=0)
    ax.fill_between([tau, high], low, tau, color=OUTCOME_COLOURS[MISGENERALIZED], alpha=alpha, lw=0)
    ax.fill_between([low, tau], low, tau, color=OUTCOME_COLOURS[CAPABILITY_FAILURE], alpha=alpha, lw=0)
    ax.axhline(tau, color="0.5", lw=0.8, ls="--")
    ax.axvline(tau, color="0.5", lw=0.8, ls="--", ymax=(tau - low) / (high - low))
    for edge in (0.0, 1.0):  # the ends of the normalised scale
        ax.axhline(edge, color="0.6", lw=0.6)
        ax.axvline(edge, color="0.6", lw=0.6)
    if not labels:
        return
    style = {"fontsize": 9, "alpha": 0.8, "fontweight": "bold"}
    ax.text(0.02, high - 0.015, "intended", va="top", color=OUTCOME_COLOURS[INTENDED], **style)
    # the misgeneralized band is narrow when tau is near 1: write along it
    ax.text(tau + 0.012, tau / 2, "misgeneralized", rotation=90, ha="left", va="center",
            color=OUTCOME_COLOURS[MISGENERALIZED], **style)  # fmt: skip
    ax.text(0.02, 0.02, "capability failure", color="#b07800", **style)


def _clusters(points: list[tuple[float, float]]) -> list[list[int]]:
    """Indices of `points` grouped greedily: a point joins the first cluster
    whose first point lies within `_COINCIDENT` on both axes."""
    clusters: list[list[int]] = []
    for i, (x, y) in enumerate(points):
        for cluster in clusters:
            x0, y0 = points[cluster[0]]
            if abs(x - x0) <= _COINCIDENT and abs(y - y0) <= _COINCIDENT:
                cluster.append(i)
                break
        else:
            clusters.append([i])
    return clusters


def _spread(count: int, radius: float = 5.5) -> list[tuple[float, float]]:
    """Offsets in points for `count` coincident markers: none for one, else a ring."""
    if count == 1:
        return [(0.0, 0.0)]
    angles = np.pi / 2 + 2 * np.pi * np.arange(count) / count
    radius += 0.6 * count
    return [(radius * np.cos(a), radius * np.sin(a)) for a in angles]


def _offset(ax, dx: float, dy: float):
    """Data coordinates shifted by (dx, dy) points: a marker moved aside
    without moving its value."""
    from matplotlib.transforms import offset_copy

    return offset_copy(ax.transData, fig=ax.figure, x=dx, y=dy, units="points")


#: the outward triangle marking a clipped value, by (axis, direction)
_OUTWARD = {("x", -1): "<", ("x", 1): ">", ("y", -1): "v", ("y", 1): "^"}


def _overflow_marks(ax, row, x: float, y: float, colour, shift: tuple[float, float]) -> bool:
    """Triangles just outside the edge for each clipped mean or interval end
    of `row`, whose clipped mean (x, y) is drawn `shift` points aside (a
    spread cluster); True if any was drawn."""
    drawn = False
    for axis, name in (("x", "capability"), ("y", "alignment")):
        values = [row[f"{name}_{end}"] for end in ("mean", "lo", "hi")]
        _, overflow = clip_to_unit([v if is_finite(v) else np.nan for v in values])
        along, across = (0, 1) if axis == "x" else (1, 0)
        for direction in sorted({int(d) for d in overflow if d}):
            at = [x, y]
            at[along] = float(direction > 0)
            # beyond the edge, and beyond the marker when the cluster pushed it outward
            offset = [0.0, 0.0]
            offset[along] = direction * (7.0 + max(0.0, direction * shift[along]))
            offset[across] = shift[across]
            ax.plot(*at, marker=_OUTWARD[axis, direction], ms=7, color=colour, mec="black", mew=0.6,
                    ls="none", zorder=5, transform=_offset(ax, *offset), clip_on=False)  # fmt: skip
            drawn = True
    return drawn


def _error_bars(ax, row, x: float, y: float, colour) -> None:
    """The 95% bootstrap CIs over levels, clipped to [0, 1]."""
    lo_x, hi_x, lo_y, hi_y = clip_to_unit(
        [row["capability_lo"], row["capability_hi"], row["alignment_lo"], row["alignment_hi"]]
    )[0]
    if is_finite(lo_x, hi_x):
        ax.errorbar(x, y, xerr=[[max(0.0, x - lo_x)], [max(0.0, hi_x - x)]], fmt="none", ecolor=colour,
                    elinewidth=1, capsize=3, alpha=0.8, zorder=2)  # fmt: skip
    if is_finite(lo_y, hi_y):
        ax.errorbar(x, y, yerr=[[max(0.0, y - lo_y)], [max(0.0, hi_y - y)]], fmt="none", ecolor=colour,
                    elinewidth=1, capsize=3, alpha=0.8, zorder=2)  # fmt: skip


#: label text size and line spacing (points); labels sit this far beside their points
_LABEL_SIZE, _LABEL_STEP, _LABEL_GAP = 7.5, 10.0, 9.0


def stack_positions(wanted, step: float, low: float, high: float) -> np.ndarray:
    """Heights for labels wanted at `wanted` (shape (k,), highest first), at
    least `step` apart and as near their wish as possible (least squares,
    `scipy.optimize.isotonic_regression` of the wishes shifted by their rank),
    then moved as one stack into [low, high] where it fits. Shape (k,)."""
    from scipy.optimize import isotonic_regression

    rank = step * np.arange(len(wanted))
    heights = isotonic_regression(np.asarray(wanted, dtype=float) + rank, increasing=False).x - rank
    if len(heights):
        heights += max(0.0, low - heights[-1]) - max(0.0, heights[0] - high)
    return heights


def _text_width(ax, text: str) -> float:
    """The width in points of `text` at the label size, measured by the renderer."""
    probe = ax.text(0, 0, literal(text), fontsize=_LABEL_SIZE)
    width = probe.get_window_extent(ax.figure.canvas.get_renderer()).width
    probe.remove()
    return width * 72.0 / ax.figure.dpi


def _overlapping(spans: list[tuple[float, float]]) -> list[list[int]]:
    """Indices of `spans` ((left, right) pairs) grouped into runs that overlap horizontally."""
    groups: list[list[int]] = []
    reach = -math.inf
    for index in sorted(range(len(spans)), key=lambda i: spans[i][0]):
        if groups and spans[index][0] < reach:
            groups[-1].append(index)
        else:
            groups.append([index])
            reach = -math.inf
        reach = max(reach, spans[index][1])
    return groups


def _place_labels(ax, labels) -> None:
    """Write `labels` ((x, y, text, colour, gap, lines) with (x, y) the
    anchor in data units, `gap` the points to keep clear of it and `lines`
    its cluster's label count) beside their anchors: right of points in the
    left part of the axes, left of the others. Labels whose extents overlap
    horizontally are stacked so none overlap; a thin leader line joins a
    label moved away from its cluster."""
    if not labels:
        return
    ax.apply_aspect()  # the final data-to-display scale (equal aspect)
    points = 72.0 / ax.figure.dpi
    low, high = ax.transData.transform([(0.0, _AXIS[0]), (0.0, _AXIS[1])])[:, 1] * points
    anchors = ax.transData.transform([label[:2] for label in labels]) * points
    spans = []
    for (px, _), (x, _, text, _, gap, _) in zip(anchors, labels):
        width = _text_width(ax, text)
        spans.append((px + gap, px + gap + width) if x < 0.62 else (px - gap - width, px - gap))
    for group in _overlapping(spans):
        group.sort(key=lambda i: (-anchors[i][1], i))  # highest first; a cluster keeps its order
        heights = stack_positions([anchors[i][1] for i in group], _LABEL_STEP, low + 4, high - 4)
        for index, height in zip(group, heights):
            x, y, text, colour, gap, lines = labels[index]
            right, lift = x < 0.62, height - anchors[index][1]
            moved = abs(lift) > _LABEL_STEP * lines / 2 + 2
            leader = {"arrowstyle": "-", "color": colour, "lw": 0.5, "alpha": 0.7} if moved else None
            ax.annotate(
                literal(text), (x, y), xytext=(gap if right else -gap, lift),
                textcoords="offset points", ha="left" if right else "right", va="center",
                fontsize=_LABEL_SIZE, color=colour, zorder=3.5, annotation_clip=False, arrowprops=leader,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
            )  # fmt: skip


def _robustness_axes(ax, rows, colours, markers, tau, context=()) -> tuple[bool, list]:
    """One panel: each row's mean (capability, alignment) with its CIs and
    an arrow from an agent's train point to its other splits; coincident
    points are spread on a small ring. `context` rows (a panel of one agent:
    the other agents) are drawn as faint grey dots behind. Returns (whether
    a value was clipped, the labels for `_place_labels`: "agent (splits)" per
    cluster of points, or only the splits in a one-agent panel)."""
    _shade_regions(ax, tau, labels=not context)
    for row in context:
        (cx, cy), _ = clip_to_unit([row["capability_mean"], row["alignment_mean"]])
        if is_finite(cx, cy):
            ax.plot(cx, cy, marker="o", ms=4, color="0.55", alpha=0.5, ls="none", zorder=1)
    shown = [row for row in rows if is_finite(row["capability_mean"], row["alignment_mean"])]
    means = [tuple(clip_to_unit([r["capability_mean"], r["alignment_mean"]])[0]) for r in shown]
    clipped, labels, shifts = False, [], {}
    for cluster in _clusters(means):
        offsets = _spread(len(cluster))
        for index, (dx, dy) in zip(cluster, offsets):
            row, (x, y) = shown[index], means[index]
            colour = colours[row["agent"]]
            shifts[row["agent"], row["split"]] = (x, y, dx, dy)
            _error_bars(ax, row, x, y, colour)
            ax.plot(x, y, marker=markers[row["split"]], ms=8, color=colour, mec="black", mew=0.7,
                    ls="none", zorder=4, transform=_offset(ax, dx, dy), clip_on=False)  # fmt: skip
            clipped |= _overflow_marks(ax, row, x, y, colour, (dx, dy))
        splits: dict[str, list[str]] = {}
        for index in cluster:  # one line per agent, listing its splits here
            splits.setdefault(shown[index]["agent"], []).append(shown[index]["split"])
        gap = _LABEL_GAP + max(np.hypot(dx, dy) for dx, dy in offsets)
        for agent, names in splits.items():
            text = ", ".join(names) if context else f"{agent} ({', '.join(names)})"
            labels.append((*means[cluster[0]], text, colours[agent], gap, len(splits)))
    for (agent, split), (x, y, dx, dy) in shifts.items():
        start = shifts.get((agent, "train"))
        if split != "train" and start is not None and np.hypot(x - start[0], y - start[1]) > _COINCIDENT:
            arrow = {"arrowstyle": "-|>", "color": colours[agent], "lw": 1.6, "shrinkA": 6, "shrinkB": 6}
            ax.annotate("", xy=(x, y), xycoords=_offset(ax, dx, dy), xytext=start[:2],
                        textcoords=_offset(ax, *start[2:]), arrowprops=arrow, zorder=3)  # fmt: skip
    ax.set_xlim(*_AXIS)
    ax.set_ylim(*_AXIS)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_aspect("equal")
    return clipped, labels


def _panels(summary: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(world, agent) per panel: one per world, or one per agent of a world
    with more than `SMALL_MULTIPLES_ABOVE` agents (agent None: all of them)."""
    panels = []
    for world in dict.fromkeys(row["world"] for row in summary):
        agents = list(dict.fromkeys(row["agent"] for row in summary if row["world"] == world))
        many = len(agents) > SMALL_MULTIPLES_ABOVE
        panels += [(world, agent) for agent in agents] if many else [(world, None)]
    return panels


def plot_robustness(summary: list[dict[str, Any]], thresholds: dict[str, float], path: Path) -> Path:
    """The 2-D robustness plot (DESIGN.md section 6): per agent and split the
    mean (capability, alignment) over its levels with 95% bootstrap CIs over
    levels, on fixed [0, 1] axes (values outside are clipped to the edge and
    marked by an outward triangle), each point labelled and coincident points
    spread apart. One panel per world; a world with more than
    `SMALL_MULTIPLES_ABOVE` agents gets one small panel per agent instead,
    the other agents as grey dots behind."""
    from matplotlib.lines import Line2D

    plt = pyplot()
    splits = list(dict.fromkeys(row["split"] for row in summary))
    markers = {split: _SPLIT_MARKERS[i % len(_SPLIT_MARKERS)] for i, split in enumerate(splits)}
    colours = agent_colours(summary)
    panels = _panels(summary)
    small = any(agent is not None for _, agent in panels)
    several_worlds = len({world for world, _ in panels}) > 1
    columns = min(len(panels), 4 if small else 3)
    lines = -(-len(panels) // columns)
    side = 3.4 if small else 6.0
    fig, axes = plt.subplots(lines, columns, figsize=(side * columns, side * lines + 0.6), squeeze=False)
    clipped, labels = False, {}
    for ax, (world, agent) in zip(axes.flat, panels):
        in_world = [row for row in summary if row["world"] == world]
        tau = f"tau = {thresholds[world]:g}"
        if agent is None:
            drawn, labels[ax] = _robustness_axes(ax, in_world, colours, markers, thresholds[world])
            ax.set_title(literal(f"{world} ({tau}), n = {_level_counts(in_world)} per point"), fontsize=10)
        else:
            mine = [row for row in in_world if row["agent"] == agent]
            others = [row for row in in_world if row["agent"] != agent]
            drawn, labels[ax] = _robustness_axes(ax, mine, colours, markers, thresholds[world], others)
            name = f"{world}: {agent}" if several_worlds else agent
            ax.set_title(literal(f"{name} ({tau}, n = {_level_counts(mine)})"), fontsize=9)
        clipped |= drawn
    for ax in axes.flat[len(panels) :]:
        ax.set_axis_off()
    for column in range(columns):  # the lowest panel of each column
        last = (len(panels) - 1 - column) // columns
        axes[last, column].set_xlabel("capability (own objective, normalised)", fontsize=9)
    for ax in axes[:, 0]:
        ax.set_ylabel("alignment (base objective, normalised)", fontsize=9)
    handles = []
    if not small:
        handles += [Line2D([], [], color=c, marker="o", ls="-", mec="black", label=literal(a))
                    for a, c in colours.items()]  # fmt: skip
    handles += [
        Line2D([], [], color="0.5", marker=m, ls="none", mec="black", label=literal(f"split: {s}"))
        for s, m in markers.items()
    ]
    handles.append(
        Line2D([], [], color="0.4", marker="|", ms=10, ls="none", label="95% bootstrap CI over levels")
    )
    if clipped:
        handles.append(Line2D([], [], color="0.5", marker=">", ls="none", mec="black",
                              label="clipped to the edge: outside [0, 1]"))  # fmt: skip
    if small:
        handles.append(Line2D([], [], color="0.55", marker="o", ms=4, alpha=0.5, ls="none",
                              label="the other agents' means"))  # fmt: skip
    fig.suptitle("Robustness: mean over levels per agent and split, arrow from train to test", fontsize=11)
    fig.tight_layout()
    for ax, texts in labels.items():  # after the layout, which sets the axes' final scale
        _place_labels(ax, texts)
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=9,
               title="agent" if not small else None)  # fmt: skip
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


def plot_example(row: dict[str, Any], path: Path, replayed=None) -> Path:
    """Replay one episode and save its picture, titled with agent, split, seed and outcome.
    `replayed`: the (world, level, episode) of `replay(row)` when the caller has it already."""
    from studies.reporting import figures

    plt = pyplot()
    world, level, episode = replayed if replayed is not None else replay(row)
    if episode.steps != row["steps"]:
        raise ReplayError(f"the replay took {episode.steps} steps, the stored episode {row['steps']}")
    size = {} if world.continuous else {"cell": int(np.clip(512 // max(level.height, level.width), 8, 48))}
    image = world.render_rgb(level, state=episode.states[-1], path=episode.states, **size)
    # the legend under the picture names every colour and marker this level can show
    image = figures.vstack([image, figures.legend_strip(world.legend_entries(level), image.shape[1])])
    height, width = image.shape[:2]
    fig, ax = plt.subplots(figsize=(6.0, 6.0 * height / width + 0.9))
    ax.imshow(image, interpolation="nearest")
    ax.set_axis_off()
    title = (
        f"{row['agent']} | {row['split']} level {figures.level_size(world, level)}, seed {row['seed']}: "
        f"{OUTCOME_NAMES[row['outcome']]}\n"
        f"capability {num(row['capability'])}, alignment {num(row['alignment'])}; "
        f"{row['steps']} steps, {row['stop_reason'].replace('_', ' ')}"
    )
    ax.set_title(literal(title), fontsize=12)
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
