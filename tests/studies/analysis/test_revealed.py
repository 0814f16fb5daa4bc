"""Analysis studies (studies.analysis.study): the non-identifiability demo, the
reactive key-seeker's revealed objective, reports and bad study files."""

from __future__ import annotations

import pytest

from studies.analysis import study as revealed
from studies.cli import main
from studies.core.spec import StudyError, load
from studies.reporting.report import write_report


def test_non_identifiability_optimal_model_misreads_a_depth_limited_planner(tmp_path):
    study = load("non-identifiability")
    counts = revealed.run_analysis(study, tmp_path, executor="serial", progress=False)
    assert counts == {"units": 2, "already": 0, "computed": 2}
    from studies.core.store import ResultStore

    with ResultStore(tmp_path / "results.sqlite") as store:
        results = {p["unit"]["model"]: p for p in store.learned()}
    optimal, bounded = results["optimal"], results["depth-limited"]
    # the planner really is bounded: it takes the near arrow exactly when the exit is out of its sight
    assert optimal["went"]["visible"] == ["exit"] * 5 and optimal["went"]["hidden"] == ["arrow"] * 20
    assert optimal["epic"] > 0.3, optimal
    assert bounded["cosine"] > 0.9, bounded
    assert bounded["weights"]["reached_exit"] > 1.0  # not a vanishing vector with a lucky direction
    text = write_report(tmp_path)["markdown"].read_text()
    assert "IRL assuming an optimal planner recovers" in text and "depth-limited (depth 5)" in text
    # a rerun computes nothing again
    assert revealed.run_analysis(study, tmp_path, executor="serial", progress=False)["computed"] == 0


def test_reactive_key_seeker_is_revealed_closer_to_keys_than_to_chests():
    unit = next(u for u in load("revealed").units if u["objective"] == "none" and u["split"] == "test")
    payload = revealed.revealed_unit(unit)
    assert payload["epic"]["keys"] < payload["epic"]["chests"], payload["epic"]
    assert payload["closest"] == "keys"
    assert payload["base_return"] >= 0.0
    assert payload["normalised"]["collected_key"] > payload["normalised"]["opened_chest"]
    assert payload["swap"] is None  # no objective to swap


def test_revealed_units_cover_every_agent_and_split():
    units = load("revealed").units
    agents = {(u["world"], u["label"], u["objective"], u["split"]) for u in units}
    assert ("chests-keys", "reactive key-seeker", "none", "train") in agents
    assert ("arrow-maze", "astar", "arrow", "test") in agents
    assert len(agents) == len(units) == 18


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nkind = "analysis"\nanalysis = "dreams"\n', "analysis: expected one of"),
        ('name = "x"\nkind = "analysis"\nanalysis = "revealed"\ncolour = 1\n', "colour: unknown key"),
        ('name = "x"\nkind = "analysis"\nanalysis = "revealed"\nseeds = -2\n', "seeds: expected a positive"),
        ('name = "x"\nkind = "analysis"\nanalysis = "non-identifiability"\ntruth = { teleported = 1.0 }\n',
         "unknown arrow-maze feature 'teleported'"),
        ('name = "x"\nkind = "analysis"\nanalysis = "revealed"\nstudies = ["diversity"]\n',
         "'diversity' is not an episode study"),
    ],
)  # fmt: skip
def test_bad_analysis_study_files_get_one_line_and_status_2(tmp_path, capsys, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(StudyError, match=message):
        load(path)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_the_analysis_kind_is_registered_and_maps_seeds_onto_its_seeds():
    from studies.core.kinds import get_kind

    kind = get_kind("analysis")
    assert kind is revealed.KIND and kind.report is revealed.write_analysis_report
    data = {"name": "r", "analysis": "revealed", "studies": ["arrow-maze"], "seeds": 6}
    study = kind.parse(data, "<test>", 2)
    assert {unit["seeds"] for unit in study.units} == {2} and data["seeds"] == 6  # the TOML is left as it was
    assert kind.headline(study, "out").startswith("analysis study [bold]r[/]: ")
    assert kind.describe_counts({"computed": 3, "already": 1}) == "3 unit(s) computed, 1 already finished"


def test_seeds_on_an_analysis_without_seeds_is_refused_in_one_line():
    data = {"name": "n", "analysis": "non-identifiability"}
    with pytest.raises(StudyError, match="--seeds does not apply to a non-identifiability analysis"):
        revealed.parse(data, "n.toml", 3)


_NONID = 'name = "x"\nkind = "analysis"\nanalysis = "non-identifiability"\n'
_REVEALED = 'name = "x"\nkind = "analysis"\nanalysis = "revealed"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_REVEALED + "max_steps = -3\n", "max_steps: expected a positive integer, got -3"),
        (_REVEALED + "irl_horizon = 10_000_000_000\n", "irl_horizon: 10,000,000,000 steps is over the limit"),
        (_REVEALED + "seeds = 1_000_000\n", "seeds: 1,000,000 seeds is over the limit MAX_SEEDS"),
        (_REVEALED + "studies = [5]\n", "studies: expected a non-empty list of episode studies"),
        (_REVEALED + 'description = ["a"]\n', "description: expected a string"),
        (_NONID + 'world = "cleaning"\n', "world: the non-identifiability levels are arrow mazes"),
        (_NONID + 'size = [7, "a"]\n', "size: size must be an odd integer"),
        (_NONID + "size = 7\n", "size: expected [low, high]"),
        (_NONID + 'truth = { reached_exit = "a" }\n', "truth.reached_exit: expected a number"),
        (_NONID + "truth = { reached_exit = nan }\n", "truth.reached_exit: expected a finite number"),
        (_NONID + "depth = 10_000_000_000\n", "depth: 10,000,000,000 steps is over the limit MAX_STEPS"),
        (_NONID + "hidden_levels = 10_000\n", "hidden_levels: 10,005 levels is over the limit MAX_LEVELS"),
        (_NONID + "near = 1.5\n", "near: expected a positive integer, got 1.5"),
    ],
)  # fmt: skip
def test_every_analysis_value_is_checked_when_the_file_is_read(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(StudyError) as error:
        load(path)
    assert "\n" not in str(error.value) and message in str(error.value), str(error.value)
