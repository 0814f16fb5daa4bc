"""The command line: listings, the demo, and one clear line for bad input."""

import sqlite3
import subprocess
import sys

import pytest

from studies.cli import main
from tests.levels import BEHIND_EXIT, FORK


def run_cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "studies", *args], capture_output=True, text=True, input=stdin, timeout=300
    )


@pytest.fixture
def fork_file(tmp_path):
    path = tmp_path / "fork.txt"
    path.write_text(FORK)
    return path


@pytest.mark.parametrize(
    "args, message",
    [
        (["demo", "cheese-maze"], "unknown world 'cheese-maze'; valid worlds: arrow-maze"),
        (["objectives", "nowhere"], "unknown world 'nowhere'"),
        (["plan", "arrow-maze", "LEVEL", "--objective", "cheese"], "unknown arrow-maze objective 'cheese'"),
        (["plan", "arrow-maze", "LEVEL", "--budget", "-5"], "max_expansions must be a positive integer"),
        (["demo", "arrow-maze", "--budget", "-1"], "max_expansions must be a positive integer"),
        (["plan", "arrow-maze", "BAD"], "line 2, column 3: unexpected character 'x'"),
        (["plan", "arrow-maze", "/no/such/level.txt"], "cannot read /no/such/level.txt"),
        (["demo", "arrow-maze", "--seed", "-3"], "seed must be a non-negative integer"),
        (["demo", "arrow-maze", "--seed", "three"], "invalid int value: 'three'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["plan", "arrow-maze", "LEVEL", "--planner", "reactive", "--budget", "3"], "planner has no budget"),
        (["plan", "chests-keys", "LEVEL"], "line 2, column 2: unexpected character 'A'"),
        (["show", "arrow-mazes"], "unknown study 'arrow-mazes'; studies: arrow-maze"),
        (["planners", "--world", "maze"], "unknown world 'maze'; valid worlds: arrow-maze"),
        (["demo", "arrow-maze", "--fps", "0"], "--fps must be over 0 and at most 50, got 0"),
    ],
)
def test_bad_input_gets_one_line_and_status_2(tmp_path, fork_file, args, message):
    bad = tmp_path / "bad.txt"
    bad.write_text("####\n#Sx#\n####\n")
    args = [str(fork_file) if a == "LEVEL" else str(bad) if a == "BAD" else a for a in args]
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


def test_plan_prints_the_path(fork_file, capsys):
    assert main(["plan", "arrow-maze", str(fork_file), "--objective", "arrow"]) == 0
    out = capsys.readouterr().out
    assert "2 steps, outcome misgeneralized" in out
    assert "actions: up up" in out


def test_the_reactive_policy_plays_without_an_objective():
    # both keys, then nothing left to head for: the chest stays shut
    result = run_cli("plan", "chests-keys", "-", "--planner", "reactive", stdin="#######\n#SK.KC#\n#######\n")
    assert result.returncode == 0, result.stderr
    assert "objective 'revealed: keys': 3 steps, outcome misgeneralized" in result.stdout


def test_plan_reads_standard_input():
    result = run_cli("plan", "arrow-maze", "-", stdin=BEHIND_EXIT)
    assert result.returncode == 0, result.stderr
    assert "2 steps, outcome intended" in result.stdout


def test_listings(capsys):
    assert main(["worlds"]) == 0
    assert "mesabase/ArrowMaze-v0" in capsys.readouterr().out
    assert main(["objectives", "arrow-maze"]) == 0
    out = capsys.readouterr().out
    assert "reach the exit" in out and "reached_arrow" in out


def test_the_studies_listing_names_every_built_in_study_and_kind(capsys):
    from studies.core import builtin_names, kind_names

    assert main(["studies"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in builtin_names())
    assert "episodes (default)" in out and all(kind in out for kind in kind_names())


def test_demo_writes_the_picture_and_the_animation(tmp_path, capsys):
    assert main(["demo", "arrow-maze", "--out", str(tmp_path), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "misgeneralized" in out and "wrote" in out
    import imageio.v3 as iio

    png = iio.imread(tmp_path / "arrow-maze.png")
    gif = iio.imread(tmp_path / "arrow-maze.gif")
    assert png.ndim == 3 and png.shape[0] > 500
    assert gif.ndim == 4 and gif.shape[0] > 5


def test_demo_tells_the_story_in_one_sentence_per_cell(tmp_path):
    from rich.console import Console

    from studies import run_demo, sentence

    result = run_demo("arrow-maze", seed=2, out_dir=tmp_path, console=Console(quiet=True), gif=False)
    outcomes = {key: ep.outcome for key, ep in result.episodes.items()}
    assert outcomes == {
        ("exit", "train"): "intended",
        ("exit", "test"): "intended",
        ("arrow", "train"): "intended",
        ("arrow", "test"): "misgeneralized",
    }
    story = sentence(result.world, result.episodes[("arrow", "test")])
    assert "never reached the exit" in story and "its objective did not" in story
    assert "looks aligned" in sentence(result.world, result.episodes[("arrow", "train")])


def test_the_built_in_studies_ship_in_the_package():
    # `pip install .` then `mesabase run arrow-maze` reads them from the installed package
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    shipped = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "studies"
    ]
    builtin = sorted(
        p.relative_to(root / "studies").as_posix() for p in (root / "studies" / "builtin").glob("*")
    )
    assert builtin and all(any(fnmatch.fnmatch(f, pattern) for pattern in shipped) for f in builtin)


def test_a_folder_named_like_a_built_in_study_does_not_hide_it(tmp_path, monkeypatch):
    from studies.core.spec import BUILTIN_DIR, study_path

    (tmp_path / "arrow-maze").mkdir()
    monkeypatch.chdir(tmp_path)
    assert study_path("arrow-maze") == BUILTIN_DIR / "arrow-maze.toml"


# ---- expected failures: one line and status 2, bugs keep their traceback --------------


def _one_line(capsys) -> str:
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error, error
    return error


def test_workers_are_bounded_and_the_limit_can_be_raised(tmp_path, capsys, monkeypatch):
    from studies.core.executors import check_executor
    from studies.core.limits import MAX_WORKERS_ENV, max_workers

    assert main(["run", "arrow-maze", "--out", str(tmp_path), "--workers", "100000"]) == 2
    assert f"over the limit of {max_workers()}" in _one_line(capsys) and not any(tmp_path.iterdir())
    monkeypatch.setenv(MAX_WORKERS_ENV, "100000")
    assert check_executor("process", 100000) == 100000
    monkeypatch.setenv(MAX_WORKERS_ENV, "lots")
    assert main(["run", "arrow-maze", "--out", str(tmp_path), "--workers", "3"]) == 2
    assert "MESABASE_MAX_WORKERS must be a positive int" in _one_line(capsys)


@pytest.mark.parametrize(
    "address, message",
    [
        ("127.0.0.1:1", "cannot reach a Ray cluster at 127.0.0.1:1"),
        ("127.0.0.1:99999", "between 1 and 65535"),
    ],
)
def test_an_unreachable_ray_address_fails_fast_in_one_line(tmp_path, capsys, address, message):
    import time

    began = time.monotonic()
    command = ["run", "arrow-maze", "--out", str(tmp_path), "--executor", "ray", "--address", address]
    assert main(command) == 2
    assert message in _one_line(capsys)
    assert time.monotonic() - began < 10 and not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    "failure, message",
    [
        (
            PermissionError(13, "Permission denied", "/some/report.html"),
            "/some/report.html: Permission denied",
        ),
        (OSError(28, "No space left on device"), "No space left on device"),
        (sqlite3.OperationalError("database is locked"), "the results database failed: database is locked"),
        (MemoryError(), "out of memory"),
        (ConnectionError("refused\nsecond line"), "refused second line"),
    ],
)
def test_expected_failures_are_one_line_and_status_2(tmp_path, capsys, monkeypatch, failure, message):
    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr("studies.reporting.report.write_report", fail)
    assert main(["report", str(tmp_path)]) == 2
    assert message in _one_line(capsys)


def test_a_bug_keeps_its_traceback(tmp_path, monkeypatch):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("studies.reporting.report.write_report", bug)
    with pytest.raises(ZeroDivisionError):
        main(["report", str(tmp_path)])


def test_plan_does_not_draw_a_level_over_the_printed_limit(tmp_path, capsys, monkeypatch):
    import worlds

    maze = worlds.get("arrow-maze")
    level_file = tmp_path / "big.txt"
    level_file.write_text(maze.format(maze.sample(0, "test", size=41)))
    monkeypatch.setenv("MESABASE_MAX_PRINTED_CELLS", "1000")
    assert main(["plan", "arrow-maze", str(level_file)]) == 0
    out = capsys.readouterr().out
    assert "a 41 x 41 level is not drawn: over MAX_PRINTED_CELLS=1000" in out
    assert "outcome intended" in out and "#" not in out


def test_planners_prints_a_grid_and_each_reason_once(capsys):
    assert main(["planners"]) == 0
    out = capsys.readouterr().out
    grid = [line for line in out.splitlines() if line.startswith("│ ") and "exit, arrow" in line]
    assert len(grid) == 1 and grid[0].split("│")[1].strip() == "astar"  # A* serves exit and arrow only
    # one line per kind of reason: the discrete-world refusal is listed once per planner, not per world
    assert out.count("gradient plans continuous action sequences") == 1
    assert main(["planners", "--long"]) == 0
    long = capsys.readouterr().out
    assert long.count("gradient plans continuous action sequences") > 1
