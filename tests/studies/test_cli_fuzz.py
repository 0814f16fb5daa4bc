"""A property-based fuzz of the command line and of study-file values.

Every invalid input, as a careless or hostile user would give it, must end
in exit status 2 and one line on stderr, with no traceback, quickly, and with
no cell played. The study files are valid TOML with one bad value at one key
of one kind (wrong types, negatives, huge numbers, NaN and infinities, empty
lists and tables, unknown names and keys), or malformed TOML; the arguments
are bad ``run``, ``plan``, ``objectives`` and ``demo`` command lines.

`studies.cli.main` runs in-process; a study that gets past its checks would
reach its kind's ``run``, which the `no_cells` fixture replaces with one that
raises `CellPlayed` (a `BaseException`, so that no ``except Exception`` in the
CLI can turn it into a refusal).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import math
import re
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import studies.cli as cli
import worlds
from studies.cli import main
from studies.demos import demo_names
from tests.levels import FORK

#: a refusal comes before any work: generous for a loaded 2-core machine
TIME_BOUND_S = 20.0

#: examples per fuzz test; the fixtures (a tmp folder, the patched run) serve every example alike
EXAMPLES = 40
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class CellPlayed(BaseException):  # noqa: N818 - not an error of the code under test, a verdict
    """A study got past every check and would have played its cells."""


@pytest.fixture
def no_cells(monkeypatch):
    """Replace each study kind's ``run`` (as the CLI loads it) with one that raises `CellPlayed`."""
    load_with_kind = cli.load_with_kind

    def guarded(*args, **kwargs):
        kind, study = load_with_kind(*args, **kwargs)

        def refuse(*_, **__):
            raise CellPlayed(f"study {getattr(study, 'name', study)!r} was accepted and would run")

        return dataclasses.replace(kind, run=refuse), study

    monkeypatch.setattr(cli, "load_with_kind", guarded)


def call(argv: list[str]) -> tuple[object, str, float]:
    """``main(argv)`` in-process: (exit status, stderr, seconds)."""
    err, out = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            status = main(argv)
        except SystemExit as exit_:
            status = exit_.code
    return status, err.getvalue(), time.monotonic() - start


def assert_refused(argv: list[str], what: str = "") -> None:
    try:
        status, err, seconds = call(argv)
    except CellPlayed as played:
        pytest.fail(f"accepted {what or argv}: {played}")
    lines = err.strip().splitlines()
    assert status == 2, (argv, what, status, err)
    assert len(lines) == 1, (argv, what, err)
    assert "Traceback" not in err, (argv, what, err)
    assert seconds < TIME_BOUND_S, (argv, what, seconds)


# ---- TOML ---------------------------------------------------------------------------------


