"""The report of an analysis study (`studies.analysis.study`): revealed objectives
with their EPIC distances, capability and swap decomposition, or the
non-identifiability demo. Writes ``analysis.csv``, one figure,
``report.md`` and ``report.html``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from studies.core.store import ResultStore
from studies.reporting.formatting import num
from studies.reporting.pages import write_section_report
from studies.reporting.plots import literal, pyplot
from studies.reporting.stats import NoResultsError


def _agent(unit: dict[str, Any]) -> str:
    objective = unit["objective"]
    return unit["label"] if objective == "none" else f"{unit['label']} -> {objective}"


def _revealed(payloads: list[dict[str, Any]], out: Path):
    payloads = sorted(payloads, key=lambda p: (p["unit"]["study"], _agent(p["unit"]), p["unit"]["split"]))
    names = sorted({n for p in payloads for n in p["epic"]}, key=lambda n: (n != "exit" and n != "chests", n))
    headers = [
        "world",
        "agent",
        "split",
        "revealed weights",
        *(f"EPIC to {n}" for n in names),
        "closest",
        "capability under revealed",
        "base return",
        "swap: objective part",
        "swap: capability part",
    ]
    rows, sentences = [], []
    for p in payloads:
        unit = p["unit"]
        weights = ", ".join(f"{f} {w:+.2f}" for f, w in p["normalised"].items())
        swap = p["swap"] or {}
        rows.append(
            [
                unit["world"],
                _agent(unit),
                unit["split"],
                weights,
                *(num(p["epic"].get(n)) if n in p["epic"] else "-" for n in names),
                p["closest"],
                num(p["capability"]),
                num(p["base_return"]),
                num(swap.get("objective_part")) if swap else "-",
                num(swap.get("capability_part")) if swap else "-",
            ]
        )
        epic = ", ".join(f"{n} {num(d)}" for n, d in p["epic"].items())
        sentences.append(
            f"{unit['world']}, {_agent(unit)}, {unit['split']}: the revealed objective ({weights}) is "
            "closest to "
            f"{p['closest']} (EPIC {epic}); capability under it {num(p['capability'])}."
            + (
                f" Swap: objective part {num(swap['objective_part'])}, capability part "
                f"{num(swap['capability_part'])}."
                if swap
                else ""
            )
        )
    figure = _plot_revealed(payloads, names, out / "revealed.png")
    return (
        sentences,
        headers,
        rows,
        [(figure, "EPIC distance of each agent's revealed objective to the catalogue")],
    )


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


def _identifiability(payloads: list[dict[str, Any]], out: Path):
    payloads = sorted(payloads, key=lambda p: p["unit"]["model"] != "optimal")
    unit = payloads[0]["unit"]
    truth = unit["truth"]
    features = list(truth)
    headers = ["IRL's planner model", *features, "cosine to the truth", "EPIC to the truth"]
    rows = [["(truth)", *(f"{truth[f]:+.3f}" for f in features), "1", "0"]]
    sentences = []
    for p in payloads:
        model = p["unit"]["model"] + (
            f" (depth {unit['depth']})" if p["unit"]["model"] == "depth-limited" else ""
        )
        rows.append(
            [model, *(f"{p['weights'][f]:+.3f}" for f in features), f"{p['cosine']:.3f}", num(p["epic"])]
        )
        recovered = ", ".join(f"{f} {p['weights'][f]:+.2f}" for f in features)
        article = "an" if model.startswith("optimal") else "a"
        sentences.append(
            f"IRL assuming {article} {model} planner recovers {recovered}: "
            f"cosine {p['cosine']:.3f} with the truth, EPIC distance {num(p['epic'])}."
        )
    went = payloads[0]["went"]
    sentences.insert(
        0,
        (
            f"The depth-{unit['depth']} planner with the true objective went to the exit on "
            f"{went['visible'].count('exit')} of {len(went['visible'])} levels with the exit within its "
            f"horizon, and to the near arrow on {went['hidden'].count('arrow')} of {len(went['hidden'])} "
            "levels with the exit just past it."
        ),
    )
    figure = _plot_identifiability(payloads, truth, out / "non-identifiability.png")
    return sentences, headers, rows, [(figure, "Recovered weights (unit length) under each planner model")]


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
    section = _revealed if kind == "revealed" else _identifiability
    sentences, headers, rows, figures = section(payloads, out)
    return write_section_report(
        out, f"Analysis: {info.get('name', out.name)}", info.get("description", ""), "", sentences,
        [(kind, headers, rows, figures)], ("analysis", headers, rows), console,
    )  # fmt: skip
