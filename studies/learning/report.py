"""The report of a learning study (`studies.learning.study`): what the base
optimiser selected, how well it scored in-sample (on the training levels
selection saw), on held-out levels of the training distribution and on the
evaluation splits, each against the base objective on the same levels.

`write_learning_report(DIR)` writes ``learned.csv`` (one row per run),
``learning-tests.csv`` (every test, in numbers), one figure per section,
``report.md`` and ``report.html``. Each report kind (``diversity``,
``bounded-design``, ``proxy-preference``, ``plain``) has its own section;
every kind gets the scores table and the per-run table.

The unit of replication is the optimiser seed, with levels nested in it
(`studies.learning.seedstats`): runs that differ only in their seed are
repeats of one setting; every interval is a percentile bootstrap over seeds
of each seed's mean over its levels; the learned and the base objective are
compared per seed with a paired permutation test; a share of seeds gets a
Wilson interval; all tests of a report are one Holm family. Findings are per
setting, never pooled.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import objectives
import worlds
from studies.learning import diversity
from studies.learning.runs import HELD_OUT, IN_SAMPLE, Run, group, label, load, tied
from studies.learning.scores import (
    RETURN,
    find,
    missing_held_out,
    scores_table,
    setting_tests,
    where_phrase,
    write_tests_csv,
)
from studies.learning.seedstats import UNIT, SeedTest, adjust, interval_text, seed_interval, smallest_p
from studies.reporting.formatting import num, pct, plural, proportion
from studies.reporting.pages import write_section_report
from studies.reporting.plots import literal, pyplot
from studies.reporting.stats import ALPHA, NoResultsError, binomial_ci


def _runs_table(runs: list[Run], base: str) -> tuple[list[str], list[list[str]]]:
    features = list(runs[0].weights)
    splits = sorted({s for r in runs for s in r.played})
    headers = ["setting", "seed", *features, "in-sample base return", "base objective's", "tied"]
    headers += ["held-out: learned base return", "held-out: base objective's"]
    headers += [f"{s}: learned reaches {base}" for s in splits]
    rows = []
    for members in group(runs).values():
        for run in members:
            row = [label(run.point), str(run.seed), *(f"{run.weights[f]:+.2f}" for f in features)]
            row += [
                num(run.payload["train_score"]),
                num(run.payload["base_score"]),
                pct(tied(run.payload["history"])),
            ]
            for agent in ("learned", base):
                values = run.values(HELD_OUT, agent, "return", base)
                row.append(num(float(np.mean(values))) if values else "not scored")
            for split in splits:
                values = run.values(split, "learned", "goal", base)
                row.append(pct(float(np.mean(values))) if values else "-")
            rows.append(row)
    return headers, rows


def _comparison(test: SeedTest | None, runs: list[Run]) -> str:
    """One place's comparison as a sentence clause."""
    if test is None:
        return ""
    return (
        f"{where_phrase(test.where, runs)}, the learned objective's {test.measure} is "
        f"{interval_text(test.first_ci)} against the base objective's {interval_text(test.second_ci)}; "
        f"learned - base {test.difference_short()}: {test.verdict()}"
    )


def _generalisation(name: str, members: list[Run], tests: list[SeedTest], base: str) -> list[str]:
    """Per setting: base return in-sample, held-out and on each split, learned against base."""
    sentences = []
    for where in (IN_SAMPLE, HELD_OUT, *sorted({s for r in members for s in r.played})):
        test = find(tests, name, where, RETURN)
        if test is not None:
            sentences.append(f"{name}: {_comparison(test, members)}.")
        elif where == HELD_OUT:
            sentences.append(f"{name}: not scored on held-out levels (runs stored before held-out scoring).")
    return sentences


