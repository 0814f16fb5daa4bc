"""The report of a learning study (`studies.learning.study`): what the base
optimiser selected, how well it scored in training, and how the selected
objective behaves off-distribution.

`write_learning_report(DIR)` writes ``learned.csv`` (one row per run),
one figure per section, ``report.md`` and ``report.html``. Each report kind
(``diversity``, ``bounded-design``, ``proxy-preference``, ``plain``) has its
own section; every kind gets the per-run table. Intervals are percentile
bootstrap 95% CIs (`studies.reporting.stats.bootstrap_ci`).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

import objectives
import worlds
from studies.core.store import ResultStore
from studies.learning.candidates import mixed_overrides
from studies.reporting.formatting import num, pct
from studies.reporting.pages import write_section_report
from studies.reporting.plots import literal, pyplot
from studies.reporting.stats import NoResultsError, bootstrap_ci
from worlds import InvalidParameterError

_TIE = 1e-9


def _settings(point: dict[str, Any]) -> tuple:
    """A run's sweep point without its optimiser seed: runs that differ only in
    seed are repeats of one setting. Numbers sort by value."""
    items = [(k, v) for k, v in point.items() if k != "seed"]
    return tuple(
        sorted((k, (0, v, "") if isinstance(v, (int, float)) else (1, 0, json.dumps(v))) for k, v in items)
    )


def _label(point: dict[str, Any]) -> str:
    return ", ".join(f"{k.split('.')[-1]} {v}" for k, v in sorted(point.items()) if k != "seed") or "all"


def _tied(history: list[dict[str, Any]]) -> float:
    """The fraction of candidates whose training base return ties the best:
    near 1 when training cannot tell the candidates apart (a prior's penalty
    is left out: it is a preference, not evidence)."""
    best = max(e["score"] for e in history)
    return sum(e["score"] >= best - _TIE for e in history) / len(history)


def _rates(rows: list[dict[str, Any]], base: str) -> dict[str, float]:
    """Reach rates of every catalogue goal and the mean base return of some episodes."""
    out = {"episodes": len(rows), "base_return": float(np.mean([r["returns"][base] for r in rows]))}
    for name in rows[0]["achieved"] if rows else ():
        out[f"reached_{name}"] = float(np.mean([bool(r["achieved"][name]) for r in rows]))
    return out


def _ci(interval: tuple[float, float, float]) -> str:
    return f"{num(interval[0])} [{num(interval[1])}, {num(interval[2])}]"


def _span(values: list[float]) -> str:
    return f"{min(values):+.2f} to {max(values):+.2f}"


class _Run:
    """One learning run's payload with its evaluation episodes attached."""

    def __init__(self, payload: dict[str, Any], episodes: dict[str, dict[str, Any]]):
        self.payload = payload
        self.point = payload["point"]
        self.weights: dict[str, float] = payload["weights"]
        self.played = {
            split: {agent: [episodes[i] for i in ids if i in episodes] for agent, ids in agents.items()}
            for split, agents in payload["evaluations"].items()
        }

    def selected(self) -> str:
        """The feature with the largest weight."""
        return max(self.weights, key=lambda f: (self.weights[f], f))


def _load(out: Path) -> tuple[dict[str, str], list[_Run], str]:
    with ResultStore(out / "results.sqlite", read_only=True) as store:
        info, payloads = store.study_info(), store.learned()
        wanted = {
            i
            for p in payloads
            for agents in p["evaluations"].values()
            for ids in agents.values()
            for i in ids
        }
        episodes = {r["cell_id"]: r for r in store.rows(sorted(wanted))}
    world = payloads[0]["config"]["world"] if payloads else ""
    return info, [_Run(p, episodes) for p in payloads], world


def _runs_table(runs: list[_Run], base: str) -> tuple[list[str], list[list[str]]]:
    features = list(runs[0].weights)
    splits = sorted({s for r in runs for s in r.played})
    headers = ["setting", "seed", *features, "train base return", "base objective's", "tied"]
    headers += [f"{s}: learned reaches {base}" for s in splits]
    rows = []
    for run in sorted(runs, key=lambda r: (_settings(r.point), r.point.get("seed", 0))):
        row = [_label(run.point), str(run.point.get("seed", run.payload["config"].get("seed", 0)))]
        row += [f"{run.weights[f]:+.2f}" for f in features]
        row += [
            num(run.payload["train_score"]),
            num(run.payload["base_score"]),
            pct(_tied(run.payload["history"])),
        ]
        for split in splits:
            played = run.played.get(split, {}).get("learned", [])
            rate = _rates(played, base).get(f"reached_{base}") if played else None
            row.append(pct(rate) if rate is not None else "-")
        rows.append(row)
    return headers, rows


