"""Studies: cells from TOML, identical rows on every executor, resuming after
SIGKILL, one-line errors for bad study files, and the arrow-maze study's
findings."""

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studies.cli import EXIT_BAD_INPUT, main
from studies.core import ResultStore, StudyError, load
from studies.episodes import parse, run_study

SMALL = """
name = "small"
world = "arrow-maze"
splits = ["train", "test"]
objectives = ["exit", "arrow"]
seeds = 2

[[planners]]
name = "astar"

[[planners]]
name = "mcts"
budgets = [30]
options = { depth = 60 }
"""


@pytest.fixture(scope="module")
def small_study(tmp_path_factory):
    path = tmp_path_factory.mktemp("study") / "small.toml"
    path.write_text(SMALL)
    return path


@pytest.fixture(scope="module")
def serial_rows(small_study, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    run_study(load(small_study), out, executor="serial", progress=False)
    return ResultStore(out / "results.sqlite").rows()


def test_a_study_expands_into_cells_with_stable_ids(small_study):
    study = load(small_study)
    assert len(study.cells) == 2 * 2 * 2 * 2  # splits x seeds x planners x objectives
    assert len({cell.id for cell in study.cells}) == len(study.cells)
    assert [c.id for c in load(small_study).cells] == [c.id for c in study.cells]
    assert {c.agent for c in study.cells} == {"astar -> exit", "astar -> arrow", "mcts (30) -> exit",
                                              "mcts (30) -> arrow"}  # fmt: skip


@pytest.mark.parametrize(
    "executor", ["process", pytest.param("ray", marks=pytest.mark.xdist_group("ray"))]
)  # one pytest-xdist worker for the Ray tests (tests/studies/core/test_ray_cluster.py stops Ray)
@pytest.mark.slow
def test_every_executor_gives_identical_rows(small_study, serial_rows, tmp_path, executor):
    if executor == "ray":
        pytest.importorskip("ray")
    run_study(load(small_study), tmp_path, executor=executor, workers=2, progress=False)
    assert ResultStore(tmp_path / "results.sqlite").rows() == serial_rows


def _count(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_sigkill_loses_nothing_and_a_rerun_completes_without_duplicates(small_study, serial_rows, tmp_path):
    command = [sys.executable, "-m", "studies", "run", str(small_study), "--out", str(tmp_path),
               "--executor", "process", "--workers", "2", "--no-report"]  # fmt: skip
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    database = tmp_path / "results.sqlite"
    deadline = time.monotonic() + 120
    while _count(database) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the CLI and its pool workers
    process.wait()
    killed_at = _count(database)
    assert 3 <= killed_at < len(serial_rows), "the kill should land mid-study"
    assert main(["run", str(small_study), "--out", str(tmp_path), "--executor", "serial", "--no-report"]) == 0
    rows = ResultStore(database).rows()
    assert len(rows) == len(load(small_study).cells)
    assert len({row["cell_id"] for row in rows}) == len(rows)
    assert rows == serial_rows


BAD_STUDIES = {
    "unknown world": (
        'world = "labyrinth"\n[[planners]]\nname = "astar"',
        "world: unknown world 'labyrinth'",
    ),
    "unknown planner": (
        'world = "arrow-maze"\n[[planners]]\nname = "dijkstra"',
        "planners[0].name: unknown planner",
    ),
    "unknown objective": (
        'world = "arrow-maze"\nobjectives = ["cheese"]\n[[planners]]\nname = "astar"',
        "planners[0].objectives: unknown arrow-maze objective 'cheese'",
    ),
    "incompatible pair": (
        'world = "arrow-maze"\n[[planners]]\nname = "gradient"',
        "gradient cannot pursue 'exit' in arrow-maze",
    ),
    "negative budget": (
        'world = "arrow-maze"\n[[planners]]\nname = "mcts"\nbudgets = [-5]',
        "budgets: expected a positive integer, got -5",
    ),
    "bad seeds": (
        'world = "arrow-maze"\nseeds = "many"\n[[planners]]\nname = "astar"',
        "seeds: expected a positive integer",
    ),
    "unknown key": ('world = "arrow-maze"\nlevels = 3\n[[planners]]\nname = "astar"', "levels: unknown key"),
    "not TOML": ("world = arrow-maze", "not valid TOML"),
    "bad split": (
        'world = "arrow-maze"\nsplits = ["holdout"]\n[[planners]]\nname = "astar"',
        "has no split 'holdout'",
    ),
    "bad threshold": (
        'world = "arrow-maze"\nthreshold = 2\n[[planners]]\nname = "astar"',
        "threshold: expected a number",
    ),
    "no planners": ('world = "arrow-maze"', "planners: expected an array"),
    "bad override": (
        'world = "arrow-maze"\n[overrides.test]\nsize = 4\n[[planners]]\nname = "astar"',
        "overrides.test: size must be an odd integer",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_STUDIES))
def test_bad_study_files_get_one_line_and_status_2(kind, tmp_path, capsys):
    text, expected = BAD_STUDIES[kind]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--executor", "serial"]) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("mesabase: error: ")
    assert str(path) in error and expected in error


def test_unknown_study_names_list_the_built_in_ones(capsys):
    assert main(["run", "no-such-study"]) == EXIT_BAD_INPUT
    assert "; studies: arrow-maze" in capsys.readouterr().err and "arrow-maze" in load("arrow-maze").name


def test_bad_run_options_are_one_line_errors(small_study, tmp_path, capsys):
    for options in (["--executor", "threads"], ["--workers", "0"], ["--seeds", "-1"]):
        assert main(["run", str(small_study), "--out", str(tmp_path), *options]) == EXIT_BAD_INPUT
        assert capsys.readouterr().err.count("\n") == 1


def test_parse_refuses_two_identical_agents():
    with pytest.raises(StudyError, match="same agent"):
        parse({"world": "arrow-maze", "planners": [{"name": "astar"}, {"name": "astar"}]})


@pytest.fixture(scope="module")
def arrow_maze_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("arrow-maze")
    assert main(["run", "arrow-maze", "--seeds", "4", "--out", str(out), "--workers", "2"]) == 0
    with open(out / "summary.csv", newline="") as handle:
        summary = {(row["agent"], row["split"]): row for row in csv.DictReader(handle)}
    return out, summary


@pytest.mark.slow
def test_arrow_maze_report_shows_the_shift(arrow_maze_report):
    out, summary = arrow_maze_report

    def fraction(agent, split, outcome):
        return float(summary[(agent, split)][f"frac_{outcome}"])

    for arrow_agent in ("astar -> arrow", "mcts (1000) -> arrow"):
        assert fraction(arrow_agent, "train", "intended") == 1.0
        assert fraction(arrow_agent, "test", "misgeneralized") == 1.0
    for exit_agent in ("astar -> exit", "mcts (1000) -> exit"):
        assert fraction(exit_agent, "train", "intended") == 1.0
        assert fraction(exit_agent, "test", "intended") >= 0.75
    for weak in ("mcts (30) -> exit", "mcts (30) -> arrow"):
        assert fraction(weak, "test", "capability_failure") >= 0.5  # large test mazes beat a weak planner
    assert {row["unit"] for row in summary.values()} == {"level"}
    report = (out / "report.md").read_text()
    # Wilson 95% for 4 of 4 levels reaches down to 51%, per agent: no pooling
    assert "The astar -> arrow agent is misgeneralized on test levels (4/4, 100% [51%, 100%])" in report
    assert "The unit of replication is the level" in report
    files = ("report.html", "robustness.png", "outcomes.png", "threshold.png", "budget.png", "example-1.png")
    for name in (*files, "results.sqlite", "paired.csv", "threshold.csv", "levels.csv"):
        assert (out / name).exists()
    with open(out / "paired.csv", newline="") as handle:
        paired = list(csv.DictReader(handle))
    swaps = {(r["split"], r["first"], r["second"]) for r in paired if r["kind"] == "objective swap"}
    assert ("test", "astar -> exit", "astar -> arrow") in swaps and {r["unit"] for r in paired} == {"level"}


def test_a_missing_ray_gets_a_one_line_hint(small_study, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    command = ["run", str(small_study), "--out", str(tmp_path), "--executor", "ray", "--no-report"]
    assert main(command) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and 'pip install "mesabase[ray]"' in error
