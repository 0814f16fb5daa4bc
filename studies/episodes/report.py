"""The report of an episode study: tables, figures and plain-language findings.

`write_episode_report(DIR)` reads ``DIR/results.sqlite`` and writes into DIR:

- ``summary.csv``: one row per (world, agent, split) (`studies.episodes.summary`);
- ``paired.csv``: paired comparisons of agents on the same levels
  (`studies.episodes.paired`);
- ``threshold.csv`` and ``threshold.png``: outcome fractions against the
  outcome threshold tau over [0.5, 1.0] (`studies.episodes.threshold`,
  `studies.reporting.curves`);
- ``levels.csv``: each level's shortest path to the base goal, where the
  world has one (`studies.episodes.paths`);
- ``outcomes.png`` and ``robustness.png`` (`studies.reporting.plots`), and
  ``budget.png`` (success against log budget) when a planner is swept over budgets;
- ``scaling.csv`` and ``scaling.png`` (success at the agent's own objective
  and alignment against log budget, base and proxy side by side) when a
  planner is swept over budgets with more than one objective
  (`studies.episodes.scaling`);
- ``example-N.png``: episodes replayed from their rows and rendered;
- ``viewer.html``: the example episodes, and the same agents' episodes on
  the same level seeds of the other splits, to step through side by side
  (`studies.reporting.viewer`);
- ``report.md`` and ``report.html`` (self-contained: images inlined), led by
  the findings of `studies.episodes.findings`.

The unit of replication is the level (a seed of a split; every agent plays
the same levels), and every interval says so and gives n in levels. Means:
percentile bootstrap 95% intervals over levels (`scipy.stats.bootstrap`);
undefined (NaN) scores are left out and counted. Outcome fractions: Wilson
95% intervals. Agents compared level by level: exact McNemar on the intended
outcome and a paired permutation test on alignment, Holm-adjusted over every
test of the report.
"""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path
from typing import Any

from planners import OUTCOMES
from studies.core.store import ResultStore
from studies.episodes import looping
from studies.episodes import paired as pairing
from studies.episodes import paths as level_paths
from studies.episodes import scaling as capability
from studies.episodes import threshold as sensitivity
from studies.episodes.findings import findings
from studies.episodes.options import option_axes
from studies.episodes.summary import UNIT, summarise, write_summary_csv
from studies.reporting import curves, plots, viewer
from studies.reporting.formatting import interval, p_value, plural, proportion
from studies.reporting.pages import (
    html_figure,
    html_page,
    html_table,
    markdown_image,
    markdown_page,
    markdown_table,
    markdown_text,
    page_opening,
)
from studies.reporting.stats import ALPHA, PERMUTATIONS, RESAMPLES, NoResultsError
from worlds import MesabaseError


def _notes(info: dict[str, str], summary: list[dict[str, Any]], tests: int) -> str:
    """The report's preamble: episodes finished, threshold, the unit and how
    intervals and tests are computed."""
    finished = sum(r["n"] for r in summary)
    cells = info.get("cells")
    of = f" of {cells} cells" if cells and int(cells) != finished else ""
    taus = ", ".join(f"{t:g}" for t in sorted({r["threshold"] for r in summary}))
    band = f"[{sensitivity.BAND[0]:g}, {sensitivity.BAND[1]:g}]"
    return (
        f"{finished} finished episodes{of}. The unit of replication is the {UNIT}: a seed of a split, "
        f"played by every agent; every n counts {UNIT}s and every interval resamples {UNIT}s. "
        f"Outcome threshold τ = {taus}; the threshold figure recomputes outcomes for τ in [0.5, 1] "
        f"and the findings say whether each headline holds for τ in {band}. Outcome fractions: "
        f"Wilson 95% intervals. Means: percentile bootstrap 95% intervals (scipy.stats.bootstrap, "
        f"{RESAMPLES} resamples of {UNIT}s); undefined scores are left out and counted as n/a. "
        f"Paired comparisons of agents on the same {UNIT}s: exact McNemar test on the intended "
        f"outcome, paired permutation test ({PERMUTATIONS} resamples, exact for up to 13 {UNIT}s) on "
        f"alignment, each with the paired difference and its bootstrap 95% interval; Holm's "
        f'adjustment over all {tests} tests of this report; "differs" means Holm p < {ALPHA:g}.'
        + _power(summary, tests)
        + _unfinished(summary)
    )