# ---- bounded-design ------------------------------------------------------------
def _bounded_design(groups: dict[str, list[Run]], tests: list[SeedTest], out: Path, base: str, world):
    splits = sorted({s for members in groups.values() for r in members for s in r.played})
    headers = ["setting", "optimiser seeds", "learned weights (mean over seeds)",
               "in-sample (the levels selection saw): learned - base return",
               "held-out: learned - base return"]  # fmt: skip
    for split in splits:
        headers += [f"{split}: learned reaches exit / arrow", f"{split}: base objective reaches exit / arrow"]
    table, sentences, bars = [], [], []
    for name, members in groups.items():
        features = list(members[0].weights)
        weights = {f: float(np.mean([r.weights[f] for r in members])) for f in features}
        shown = ", ".join(f"{f} {w:+.2f}" for f, w in weights.items() if abs(w) >= 0.005)
        inside, held = find(tests, name, IN_SAMPLE, RETURN), find(tests, name, HELD_OUT, RETURN)
        row = [name, str(len(members)), shown, inside.difference_text() if inside else "-",
               held.difference_text() if held else "not scored on held-out levels"]  # fmt: skip
        reach = {}
        for split in splits:
            for agent in ("learned", base):
                text = []
                for event in ("exit", "arrow"):
                    clusters = [r.values(split, agent, "goal", event) for r in members]
                    clusters = [c for c in clusters if c]
                    reach[(split, agent, event)] = _reach_interval(clusters)
                    text.append(interval_text(reach[(split, agent, event)]) if clusters else "-")
                row.append(" / ".join(text))
        table.append(row)
        bars.append((name, inside, held, reach))
        if inside is not None and inside.differs() and inside.difference[0] > 0:
            sentences.append(
                f"{name}: the learned objective ({shown}) beats the base objective on base return; "
                f"{_comparison(inside, members)}."
            )
        elif inside is not None:
            sentences.append(f"{name}: learned weights {shown}; {_comparison(inside, members)}.")
        for where in (HELD_OUT, *splits):
            test = find(tests, name, where, RETURN)
            if test is None and where == HELD_OUT:
                sentences.append(
                    f"{name}: not scored on held-out levels (runs stored before held-out scoring)."
                )
            elif test is not None:
                sentences.append(f"{name}: {_comparison(test, members)}.")
        for split in splits:
            sentences.append(
                f"{name}, off-distribution ({split}): the learned objective reaches the exit in "
                f"{interval_text(reach[(split, 'learned', 'exit')])} and the arrow in "
                f"{interval_text(reach[(split, 'learned', 'arrow')])} of episodes (means over optimiser "
                f"seeds); the base objective {interval_text(reach[(split, base, 'exit')])} and "
                f"{interval_text(reach[(split, base, 'arrow')])}."
            )
    figure = _plot_bounded(bars, splits, out / "bounded-design.png", base)
    return sentences, headers, table, [(figure, "Designed (learned) objective vs the base objective")]


def _reach_interval(clusters):
    """The seed-clustered interval of some clusters ``[seeds][levels]`` (NaNs when none)."""
    return seed_interval(clusters) if clusters else (math.nan, math.nan, math.nan, 0)


