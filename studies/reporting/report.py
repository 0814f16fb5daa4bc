"""The report of a study run: tables, figures and plain-language findings.

`write_report(DIR)` reads ``DIR/results.sqlite`` and writes into DIR:

- ``summary.csv``: one row per (world, agent, split): outcome counts and
  fractions, mean capability and alignment with bootstrap 95% CIs, the mean
  return of every catalogue objective and the rate of every event;
- ``outcomes.png`` and ``robustness.png`` (`studies.reporting.plots`);
- ``example-N.png``: episodes replayed from their rows and rendered;
- ``report.md`` and ``report.html`` (self-contained: images inlined).

Aggregates follow DESIGN.md section 6: means with percentile bootstrap 95%
confidence intervals; undefined (NaN) scores are left out and counted.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED, OUTCOMES
from studies.core.store import ResultStore
from studies.reporting import plots as report_plots
from studies.reporting.plots import num, pct
from studies.reporting.stats import RESAMPLES, NoResultsError, bootstrap_ci
from worlds import MesabaseError

_AXES = ("capability", "alignment")


def _world_info(name: str) -> tuple[str | None, list[str], list[str]]:
    """(base objective, catalogue order, split order) of a world; empty if unknown."""
    import worlds

    try:
        world = worlds.get(name)
    except MesabaseError:
        return None, [], []
    return world.base, list(world.objectives), list(world.splits)


def _rank(value: Any, order: list) -> tuple[int, str]:
    """A sort key: the position in `order`, unknown values last by name."""
    return (order.index(value) if value in order else len(order), str(value))


def _group_key(row: dict[str, Any]) -> tuple:
    """Sort order: world, planner (registry order), budget, objective (catalogue
    order), agent label, split (train first)."""
    import planners

    _, catalogue, splits = _world_info(row["world"])
    budget = -1 if row["budget"] is None else row["budget"]
    return (
        row["world"],
        _rank(row["planner"], list(planners.PLANNERS)),
        budget,
        _rank(row["objective"], catalogue),
        row["agent"],
        _rank(row["split"], ["train", *splits]),
    )


def _mean(values: Iterable[Any]) -> float:
    """The mean of the finite values (bools count as 0/1); NaN if there are none."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return float(np.mean(finite)) if finite else math.nan


def _summary_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary of one (world, agent, split) group of episode rows."""
    first, n = rows[0], len(rows)
    out = {key: first[key] for key in ("world", "agent", "split", "planner", "budget", "objective")}
    out["scored_objective"] = "; ".join(sorted({r["scored_objective"] for r in rows}))
    out["threshold"] = first["threshold"]
    out["scoring"] = "; ".join(sorted({r["scoring"] for r in rows}))
    out["n"] = n
    counts = {o: sum(r["outcome"] == o for r in rows) for o in OUTCOMES}
    out.update(counts)
    out.update({f"frac_{o}": counts[o] / n for o in OUTCOMES})
    for axis in _AXES:
        values = [r[axis] for r in rows]
        mean, lo, hi = bootstrap_ci(values)
        out.update({f"{axis}_mean": mean, f"{axis}_lo": lo, f"{axis}_hi": hi})
        out[f"{axis}_nan"] = sum(v is None or not math.isfinite(v) for v in values)
    catalogue = _world_info(first["world"])[1]
    for name in sorted(
        dict.fromkeys(k for r in rows for k in r["returns"]), key=lambda k: _rank(k, catalogue)
    ):
        out[f"return_{name}"] = _mean(r["returns"].get(name) for r in rows)
    for name in dict.fromkeys(k for r in rows for k in r["events"]):
        out[f"event_{name}"] = _mean(r["events"].get(name) for r in rows)
    return out


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One summary dict per (world, agent, split), in report order."""
    groups: dict[tuple, list] = {}
    for row in sorted(rows, key=_group_key):
        groups.setdefault((row["world"], row["agent"], row["split"]), []).append(row)
    return [_summary_row(group) for group in groups.values()]


def _dominant(stats: dict[str, Any]) -> tuple[str, float]:
    """The most frequent outcome of pooled counts (ties: intended first) and its fraction."""
    outcome = max(OUTCOMES, key=lambda o: (stats[o], -OUTCOMES.index(o)))
    return outcome, stats[outcome] / stats["n"]