def _unfinished(summary: list[dict[str, Any]]) -> str:
    """The preamble's line on episodes that ran to their step limit, and how
    many of them looped (`studies.episodes.looping`); empty when none did."""
    stopped = sum(r.get("did_not_finish", 0) for r in summary)
    if not stopped:
        return ""
    looped = sum(r.get("looped", 0) for r in summary)
    agents = len({r["agent"] for r in summary if r.get("looped", 0)})
    by = f", by {plural('agent', agents)}" if agents else ""
    return (
        f" Did not finish: {stopped} of the episodes ran to their step limit, and {looped} of them "
        f"looped{by} (at least {looping.REVISIT_SHARE:.0%} of their steps went back to states already "
        f"visited; for episodes stored without that count, {looping.PATH_FACTOR}x the shortest path or "
        'more); the outcome table counts them under "did not finish" and the findings name them.'
    )


def _power(summary: list[dict[str, Any]], tests: int) -> str:
    """A warning when no test of the report can reach significance: with n
    levels the smallest two-sided exact McNemar p is 2^(1 - n), and Holm's
    first step multiplies the smallest p by the number of tests."""
    n = max(r["n"] for r in summary)
    smallest = 2.0 ** (1 - n)
    if not tests or smallest * tests < ALPHA:
        return ""
    return (
        f" With at most {plural(UNIT, n)} per comparison the smallest possible McNemar p is "
        f"{smallest:.2g}, which Holm over {tests} tests raises to {min(1.0, smallest * tests):.2g}: no "
        f'paired difference can be detected here, so "no detectable difference" says the study has '
        f"too few {UNIT}s, not that the agents agree."
    )


def _examples(rows, out: Path, count: int, say) -> tuple[list[tuple[Path, str]], dict]:
    """Replay and render up to `count` illustrative episodes; skips (with a
    message) any that cannot be replayed faithfully. Returns the pictures as
    (path, caption) and the replays by cell id: (row, (world, level, episode))."""
    for stale in out.glob("example-*.png"):  # from an earlier report of this folder
        stale.unlink()
    written, replays = [], {}
    for row in plots.choose_examples(rows, count):
        path = out / f"example-{len(written) + 1}.png"
        try:
            replayed = plots.replay(row)
            plots.plot_example(row, path, replayed)
        except (MesabaseError, ImportError) as error:
            say(f"skipped example {plots.caption(row)}: {error}")
            continue
        written.append((path, plots.caption(row)))
        replays[row["cell_id"]] = (row, replayed)
    return written, replays