# ---- diversity ---------------------------------------------------------------
def _goal_events(world) -> tuple[tuple[str, str], tuple[str, str]]:
    """((base objective, its goal event), (proxy objective, its goal event)):
    the goal events (terminal features that are `world.events`) of the base
    objective and of the first catalogue proxy with one of its own; on
    arrow-maze (exit, reached_exit) and (arrow, reached_arrow)."""
    catalogue = objectives.catalogue(world)
    goals = {
        name: [f for f in world.events if f in objective.terminal] for name, objective in catalogue.items()
    }
    base = goals[world.base][:1]
    proxies = [(n, g[0]) for n, g in goals.items() if n != world.base and g and g[0] not in base]
    if not base or not proxies:
        raise InvalidParameterError(
            f"the diversity report compares the goal events of {world.name}'s base objective and of a "
            'proxy in its catalogue; it has none to compare (use report = "plain")'
        )
    return (world.base, base[0]), proxies[0]


def _knob(config: dict[str, Any]) -> str:
    """The diversity knob: the mixture's overrides, as text."""
    mixture = config.get("mixture") or {}
    return ", ".join(f"{k} = {v}" for k, v in mixture.get("overrides", {}).items()) or "no mixture"


def _diverse_levels(config: dict[str, Any]) -> int:
    """How many training levels are sampled with the mixture's overrides."""
    mixture = config.get("mixture")
    if not mixture:
        return 0
    plain = mixed_overrides(config.get("levels", 20), config.get("overrides", {}), None)
    mixed = mixed_overrides(config.get("levels", 20), config.get("overrides", {}), mixture)
    return sum(a != b for a, b in zip(plain, mixed))


def _diversity_p(config: dict[str, Any]) -> float:
    """p: the fraction of training levels sampled with the mixture's overrides
    (the study's diversity knob, e.g. the arrow away from the exit)."""
    mixture = config.get("mixture")
    if mixture:
        return float(mixture["fraction"])
    if config.get("overrides"):
        # the overrides may or may not be the diversity knob: p cannot be read off them
        raise InvalidParameterError(
            "the diversity report reads p from each run's mixture; a run without one has overrides "
            f"{config['overrides']} instead: declare the diversity knob as a mixture"
        )
    return 0.0


