"""Running reproductions: each one's study (full, or the ``--quick`` variant)
into its own folder under the output folder, its verdict, and the page
``reproductions.md`` / ``reproductions.html`` with one row per result.

A rerun resumes each study from its store, as ``mesabase run`` does.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from studies.core.folder import claim_folder, study_identity
from studies.core.kinds import DEFAULT_KIND, get_kind
from studies.core.spec import read_toml, reject_non_finite, study_path
from studies.reporting.pages import (
    html_figure,
    html_page,
    html_table,
    markdown_page,
    markdown_table,
    markdown_text,
)
from studies.reporting.report import write_report
from studies.reproduce.registry import (
    NOT_RUN_QUICK,
    Reproduction,
    Verdict,
    get_reproduction,
    reproduction_names,
)

HEADERS = ["result", "paper and claim", "paper's figure", "ours", "verdict", "why", "command"]


def _merged(data: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with `changes` deep-merged: tables merge key by key, anything else replaces."""
    out = copy.deepcopy(data)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_variant(reproduction: Reproduction, quick: bool):
    """(kind, study) of the reproduction's built-in study, with its quick
    changes when `quick`; the quick study is named ``<study>-quick``."""
    path = study_path(reproduction.study)
    data = read_toml(path)
    if quick:
        data = _merged(data, {**reproduction.quick, "name": f"{data['name']}-quick"})
    kind = get_kind(data.pop("kind", DEFAULT_KIND))
    reject_non_finite(str(path), data)
    return kind, kind.parse(data, f"{path}{' (--quick)' if quick else ''}", None)


def names_of(request: str) -> list[str]:
    """The reproductions a command-line name asks for: one, or ``all``."""
    if request == "all":
        return reproduction_names()
    get_reproduction(request)  # an unknown name lists the valid ones
    return [request]


def run_one(
    reproduction: Reproduction,
    out: Path,
    quick: bool,
    executor: str = "process",
    workers: int | None = None,
    console: Console | None = None,
) -> Verdict:
    """Run (or resume) one reproduction's study in ``out/<name>`` and judge it."""
    console = console or Console()
    if quick and reproduction.quick is None:
        why = f"Its study has no quick variant; run '{reproduction.command(False)}'."
        return Verdict("-", NOT_RUN_QUICK, why)
    kind, study = load_variant(reproduction, quick)
    folder = out / reproduction.name
    with claim_folder(folder, study_identity(kind.name, study)):
        console.print(f"[bold]{reproduction.name}[/]: {kind.headline(study, folder)}")
        kind.run(study, folder, executor=executor, workers=workers, address=None, console=console)
    write_report(folder, console=None)
    return reproduction.judge(folder)


def write_page(out: Path, rows: Sequence[tuple[Reproduction, Verdict]], quick: bool) -> dict[str, Path]:
    """reproductions.md and reproductions.html in `out`, one row per result,
    each row's figure below the table."""
    title = "Reproductions" + (" (--quick: smaller studies, wider intervals)" if quick else "")
    intro = (
        "Each row runs a curated built-in study and judges the claim from its data. Intervals name their "
        "unit of replication (docs/statistics.md): Wilson 95% for fractions of levels, percentile "
        "bootstrap 95% over levels or optimiser seeds for means. A verdict is what the data shows, with "
        "its reason; 'not reproduced' is a result too. Each study's own report is in its folder."
    )
    table = [
        [
            r.name,
            f"{r.paper}: {r.claim}",
            r.paper_figure,
            v.ours,
            v.verdict,
            v.why,
            r.command(quick),
        ]
        for r, v in rows
    ]
    figures = [(v.figure, f"{r.name}: {r.claim}") for r, v in rows if v.figure is not None]
    md = [f"# {markdown_text(title)}", markdown_text(intro), markdown_table(HEADERS, table)]
    # figures live in each reproduction's folder, so the link is relative to the page
    md += [f"![{markdown_text(text)}]({path.relative_to(out).as_posix()})" for path, text in figures]
    body = [f"<h1>{title}</h1>", f"<p>{intro}</p>", html_table(HEADERS, table)]
    body += [html_figure(path, text) for path, text in figures]
    paths = {"markdown": out / "reproductions.md", "html": out / "reproductions.html"}
    paths["markdown"].write_text(markdown_page(md), encoding="utf-8")
    paths["html"].write_text(html_page(title, body), encoding="utf-8")
    return paths


def reproduce(
    request: str,
    out: str | Path,
    quick: bool = False,
    executor: str = "process",
    workers: int | None = None,
    console: Console | None = None,
) -> dict[str, Path]:
    """Run the requested reproductions (a name or ``all``) into `out` and write
    the page; returns its paths."""
    console = console or Console()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in names_of(request):
        reproduction = get_reproduction(name)
        verdict = run_one(reproduction, out, quick, executor, workers, console)
        console.print(f"{name}: [bold]{verdict.verdict}[/]: {verdict.ours}", highlight=False)
        rows.append((reproduction, verdict))
    return write_page(out, rows, quick)