def _viewer_rows(rows, examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The example rows, each followed by the same agent's rows on the same
    level seed of the other splits, so the viewer shows train and test side by side."""
    chosen: dict[str, dict[str, Any]] = {}
    for example in examples:
        chosen.setdefault(example["cell_id"], example)
        for row in rows:
            same = all(row[k] == example[k] for k in ("world", "agent", "seed"))
            if same and row["split"] != example["split"]:
                chosen.setdefault(row["cell_id"], row)
    return list(chosen.values())


def _viewer(rows, replays: dict, out: Path, name: str, say) -> Path | None:
    """Write ``viewer.html``: the example episodes (`replays` from `_examples`)
    and their matching episodes on the other splits, replayed, one cell size
    for every grid level. None (and no page) without a replayed episode."""
    (out / "viewer.html").unlink(missing_ok=True)  # from an earlier report of this folder
    played = []
    for row in _viewer_rows(rows, [row for row, _ in replays.values()]):
        try:
            world, level, episode = (
                replays[row["cell_id"]][1] if row["cell_id"] in replays else plots.replay(row)
            )
        except (MesabaseError, ImportError) as error:
            say(f"left {plots.caption(row)} out of the viewer: {error}")
            continue
        if episode.steps != row["steps"]:
            replayed = f"it replays in {episode.steps} steps, not {row['steps']}"
            say(f"left {plots.caption(row)} out of the viewer: {replayed}")
            continue
        played.append((row, world, level, episode))
    if not played:
        return None
    cell = viewer.page_cell([level for _, world, level, _ in played if not world.continuous])
    shown = []
    for row, world, level, episode in played:
        seen = viewer.viewer_episode(
            world, level, episode, agent=row["agent"], planner=row["planner"], objective=row["objective"],
            split=row["split"], seed=row["seed"], cell=cell,
        )  # fmt: skip
        # the stored scores and outcome: the replay is scored by goals only
        seen = dataclasses.replace(
            seen,
            outcome=row["outcome"],
            capability=_score(row["capability"]),
            alignment=_score(row["alignment"]),
        )
        shown.append(dataclasses.replace(seen, sentence=viewer.story(seen)))
    intro = (
        f"The example episodes of the study {name}, replayed from their stored rows, each beside the same "
        "agent's episodes on the same level seed of the other splits. Outcomes and scores are as stored."
    )
    return viewer.write_viewer(out / "viewer.html", f"Study {name}: example episodes", shown, intro=intro)


def _score(value) -> float:
    return float("nan") if value is None else float(value)


# ---- the page ------------------------------------------------------------------------

Table = tuple[str, list[str], list[list[str]]]


def _ci(row: dict[str, Any], axis: str) -> str:
    """A mean of one axis with its interval over the levels where it is
    defined, and the count of undefined scores."""
    mean, lo, hi, missing = (row[f"{axis}_{k}"] for k in ("mean", "lo", "hi", "nan"))
    text = interval(mean, lo, hi, row["n"] - missing, UNIT)
    return text + (f" ({missing} n/a)" if missing and text != "n/a" else "")


def _share(row: dict[str, Any], outcome: str) -> str:
    return proportion(row[outcome], row["n"], row[f"frac_{outcome}_lo"], row[f"frac_{outcome}_hi"])


def _stopped(row: dict[str, Any]) -> str:
    """ "2/8 (1 looped)": episodes that ran to their step limit, and how many looped."""
    stopped, looped = row.get("did_not_finish", 0), row.get("looped", 0)
    return f"{stopped}/{row['n']}" + (f" ({looped} looped)" if looped else "")


def _tables(summary: list[dict[str, Any]]) -> list[Table]:
    """(title, headers, rows) of the outcome table and the score table."""
    lead = ["world"] if len({r["world"] for r in summary}) > 1 else []
    outcomes, scores = [], []
    for r in summary:
        first = [r[k] for k in lead] + [r["agent"], r["split"]]
        outcomes.append([*first, str(r["n"]), *(_share(r, o) for o in OUTCOMES), _stopped(r)])
        scores.append(
            [*first, _ci(r, "capability"), _ci(r, "alignment"), r["scored_objective"], r["scoring"]]
        )
    names = [f"{plots.OUTCOME_NAMES[o]} (Wilson 95%)" for o in OUTCOMES]
    outcome_headers = [*lead, "agent", "split", f"n ({UNIT}s)", *names, "did not finish (looped)"]
    score_headers = [
        *lead,
        "agent",
        "split",
        "capability (95% CI)",
        "alignment (95% CI)",
        "scored against",
        "scoring",
    ]
    return [("Outcomes", outcome_headers, outcomes), ("Capability and alignment", score_headers, scores)]


def _paired_table(comparisons: list[pairing.Comparison]) -> Table:
    """The paired comparisons as one table (`paired.csv` has every column)."""
    lead = ["world"] if len({c.world for c in comparisons}) > 1 else []
    rows = []
    for c in comparisons:
        r = c.result
        rows.append([
            *([c.world] if lead else []), c.split, f"{r.first} vs {r.second}", c.kind, str(r.n),
            f"{c.first_intended} vs {c.second_intended}",
            interval(r.outcome_difference, r.outcome_lo, r.outcome_hi, r.n, UNIT),
            f"{r.only_first} / {r.only_second}", f"{p_value(r.outcome_p)} ({p_value(r.outcome_p_holm)})",
            interval(r.score_difference, r.score_lo, r.score_hi, r.score_n, UNIT),
            f"{p_value(r.score_p)} ({p_value(r.score_p_holm)})",
        ])  # fmt: skip
    headers = [
        *lead, "split", "first vs second", "pair", f"n ({UNIT}s)", "intended", "intended difference (95% CI)",
        "discordant (only first / only second)", "McNemar p (Holm)", "alignment difference (95% CI)",
        "permutation p (Holm)",
    ]  # fmt: skip
    return "Paired comparisons (same levels, matched by seed)", headers, rows


def pages(info, notes, tables, sentences, figures, examples, files, viewer_name=None) -> tuple[str, str]:
    """The report's markdown and HTML texts. `tables` are (title, headers,
    rows); `figures` has, per table, a list of (path, caption) shown after it;
    `examples` are (path, caption); `files` the CSV names linked at the end;
    `viewer_name` the file name of the page that steps through the examples (or None)."""
    title, description = info["name"], info.get("description", "")
    md, page = page_opening(f"Study: {title}", description, notes, sentences)
    for (heading, headers, rows), shown in zip(tables, figures):
        md.append(f"## {markdown_text(heading)}")
        page.append(f"<h2>{html.escape(heading)}</h2>")
        if rows:
            md.append(markdown_table(headers, rows))
            page.append(html_table(headers, rows))
        for path, text in shown:
            md.append(markdown_image(path, text))
            page.append(html_figure(path, text))
    if examples:
        md += ["## Example episodes", *(markdown_image(path, text) for path, text in examples)]
        page += ["<h2>Example episodes</h2>", *(html_figure(path, text) for path, text in examples)]
    if viewer_name:
        lead, name = "Step through the example episodes: ", html.escape(viewer_name)
        md.append(f"{lead}[{markdown_text(viewer_name)}]({viewer_name}).")
        page.append(f"<p>{lead}<a href='{name}'>{name}</a>.</p>")
    more = "Every number above, and more (mean returns, event rates, shortest paths), is in: "
    md.append(more + ", ".join(f"[{name}]({name})" for name in files) + ".")
    page.append(
        "<p>" + html.escape(more) + ", ".join(f"<a href='{name}'>{name}</a>" for name in files) + ".</p>"
    )
    return markdown_page(md), html_page(title, page)


# ---- the report ----------------------------------------------------------------------


def _budget_series(summary, rows) -> list[dict[str, Any]]:
    """Summary rows of agents swept over budgets, each with its ``group`` name."""
    series = []
    for (world, name), agents in pairing.budget_axes(rows).items():
        mine = set(agents.values())
        series += [{**r, "group": name} for r in summary if r["world"] == world and r["agent"] in mine]
    return series


@dataclasses.dataclass(frozen=True)
class _Analysis:
    """What the report computes from the episode rows beyond the summary."""

    thresholds: dict[str, float]  # world -> the study's tau
    comparisons: list[pairing.Comparison]
    curve: list[dict[str, Any]]  # threshold.csv's lines
    shortest: dict  # levels.csv: (world, split, seed, goal) -> steps
    series: list[dict[str, Any]]  # summary rows of agents swept over budgets
    scaling: list[dict[str, Any]]  # scaling.csv's lines (empty without a base and a proxy swept)
    options: list[dict[str, Any]]  # outcomes along a planner option (`studies.episodes.options`)


def _analyse(summary: list[dict[str, Any]], rows: list[dict[str, Any]]) -> _Analysis:
    """Paired comparisons, threshold curves, shortest paths and budget series."""
    worlds = {r["world"] for r in summary}
    thresholds = {w: max(r["threshold"] for r in summary if r["world"] == w) for w in worlds}
    agents = {agent: i for i, agent in enumerate(dict.fromkeys(r["agent"] for r in summary))}
    splits = {split: i for i, split in enumerate(dict.fromkeys(r["split"] for r in summary))}
    # report order (agents, then train first): pairs, panels and line styles follow it
    ordered = sorted(rows, key=lambda r: (agents[r["agent"]], splits[r["split"]]))
    return _Analysis(
        thresholds, pairing.compare(ordered), sensitivity.threshold_curve(ordered),
        level_paths.level_paths(rows), _budget_series(summary, rows), capability.scaling_table(rows),
        option_axes(ordered),
    )  # fmt: skip


def _write_files(out: Path, summary: list[dict[str, Any]], analysis: _Analysis) -> dict[str, Path]:
    """The CSV tables and figures (not the examples or pages), by name."""
    paths = {
        "summary": write_summary_csv(summary, out / "summary.csv"),
        "paired": pairing.write_paired_csv(analysis.comparisons, out / "paired.csv"),
        "threshold_csv": sensitivity.write_threshold_csv(analysis.curve, out / "threshold.csv"),
        "levels": level_paths.write_levels_csv(analysis.shortest, out / "levels.csv"),
        "outcomes": plots.plot_outcomes(summary, out / "outcomes.png"),
        "robustness": plots.plot_robustness(summary, analysis.thresholds, out / "robustness.png"),
        "threshold": curves.plot_threshold(
            analysis.curve, analysis.thresholds, sensitivity.BAND, out / "threshold.png"
        ),
    }
    for stale in ("budget.png", "scaling.png", "scaling.csv", "options.png"):  # from an earlier report
        (out / stale).unlink(missing_ok=True)
    if analysis.series:
        paths["budget"] = curves.plot_budget(analysis.series, out / "budget.png")
    if analysis.scaling:
        paths["scaling_csv"] = capability.write_scaling_csv(analysis.scaling, out / "scaling.csv")
        paths["scaling"] = curves.plot_scaling(analysis.scaling, out / "scaling.png")
    if analysis.options:
        paths["options"] = curves.plot_option_axes(analysis.options, out / "options.png")
    return paths


_CAPTIONS = {
    "robustness": "Robustness: capability vs alignment, train to test (bootstrap 95% CI over levels)",
    "threshold": "Outcome fractions against the threshold τ (Wilson 95% over levels at the study's τ)",
    "budget": "Intended fraction (Wilson 95% over levels) against log budget, per split",
    "scaling": "Success at the agent's own objective (capability ≥ τ; Wilson 95% over levels) and mean "
    "alignment (bootstrap 95% over levels) against log budget, base and proxy agents side by side",
    "options": "Outcome fractions (Wilson 95% over levels) against a planner option, the rest held fixed",
}


def _sections(summary, analysis: _Analysis, paths: dict[str, Path]) -> tuple[list[Table], list[list]]:
    """The page's tables and, per table, the figures shown after it."""
    levels = plural(UNIT, max(r["n"] for r in summary))
    tables = [*_tables(summary), _paired_table(analysis.comparisons), ("Threshold sensitivity", [], [])]
    figures = [
        [(paths["outcomes"], f"Outcome fractions per agent and split (n = up to {levels} each)")],
        [(paths["robustness"], _CAPTIONS["robustness"])],
        [],
        [(paths["threshold"], _CAPTIONS["threshold"])],
    ]
    if "budget" in paths:
        tables.append(("Success against budget", [], []))
        figures.append([(paths["budget"], _CAPTIONS["budget"])])
    if "scaling" in paths:
        tables.append(("Capability scaling", [], []))
        figures.append([(paths["scaling"], _CAPTIONS["scaling"])])
    if "options" in paths:
        tables.append(("Outcomes against a planner option", [], []))
        figures.append([(paths["options"], _CAPTIONS["options"])])
    return tables, figures