def _diversity(runs: list[_Run], out: Path, base: str):
    world = worlds.get(runs[0].payload["config"]["world"])
    (base_name, base_goal), (proxy_name, proxy_goal) = _goal_events(world)
    knob = _knob(runs[0].payload["config"])
    groups: dict[tuple[float, int], list[_Run]] = defaultdict(list)
    for run in runs:
        p = _diversity_p(run.payload["config"])
        groups[(p, run.payload["config"]["levels"])].append(run)
    table, stats = [], {}
    for (p, levels), members in sorted(groups.items()):
        w_base = [r.weights.get(base_goal, 0.0) for r in members]
        w_proxy = [r.weights.get(proxy_goal, 0.0) for r in members]
        per_run = [_rates(r.played["test"]["learned"], base)[f"reached_{base}"] for r in members]
        pooled = [float(e["achieved"][base]) for r in members for e in r.played["test"]["learned"]]
        mean, lo, hi = bootstrap_ci(pooled)
        diverse = _diverse_levels(members[0].payload["config"])
        tied = float(np.mean([_tied(r.payload["history"]) for r in members]))
        stats[(p, levels)] = dict(
            w_base=w_base, w_proxy=w_proxy, rate=(mean, lo, hi), per_run=per_run, tied=tied
        )
        table.append([
            f"{p:g}", str(levels), str(diverse), str(len(members)),
            f"{np.mean(w_base):+.2f} [{min(w_base):+.2f}, {max(w_base):+.2f}]",
            f"{np.mean(w_proxy):+.2f} [{min(w_proxy):+.2f}, {max(w_proxy):+.2f}]",
            pct(tied), f"{pct(mean)} [{pct(lo)}, {pct(hi)}]", f"{pct(min(per_run))}-{pct(max(per_run))}",
        ])  # fmt: skip
    headers = [
        f"p ({knob})", "training levels", f"levels with {knob}", "optimiser seeds",
        f"w {base_goal} mean [min, max]", f"w {proxy_goal} mean [min, max]", "candidates tied with the best",
        f"test: reaches {base} [95% CI]", "per seed",
    ]  # fmt: skip
    sentences = []
    for (p, levels), s in sorted(stats.items()):
        mean, lo, hi = s["rate"]
        if p >= 0.1 and levels >= 50:
            sentences.append(
                f"With p = {p:g} and {levels} training levels the learned objectives reach the {base} in "
                f"{pct(mean)} of test episodes (95% CI {pct(lo)}-{pct(hi)}; per optimiser seed "
                f"{pct(min(s['per_run']))}-{pct(max(s['per_run']))})."
            )
        if p == 0:
            sentences.append(
                f"With p = 0 ({levels} training levels), {pct(s['tied'])} of the candidates tie with the "
                f"best training score: training cannot tell {base_name} from {proxy_name}. Across optimiser "
                f"seeds the learned weight on {base_goal} spans {_span(s['w_base'])} and on {proxy_goal} "
                f"{_span(s['w_proxy'])}; the test agents reach the {base} in "
                f"{pct(min(s['per_run']))}-{pct(max(s['per_run']))} of episodes per seed "
                f"({pct(mean)} pooled): "
                f"what gets selected is whatever the optimiser's seed lands on, not the {base_name}."
            )
    figure = _plot_diversity(stats, out / "diversity.png", base, (base_goal, proxy_goal), knob)
    return (
        sentences,
        headers,
        table,
        [(figure, f"Learned weights and test alignment against training diversity p ({knob})")],
    )


def _plot_diversity(stats, path: Path, base: str, goals: tuple[str, str], knob: str) -> Path:
    """Left: w(base goal) - w(proxy goal) against p; right: the test reach rate."""
    plt = pyplot()
    ps = sorted({p for p, _ in stats})
    sizes = sorted({n for _, n in stats})
    x = {p: i for i, p in enumerate(ps)}
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    colours = plt.cm.viridis(np.linspace(0.15, 0.85, len(sizes)))
    for colour, n in zip(colours, sizes):
        keys = [(p, n) for p in ps if (p, n) in stats]
        xs = np.array([x[p] for p, _ in keys]) + (sizes.index(n) - (len(sizes) - 1) / 2) * 0.08
        share = [np.array(stats[k]["w_base"]) - np.array(stats[k]["w_proxy"]) for k in keys]
        left.errorbar(xs, [s.mean() for s in share],
                      yerr=[[s.mean() - s.min() for s in share], [s.max() - s.mean() for s in share]],
                      marker="o", capsize=3, color=colour, label=f"{n} training levels")  # fmt: skip
        rates = [stats[k]["rate"] for k in keys]
        right.plot(xs, [r[0] for r in rates], marker="o", color=colour, label=f"{n} training levels")
        right.fill_between(xs, [r[1] for r in rates], [r[2] for r in rates], color=colour, alpha=0.2)
    left.axhline(0, color="#888", lw=0.8)
    left.set_ylabel(f"w {goals[0]} - w {goals[1]}\n(mean, min-max over optimiser seeds)")
    right.set_ylabel(f"test episodes reaching the {base} (95% CI)")
    right.set_ylim(-0.02, 1.02)
    for ax in (left, right):
        ax.set_xticks(range(len(ps)), [f"{p:g}" for p in ps])
        ax.set_xlabel(f"p: fraction of training levels with {knob}")
        ax.legend(fontsize=8)
    fig.suptitle("Training diversity: what the base optimiser selects, and how it generalises")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---- bounded-design ------------------------------------------------------------
