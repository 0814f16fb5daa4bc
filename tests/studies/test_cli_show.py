"""The teaching commands: `mesabase show`, `planners --world`, the demo's
--fps and --scale, and `plan --help` naming every planner."""

import tomllib

import pytest

import planners
import worlds
from studies.cli import main
from studies.core.folder import study_identity
from studies.core.spec import BUILTIN_DIR, builtin_names, load_with_kind

HEADER = 2  # the comment lines `show` prints above the file


def _one_line(capsys) -> str:
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error, error
    return error


@pytest.mark.parametrize("name", builtin_names())
def test_show_prints_the_built_in_study_as_a_template_that_loads(tmp_path, capsys, name):
    assert main(["show", name]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines(keepends=True)
    assert lines[0] == f"# mesabase run {name}\n"
    assert "save this as my-study.toml and run: mesabase run my-study.toml" in lines[1]
    # the file itself, verbatim, after the two comment lines
    assert "".join(lines[HEADER:]) == (BUILTIN_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert tomllib.loads(out)["name"] == name
    # saved as the user's own file, it is the same study as the built-in (loaded, not run)
    template = tmp_path / "my-study.toml"
    template.write_text(out, encoding="utf-8")
    saved_kind, saved = load_with_kind(template)
    kind, builtin = load_with_kind(name)
    assert saved_kind.name == kind.name
    assert study_identity(saved_kind.name, saved) == study_identity(kind.name, builtin)


def test_show_refuses_an_unknown_study_in_one_line_that_lists_the_valid_ones(capsys):
    assert main(["show", "arrow-mase"]) == 2
    error = _one_line(capsys)
    assert "unknown study 'arrow-mase'" in error
    assert all(name in error for name in builtin_names())


def test_the_studies_listing_points_at_show(capsys):
    assert main(["studies"]) == 0
    assert "mesabase show NAME" in capsys.readouterr().out


def _table_rows(out: str) -> list[list[str]]:
    """The cells of every body and header row of the rich tables in `out`."""
    return [
        [cell.strip() for cell in line.strip().strip("│┃").split("│" if "│" in line else "┃")]
        for line in out.splitlines()
        if line.startswith(("│ ", "┃ "))
    ]


def test_planners_world_restricts_the_grid_to_that_world(capsys):
    assert main(["planners", "--world", "chests-keys"]) == 0
    out = capsys.readouterr().out
    rows = _table_rows(out)
    assert ["planner", "chests-keys"] in rows  # the grid's header: one world column
    grid = {row[0]: row[1] for row in rows if len(row) == 2}
    assert set(planners.PLANNERS) <= set(grid)
    # A* needs a goal and chests-keys' catalogue has none; value iteration serves all three
    assert grid["astar"] == "none" and grid["value-iteration"] == "all 3"
    others = [w for w in worlds.names() if w != "chests-keys"]
    assert not any(w in out for w in others), out


def test_planners_world_long_lists_only_that_world(capsys):
    assert main(["planners", "--world", "point-mass", "--long"]) == 0
    rows = [row for row in _table_rows(capsys.readouterr().out) if len(row) == 5 and row[0]]
    body = [row for row in rows if row[0] != "planner"]
    assert body and {row[1] for row in body} == {"point-mass"}
    assert {row[0] for row in body} == set(planners.PLANNERS)


def test_planners_refuses_an_unknown_world_in_one_line(capsys):
    assert main(["planners", "--world", "atlantis"]) == 2
    assert "unknown world 'atlantis'; valid worlds: arrow-maze" in _one_line(capsys)


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--fps", "0", "--fps must be over 0 and at most 50, got 0"),
        ("--fps", "-2", "--fps must be over 0"),
        ("--fps", "51", "--fps must be over 0 and at most 50, got 51"),
        ("--fps", "nan", "--fps must be over 0"),
        ("--scale", "0", "--scale must be over 0 and at most 4, got 0"),
        ("--scale", "5", "--scale must be over 0 and at most 4"),
        ("--scale", "inf", "--scale must be over 0 and at most 4, got inf"),
        ("--fps", "fast", "invalid float value: 'fast'"),
    ],
)
def test_demo_refuses_a_bad_pace_or_size_early(tmp_path, capsys, monkeypatch, option, value, message):
    def played(*args, **kwargs):
        raise AssertionError("the demo ran")

    monkeypatch.setattr("studies.demos.run_demo", played)
    out = tmp_path / "out"
    assert _status(["demo", "arrow-maze", "--out", str(out), option, value]) == 2
    assert message in _one_line(capsys)
    assert not out.exists()


def _status(argv: list[str]) -> int:
    """`main`'s exit status, whether it returns it or argparse exits with it."""
    try:
        return main(argv)
    except SystemExit as exited:
        return exited.code


def test_demo_passes_its_pace_and_size_to_the_demo(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("studies.demos.run_demo", lambda world, **kwargs: calls.append((world, kwargs)))
    assert main(["demo", "cleaning", "--out", str(tmp_path), "--fps", "2.5", "--scale", "2"]) == 0
    assert main(["demo", "cleaning", "--out", str(tmp_path)]) == 0
    (world, given), (_, default) = calls
    assert world == "cleaning" and (given["fps"], given["scale"]) == (2.5, 2.0)
    assert (default["fps"], default["scale"]) == (5.0, 1.0)


def test_plan_help_names_every_planner(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--help"])
    assert exited.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    missing = [name for name in planners.PLANNERS if name not in help_text]
    assert not missing, help_text
    assert all(argument in help_text for argument in planners.BUDGET_ARGUMENT.values())