def write_episode_report(out_dir: str | Path, console=None, examples: int = 3) -> dict[str, Path]:
    """Write the report of the episode study run in `out_dir` (see the module
    doc); returns the written paths by name. `console` (a rich Console) hears
    progress; `examples` is how many episodes to replay and render."""
    out = Path(out_dir)
    database = out / "results.sqlite"
    rows, info = [], {}
    if database.exists():
        with ResultStore(database, read_only=True) as store:
            info, rows = store.study_info(), store.rows()
    if not rows:
        raise NoResultsError(f"no finished episodes in {database}; run the study first")
    info.setdefault("name", out.resolve().name)

    def say(text: str) -> None:
        if console is not None:
            console.print(text, markup=False, highlight=False)

    summary = summarise(rows, level_paths.level_paths(rows))
    analysis = _analyse(summary, rows)
    paths = _write_files(out, summary, analysis)
    shown, replays = _examples(rows, out, examples, say)
    paths.update({path.stem: path for path, _ in shown})
    page_of_examples = _viewer(rows, replays, out, info["name"], say)
    if page_of_examples is not None:
        paths["viewer"] = page_of_examples
    sentences = findings(summary, rows, analysis.comparisons, analysis.curve, analysis.shortest)
    tables, figures = _sections(summary, analysis, paths)
    files = ["summary.csv", "paired.csv", "threshold.csv", "levels.csv"]
    files += ["scaling.csv"] if "scaling_csv" in paths else []
    tests = pairing.family_size(analysis.comparisons)
    markdown, page = pages(
        info, _notes(info, summary, tests), tables, sentences, figures, shown, files,
        viewer_name=page_of_examples.name if page_of_examples is not None else None,
    )  # fmt: skip
    paths["markdown"] = out / "report.md"
    paths["markdown"].write_text(markdown, encoding="utf-8")
    paths["html"] = out / "report.html"
    paths["html"].write_text(page, encoding="utf-8")
    for sentence in sentences:
        say(sentence)
    for path in paths.values():
        say(f"wrote {path}")
    return paths
