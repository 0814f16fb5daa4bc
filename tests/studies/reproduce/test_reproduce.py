"""`mesabase reproduce`: every registered result runs its quick study end to
end, is judged from the data, and lands as one row of the page."""

import pytest

import studies.reproduce.run as reproduce_run
from studies.cli import main
from studies.core import runner
from studies.reproduce import NOT_REPRODUCED, PARTLY, REPRODUCED, get_reproduction, reproduction_names
from studies.reproduce.registry import NOT_RUN_QUICK
from studies.reproduce.run import _merged, load_variant


def test_quick_changes_merge_into_the_study_file():
    data = {"seeds": 20, "evaluate": {"levels": 30, "splits": ["test"]}, "planners": [{"name": "astar"}]}
    merged = _merged(data, {"evaluate": {"levels": 6}, "planners": [{"name": "mcts"}]})
    assert merged == {
        "seeds": 20,
        "evaluate": {"levels": 6, "splits": ["test"]},
        "planners": [{"name": "mcts"}],
    }
    assert data["evaluate"]["levels"] == 30  # the original is left alone


@pytest.mark.parametrize("name", reproduction_names())
def test_every_reproduction_has_a_quick_study_that_parses(name):
    reproduction = get_reproduction(name)
    kind, study = load_variant(reproduction, quick=reproduction.quick is not None)
    assert kind.name in ("episodes", "learn", "analysis")
    assert study.name.endswith("-quick") or reproduction.quick is None
    assert reproduction.paper and reproduction.claim and reproduction.paper_figure


def test_an_unknown_reproduction_is_one_line_and_exit_2(capsys):
    assert main(["reproduce", "no-such-result", "--quick"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "valid reproductions: all, arrow-maze" in err


def _no_replay(study, cell):
    raise AssertionError(f"{study}: cell {cell.id} was played again on a rerun")


@pytest.mark.slow
def test_reproduce_all_quick_runs_and_writes_one_judged_row_per_result(tmp_path, capsys, monkeypatch):
    out = tmp_path / "reproductions"
    assert main(["reproduce", "all", "--quick", "--out", str(out), "--executor", "serial"]) == 0
    page = (out / "reproductions.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| ") and not line.startswith("| result")]
    rows = [line for line in rows if not line.startswith("| ---")]
    assert len(rows) == len(reproduction_names())
    for name, row in zip(reproduction_names(), rows):
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[0] == name and cells[4] in (REPRODUCED, PARTLY, NOT_REPRODUCED, NOT_RUN_QUICK)
        assert (cells[4] == NOT_RUN_QUICK) == (get_reproduction(name).quick is None)
        assert cells[-1] == f"mesabase reproduce {name} --quick"
    html = (out / "reproductions.html").read_text(encoding="utf-8")
    assert "<table>" in html and "http" not in html.split("<body>")[1]  # works offline
    # the arrow maze's proxy agent misgeneralizes on every quick test level, with its interval
    assert "misgeneralized on 6/6, 100% [61%, 100%] test levels" in rows[0]
    # a rerun resumes: every study is already finished (no episode is played
    # again), and the page is the same. The study reports are rewritten as the
    # first run wrote them; here they are only counted, since the page is judged
    # from the data and each kind's report has its own tests.
    reported = []
    monkeypatch.setattr(runner, "play_cell", _no_replay)
    monkeypatch.setattr(reproduce_run, "write_report", lambda folder, console: reported.append(folder.name))
    assert main(["reproduce", "all", "--quick", "--out", str(out), "--executor", "serial"]) == 0
    assert (out / "reproductions.md").read_text(encoding="utf-8") == page
    assert reported == [n for n in reproduction_names() if get_reproduction(n).quick is not None]