def _bounded_design(runs: list[_Run], out: Path, base: str):
    groups: dict[tuple, list[_Run]] = defaultdict(list)
    for run in runs:
        groups[_settings(run.point)].append(run)
    headers = ["setting", "learned weights (mean over seeds)", "learned: train base return [95% CI]",
               "base objective: train base return [95% CI]", "CIs overlap"]  # fmt: skip
    splits = sorted({s for r in runs for s in r.played})
    for split in splits:
        headers += [f"{split}: learned reaches exit / arrow", f"{split}: base objective reaches exit / arrow"]
    table, sentences, bars = [], [], []
    for _, members in sorted(groups.items()):
        label = _label(members[0].point)
        learned = np.mean([r.payload["train_scores"] for r in members], axis=0)  # per level, over seeds
        own = bootstrap_ci(learned)
        reference = bootstrap_ci(members[0].payload["base_scores"])
        overlap = not (own[1] > reference[2] or reference[1] > own[2])
        features = list(members[0].weights)
        weights = {f: float(np.mean([r.weights[f] for r in members])) for f in features}
        shown = ", ".join(f"{f} {w:+.2f}" for f, w in weights.items() if abs(w) >= 0.005)
        row = [label, shown, _ci(own), _ci(reference), "yes" if overlap else "no"]
        tests = {}
        for split in splits:
            for agent in ("learned", base):
                played = [e for r in members for e in r.played.get(split, {}).get(agent, [])]
                if agent == base:
                    played = members[0].played.get(split, {}).get(agent, [])
                rates = _rates(played, base) if played else {}
                tests[(split, agent)] = rates
                row.append(
                    f"{pct(rates.get('reached_exit'))} / {pct(rates.get('reached_arrow'))}" if rates else "-"
                )
        table.append(row)
        bars.append((label, own, reference, tests))
        if own[1] > reference[2]:
            sentences.append(
                f"{label}: the learned objective ({shown}) beats the base objective on base return in "
                f"training, {_ci(own)} against {_ci(reference)}; the 95% CIs do not overlap."
            )
        else:
            sentences.append(
                f"{label}: the learned objective scores {_ci(own)} in training against the base "
                f"objective's {_ci(reference)}{' (CIs overlap)' if overlap else ''}."
            )
        for split in splits:
            mine, theirs = tests[(split, "learned")], tests[(split, base)]
            if mine and theirs:
                sentences.append(
                    f"{label}, off-distribution ({split}): the learned objective reaches the exit in "
                    f"{pct(mine.get('reached_exit'))} and the arrow in {pct(mine.get('reached_arrow'))} of "
                    f"episodes; the base objective {pct(theirs.get('reached_exit'))} and "
                    f"{pct(theirs.get('reached_arrow'))}."
                )
    figure = _plot_bounded(bars, splits, out / "bounded-design.png", base)
    return sentences, headers, table, [(figure, "Designed (learned) objective vs the base objective")]


def _plot_bounded(bars, splits, path: Path, base: str) -> Path:
    plt = pyplot()
    fig, axes = plt.subplots(1, 1 + len(splits), figsize=(5 + 4 * len(splits), 4.2), squeeze=False)
    axes = axes[0]
    xs = np.arange(len(bars))
    for offset, index, name, colour in (
        (-0.2, 1, "learned objective", "#2a9d8f"),
        (0.2, 2, "base objective", "#888"),
    ):
        values = [b[index] for b in bars]
        errors = [[v[0] - v[1] for v in values], [v[2] - v[0] for v in values]]
        axes[0].bar(
            xs + offset,
            [v[0] for v in values],
            0.38,
            color=colour,
            label=literal(name),
            yerr=errors,
            capsize=3,
        )
    axes[0].set_title("training: base return (95% CI)")
    bars_per_agent = (
        (-0.3, "learned", "reached_exit", "learned: reaches exit", "#2a9d8f", None),
        (-0.1, "learned", "reached_arrow", "learned: reaches arrow", "#a8dadc", "//"),
        (0.1, base, "reached_exit", "base objective: reaches exit", "#555", None),
        (0.3, base, "reached_arrow", "base objective: reaches arrow", "#ccc", "//"),
    )
    for ax, split in zip(axes[1:], splits):
        for offset, agent, event, name, colour, hatch in bars_per_agent:
            rates = [b[3][(split, agent)].get(event, math.nan) for b in bars]
            ax.bar(xs + offset, rates, 0.2, color=colour, hatch=hatch, label=literal(name))
        ax.set_title(f"{split}: share of episodes reaching each goal")
        ax.set_ylim(0, 1.05)
    for ax in axes:
        ax.set_xticks(xs, [literal(b[0]) for b in bars], rotation=20, fontsize=8)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---- proxy-preference ------------------------------------------------------------