def _plot_bounded(bars, splits, path: Path, base: str) -> Path:
    """Left: base return in-sample and held-out, learned and base objective
    (means over optimiser seeds, 95% CI over seeds); then per split the share
    of episodes reaching each goal."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 1 + len(splits), figsize=(5 + 4 * len(splits), 4.2), squeeze=False)
    axes = axes[0]
    xs = np.arange(len(bars))
    placed = ((-0.3, 1, "first_ci", "learned, in-sample", "#2a9d8f", None),
              (-0.1, 1, "second_ci", "base objective, in-sample", "#888", None),
              (0.1, 2, "first_ci", "learned, held-out", "#2a9d8f", "//"),
              (0.3, 2, "second_ci", "base objective, held-out", "#888", "//"))  # fmt: skip
    for offset, index, side, name, colour, hatch in placed:
        values = [getattr(b[index], side) if b[index] is not None else (math.nan,) * 4 for b in bars]
        errors = [[v[0] - v[1] for v in values], [v[2] - v[0] for v in values]]
        axes[0].bar(xs + offset, [v[0] for v in values], 0.2, color=colour, hatch=hatch, label=literal(name),
                    yerr=errors, capsize=3)  # fmt: skip
    axes[0].set_title("base return (mean over optimiser seeds, 95% CI)", fontsize=9)
    per_agent = ((-0.3, "learned", "exit", "learned: reaches exit", "#2a9d8f", None),
                 (-0.1, "learned", "arrow", "learned: reaches arrow", "#a8dadc", "//"),
                 (0.1, base, "exit", "base objective: reaches exit", "#555", None),
                 (0.3, base, "arrow", "base objective: reaches arrow", "#ccc", "//"))  # fmt: skip
    for ax, split in zip(axes[1:], splits):
        for offset, agent, event, name, colour, hatch in per_agent:
            values = [b[3].get((split, agent, event), (math.nan,) * 4) for b in bars]
            errors = [[v[0] - v[1] for v in values], [v[2] - v[0] for v in values]]
            ax.bar(xs + offset, [v[0] for v in values], 0.2, color=colour, hatch=hatch, label=literal(name),
                   yerr=errors, capsize=2)  # fmt: skip
        ax.set_title(f"{split}: share of episodes reaching each goal (95% CI over seeds)", fontsize=9)
        ax.set_ylim(0, 1.05)
    for ax in axes:
        ax.set_xticks(xs, [literal(b[0]) for b in bars], rotation=20, fontsize=8)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---- proxy-preference ------------------------------------------------------------
def _proxy_preference(groups: dict[str, list[Run]], tests: list[SeedTest], out: Path, base: str, world):
    features = list(next(iter(groups.values()))[0].weights)
    splits = sorted({s for members in groups.values() for r in members for s in r.played})
    headers = ["setting", *(f"selects {f} (seeds, Wilson 95%)" for f in features), "mean weights", "tied"]
    headers += ["in-sample: learned - base return", "held-out: learned - base return"]
    headers += [f"{s}: learned - base return" for s in splits]
    table, sentences, counts = [], [], []
    for name, members in groups.items():
        chosen = [r.selected() for r in members]
        tally = {f: chosen.count(f) for f in features}
        n = len(members)
        weights = {f: float(np.mean([r.weights[f] for r in members])) for f in features}
        tied_share = float(np.mean([tied(r.payload["history"]) for r in members]))
        row = [name, *(proportion(tally[f], n, *binomial_ci(tally[f], n)[1:]) for f in features),
               ", ".join(f"{f} {w:+.2f}" for f, w in weights.items()), pct(tied_share)]  # fmt: skip
        for where in (IN_SAMPLE, HELD_OUT, *splits):
            test = find(tests, name, where, RETURN)
            row.append(test.difference_text() if test else "not scored" if where == HELD_OUT else "-")
        table.append(row)
        counts.append((name, tally, n))
        favourite = max(tally, key=tally.get)
        sentences.append(
            f"{name}: the base optimiser selects {favourite} as the largest weight in "
            f"{proportion(tally[favourite], n, *binomial_ci(tally[favourite], n)[1:])} of optimiser seeds "
            f"(Wilson 95%; {pct(tied_share)} of candidates tie with the best in training)."
        )
        sentences += _generalisation(name, members, tests, base)[1:]  # in-sample is in the table
    figure = _plot_preference(counts, features, out / "proxy-preference.png")
    return (
        sentences,
        headers,
        table,
        [
            (
                figure,
                "Which feature the base optimiser selects, per planner setting (share of optimiser seeds)",
            )
        ],
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
    ax.set_xticks(xs, [literal(f"{c[0]} (n = {c[2]})") for c in counts], rotation=20, fontsize=8)
    ax.set_ylabel("share of optimiser seeds selecting it")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Selected feature (largest learned weight)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plain(groups: dict[str, list[Run]], tests: list[SeedTest], out: Path, base: str, world):
    sentences = [s for name, members in groups.items() for s in _generalisation(name, members, tests, base)]
    return sentences, [], [], []


def _notes(
    world: str, base: str, groups: dict[str, list[Run]], tests: list[SeedTest], runs: list[Run]
) -> str:
    sizes = sorted({len(m) for m in groups.values()})
    n_text = " to ".join(str(s) for s in (sizes[0], sizes[-1])) if len(sizes) > 1 else str(sizes[0])
    paired = [t for t in tests if t.paired]
    floor = smallest_p(min(t.difference[3] for t in paired)) if paired else math.nan
    missing = missing_held_out(groups)
    text = (
        f"Unit of replication: the optimiser seed, with levels nested in it; n = {n_text} optimiser seeds "
        f"per setting ({len(groups)} settings, {len(runs)} base-optimiser runs on {world}). Runs that differ "
        "only in their seed are repeats of one setting; findings are per setting, never pooled. Every "
        "interval is a 95% percentile bootstrap over optimiser seeds of each seed's mean over its levels; a "
        "share of seeds has a Wilson interval. "
        f"The base objective is {objectives.get(world, base).name!r}. Each run selects the weights of the "
        "planner's objective by mean base return on its training levels (the in-sample score: the levels "
        "selection saw), then plays the learned objective and the base objective on fresh held-out levels of "
        "the training distribution (seeds after the training seeds, the same overrides and mixture fraction) "
        "and on the evaluation splits. The two are compared per seed on the same levels with a paired "
        f"permutation test across seeds; all {len(tests)} tests of this report are Holm-adjusted together "
        f"and a finding says 'differs' only when the adjusted p is below {ALPHA}. "
    )
    if math.isfinite(floor):
        text += (
            f"With so few seeds the exact two-sided paired test cannot give p below {floor:.3f} "
            f"(2 / 2^n at n = {plural(UNIT, min(t.difference[3] for t in paired))}), so 'no detectable "
            "difference' there is what the design can show, not evidence of no effect. "
        )
    if missing:
        text += f"Not scored on held-out levels (stored before held-out scoring): {', '.join(missing)}. "
    return (
        text
        + "Weights are scaled to max |w| = 1. 'tied': the share of candidates tying the best in training."
    )


_SECTIONS = {
    "bounded-design": _bounded_design,
    "proxy-preference": _proxy_preference,
    "plain": _plain,
}


def write_learning_report(out_dir: str | Path, console=None) -> dict[str, Path]:
    """Write the report of the learning study in `out_dir`; returns the paths by name."""
    out = Path(out_dir)
    info, runs, world_name = load(out)
    if not runs:
        raise NoResultsError(f"no finished learning run in {out / 'results.sqlite'}; run the study first")
    world = worlds.get(world_name)
    base = world.base
    kind = info.get("report", "plain")
    if kind == "diversity":
        goals = tuple(g[1] for g in diversity.goal_events(world))
        found = diversity.points(runs)
        groups = {name: point.members for name, point in found.items()}
        extra = diversity.between_tests(found, goals, base)
    else:
        groups = {label(members[0].point): members for members in group(runs).values()}
        extra = []
    tests = adjust(
        [t for name, members in groups.items() for t in setting_tests(name, members, base)] + extra
    )
    if kind == "diversity":
        sentences, headers, table, figures = diversity.section(found, tests, out, base, world)
    else:
        sentences, headers, table, figures = _SECTIONS.get(kind, _plain)(groups, tests, out, base, world)
    score_headers, score_rows = scores_table(tests, groups)
    run_headers, run_rows = _runs_table(runs, base)
    scores = "Scores per setting: learned against base objective, paired over optimiser seeds"
    tables = [(kind, headers, table, figures), (scores, score_headers, score_rows, []),
              ("Every run", run_headers, run_rows, [])]  # fmt: skip
    paths = write_section_report(
        out, f"Learning study: {info.get('name', out.name)}", info.get("description", ""),
        _notes(world_name, base, groups, tests, runs), sentences, tables, ("learned", run_headers, run_rows),
        console,
    )  # fmt: skip
    paths["learning-tests"] = write_tests_csv(out / "learning-tests.csv", tests)
    return paths
