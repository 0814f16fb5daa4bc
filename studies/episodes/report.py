"""The report of an episode study: tables, figures and plain-language findings.

`write_episode_report(DIR)` reads ``DIR/results.sqlite`` and writes into DIR:

- ``summary.csv``: one row per (world, agent, split) (`studies.episodes.summary`);
- ``outcomes.png`` and ``robustness.png`` (`studies.reporting.plots`);
- ``example-N.png``: episodes replayed from their rows and rendered;
- ``report.md`` and ``report.html`` (self-contained: images inlined), led by
  the findings of `studies.episodes.findings`.

Aggregates follow DESIGN.md section 6: means with percentile bootstrap 95%
confidence intervals; undefined (NaN) scores are left out and counted.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from planners import OUTCOMES
from studies.core.store import ResultStore
from studies.episodes.findings import findings
from studies.episodes.summary import summarise, write_summary_csv
from studies.reporting import plots
from studies.reporting.formatting import is_finite, num, pct
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
from studies.reporting.stats import RESAMPLES, NoResultsError
from worlds import MesabaseError


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
    for row in plots.choose_examples(rows, count):
        path = out / f"example-{len(written) + 1}.png"
        try:
            plots.plot_example(row, path)
        except (MesabaseError, ImportError) as error:
            say(f"skipped example {plots.caption(row)}: {error}")
            continue
        written.append((path, plots.caption(row)))
    return written


# ---- the page ------------------------------------------------------------------------


def _ci(row: dict[str, Any], axis: str) -> str:
    """ "mean [lo, hi]" of one axis, with the count of undefined scores."""
    mean, lo, hi, missing = (row[f"{axis}_{k}"] for k in ("mean", "lo", "hi", "nan"))
    text = "n/a" if not is_finite(mean) else f"{num(mean)} [{num(lo)}, {num(hi)}]"
    return text + (f" ({missing} n/a)" if missing and is_finite(mean) else "")


def _tables(summary: list[dict[str, Any]]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, headers, rows) of the outcome table and the score table."""
    lead = ["world"] if len({r["world"] for r in summary}) > 1 else []
    outcomes, scores = [], []
    for r in summary:
        first = [r[k] for k in lead] + [r["agent"], r["split"]]
        outcomes.append([*first, str(r["n"]), *(f"{r[o]} ({pct(r['frac_' + o])})" for o in OUTCOMES)])
        scores.append(
            [*first, _ci(r, "capability"), _ci(r, "alignment"), r["scored_objective"], r["scoring"]]
        )
    outcome_headers = [*lead, "agent", "split", "n", *(plots.OUTCOME_NAMES[o] for o in OUTCOMES)]
    score_headers = [*lead, "agent", "split", "capability", "alignment", "scored against", "scoring"]
    return [("Outcomes", outcome_headers, outcomes), ("Capability and alignment", score_headers, scores)]


def pages(info, notes, summary, sentences, figures, examples) -> tuple[str, str]:
    """The report's markdown and HTML texts; figures and examples are (path, caption) pairs."""
    title, description = info["name"], info.get("description", "")
    md, page = page_opening(f"Study: {title}", description, notes, sentences)
    for (heading, headers, rows), (path, text) in zip(_tables(summary), figures):
        md += [f"## {markdown_text(heading)}", markdown_table(headers, rows), markdown_image(path, text)]
        page += [f"<h2>{heading}</h2>", html_table(headers, rows), html_figure(path, text)]
    if examples:
        md += ["## Example episodes", *(markdown_image(path, text) for path, text in examples)]
        page += ["<h2>Example episodes</h2>", *(html_figure(path, text) for path, text in examples)]
    more = "Per-group numbers, with mean returns and event rates, are in summary.csv."
    md.append(more.replace("summary.csv", "[summary.csv](summary.csv)"))
    page.append(
        "<p>" + html.escape(more).replace("summary.csv", "<a href='summary.csv'>summary.csv</a>") + "</p>"
    )
    return markdown_page(md), html_page(title, page)


# ---- the report ----------------------------------------------------------------------


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

    summary = summarise(rows)
    thresholds = {
        w: max(r["threshold"] for r in summary if r["world"] == w) for w in {r["world"] for r in summary}
    }
    paths = {
        "summary": write_summary_csv(summary, out / "summary.csv"),
        "outcomes": plots.plot_outcomes(summary, out / "outcomes.png"),
        "robustness": plots.plot_robustness(summary, thresholds, out / "robustness.png"),
    }
    shown = _examples(rows, out, examples, say)
    paths.update({path.stem: path for path, _ in shown})
    sentences = findings(summary)
    figures = [
        (paths["outcomes"], "Outcome fractions per agent and split"),
        (paths["robustness"], "Robustness: capability vs alignment, train to test"),
    ]
    markdown, page = pages(info, _notes(info, summary), summary, sentences, figures, shown)
    paths["markdown"] = out / "report.md"
    paths["markdown"].write_text(markdown, encoding="utf-8")
    paths["html"] = out / "report.html"
    paths["html"].write_text(page, encoding="utf-8")
    for sentence in sentences:
        say(sentence)
    for path in paths.values():
        say(f"wrote {path}")
    return paths
