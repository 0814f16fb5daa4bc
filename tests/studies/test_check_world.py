"""`mesabase check-world` and the world-contract suite behind it: the table
and exit codes, one line for bad input, and checks that fail on a world that
breaks the contract (passed as a `World` instance, so nothing is registered)."""

import numpy as np
import pytest

import worlds
from studies import worldcheck
from studies.cli import main
from studies.worldcheck.planner_checks import action_problem
from studies.worldcheck.pytest_plugin import contract_tests
from worlds import ArrowMaze


class LyingMaze(ArrowMaze):
    """An arrow maze whose reference says "up" never moves, while its kernels
    (the arrow maze's own, through `worlds.dispatch`) do move up."""

    name = "lying-maze"

    def reference_step(self, level, state, action):
        if action == self.action_index("up"):
            return tuple(int(v) for v in state)
        return super().reference_step(level, state, action)


class MuteMaze(ArrowMaze):
    """An arrow maze whose text form cannot be written."""

    def format(self, level):
        raise RuntimeError("no text form\nyet")


def impostor(cls):
    """An unregistered `cls()` that the arrow maze's kernels serve."""
    world = cls()
    world.world_id = worlds.get("arrow-maze").world_id
    return world


def table_rows(out: str) -> dict[str, str]:
    """check -> result, from the printed table (a folded detail's extra lines have no check)."""
    cells = [line.split("│") for line in out.splitlines() if line.startswith("│")]
    return {row[1].strip(): row[2].strip() for row in cells if row[1].strip()}


@pytest.fixture
def lying_maze_registered(monkeypatch):
    """`worlds.get("lying-maze")` finds a `LyingMaze`, for the command line."""
    lying, real_get = impostor(LyingMaze), worlds.get
    monkeypatch.setattr(worlds, "get", lambda name: lying if name == "lying-maze" else real_get(name))
    return lying


