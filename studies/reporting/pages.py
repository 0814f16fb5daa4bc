"""Report pages: markdown and self-contained HTML (figures inlined as data
URIs, no scripts, no links out), and `write_section_report`, the whole page of
findings and titled tables that the learning and analysis reports write.

Text from a study file (names, descriptions, labels) is escaped on both
pages: HTML-escaped in HTML, and in markdown with ``&`` and ``<`` written as
entities (`markdown_text`), so no raw HTML reaches a markdown viewer. CSV
cells are spreadsheet-safe (`studies.reporting.formatting.spreadsheet_safe`).
"""

from __future__ import annotations

import base64
import csv
import html
from pathlib import Path

from studies.reporting.formatting import spreadsheet_safe

_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f2f2f2}img{max-width:100%;border:1px solid #ddd}figure{margin:1em 0}
figcaption{color:#555;font-size:.9em}"""


def markdown_text(text: str) -> str:
    """`text` for a markdown page, with no raw HTML: ``&`` and ``<`` become
    entities (``>`` alone opens no tag, so labels such as "astar -> exit" stay
    readable in the file)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


def markdown_image(path: Path, caption: str) -> str:
    """A markdown image of `path` (next to the page) with an escaped caption."""
    alt = markdown_text(caption).replace("[", "\\[").replace("]", "\\]")
    return f"![{alt}]({path.name})"


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table, every cell escaped (`markdown_text`)."""

    def line(cells):
        return "| " + " | ".join(markdown_text(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(headers), line(["---"] * len(headers)), *(line(r) for r in rows)])


def html_table(headers: list[str], rows: list[list[str]]) -> str:
    """An HTML table, every cell escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_figure(path: Path, text: str) -> str:
    """An HTML figure with the PNG inlined as a data URI, so the page works offline."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    alt = html.escape(text)
    return (
        f"<figure><img src='data:image/png;base64,{data}' alt='{alt}'><figcaption>{alt}</figcaption></figure>"
    )


def markdown_page(parts: list[str]) -> str:
    """The markdown parts (empty ones left out) as one document."""
    return "\n\n".join(part for part in parts if part) + "\n"


def html_page(title: str, body: list[str]) -> str:
    """A complete HTML document: `title` (escaped here) and the body's HTML parts."""
    head = f"<meta charset='utf-8'><title>{html.escape(title)}</title><style>{_CSS}</style>"
    return f"<!DOCTYPE html>\n<html><head>{head}</head><body>\n" + "\n".join(body) + "\n</body></html>\n"


def page_opening(
    title: str, description: str, notes: str, sentences: list[str]
) -> tuple[list[str], list[str]]:
    """The markdown and HTML parts every report starts with: the title,
    description, notes and the findings as a list."""
    md = [
        f"# {markdown_text(title)}", markdown_text(description), markdown_text(notes), "## Findings",
        "\n".join(f"- {markdown_text(s)}" for s in sentences),
    ]  # fmt: skip
    page = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(description)}</p>",
        f"<p>{html.escape(notes)}</p>",
        "<h2>Findings</h2>",
        "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in sentences) + "</ul>",
    ]
    return md, page


def write_section_report(
    out: Path,
    title: str,
    description: str,
    notes: str,
    sentences: list[str],
    tables: list[tuple[str, list[str], list[list[str]], list[tuple[Path, str]]]],
    csv_table: tuple[str, list[str], list[list[str]]],
    console=None,
) -> dict[str, Path]:
    """A report of findings and titled tables, each followed by its figures:
    ``<csv name>.csv`` (one table), ``report.md`` and a self-contained
    ``report.html``. Returns the written paths by name (figures included)."""
    name, csv_headers, csv_rows = csv_table
    paths = {name: out / f"{name}.csv"}
    with paths[name].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([spreadsheet_safe(h) for h in csv_headers])
        writer.writerows([spreadsheet_safe(c) for c in row] for row in csv_rows)
    md, page = page_opening(title, description, notes, sentences)
    for heading, headers, rows, figures in tables:
        if rows:
            md += [f"## {markdown_text(heading)}", markdown_table(headers, rows)]
            page += [f"<h2>{html.escape(heading)}</h2>", html_table(headers, rows)]
        for path, text in figures:
            paths[path.stem] = path
            md.append(markdown_image(path, text))
            page.append(html_figure(path, text))
    paths["markdown"] = out / "report.md"
    paths["markdown"].write_text(markdown_page(md), encoding="utf-8")
    paths["html"] = out / "report.html"
    paths["html"].write_text(html_page(title, page), encoding="utf-8")
    if console is not None:
        for sentence in sentences:
            console.print(sentence, markup=False, highlight=False)
        for path in paths.values():
            console.print(f"wrote {path}", markup=False, highlight=False)
    return paths