def _pool(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts summed and means weighted over several agents' rows of one split."""
    pooled = {key: sum(r[key] for r in rows) for key in ("n", *OUTCOMES)}
    for axis in _AXES:
        weights = [(r[f"{axis}_mean"], r["n"] - r[f"{axis}_nan"]) for r in rows]
        total = sum(w for m, w in weights if math.isfinite(m))
        pooled[axis] = sum(m * w for m, w in weights if math.isfinite(m)) / total if total else math.nan
    pooled["scored"] = "; ".join(sorted({r["scored_objective"] for r in rows}))
    return pooled


# outcome -> (singular verb, plural verb, participle)
_VERBS = {
    INTENDED: ("is intended", "are intended", "intended"),
    MISGENERALIZED: ("is misgeneralized", "are misgeneralized", "misgeneralized"),
    CAPABILITY_FAILURE: ("fails", "fail", "failing"),
}


def _explain(outcome: str, objective: str, base: str, stats: dict[str, Any], plural: bool) -> str:
    """Why an outcome: a clause about capability and alignment."""
    they, their, s, does = ("they", "their", "", "do") if plural else ("it", "its", "s", "does")
    goal = stats["scored"].replace("revealed: ", "") if objective == "none" else objective
    own = f"{their} {'revealed' if objective == 'none' else 'own'} objective, {goal}"
    c, a = num(stats["capability"]), num(stats["alignment"])
    if outcome == MISGENERALIZED:
        return (
            f": {they} competently pursue{s} {own} (mean capability {c}), "
            f"but not the base objective, {base} (mean alignment {a})"
        )
    if outcome == CAPABILITY_FAILURE:
        return (
            f": {they} {does} not achieve {own}, either (mean capability {c}): "
            "a capability failure, not misgeneralisation"
        )
    if goal == base:
        return f": {own}, is the base objective (mean alignment {a})"
    return f": {own}, still agrees with the base objective, {base}, here (mean alignment {a})"


def _rest(stats: dict[str, Any], outcome: str) -> str:
    """The other outcomes of a split, e.g. " (the rest: 25% capability failure)"."""
    others = [
        f"{pct(stats[o] / stats['n'])} {o.replace('_', ' ')}" for o in OUTCOMES if o != outcome and stats[o]
    ]
    return f" (the rest: {', '.join(others)})" if others else ""


def _agent_groups(rows: list[dict[str, Any]]) -> dict[tuple, list[str]]:
    """Agents grouped by objective and dominant outcome on every split."""
    groups: dict[tuple, list[str]] = {}
    for agent in dict.fromkeys(r["agent"] for r in rows):
        mine = [r for r in rows if r["agent"] == agent]
        pattern = tuple((r["split"], _dominant(r)[0]) for r in mine)
        groups.setdefault((mine[0]["objective"], pattern), []).append(agent)
    return groups


def _agent_sentences(rows: list[dict[str, Any]], base: str) -> list[str]:
    """One sentence per group of like agents and test-like split, comparing it with train."""
    sentences = []
    for (objective, pattern), agents in _agent_groups(rows).items():
        plural = len(agents) > 1
        name = "objective-free" if objective == "none" else objective
        subject = f"The {name} agents ({', '.join(agents)})" if plural else f"The {agents[0]} agent"
        pooled = {s: _pool([r for r in rows if r["agent"] in agents and r["split"] == s]) for s, _ in pattern}
        train = pooled.get("train")
        for split in [s for s, _ in pattern if s != "train" or len(pattern) == 1]:
            outcome, fraction = _dominant(pooled[split])
            verb, rest = _VERBS[outcome][plural], _rest(pooled[split], outcome)
            text = f"{subject} {verb} on {pct(fraction)} of {split} levels{rest}"
            if train is not None and split != "train":
                was, was_fraction = _dominant(train)
                both = f"{pct(was_fraction)} of train and {pct(fraction)} of {split} levels{rest}"
                text = (
                    f"{subject} {verb} on {both}"
                    if was == outcome
                    else f"{text} while {_VERBS[was][2]} on {pct(was_fraction)} of train levels"
                )
            text += _explain(outcome, objective, base, pooled[split], plural)
            sentences.append(text + ".")
    return sentences


def _budget_sentences(rows: list[dict[str, Any]]) -> list[str]:
    """Per planner swept over budgets: its capability-failure rate by budget and split."""
    sentences = []
    for planner in dict.fromkeys(r["planner"] for r in rows if r["budget"] is not None):
        swept = [r for r in rows if r["planner"] == planner and r["budget"] is not None]
        budgets = sorted({r["budget"] for r in swept})
        if len(budgets) < 2 or not any(r[CAPABILITY_FAILURE] for r in swept):
            continue
        parts, falls = [], False
        for split in dict.fromkeys(r["split"] for r in swept):
            rates = []
            for budget in budgets:
                group = [r for r in swept if r["split"] == split and r["budget"] == budget]
                if group:
                    rates.append(
                        (budget, sum(r[CAPABILITY_FAILURE] for r in group) / sum(r["n"] for r in group))
                    )
            falls |= rates[0][1] > rates[-1][1]
            parts.append(f"on {split} levels " + " and ".join(f"{pct(f)} at budget {b}" for b, f in rates))
        text = f"Capability failures of {planner} by budget: {'; '.join(parts)}"
        if falls:
            text += ". The weak planner fails at its own objective; more search fixes that"
        sentences.append(text + ".")
    return sentences


def findings(summary: list[dict[str, Any]]) -> list[str]:
    """Plain-language sentences stating what the numbers show, per world."""
    sentences = []
    for world in dict.fromkeys(r["world"] for r in summary):
        rows = [r for r in summary if r["world"] == world]
        base = _world_info(world)[0] or "the base objective"
        said = _agent_sentences(rows, base) + _budget_sentences(rows)
        if len(summary) != len(rows):  # several worlds: say which
            said = [f"In {world}, {text[0].lower()}{text[1:]}" for text in said]
        sentences += said
    return sentences


def _format(value: Any) -> Any:
    """A CSV cell: floats rounded, undefined values blank."""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else round(value, 6)
    return "" if value is None else value


def write_summary_csv(summary: list[dict[str, Any]], path: Path) -> Path:
    """summary.csv: one line per summary row; blank where a value is undefined."""
    fields = list(dict.fromkeys(key for row in summary for key in row))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows({k: _format(v) for k, v in row.items()} for row in summary)
    return path


def _notes(info: dict[str, str], summary: list[dict[str, Any]]) -> str:
    """The report's preamble: episodes finished, threshold, how means are estimated."""
    finished = sum(r["n"] for r in summary)
    cells = info.get("cells")
    of = f" of {cells} cells" if cells and int(cells) != finished else ""
    taus = ", ".join(f"{t:g}" for t in sorted({r["threshold"] for r in summary}))
    return (
        f"{finished} finished episodes{of}. Outcome threshold tau = {taus}. Means with percentile "
        f"bootstrap 95% confidence intervals ({RESAMPLES} resamples); undefined scores are left out "
        "and counted as n/a."
    )


def _examples(rows, out: Path, count: int, say) -> list[tuple[Path, str]]:
    """Replay and render up to `count` illustrative episodes; skips (with a
    message) any that cannot be replayed faithfully."""
    for stale in out.glob("example-*.png"):  # from an earlier report of this folder
        stale.unlink()
    written = []
    for row in report_plots.choose_examples(rows, count):
        path = out / f"example-{len(written) + 1}.png"
        try:
            report_plots.plot_example(row, path)
        except (MesabaseError, ImportError) as error:
            say(f"skipped example {report_plots.caption(row)}: {error}")
            continue
        written.append((path, report_plots.caption(row)))
    return written


def write_report(out_dir: str | Path, console=None, examples: int = 3) -> dict[str, Path]:
    """Write the report of the study run in `out_dir` (see the module doc);
    returns the written paths by name. `console` (a rich Console) hears progress."""
    out = Path(out_dir)
    database = out / "results.sqlite"
    rows, info = [], {}
    if database.exists():
        with ResultStore(database) as store:
            info = store.study_info()
            if info.get("kind") == "learn":
                from studies.learning.report import write_learning_report

                return write_learning_report(out, console=console)
            if info.get("kind") == "analysis":
                from studies.analysis.report import write_analysis_report

                return write_analysis_report(out, console=console)
            rows = store.rows()
    if not rows:
        raise NoResultsError(f"no finished episodes in {database}; run the study first")
    info.setdefault("name", out.resolve().name)

    def say(text: str) -> None:
        if console is not None:
            console.print(text, markup=False, highlight=False)

    summary = summarise(rows)
    thresholds = {
        w: max(r["threshold"] for r in summary if r["world"] == w) for w in {r["world"] for r in summary}
    }
    paths = {
        "summary": write_summary_csv(summary, out / "summary.csv"),
        "outcomes": report_plots.plot_outcomes(summary, out / "outcomes.png"),
        "robustness": report_plots.plot_robustness(summary, thresholds, out / "robustness.png"),
    }
    shown = _examples(rows, out, examples, say)
    paths.update({path.stem: path for path, _ in shown})
    sentences = findings(summary)
    figures = [
        (paths["outcomes"], "Outcome fractions per agent and split"),
        (paths["robustness"], "Robustness: capability vs alignment, train to test"),
    ]
    markdown, page = report_plots.pages(info, _notes(info, summary), summary, sentences, figures, shown)
    paths["markdown"] = out / "report.md"
    paths["markdown"].write_text(markdown, encoding="utf-8")
    paths["html"] = out / "report.html"
    paths["html"].write_text(page, encoding="utf-8")
    for sentence in sentences:
        say(sentence)
    for path in paths.values():
        say(f"wrote {path}")
    return paths
