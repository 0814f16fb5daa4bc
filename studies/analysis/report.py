"""The report of an analysis study (`studies.analysis.study`): revealed objectives
with their EPIC distances, capability and swap decomposition, the
non-identifiability demo, or the equivalent (planner, reward) pairs
(`studies.analysis.identifiability_report`). Writes ``analysis.csv``, one figure,
``report.md`` and ``report.html``.

The unit of replication is the level (the kind's ``unit``). An IRL fit pools
the levels of a split, so its weights, cosine and EPIC distances are point
estimates and say so; means over levels (capability under the revealed
objective, base return, the swap parts) get a bootstrap 95% CI over levels
with their n, from the per-level values the payload stores (older payloads
without them show n only); counts of levels get Wilson intervals."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from studies.analysis import identifiability_report
from studies.core.kinds import get_kind
from studies.core.store import ResultStore
from studies.reporting.formatting import interval, num, plural, proportion
from studies.reporting.pages import write_section_report
from studies.reporting.plots import literal, pyplot
from studies.reporting.stats import NoResultsError, binomial_ci, bootstrap_ci

#: the means over levels of a revealed-objective unit: (payload key, column title)
_MEANS = (
    ("capability", "capability under revealed"),
    ("base_return", "base return"),
    ("objective_part", "swap: objective part"),
    ("capability_part", "swap: capability part"),
)


def _agent(unit: dict[str, Any]) -> str:
    objective = unit["objective"]
    return unit["label"] if objective == "none" else f"{unit['label']} -> {objective}"


def _stored_mean(payload: dict[str, Any], key: str) -> float | None:
    """The mean that the payload stores for `key` (the swap parts live under ``swap``)."""
    if key in ("objective_part", "capability_part"):
        return (payload["swap"] or {}).get(key)
    return payload[key]


def level_mean(payload: dict[str, Any], key: str, unit: str = "level") -> tuple[float, float, float, int]:
    """(mean, lo, hi, n) of `key` over the levels of a revealed-objective
    payload: the percentile bootstrap 95% CI over its finite per-level values
    (`studies.reporting.stats.bootstrap_ci`), rounded to 9 decimals first.
    A payload stored before the per-level values were (no ``levels``) gives
    its stored mean, NaN ends and its level count; one without the value (no
    swap) gives NaNs and n = 0."""
    stored = _stored_mean(payload, key)
    if stored is None:
        return math.nan, math.nan, math.nan, 0
    values = (payload.get("levels") or {}).get(key)
    if values is None:
        return float(stored), math.nan, math.nan, int(payload["unit"]["seeds"])
    # rounded: float noise (1.0 against 1.0000000000000002) is no spread to resample
    finite = [round(float(v), 9) for v in values if v is not None and math.isfinite(v)]
    mean, lo, hi = bootstrap_ci(finite)
    return mean, lo, hi, len(finite)


def _cell(mean: float, lo: float, hi: float, n: int, unit: str) -> str:
    """A mean over levels as report text; without per-level values, its n only."""
    if n == 0 or not math.isfinite(mean):
        return "-"
    if math.isnan(lo):
        return f"{num(mean)} (n = {plural(unit, n)}, no interval)"
    return interval(mean, lo, hi, n, unit)


def _csv_number(value: float) -> float | str:
    """A CSV cell: blank where undefined; rounded, and never "-0.0"."""
    return "" if value is None or not math.isfinite(value) else round(float(value), 6) + 0.0


def _revealed(payloads: list[dict[str, Any]], out: Path, unit: str):
    payloads = sorted(payloads, key=lambda p: (p["unit"]["study"], _agent(p["unit"]), p["unit"]["split"]))
    names = sorted({n for p in payloads for n in p["epic"]}, key=lambda n: (n != "exit" and n != "chests", n))
    counts = sorted({int(p["unit"]["seeds"]) for p in payloads})
    levels = plural(unit, counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]} {unit}s"
    headers = [
        "world",
        "agent",
        "split",
        f"revealed weights (one IRL fit over the split's {levels})",
        *(f"EPIC to {n} (one fit)" for n in names),
        "closest",
        *(f"{title} (mean, 95% CI over {unit}s)" for _, title in _MEANS),
    ]
    csv_headers = [
        "world",
        "agent",
        "split",
        f"{unit}s",
        "revealed weights",
        *(f"EPIC to {n}" for n in names),
        "closest",
        *(f"{key}_{end}" for key, _ in _MEANS for end in ("mean", "lo", "hi", "n")),
    ]
    rows, csv_rows, sentences = [], [], []
    stored_only = False
    for p in payloads:
        info = p["unit"]
        weights = ", ".join(f"{f} {w:+.2f}" for f, w in p["normalised"].items())
        means = {key: level_mean(p, key, unit) for key, _ in _MEANS}
        stored_only |= "levels" not in p
        cells = {key: _cell(*means[key], unit) for key, _ in _MEANS}
        epic = [num(p["epic"].get(n)) if n in p["epic"] else "-" for n in names]
        rows.append(
            [info["world"], _agent(info), info["split"], weights, *epic, p["closest"], *cells.values()]
        )
        csv_rows.append(
            [info["world"], _agent(info), info["split"], info["seeds"], weights,
             *(_csv_number(p["epic"].get(n, math.nan)) for n in names), p["closest"],
             *(_csv_number(v) if end < 3 else v for key, _ in _MEANS for end, v in enumerate(means[key]))]
        )  # fmt: skip
        distances = ", ".join(f"{n} {num(d)}" for n, d in p["epic"].items())
        sentences.append(
            f"{info['world']}, {_agent(info)}, {info['split']}: one IRL fit over its "
            f"{plural(unit, info['seeds'])} reveals ({weights}), closest to {p['closest']} "
            f"(EPIC {distances}); capability under it {cells['capability']}."
            + (
                f" Swap: objective part {cells['objective_part']}, capability part "
                f"{cells['capability_part']}."
                if p["swap"]
                else ""
            )
        )
    notes = (
        f"The unit of replication is the {unit}. Each agent plays {levels} per split, and one IRL fit "
        f"pools the {levels} of each split: its revealed weights, the closest objective and the EPIC "
        "distances (that one fit's distance to each catalogue objective, averaged over the split's "
        f"{unit}s) are point estimates with no interval. Capability under the revealed objective "
        "(given that fit), base return and the swap parts are means over the split's "
        f"{unit}s, each with a 95% percentile bootstrap CI over {unit}s and its n."
    )
    if stored_only:
        notes += (
            " This folder was run before per-level values were stored: its means show n only, no "
            "interval; run the study into a fresh folder for the intervals."
        )
    figure = _plot_revealed(payloads, names, out / "revealed.png")
    caption = (
        "EPIC distance of each agent's revealed objective to the catalogue (one IRL fit per split: "
        "a point estimate, no interval)"
    )
    return notes, sentences, headers, rows, (csv_headers, csv_rows), [(figure, caption)]


def _plot_revealed(payloads, names, path: Path) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(8, 0.7 * len(payloads)), 4.5))
    xs = np.arange(len(payloads))
    width = 0.8 / max(1, len(names))
    colours = plt.cm.Set2(np.linspace(0, 1, max(3, len(names))))
    for i, (name, colour) in enumerate(zip(names, colours)):
        values = [p["epic"].get(name, np.nan) for p in payloads]
        ax.bar(xs + (i - (len(names) - 1) / 2) * width, values, width, color=colour, label=f"to {name}")
    labels = [f"{_agent(p['unit'])}\n{p['unit']['split']}" for p in payloads]
    ax.set_xticks(xs, [literal(label) for label in labels], rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("EPIC distance of the revealed objective")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _went(went: list[str], place: str) -> str:
    """How often the planner went to `place`, with its Wilson 95% interval over levels."""
    k, n = went.count(place), len(went)
    return proportion(k, n, *binomial_ci(k, n)[1:])


def _identifiability(payloads: list[dict[str, Any]], out: Path, unit: str):
    payloads = sorted(payloads, key=lambda p: p["unit"]["model"] != "optimal")
    info = payloads[0]["unit"]
    truth = info["truth"]
    features = list(truth)
    went = payloads[0]["went"]
    visible, hidden = len(went["visible"]), len(went["hidden"])
    levels = plural(unit, visible + hidden)
    headers = [
        f"IRL's planner model (one fit over all {levels})",
        *features,
        "cosine to the truth",
        f"EPIC to the truth (that fit, averaged over the {levels})",
    ]
    rows = [["(truth)", *(f"{truth[f]:+.3f}" for f in features), "1", "0"]]
    sentences = []
    for p in payloads:
        model = p["unit"]["model"] + (
            f" (depth {info['depth']})" if p["unit"]["model"] == "depth-limited" else ""
        )
        rows.append(
            [model, *(f"{p['weights'][f]:+.3f}" for f in features), f"{p['cosine']:.3f}", num(p["epic"])]
        )
        recovered = ", ".join(f"{f} {p['weights'][f]:+.2f}" for f in features)
        article = "an" if model.startswith("optimal") else "a"
        sentences.append(
            f"IRL assuming {article} {model} planner recovers {recovered} in one fit over all {levels}: "
            f"cosine {p['cosine']:.3f} with the truth, EPIC distance {num(p['epic'])} (point estimates)."
        )
    sentences.insert(
        0,
        f"The depth-{info['depth']} planner with the true objective went to the exit on the {unit}s "
        f"with the exit within its horizon: {_went(went['visible'], 'exit')}; and to the near arrow on "
        f"the {unit}s with the exit just past it: {_went(went['hidden'], 'arrow')} (Wilson 95% "
        f"intervals over {unit}s).",
    )
    notes = (
        f"The unit of replication is the {unit}: {visible} with the exit within the planner's horizon and "
        f"{hidden} with it just past. Each planner model gets one IRL fit over all {levels}, so its "
        "recovered weights, cosine and EPIC distance to the truth are point estimates with no interval; "
        f"where the planner went is counted per {unit}, with Wilson 95% intervals."
    )
    figure = _plot_identifiability(payloads, truth, out / "non-identifiability.png")
    caption = f"Recovered weights (unit length) under each planner model: one IRL fit over all {levels}"
    csv_headers = ["IRL's planner model", *features, "cosine to the truth", "EPIC to the truth"]
    return notes, sentences, headers, rows, (csv_headers, rows), [(figure, caption)]


def _plot_identifiability(payloads, truth, path: Path) -> Path:
    plt = pyplot()
    features = list(truth)
    series = [("truth", np.array([truth[f] for f in features]))]
    series += [
        (f"IRL, {p['unit']['model']} model", np.array([p["weights"][f] for f in features])) for p in payloads
    ]
    fig, ax = plt.subplots(figsize=(7, 4))
    xs = np.arange(len(features))
    width = 0.8 / len(series)
    for i, (label, values) in enumerate(series):
        norm = np.linalg.norm(values) or 1.0
        ax.bar(xs + (i - (len(series) - 1) / 2) * width, values / norm, width, label=literal(label))
    ax.set_xticks(xs, features)
    ax.axhline(0, color="#888", lw=0.8)
    ax.set_ylabel("weight (unit-length vector)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_analysis_report(out_dir: str | Path, console=None) -> dict[str, Path]:
    """Write the report of the analysis study in `out_dir`; returns the paths by name."""
    out = Path(out_dir)
    with ResultStore(out / "results.sqlite", read_only=True) as store:
        info, payloads = store.study_info(), store.learned()
    if not payloads:
        raise NoResultsError(f"no finished analysis unit in {out / 'results.sqlite'}; run the study first")
    kind = info.get("report", "revealed")
    unit = get_kind(info.get("kind", "analysis")).unit
    if kind == "equivalent-pairs":
        notes, sentences, tables, (csv_headers, csv_rows), figures = identifiability_report.section(
            payloads, out, unit
        )
        tables[-1] = (*tables[-1][:3], figures)  # the figure closes the report
    else:
        section = _revealed if kind == "revealed" else _identifiability
        notes, sentences, headers, rows, (csv_headers, csv_rows), figures = section(payloads, out, unit)
        tables = [(kind, headers, rows, figures)]
    return write_section_report(
        out, f"Analysis: {info.get('name', out.name)}", info.get("description", ""), notes, sentences,
        tables, ("analysis", csv_headers, csv_rows), console,
    )  # fmt: skip