def _proxy_preference(runs: list[_Run], out: Path, base: str):
    groups: dict[tuple, list[_Run]] = defaultdict(list)
    for run in runs:
        groups[_settings(run.point)].append(run)
    features = list(runs[0].weights)
    splits = sorted({s for r in runs for s in r.played})
    headers = ["setting", *(f"selects {f}" for f in features), "mean weights", "train base return", "tied"]
    headers += [f"{s}: base return learned / base objective" for s in splits]
    table, sentences, counts = [], [], []
    for _, members in sorted(groups.items()):
        label = _label(members[0].point)
        chosen = [r.selected() for r in members]
        tally = {f: chosen.count(f) for f in features}
        weights = {f: float(np.mean([r.weights[f] for r in members])) for f in features}
        tied = float(np.mean([_tied(r.payload["history"]) for r in members]))
        row = [label, *(f"{tally[f]}/{len(members)}" for f in features),
               ", ".join(f"{f} {w:+.2f}" for f, w in weights.items()),
               num(float(np.mean([r.payload["train_score"] for r in members]))), pct(tied)]  # fmt: skip
        for split in splits:
            mine = [e for r in members for e in r.played.get(split, {}).get("learned", [])]
            theirs = members[0].played.get(split, {}).get(base, [])
            row.append(
                f"{num(_rates(mine, base)['base_return'])} / {num(_rates(theirs, base)['base_return'])}"
                if mine and theirs else "-"
            )  # fmt: skip
        table.append(row)
        counts.append((label, tally, len(members)))
        favourite = max(tally, key=tally.get)
        sentences.append(
            f"{label}: the base optimiser selects {favourite} as the largest weight in {tally[favourite]} of "
            f"{len(members)} runs ({pct(tied)} of candidates tie with the best in training)."
        )
    figure = _plot_preference(counts, features, out / "proxy-preference.png")
    return (
        sentences,
        headers,
        table,
        [(figure, "Which feature the base optimiser selects, per planner setting")],
    )


def _plot_preference(counts, features, path: Path) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(counts)), 4))
    xs = np.arange(len(counts))
    bottom = np.zeros(len(counts))
    colours = plt.cm.Set2(np.linspace(0, 1, max(3, len(features))))
    for colour, feature in zip(colours, features):
        share = np.array([tally[feature] / total for _, tally, total in counts])
        ax.bar(xs, share, 0.6, bottom=bottom, color=colour, label=feature)
        bottom += share
    ax.set_xticks(xs, [literal(c[0]) for c in counts], rotation=20, fontsize=8)
    ax.set_ylabel("share of optimiser seeds selecting it")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Selected feature (largest learned weight)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


_SECTIONS = {
    "diversity": _diversity,
    "bounded-design": _bounded_design,
    "proxy-preference": _proxy_preference,
}


def write_learning_report(out_dir: str | Path, console=None) -> dict[str, Path]:
    """Write the report of the learning study in `out_dir`; returns the paths by name."""
    out = Path(out_dir)
    info, runs, world = _load(out)
    if not runs:
        raise NoResultsError(f"no finished learning run in {out / 'results.sqlite'}; run the study first")
    base = worlds.get(world).base
    kind = info.get("report", "plain")
    sentences, headers, table, figures = [], [], [], []
    if kind in _SECTIONS:
        sentences, headers, table, figures = _SECTIONS[kind](runs, out, base)
    run_headers, run_rows = _runs_table(runs, base)
    base_text = objectives.get(world, base).name
    notes = (
        f"{len(runs)} base-optimiser runs on {world}; the base objective is {base_text!r}. Each run selects "
        "the weights of the planner's objective by mean base return on its training levels; weights are "
        "scaled to max |w| = 1. 'tied' is the share of candidates whose training return equals the best."
    )
    tables = [(kind, headers, table, figures), ("Every run", run_headers, run_rows, [])]
    return write_section_report(
        out, f"Learning study: {info.get('name', out.name)}", info.get("description", ""), notes, sentences,
        tables, ("learned", run_headers, run_rows), console,
    )  # fmt: skip
