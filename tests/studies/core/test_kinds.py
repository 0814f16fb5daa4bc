"""The study-kind registry: `load`, `mesabase run` and `write_report` find a
kind by the name in its file (and in its results store), so a new kind needs
no edit anywhere else."""

import dataclasses
import json

import pytest

from studies.cli import EXIT_BAD_INPUT, main
from studies.core import (
    DEFAULT_KIND,
    ResultStore,
    StudyError,
    StudyKind,
    get_kind,
    kind_names,
    load,
    register_kind,
)
from studies.reporting import write_report
from worlds import UnknownNameError


@dataclasses.dataclass(frozen=True)
class CountingStudy:
    name: str
    count: int


def _parse(data, source, seeds):
    count = seeds if seeds is not None else data.get("count", 1)
    if not isinstance(count, int) or count < 1:
        raise StudyError(f"{source}: count: expected a positive integer, got {count!r}")
    return CountingStudy(data.get("name", "counting"), count)


def _run(study, out, *, executor, workers, address, console):
    with ResultStore(out / "results.sqlite") as store:
        store.record_info({"name": study.name, "kind": "counting"})
        done = store.learned_keys()
        for unit in range(study.count):
            store.write_learned(str(unit), {"unit": unit})
    return {"units": study.count, "already": len(done)}


def _report(out, console=None):
    with ResultStore(out / "results.sqlite") as store:
        units = store.learned()
    path = out / "report.md"
    path.write_text(f"# counting\n\n{json.dumps(units)}\n")
    return {"markdown": path}


COUNTING = StudyKind(
    name="counting",
    description="a kind for tests: it counts",
    parse=_parse,
    run=_run,
    report=_report,
    headline=lambda study, out: f"counting study {study.name}: {study.count} units",
    describe_counts=lambda counts: f"{counts['units']} unit(s), {counts['already']} already there",
)


@pytest.fixture(scope="module")
def counting_kind():
    return register_kind(COUNTING)


def test_the_built_in_kinds_are_registered():
    assert kind_names()[0] == DEFAULT_KIND
    assert {"episodes", "learn", "analysis"} <= set(kind_names())
    assert get_kind("episodes").name == "episodes"
    with pytest.raises(UnknownNameError, match="unknown study kind 'nope'; valid study kinds: "):
        get_kind("nope")


def test_a_new_kind_runs_and_reports_through_the_registry(counting_kind, tmp_path, capsys):
    study_file = tmp_path / "count.toml"
    study_file.write_text('name = "three"\nkind = "counting"\ncount = 3\n')
    assert load(study_file) == CountingStudy("three", 3)
    assert load(study_file, seeds=5) == CountingStudy("three", 5)  # --seeds is the kind's to map
    out = tmp_path / "out"
    assert main(["run", str(study_file), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "counting study three: 3 units" in printed and "3 unit(s), 0 already there" in printed
    assert "report: " in printed and (out / "report.md").exists()
    with ResultStore(out / "results.sqlite") as store:
        assert store.study_info()["kind"] == "counting"
    (out / "report.md").unlink()
    assert main(["report", str(out)]) == 0
    assert '[{"unit": 0}, {"unit": 1}, {"unit": 2}]' in (out / "report.md").read_text()
    assert write_report(out)["markdown"] == out / "report.md"


def test_an_unknown_kind_is_one_line_and_status_2(tmp_path, capsys):
    study_file = tmp_path / "odd.toml"
    study_file.write_text('kind = "telepathy"\nworld = "arrow-maze"\n')
    assert main(["run", str(study_file), "--out", str(tmp_path / "out")]) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(study_file) in error
    assert "kind: unknown study kind 'telepathy'; valid: episodes, " in error
    assert all(name in error for name in kind_names())
    with pytest.raises(StudyError, match="kind: unknown study kind 3"):
        study_file.write_text("kind = 3\n")
        load(study_file)


def test_a_folder_of_an_unknown_kind_is_a_one_line_report_error(tmp_path, capsys):
    with ResultStore(tmp_path / "results.sqlite") as store:
        store.record_info({"name": "odd", "kind": "telepathy"})
    assert main(["report", str(tmp_path)]) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "unknown study kind 'telepathy'" in error
