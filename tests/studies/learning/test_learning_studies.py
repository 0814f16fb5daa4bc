"""Learning studies (studies.learning.study): the diversity, bounded-design and
proxy-preference findings on small configurations, their reports, resumption
and bad study files."""

from __future__ import annotations

import csv
import json
import sqlite3

import numpy as np
import pytest

import worlds
from studies.cli import main
from studies.core.spec import StudyError, load
from studies.core.store import FolderOwnedError, ResultStore
from studies.learning import study as learning
from studies.learning.study import run_learning
from studies.reporting.report import write_report
from studies.reporting.stats import bootstrap_ci


def _key(key: str) -> str:
    return json.dumps(key) if "." in key else key


def _toml(value) -> str:
    """A TOML value: strings, numbers and lists as JSON writes them, tables inline."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


def _study(**settings):
    data = {"name": "small", "kind": "learn", **settings}
    return learning.parse(data, "<test>")


def _reach_rate(out, payload, split="test", agent="learned", goal="exit"):
    ids = payload["evaluations"][split][agent]
    with ResultStore(out / "results.sqlite") as store:
        rows = {r["cell_id"]: r for r in store.rows()}
    return float(np.mean([rows[i]["achieved"][goal] for i in ids]))


DIVERSITY = dict(
    report="diversity",
    world="arrow-maze",
    features=["reached_exit", "reached_arrow"],
    levels=50,
    optimizer="cma",
    evaluations=18,
    optimizer_options={"popsize": 6},
    max_steps=150,
    prior={"l1": 0.01},
    mixture={"fraction": 0.0, "overrides": {"arrow_at_exit_prob": 0.0}},
    planner={"name": "value-iteration"},
    evaluate={"splits": ["test"], "levels": 20, "objectives": ["exit", "arrow"], "scoring": "goal"},
    sweep={"mixture.fraction": [0.0, 0.25], "seed": [0, 1]},
)


@pytest.fixture(scope="module")
def diversity(tmp_path_factory):
    out = tmp_path_factory.mktemp("diversity")
    counts = run_learning(_study(**DIVERSITY), out, executor="process", workers=2, progress=False)
    assert counts == {"runs": 4, "already": 0, "learned": 4}
    return out


@pytest.mark.slow
def test_diversity_with_a_quarter_of_levels_separating_them_selects_the_exit(diversity):
    with ResultStore(diversity / "results.sqlite") as store:
        payloads = store.learned()
    diverse = [p for p in payloads if p["point"]["mixture.fraction"] == 0.25]
    assert len(diverse) == 2
    for payload in diverse:
        assert payload["weights"]["reached_exit"] > payload["weights"]["reached_arrow"]
        assert _reach_rate(diversity, payload) >= 0.9


@pytest.mark.slow
def test_diversity_without_separating_levels_cannot_tell_exit_from_arrow(diversity):
    with ResultStore(diversity / "results.sqlite") as store:
        payloads = store.learned()
    for payload in (p for p in payloads if p["point"]["mixture.fraction"] == 0.0):
        best = max(e["score"] for e in payload["history"])
        tied = [e for e in payload["history"] if e["score"] >= best - 1e-9]
        # every candidate that heads for the shared cell scores the same as the base objective
        assert best == pytest.approx(payload["base_score"])
        assert len(tied) >= len(payload["history"]) / 2
        assert {e["weights"]["reached_arrow"] > e["weights"]["reached_exit"] for e in tied} == {True, False}


@pytest.mark.slow
def test_diversity_report_states_the_findings(diversity):
    paths = write_report(diversity)
    text = paths["markdown"].read_text()
    assert "training cannot tell exit from arrow" in text
    assert (
        "With 13 of 50 training levels with arrow_at_exit_prob = 0.0 (p = 0.25), the learned objectives reach"
        in text
    )
    assert "Unit of replication: the optimiser seed" in text and "n = 2 optimiser seeds" in text
    assert 'Terminal rule "rewarded" (the default)' in text
    assert "held-out: 50 fresh training-distribution levels" in text
    assert paths["diversity"].stat().st_size > 10_000
    with paths["learned"].open() as handle:
        assert len(list(csv.DictReader(handle))) == 4
    assert "<img src='data:image/png;base64," in paths["html"].read_text()


@pytest.mark.slow
def test_diversity_summary_gives_each_count_its_seed_clustered_reach(diversity):
    from studies.learning.diversity import summary

    found = summary(diversity)
    assert found["study"] == "small" and found["terminal"] == ["rewarded"] and found["splits"] == ["test"]
    assert [(p["levels"], p["count"], p["seeds"]) for p in found["points"]] == [(50, 0, 2), (50, 13, 2)]
    with ResultStore(diversity / "results.sqlite") as store:
        payloads = store.learned()
    for point in found["points"]:
        fraction = point["fractions"][0]
        mine = [p for p in payloads if p["point"]["mixture.fraction"] == fraction]
        # the mean over seeds of each seed's share of test levels reaching the exit
        reach = point["reach"]["test"]
        assert reach["mean"] == pytest.approx(np.mean([_reach_rate(diversity, p) for p in mine]))
        assert reach["lo"] <= reach["mean"] <= reach["hi"] and reach["n"] == 2
        assert point["reach"]["held-out"]["n"] == 2 and point["base_reach"]["test"]["n"] == 2
        assert point["prefers_base"] == sum(
            p["weights"]["reached_exit"] > p["weights"]["reached_arrow"] for p in mine
        )
    zero, top = found["points"]
    assert zero["vs_none"]["test"] is None
    assert top["vs_none"]["test"]["difference"] == pytest.approx(
        top["reach"]["test"]["mean"] - zero["reach"]["test"]["mean"]
    )


@pytest.mark.slow
def test_a_rerun_skips_finished_runs_and_reuses_episodes(diversity):
    with ResultStore(diversity / "results.sqlite") as store:
        episodes = len(store.finished())
    counts = run_learning(_study(**DIVERSITY), diversity, executor="serial", progress=False)
    assert counts == {"runs": 4, "already": 4, "learned": 0}
    with ResultStore(diversity / "results.sqlite") as store:
        assert len(store.finished()) == episodes  # nothing replayed
    # the folder belongs to this study: an extended sweep is another study's
    # settings, refused in one line that says what differs, and nothing is written
    extended = dict(DIVERSITY, sweep={"mixture.fraction": [0.0, 0.25], "seed": [0, 1, 2]})
    with pytest.raises(FolderOwnedError, match=r"runs \(4 there, 6 now\)"):
        run_learning(_study(**extended), diversity, executor="serial", progress=False)
    with sqlite3.connect(diversity / "results.sqlite") as db:
        ids = [row[0] for row in db.execute("SELECT cell_id FROM episodes")]
        assert len(ids) == len(set(ids)) == episodes


@pytest.mark.slow
def test_bounded_design_learned_objective_beats_the_base_objective_for_a_weak_planner(tmp_path):
    study = _study(
        report="bounded-design",
        world="arrow-maze",
        features=["reached_exit", "reached_arrow", "exit_progress", "arrow_progress"],
        levels=20,
        optimizer="cma",
        evaluations=12,
        optimizer_options={"popsize": 6},
        max_steps=150,
        planner={"name": "mcts", "budget": 5, "options": {"depth": 10}},
        evaluate={
            "splits": ["test"],
            "levels": 6,
            "objectives": ["exit"],
            "scoring": "goal",
            "max_steps": 200,
        },
    )
    run_learning(study, tmp_path, executor="process", workers=2, progress=False)
    with ResultStore(tmp_path / "results.sqlite") as store:
        (payload,) = store.learned()
    learned = bootstrap_ci(payload["train_scores"])
    base = bootstrap_ci(payload["base_scores"])
    assert learned[1] > base[2], (learned, base)  # the CIs do not overlap
    # the designed objective shapes: a progress term carries real weight
    assert max(payload["weights"]["exit_progress"], payload["weights"]["arrow_progress"]) > 0.2
    text = write_report(tmp_path)["markdown"].read_text()
    # one optimiser seed: the comparisons have no interval and no test
    assert "in-sample (on the training levels selection saw), the learned objective's base return" in text
    assert "n = 1 optimiser seed: no interval" in text and "no test (n = 1 optimiser seed)" in text
    assert "in-sample: the levels selection saw" in text  # the scores table's label
    assert "held-out: 20 fresh training-distribution levels" in text and "off-distribution (test)" in text


def test_proxy_preference_a_sensing_cost_on_the_truth_selects_a_proxy(tmp_path):
    study = _study(
        report="proxy-preference",
        world="cleaning",
        levels=4,
        optimizer="cma",
        evaluations=12,
        optimizer_options={"popsize": 6},
        planner={"name": "mcts", "budget": 10, "options": {"depth": 2}},
        evaluate={"splits": ["test-sweep"], "levels": 3, "objectives": ["clean"]},
        sweep={"prior.cost.cleaned": [0.0, 0.5]},
    )
    run_learning(study, tmp_path, executor="serial", progress=False)
    with ResultStore(tmp_path / "results.sqlite") as store:
        payloads = {p["point"]["prior.cost.cleaned"]: p for p in store.learned()}
    # in training the three features agree on every transition: every candidate
    # that rewards them scores alike, and the cost decides against "cleaned"
    costly = payloads[0.5]["weights"]
    assert abs(costly["cleaned"]) < max(costly["swept"], costly["dustpan_gain"])
    text = write_report(tmp_path)["markdown"].read_text()
    assert "the base optimiser selects" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"features": ["reached_exit", "teleported"]}, "unknown arrow-maze feature 'teleported'"),
        ({"features": []}, "the feature set is empty"),
        ({"optimizer": "gradient"}, "gradient optimiser differentiates through the JAX gradient planner"),
        ({"planner": {"name": "astar"}}, "astar cannot pursue a learned objective"),
        ({"sweep": {"speed": [1, 2]}}, "sweep.speed: cannot sweep this"),
        ({"sweep": {"levels": [10, -1]}}, "levels = -1: levels must be a positive integer"),
        ({"evaluate": {"splits": ["test"], "objectives": ["treasure"]}}, "unknown objective 'treasure'"),
        ({"report": "fancy"}, "unknown report 'fancy'"),
        ({"prior": {"l2": 1.0}}, "valid keys: l1, nonzero, cost, tolerance"),
        ({"kind": "learn", "colour": "red"}, "colour: unknown key"),
    ],
)
def test_bad_learning_study_files_get_one_line_and_status_2(tmp_path, capsys, change, message):
    data = {"name": "bad", "kind": "learn", "world": "arrow-maze", "planner": {"name": "value-iteration"}}
    data.update(change)
    path = tmp_path / "bad.toml"
    path.write_text("\n".join(f"{_key(k)} = {_toml(v)}" for k, v in data.items()) + "\n")
    with pytest.raises(StudyError, match=message):
        load(path)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message.split(":")[0] in err


def test_unknown_study_kind_is_refused(tmp_path):
    path = tmp_path / "odd.toml"
    path.write_text('name = "odd"\nkind = "dream"\n')
    with pytest.raises(StudyError, match="unknown study kind 'dream'"):
        load(path)


def test_builtin_learning_studies_parse():
    names = (
        "diversity",
        "diversity-no-stop",
        "bounded-design",
        "bounded-design-continuous",
        "proxy-preference",
    )
    sizes = {name: len(load(name).runs) for name in names}
    assert sizes == {"diversity": 100, "diversity-no-stop": 100, "bounded-design": 30,
                     "bounded-design-continuous": 10, "proxy-preference": 80}  # fmt: skip
    # the two diversity studies differ only in their terminal rule (and name and description)
    plain, no_stop = load("diversity").runs, load("diversity-no-stop").runs
    assert [r.point for r in plain] == [r.point for r in no_stop]
    assert all({**b.config, "terminal": "rewarded"} == {**a.config, "terminal": "rewarded"}
               for a, b in zip(plain, no_stop))  # fmt: skip
    assert {r.config["terminal"] for r in no_stop} == {"base"} and "terminal" not in plain[0].config


KILLABLE = """
name = "killable"
kind = "learn"
world = "arrow-maze"
features = ["reached_exit", "reached_arrow"]
levels = 6
optimizer = "random"
evaluations = 4
max_steps = 100

