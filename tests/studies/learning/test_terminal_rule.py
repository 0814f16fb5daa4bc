"""The base optimiser's terminal rule (``terminal`` in a LearnConfig and a
learning study file): it reaches the candidates, it is validated in one line,
and leaving it at its default changes no run key or episode id."""

from __future__ import annotations

import dataclasses

import pytest

from studies.cli import main
from studies.core.spec import StudyError, load
from studies.learning import LearnConfig, learn_objective, objective_from
from studies.learning import study as learning
from worlds import InvalidParameterError

EXIT_AND_ARROW = ["reached_exit", "reached_arrow"]

#: run keys of the built-in learning studies before the terminal rule was an
#: option (sweep point -> key); a run key names a run's stored result
KEYS = {
    "diversity": {
        (("levels", 20), ("mixture.fraction", 0.0), ("seed", 0)): "3033f00dcfe7a3e5",
        (("levels", 20), ("mixture.fraction", 0.05), ("seed", 3)): "0ef539d4c94dcf78",
        (("levels", 50), ("mixture.fraction", 0.1), ("seed", 5)): "f005a1d1aae9496b",
        (("levels", 50), ("mixture.fraction", 0.25), ("seed", 9)): "79cf2e872af5f68f",
    },
    "bounded-design": {(("planner.budget", 5), ("seed", 0)): "2065aafe04d01b12"},
    "proxy-preference": {
        (("planner.budget", 10), ("planner.options.depth", 2), ("prior.cost.cleaned", 0.0), ("seed", 0)):
            "6ccc0d28226c59a2",
    },
}  # fmt: skip


def _keys(study) -> dict[tuple, str]:
    return {tuple(sorted(run.point.items())): run.key for run in study.runs}


@pytest.mark.parametrize("name", sorted(KEYS))
def test_builtin_run_keys_are_unchanged(name):
    keys = _keys(load(name))
    for point, key in KEYS[name].items():
        assert keys[point] == key


def test_the_default_candidate_json_is_unchanged():
    # a candidate's JSON is part of its episodes' ids
    candidate = objective_from("arrow-maze", EXIT_AND_ARROW, [1.0, 0.01])
    assert candidate.to_json() == (
        '{"discount": 0.99, "step_cost": 0.0, "terminal": ["reached_arrow", "reached_exit"], '
        '"weights": {"reached_arrow": 0.01, "reached_exit": 1.0}}'
    )


def test_naming_the_default_rule_keeps_the_keys_and_another_rule_changes_them():
    data = {"name": "t", "kind": "learn", "world": "arrow-maze", "planner": {"name": "value-iteration"},
            "features": EXIT_AND_ARROW, "levels": 3, "optimizer": "random", "evaluations": 2,
            "evaluate": {"levels": 2}, "sweep": {"seed": [0, 1]}}  # fmt: skip
    plain = _keys(learning.parse(data, "<t>"))
    assert _keys(learning.parse({**data, "terminal": "rewarded"}, "<t>")) == plain
    base = _keys(learning.parse({**data, "terminal": "base"}, "<t>"))
    assert set(base.values()).isdisjoint(plain.values())
    swept = learning.parse({**data, "sweep": {"seed": [0, 1], "terminal": ["rewarded", "base"]}}, "<t>")
    assert {run.key for run in swept.runs} == set(plain.values()) | set(base.values())


def test_the_rule_reaches_every_candidate_and_the_learned_objective():
    candidates = [{"reached_exit": 1.0, "reached_arrow": 0.01}, {"reached_exit": 1.0}]
    config = LearnConfig(
        levels=4, optimizer="candidates", candidates=candidates, overrides={"arrow_at_exit_prob": 0.0}
    )
    learned = {
        rule: learn_objective("arrow-maze", "value-iteration", dataclasses.replace(config, terminal=rule))
        for rule in ("rewarded", "base")
    }
    assert learned["base"].objective.terminal == {"reached_exit"}
    assert learned["rewarded"].objective.terminal <= {"reached_exit", "reached_arrow"}
    # with only the exit ending it, the tiny arrow weight never costs the exit: the first
    # candidate scores at least what it scores when the arrow stops it
    first = {rule: result.history[0].score for rule, result in learned.items()}
    assert first["base"] >= first["rewarded"]
    assert learned["base"].history[1].score == learned["rewarded"].history[1].score  # no arrow weight


def test_an_unknown_rule_in_a_config_is_one_line():
    with pytest.raises(InvalidParameterError, match="terminal must be one of 'rewarded', 'base', 'none'"):
        LearnConfig(terminal="stop")
    with pytest.raises(Exception, match="teleported"):
        learn_objective("arrow-maze", "value-iteration", LearnConfig(levels=1, terminal=["teleported"]))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'terminal = "stop"',
            "terminal must be one of 'rewarded', 'base', 'none' or a list of feature names",
        ),
        ("terminal = 3", "terminal must be one of"),
        ('terminal = ["teleported"]', "unknown arrow-maze feature 'teleported'"),
        ('[sweep]\nterminal = ["base", "halt"]', "terminal = 'halt': terminal must be one of"),
    ],
)
def test_a_bad_terminal_in_a_study_file_is_one_line(tmp_path, capsys, line, message):
    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "bad"\nkind = "learn"\nworld = "arrow-maze"\nlevels = 2\n'
        f'{line}\n[planner]\nname = "value-iteration"\n'
    )
    with pytest.raises(StudyError, match=message):
        load(path)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message.split(":")[-1].strip() in err


def test_the_gradient_search_differentiates_under_the_rules_fixed_set():
    from studies.learning.optimisers import _search_terminal

    features = ["reached_exit", "reached_beacon", "exit_distance"]
    # "rewarded" depends on the signs of theta, which a gradient cannot follow: every learned goal ends it
    assert _search_terminal("point-mass", features, "rewarded") == {"reached_exit", "reached_beacon"}
    assert _search_terminal("point-mass", features, "base") == {"reached_exit"}
    assert _search_terminal("point-mass", features, "none") == frozenset()
