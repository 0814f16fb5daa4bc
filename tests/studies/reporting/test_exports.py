"""Exported files are safe to open: CSV cells that a spreadsheet would run as
formulas are neutralised (OWASP), numbers stay numbers, and report.md
carries no raw HTML from the study file."""

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studies.episodes.summary import write_summary_csv
from studies.reporting import FORMULA_STARTS, markdown_table, markdown_text, spreadsheet_safe
from studies.reporting.pages import write_section_report

HOSTILE = '<img src=x onerror="alert(1)">&amp;'


@pytest.mark.parametrize(
    "value, safe",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("-0.25", "-0.25"),
        ("+3", "+3"),
        ("-1e-05", "-1e-05"),
        ("astar -> exit", "astar -> exit"),
        (-0.25, -0.25),
        (-3, -3),
        (None, None),
    ],
)
def test_formula_cells_are_neutralised_and_numbers_kept(value, safe):
    assert spreadsheet_safe(value) == safe


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_no_text_leaves_as_a_formula(text):
    safe = spreadsheet_safe(text)
    assert safe == text or safe == "'" + text
    if safe.startswith(FORMULA_STARTS):  # only plain numbers keep their sign
        float(safe)


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers())
def test_numbers_and_their_text_stay_numbers(number):
    assert spreadsheet_safe(number) == number
    assert spreadsheet_safe(repr(number)) == repr(number)


def test_summary_csv_neutralises_study_text_and_keeps_negative_numbers(tmp_path):
    summary = [{"world": "arrow-maze", "agent": "=1+2", "split": "@test", "capability_mean": -0.5, "n": -3}]
    path = write_summary_csv(summary, tmp_path / "summary.csv")
    with open(path, newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row == {
        "world": "arrow-maze",
        "agent": "'=1+2",
        "split": "'@test",
        "capability_mean": "-0.5",
        "n": "-3",
    }


def test_section_reports_escape_markdown_and_neutralise_csv(tmp_path):
    paths = write_section_report(
        tmp_path, HOSTILE, HOSTILE, "notes", [f"{HOSTILE} wins"],
        [("Table", ["agent", "score"], [[HOSTILE, "-0.5"]], [])],
        ("table", ["agent", "score"], [["=cmd()", "-0.5"], ["+x", -1.25]]),
    )  # fmt: skip
    markdown, page = paths["markdown"].read_text(), paths["html"].read_text()
    for text in (markdown, page):
        assert "<img" not in text and "&lt;img" in text
    with open(paths["table"], newline="") as handle:
        assert list(csv.reader(handle)) == [["agent", "score"], ["'=cmd()", "-0.5"], ["'+x", "-1.25"]]


def test_markdown_text_escapes_tags_but_keeps_arrows_and_pipes_in_tables():
    assert markdown_text("a <b> & c -> d") == "a &lt;b> &amp; c -> d"
    assert markdown_table(["h"], [["<x>|y"]]).splitlines()[-1] == "| &lt;x>\\|y |"