[planner]
name = "mcts"
budget = 20
options = { depth = 20 }

[evaluate]
splits = ["test"]
levels = 2
scoring = "goal"

[sweep]
seed = [0, 1, 2]
"""


@pytest.mark.slow
def test_sigkill_mid_learning_study_loses_nothing_and_a_rerun_matches_an_uninterrupted_run(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "killable.toml"
    path.write_text(KILLABLE)
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    command = [sys.executable, "-m", "studies", "run", str(path), "--out", str(killed),
               "--executor", "process", "--workers", "2", "--no-report"]  # fmt: skip
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    database = killed / "results.sqlite"

    def learned_runs() -> int:
        try:
            with sqlite3.connect(database) as db:
                return db.execute("SELECT COUNT(*) FROM learned").fetchone()[0]
        except sqlite3.Error:
            return 0

    deadline = time.monotonic() + 180
    while learned_runs() < 1 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the CLI and its pool workers
    process.wait()
    assert 1 <= learned_runs() < 3, "the kill should land mid-study"
    assert main(["run", str(path), "--out", str(killed), "--executor", "serial", "--no-report"]) == 0
    assert main(["run", str(path), "--out", str(clean), "--executor", "serial", "--no-report"]) == 0
    with ResultStore(database) as store, ResultStore(clean / "results.sqlite") as reference:
        assert store.learned() == reference.learned()
        rows = store.rows()
        assert len({r["cell_id"] for r in rows}) == len(rows) == len(reference.rows())


def test_the_learn_kind_is_registered_and_maps_seeds_onto_the_evaluation_levels():
    from studies.core.kinds import get_kind

    kind = get_kind("learn")
    assert kind is learning.KIND and kind.name == "learn"
    data = {"name": "small", **DIVERSITY}
    study = kind.parse(data, "<test>", 3)
    assert {run.config["evaluate"]["levels"] for run in study.runs} == {3}
    assert data["evaluate"]["levels"] == 20  # the TOML is left as it was
    # the run key hashes the config alone: --seeds changes it only through evaluate.levels
    assert kind.parse(data, "<test>", None).runs[0].key == _study(**DIVERSITY).runs[0].key
    assert kind.headline(study, "out") == "learning study [bold]small[/]: 4 runs -> out/results.sqlite"
    counts = {"learned": 1, "already": 3, "runs": 4}
    assert kind.describe_counts(counts) == "1 run(s) learned, 3 already finished, 4 in all"


def test_a_strategy_option_error_is_caught_when_the_study_is_read():
    with pytest.raises(StudyError, match="unknown cma options"):
        _study(**{**DIVERSITY, "optimizer_options": {"popsize": 6, "lr": 0.1}})
    with pytest.raises(StudyError, match="needs candidates"):
        _study(**{**DIVERSITY, "optimizer": "candidates", "optimizer_options": {}})


def test_diversity_p_comes_only_from_a_mixture():
    from studies.learning.diversity import diversity_p as _diversity_p

    assert _diversity_p({"mixture": {"fraction": 0.25, "overrides": {"arrow_at_exit_prob": 0.0}}}) == 0.25
    assert _diversity_p({"overrides": {}}) == 0.0
    with pytest.raises(worlds.InvalidParameterError, match="declare the diversity knob as a mixture"):
        _diversity_p({"overrides": {"arrow_at_exit_prob": 0.5}})