def test_check_world_prints_every_check_and_exits_0_when_all_pass(capsys):
    assert main(["check-world", "chests-keys", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "world contract of chests-keys (quick, seed 0)" in out
    rows = table_rows(out)
    named = {name: verdict for name, verdict in rows.items() if name in worldcheck.CHECKS}
    assert set(named) == set(worldcheck.CHECKS)
    # A* needs a goal and the JAX planners a continuous world: chests-keys gives them neither
    skipped = {"planner:astar", "planner:gradient", "planner:cem", "planner:mppi"}
    assert {name for name, verdict in named.items() if verdict == "skip"} == skipped
    assert {name for name, verdict in named.items() if verdict == "pass"} == set(worldcheck.CHECKS) - skipped
    assert f"chests-keys: {len(worldcheck.CHECKS) - 4} passed, 0 failed, 4 skipped" in out


def test_an_unknown_world_gets_one_line_and_exit_2(capsys):
    assert main(["check-world", "cheese-maze"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "mesabase: error: unknown world 'cheese-maze'; valid worlds: " + ", ".join(sorted(worlds.names()))
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--check", "speed"], "unknown check 'speed'; valid checks: check-env, declarations"),
        (["--seed", "-1"], "--seed must be a non-negative integer, got -1"),
    ],
)
def test_bad_options_get_one_line_and_exit_2(capsys, args, message):
    assert main(["check-world", "arrow-maze", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err


def test_a_failing_check_fails_the_command_with_exit_1(capsys, lying_maze_registered):
    args = ["check-world", "lying-maze", "--quick", "--check", "kernels-match-reference", "--check", "keys"]
    assert main(args) == 1
    out = capsys.readouterr().out
    rows = table_rows(out)
    assert rows["kernels-match-reference"] == "fail"
    assert rows["keys"] == "pass"  # its reference BFS reaches fewer states, each with its own key
    assert "lying-maze: 1 passed, 1 failed, 0 skipped" in out


def test_kernels_against_a_lying_reference_fail_naming_the_state_and_action():
    result = worldcheck.CHECKS["kernels-match-reference"](impostor(LyingMaze), worldcheck.QUICK)
    assert result.status == "fail" and not result.passed
    assert "action 0 (up): kernel step" in result.detail
    # the detail names the state, the kernels' successor one row up and the reference's, unmoved
    state = result.detail.split(", state ")[1].split(", action")[0]
    row, col, *rest = (int(v) for v in state.strip("()").split(","))
    expected = f"kernel step {(row - 1, col, *rest)}, reference {(row, col, *rest)}"
    assert result.detail.endswith(expected)
    assert "\n" not in result.detail


def test_the_same_checks_pass_on_the_honest_world():
    maze = worlds.get("arrow-maze")
    for name in ("kernels-match-reference", "masked-features", "keys", "heuristic"):
        result = worldcheck.CHECKS[name](maze, worldcheck.QUICK)
        assert result.status == "pass", result


def test_a_check_that_raises_fails_with_one_line():
    result = worldcheck.CHECKS["text-round-trip"](impostor(MuteMaze), worldcheck.QUICK)
    assert (result.status, result.detail) == ("fail", "raised RuntimeError: no text form yet")


def test_an_unregistered_world_fails_the_kernel_checks_and_says_why():
    result = worldcheck.CHECKS["keys"](LyingMaze(), worldcheck.QUICK)  # world_id -1: no kernel serves it
    assert result.status == "fail" and "has no world id" in result.detail


def test_run_checks_runs_the_named_checks_in_suite_order():
    started = []
    results = worldcheck.run_checks("chests-keys", worldcheck.QUICK, ["docstring", "levels"], started.append)
    assert [r.check for r in results] == [c.name for c in started] == ["levels", "docstring"]
    assert all(r.world == "chests-keys" and r.status == "pass" and r.seconds >= 0 for r in results)


@pytest.mark.parametrize("world, check", [("arrow-maze", "planner:astar"), ("point-mass", "planner:cem")])
def test_planner_conformance_plays_and_scores_an_episode(world, check):
    result = worldcheck.CHECKS[check](world, worldcheck.QUICK)
    scoring = "reference" if worlds.get(world).continuous else "oracle"
    assert result.status == "pass" and "-step rollout on train is " in result.detail, result
    assert f"({scoring}, alignment " in result.detail


def test_planned_actions_must_be_ones_the_world_takes():
    maze, mass = worlds.get("arrow-maze"), worlds.get("point-mass")
    maze_level, mass_level = maze.sample(0, "train"), mass.sample(0, "train")
    assert action_problem(maze, maze_level, np.array([0, 3, 2])) is None
    assert action_problem(maze, maze_level, np.array([1, 4, -1])) == "action indices [4, -1] outside 0..3"
    assert "not action indices" in action_problem(maze, maze_level, np.zeros((2, 2)))
    scale = mass.action_scale(mass_level)
    assert action_problem(mass, mass_level, np.array([[scale, -scale]])) is None
    assert action_problem(mass, mass_level, np.array([[0.0, 2 * scale]])) == (
        f"action components up to {2 * scale:.4g}, over the action scale {scale:g}"
    )
    assert action_problem(mass, mass_level, np.array([[np.nan, 0.0]])) == "action vectors that are not finite"
    assert action_problem(mass, mass_level, np.zeros((3, 3))) == "action vectors of shape (3, 3), not (T, 2)"


# ---- the pytest plugin -----------------------------------------------------------------

test_plugin_cases = contract_tests("chests-keys", settings=worldcheck.QUICK, checks=["levels", "docstring"])


def test_the_plugin_makes_one_case_per_world_and_check():
    test = contract_tests("chests-keys", "cleaning", checks=["keys", "levels"])
    (mark,) = [m for m in test.pytestmark if m.name == "parametrize"]
    # cases follow the suite's order, not the order asked for
    assert [p.id for p in mark.args[1]] == [
        "chests-keys-levels", "chests-keys-keys", "cleaning-levels", "cleaning-keys",
    ]  # fmt: skip


def test_a_plugin_case_fails_with_the_detail_or_skips_with_the_reason():
    lying = impostor(LyingMaze)
    case = contract_tests(lying)
    with pytest.raises(AssertionError, match="lying-maze fails kernels-match-reference: lying-maze"):
        case(lying, "kernels-match-reference")
    with pytest.raises(pytest.skip.Exception, match="serves none of its objectives"):
        case("chests-keys", "planner:gradient")