def toml_value(value) -> str:
    """`value` as TOML: NaN and infinities as TOML writes them, tables inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def toml_document(data: dict) -> str:
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())


def with_value(data: dict, path: str, value) -> dict:
    """A deep copy of `data` with `path` (``planners[0].options.depth``) set to `value`."""
    data = json.loads(json.dumps(data))
    parts = [int(p) if p.isdigit() else p for p in re.split(r"\.|\[(\d+)\]\.?", path) if p]
    node = data
    for part in parts[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    node[parts[-1]] = value
    return data


# ---- bad values -----------------------------------------------------------------------------

NAN, INF = math.nan, math.inf
UNKNOWN = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=10).map(lambda s: "zz" + s)
NOT_A_COUNT = st.sampled_from(
    [0, -1, -7, -(2**63), 10**12, 2**63 - 1, 1.5, 2.0, NAN, INF, -INF, "", "3", True, False, [], [1], {}]
)
NOT_A_SEED = st.sampled_from([-1, -(2**63), 2**40, 1.5, 0.0, NAN, "1", True, [], {}])
NOT_A_TEXT = st.sampled_from([0, 1.5, NAN, True, [], ["a"], {}])
NOT_A_NAME = st.one_of(UNKNOWN, st.sampled_from([0, -1, 1.5, NAN, True, "", [], [5], {}, {"a": 1}]))
NOT_NAMES = st.one_of(
    st.just([]),
    UNKNOWN,
    st.lists(UNKNOWN, min_size=1, max_size=3),
    st.sampled_from([0, 1.5, True, {}, [1], [[]]]),
)
NOT_A_TABLE = st.one_of(
    st.sampled_from([0, -1, 1.5, NAN, "x", True, [], [1]]),
    st.dictionaries(UNKNOWN, st.integers(-3, 3), min_size=1, max_size=2),
)
NOT_A_THRESHOLD = st.sampled_from([0, 0.0, -0.5, 1.5, 2, NAN, INF, -INF, "0.5", True, [], {}])
NOT_A_PROBABILITY = st.sampled_from([-0.5, 1.5, 2, NAN, INF, -INF, "0.5", True, [], {}])
NOT_POSITIVE = st.sampled_from([0, 0.0, -1, -0.5, NAN, INF, -INF, "1", True, [], {}])
NOT_NON_NEGATIVE = st.sampled_from([-1, -0.5, NAN, INF, -INF, "1", True, [], {}])

EPISODES = {
    "name": "fuzz", "description": "d", "world": "arrow-maze", "splits": ["train"], "objectives": ["exit"],
    "seeds": 1, "max_steps": 50, "threshold": 0.9, "scoring": "goal",
    "planners": [
        {"name": "mcts", "budgets": [5], "options": {"depth": 5}, "objectives": ["exit"], "label": "m"}
    ],
    "overrides": {"train": {"size": 7}},
}  # fmt: skip
EPISODE_VALUES = {
    "name": st.one_of(NOT_A_TEXT, st.just(""), st.just("  ")),
    "description": NOT_A_TEXT,
    "world": NOT_NAMES,
    "splits": NOT_NAMES,
    "objectives": NOT_NAMES,
    "seeds": NOT_A_COUNT,
    "max_steps": NOT_A_COUNT,
    "threshold": NOT_A_THRESHOLD,
    "scoring": NOT_A_NAME,
    "planners": st.sampled_from([[], 0, "astar", {}, [1], [[]], [{}], [{"name": "astar", "speed": 1}]]),
    "planners[0].name": NOT_A_NAME,
    "planners[0].budgets": st.one_of(
        st.just([]), NOT_A_COUNT.map(lambda v: [v]), st.sampled_from([5, "5", {}])
    ),
    "planners[0].options": NOT_A_TABLE,
    "planners[0].options.depth": NOT_A_COUNT,
    "planners[0].options.simulations": st.integers(1, 10),  # a second budget next to budgets
    "planners[0].objectives": NOT_NAMES,
    "planners[0].label": st.one_of(NOT_A_TEXT, st.just("")),
    "overrides": NOT_A_TABLE,
    "overrides.train": NOT_A_TABLE,
    "overrides.train.size": st.sampled_from([0, -1, 4, 6, 100_001, 1.5, "7", True, [], NAN]),
}

LEARN = {
    "name": "fuzz", "kind": "learn", "description": "d", "report": "plain", "world": "arrow-maze",
    "features": ["reached_exit", "reached_arrow"], "split": "train", "levels": 2, "optimizer": "random",
    "evaluations": 2, "seed": 0, "max_steps": 50, "prior": {"l1": 0.0, "cost": {"reached_arrow": 0.1}},
    "overrides": {"arrow_at_exit_prob": 1.0}, "planner": {"name": "value-iteration"},
    "evaluate": {"splits": ["test"], "levels": 2, "objectives": ["exit"], "scoring": "goal", "max_steps": 50},
    "sweep": {"seed": [0, 1]},
}  # fmt: skip
LEARN_VALUES = {
    "name": st.one_of(NOT_A_TEXT, st.just("")),
    "description": NOT_A_TEXT,
    "report": NOT_A_NAME,
    "world": NOT_A_NAME,
    "features": NOT_NAMES,
    "split": NOT_A_NAME,
    "levels": st.one_of(  # a list of level seeds such as [1] is fine
        NOT_A_COUNT.filter(lambda v: v != [1]), st.sampled_from([[0, -1], ["a"], [1.5], [2**40]])
    ),
    "optimizer": NOT_A_NAME,
    "evaluations": NOT_A_COUNT,
    "seed": NOT_A_SEED,
    "max_steps": NOT_A_COUNT,
    "prior": NOT_A_TABLE,
    "prior.l1": NOT_NON_NEGATIVE,
    "prior.cost": NOT_A_TABLE,
    "prior.cost.reached_arrow": NOT_NON_NEGATIVE,
    "overrides": NOT_A_TABLE,
    "overrides.arrow_at_exit_prob": NOT_A_PROBABILITY,
    "mixture": st.sampled_from([0, "x", [], {}, {"fraction": 0.5}, {"fraction": 2, "overrides": {}}]),
    "mixture.fraction": NOT_A_PROBABILITY,
    "planner": st.sampled_from([0, "mcts", [], {}, {"budget": 5}]),
    "planner.name": NOT_A_NAME,
    "planner.budget": NOT_A_COUNT,
    "planner.options": NOT_A_TABLE,
    "evaluate": NOT_A_TABLE,
    "evaluate.splits": NOT_NAMES,
    "evaluate.levels": NOT_A_COUNT,
    "evaluate.objectives": NOT_NAMES,
    "evaluate.scoring": NOT_A_NAME,
    "evaluate.max_steps": NOT_A_COUNT,
    "evaluate.overrides": NOT_A_TABLE,
    "sweep": st.one_of(NOT_A_TABLE, st.sampled_from([{"seed": []}, {"seed": 5}])),
    "sweep.seed": st.one_of(st.just([]), NOT_A_SEED.map(lambda v: [0, v])),
    "optimizer_options": st.dictionaries(UNKNOWN, st.integers(1, 3), min_size=1, max_size=2),
}
LEARN_CMA = {**LEARN, "optimizer": "cma", "optimizer_options": {"popsize": 4, "sigma0": 1.0}}
LEARN_CMA_VALUES = {
    "optimizer_options": NOT_A_TABLE,
    "optimizer_options.popsize": st.one_of(NOT_A_COUNT, st.just(1)),
    "optimizer_options.sigma0": NOT_POSITIVE,
    "optimizer_options.x0": st.sampled_from([[1.0], "a", [NAN, 0.0], [True, 1], [[1], 2], {}]),
}

REVEALED = {
    "name": "fuzz", "kind": "analysis", "analysis": "revealed", "studies": ["chests-keys"], "seeds": 1,
    "max_steps": 50, "irl_horizon": 50,
}  # fmt: skip
REVEALED_VALUES = {
    "analysis": NOT_A_NAME,
    "name": st.one_of(NOT_A_TEXT, st.just("")),
    "studies": st.one_of(NOT_NAMES, st.sampled_from([["diversity"], ["revealed"], "arrow-maze"])),
    "seeds": NOT_A_COUNT,
    "max_steps": NOT_A_COUNT,
    "irl_horizon": NOT_A_COUNT,
}
IDENTIFIABILITY = {
    "name": "fuzz", "kind": "analysis", "analysis": "non-identifiability", "world": "arrow-maze",
    "truth": {"reached_exit": 1.0, "reached_arrow": 0.1}, "depth": 5, "near": 2, "beyond": 3,
    "visible_levels": 1, "hidden_levels": 1, "size": [7, 11], "irl_horizon": 50, "max_steps": 50,
}  # fmt: skip
IDENTIFIABILITY_VALUES = {
    "world": st.one_of(NOT_A_NAME, st.just("cleaning")),
    "truth": st.one_of(NOT_A_TABLE, st.sampled_from([{}, {"reached_exit": 0.0}])),
    "truth.reached_exit": st.sampled_from(["a", True, [], {}, NAN, INF]),
    **{key: NOT_A_COUNT for key in ("depth", "near", "beyond", "visible_levels", "hidden_levels")},
    "irl_horizon": NOT_A_COUNT,
    "max_steps": NOT_A_COUNT,
    "size": st.sampled_from([[4, 4], [7], "a", [7, "a"], 5, [], [7, 11, 13], [0, 0], [NAN, 7]]),
}

EQUIVALENT_PAIRS = {
    "name": "fuzz", "kind": "analysis", "analysis": "equivalent-pairs", "world": "arrow-maze",
    "reward": {"reached_exit": 1.0}, "seeds": 1, "split": "test", "size": [7, 7], "temperature": 0.01,
    "depth": 1, "demonstrations": 2, "max_steps": 50,
}  # fmt: skip
EQUIVALENT_PAIRS_VALUES = {
    "world": st.one_of(NOT_A_NAME, st.just("cleaning")),
    "reward": st.one_of(NOT_A_TABLE, st.sampled_from([{}, {"no_such_feature": 1.0}])),
    "reward.reached_exit": st.sampled_from(["a", True, [], {}, NAN, INF]),
    "split": st.one_of(NOT_A_NAME, st.just("train")),
    "temperature": st.sampled_from(["a", True, [], 0, -1.0, NAN, INF]),
    **{key: NOT_A_COUNT for key in ("seeds", "depth", "demonstrations", "max_steps")},
    "size": st.sampled_from([[4, 4], [7], "a", [7, "a"], 5, [], [7, 11, 13], [0, 0], [NAN, 7]]),
}

KINDS = {
    "episodes": (EPISODES, EPISODE_VALUES),
    "learn": (LEARN, LEARN_VALUES),
    "learn-cma": (LEARN_CMA, LEARN_CMA_VALUES),
    "revealed": (REVEALED, REVEALED_VALUES),
    "non-identifiability": (IDENTIFIABILITY, IDENTIFIABILITY_VALUES),
    "equivalent-pairs": (EQUIVALENT_PAIRS, EQUIVALENT_PAIRS_VALUES),
}


@st.composite
def bad_study(draw, kind: str) -> tuple[str, str]:
    """(a study file's text, what is wrong with it): one bad value at one key, or an unknown key."""
    base, values = KINDS[kind]
    if draw(st.integers(0, 9)) == 0:  # an unknown key, at the top or in a table
        table = draw(st.sampled_from(["", *(k for k, v in base.items() if isinstance(v, dict) and v)]))
        path = f"{table}.{draw(UNKNOWN)}" if table else draw(UNKNOWN)
        value = draw(st.one_of(st.integers(0, 3), UNKNOWN))
    else:
        path = draw(st.sampled_from(sorted(values)))
        value = draw(values[path])
    return toml_document(with_value(base, path, value)), f"{path} = {value!r}"


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_fuzz_bases_are_valid_studies(tmp_path, no_cells, kind):
    path = tmp_path / "good.toml"
    path.write_text(toml_document(KINDS[kind][0]))
    with pytest.raises(CellPlayed):
        call(["run", str(path), "--out", str(tmp_path / "out"), "--executor", "serial", "--no-report"])


@pytest.mark.parametrize("kind", list(KINDS))
@FUZZ
@given(data=st.data())
def test_a_bad_study_file_value_is_refused_in_one_line(tmp_path, no_cells, kind, data):
    text, what = data.draw(bad_study(kind))
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    assert_refused(["run", str(path), "--out", str(tmp_path / "out"), "--executor", "serial"], what)


@FUZZ
@given(text=st.one_of(st.text(max_size=120), st.binary(max_size=60)))
def test_malformed_study_files_are_refused_in_one_line(tmp_path, no_cells, text):
    path = tmp_path / "bad.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    assert_refused(["run", str(path), "--out", str(tmp_path / "out"), "--executor", "serial"], repr(text))


# ---- command lines -----------------------------------------------------------------------------

#: counts no command takes (10**20 is over every budget limit; 10**9 is a valid A* budget)
BAD_COUNTS = ["0", "-1", "99999999999999999999", "abc", "1.5", "", "0x10", "1e3", " "]


@FUZZ
@given(
    seeds=st.sampled_from(["1", "1000000000", *BAD_COUNTS]),
    workers=st.sampled_from(["1", "0", "-1", "100000", "abc", "2.5", ""]),
    executor=st.sampled_from(["serial", "serial", "threads", ""]),
)
def test_bad_run_arguments_are_refused_in_one_line(tmp_path, no_cells, seeds, workers, executor):
    if (seeds, workers, executor) == ("1", "1", "serial"):
        seeds = "0"  # one bad value at least
    path = tmp_path / "good.toml"
    path.write_text(toml_document(EPISODES))
    argv = ["run", str(path), "--out", str(tmp_path / "out"), "--seeds", seeds, "--workers", workers]
    assert_refused([*argv, "--executor", executor])


@FUZZ
@given(
    world=st.sampled_from(["arrow-maze", "arrow-maze", "arrow-maze", "zz-maze", ""]),
    planner=st.one_of(st.sampled_from(["astar", "mcts", "value-iteration", "reactive", "cem"]), UNKNOWN),
    budget=st.sampled_from([None, "5", *BAD_COUNTS]),
)
def test_bad_plan_arguments_are_refused_in_one_line(tmp_path, world, planner, budget):
    # budgets the planner takes, on a level of this world: the one good case, left out
    takes_budget = planner in ("astar", "mcts", "value-iteration") and budget in (None, "5")
    if world == "arrow-maze" and (takes_budget or planner == "reactive" and budget is None):
        budget = "0"
    level = tmp_path / "fork.txt"
    level.write_text(FORK)
    argv = ["plan", world, str(level), "--planner", planner]
    assert_refused(argv + ([] if budget is None else ["--budget", budget]))


@FUZZ
@given(
    command=st.sampled_from(["objectives", "demo"]), name=st.one_of(UNKNOWN, st.text(min_size=1, max_size=20))
)
def test_unknown_worlds_and_demos_are_refused_in_one_line(tmp_path, monkeypatch, command, name):
    if name in worlds.names() or name in demo_names() or name.startswith("-"):
        name = "zz" + name  # an option or a real world is not a bad name
    monkeypatch.chdir(tmp_path)  # a demo that ran would write here
    assert_refused([command, name])
    assert not any(tmp_path.iterdir())


# ---- a handful in a fresh interpreter: the real entry point, memory and all ----------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "arrow-maze", "--seeds", "1000000000"], "--seeds: 1,000,000,000 seeds is over the limit"),
        (["run", "non-identifiability", "--seeds", "1"], "--seeds does not apply to a non-identifiability"),
    ],
)
def test_a_fresh_process_refuses_in_one_line(tmp_path, args, message):
    result = subprocess.run(
        [sys.executable, "-m", "studies", *args, "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()
