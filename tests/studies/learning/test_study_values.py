"""Learning study files: every value checked when the file is read (types,
ranges, finiteness), each error one line naming the key, and the study's size
(runs, then episodes) checked before it is expanded."""

import pytest

from studies.core.spec import StudyError, load
from studies.learning import study as learning
from studies.learning.config import LearnConfig
from worlds import InvalidParameterError

BASE = {
    "name": "small", "world": "arrow-maze", "features": ["reached_exit", "reached_arrow"], "levels": 2,
    "optimizer": "random", "evaluations": 2, "planner": {"name": "value-iteration"},
    "evaluate": {"splits": ["test"], "levels": 2, "objectives": ["exit"]},
}  # fmt: skip
CMA = {**BASE, "optimizer": "cma", "optimizer_options": {"popsize": 4}}


def _parse(data, change):
    data = {**data, **change}
    return learning.parse({k: v for k, v in data.items() if v is not None}, "s.toml")


@pytest.mark.parametrize(
    ("base", "change", "message"),
    [
        (CMA, {"optimizer_options": {"popsize": -6}}, "s.toml: optimizer_options.popsize must be an"),
        (CMA, {"optimizer_options": {"popsize": 1}}, "optimizer_options.popsize must be an integer of"),
        (CMA, {"optimizer_options": {"popsize": 2.5}}, "optimizer_options.popsize must be an integer"),
        (CMA, {"optimizer_options": {"sigma0": 0}}, "optimizer_options.sigma0 must be a positive finite"),
        (CMA, {"optimizer_options": {"sigma0": "big"}}, "optimizer_options.sigma0 must be a positive finite"),
        (CMA, {"optimizer_options": {"x0": ["a", 1]}}, "optimizer_options.x0 must be a list of finite"),
        (BASE, {"optimizer": "adam"}, "unknown optimizer 'adam'"),
        (BASE, {"optimizer": 3}, "unknown optimizer '3'"),
        (BASE, {"seed": -1}, "s.toml: seed must be an integer from 0 to"),
        (BASE, {"seed": 2**40}, "seed must be an integer from 0 to 4294967294"),
        (BASE, {"seed": 1.5}, "seed must be an integer"),
        (BASE, {"levels": 1_000_000_000}, "levels: 1,000,000,000 levels is over the limit MAX_LEVELS"),
        (BASE, {"levels": [0, -1]}, "levels must be a positive integer or a list of seeds"),
        (BASE, {"levels": "many"}, "levels must be a positive integer or a list of seeds"),
        (BASE, {"evaluations": 10**9}, "evaluations: 1,000,000,000 evaluations is over the limit"),
        (BASE, {"evaluations": True}, "evaluations must be a positive integer, got True"),
        (BASE, {"max_steps": 0}, "max_steps must be a positive integer, got 0"),
        (BASE, {"split": "holdout"}, "split: arrow-maze has no split 'holdout'"),
        (BASE, {"split": 5}, "split must be a split name, got 5"),
        (BASE, {"features": "teleported"}, "features: unknown arrow-maze feature 'teleported'"),
        (BASE, {"features": [1]}, "features must be a list of feature names"),
        (BASE, {"world": 5}, "world: unknown world 5"),
        (BASE, {"world": None}, "world: a learning study needs a world"),
        (BASE, {"prior": {"l1": "a"}}, "prior l1 must be a non-negative number, got 'a'"),
        (BASE, {"prior": {"cost": 3}}, "prior cost must be a table"),
        (BASE, {"prior": 3}, "prior: expected a table"),
        (BASE, {"overrides": {"arrow_at_exit_prob": 2.0}}, "overrides: arrow_at_exit_prob"),
        (BASE, {"overrides": {"speed": 2}}, "overrides: unknown arrow-maze generator parameter"),
        (BASE, {"mixture": {"fraction": 0.5, "overrides": 3}}, "mixture overrides must be a table"),
        (BASE, {"mixture": {"fraction": 0.5, "overrides": {"arrow_at_exit_prob": -1.0}}}, "mixture.over"),
        (BASE, {"optimizer": "candidates", "candidates": [{"reached_exit": "a"}]}, "candidates[0] must"),
        (BASE, {"optimizer": "candidates", "candidates": "exit"}, "candidates must be a list of weight"),
        (BASE, {"planner": {"name": "mcts", "budget": 0}}, "planner.budget: expected a positive integer"),
        (BASE, {"planner": {"name": "mcts", "options": {"depth": -1}}}, "planner.options.depth: "),
        (BASE, {"planner": {"name": "mcts", "budget": 5, "options": {"simulations": 7}}},
         "planner.options.simulations: mcts's budget is simulations"),
        (BASE, {"planner": {"name": "mcts", "speed": 1}}, "planner.speed: unknown key"),
        (BASE, {"planner": {"name": 5}}, "planner.name: expected a planner name, got 5"),
        (BASE, {"evaluate": {"splits": []}}, "evaluate.splits: expected a name or a non-empty list"),
        (BASE, {"evaluate": {"splits": ["holdout"]}}, "evaluate.splits: arrow-maze has no split 'holdout'"),
        (BASE, {"evaluate": {"splits": ["test"], "objectives": []}}, "evaluate.objectives: expected a name"),
        (BASE, {"evaluate": {"splits": ["test"], "scoring": "best"}}, "evaluate.scoring: scoring must be"),
        (BASE, {"evaluate": {"splits": ["test"], "scoring": 1}}, "evaluate.scoring: expected a scoring name"),
        (BASE, {"evaluate": {"splits": ["test"], "levels": 10**9}}, "evaluate.levels: levels: 1,000,000,000"),
        (BASE, {"evaluate": {"splits": ["test"], "max_steps": -2}}, "evaluate.max_steps: max_steps must be"),
        (BASE, {"evaluate": {"splits": ["test"], "overrides": 2}}, "evaluate.overrides: expected a table"),
        (BASE, {"sweep": {"planner.name.x": [1]}}, "sweep.planner.name.x: planner.name is not a table"),
        (BASE, {"sweep": {"seed": list(range(101)), "levels": list(range(1, 101))}},
         "sweep: 10,100 learning runs is over the limit MAX_RUNS = 10,000"),
        (BASE, {"evaluations": 100_000, "levels": 10}, "evaluations: 1,000,034 cells (about"),
        (BASE, {"name": ""}, "name: expected a non-empty name"),
        (BASE, {"description": 5}, "description: expected a string, got 5"),
        (BASE, {"report": ["plain"]}, "report: unknown report ['plain']"),
    ],
)  # fmt: skip
def test_every_value_is_checked_when_the_file_is_read(base, change, message):
    with pytest.raises(StudyError) as error:
        _parse(base, change)
    assert "\n" not in str(error.value) and message in str(error.value), str(error.value)


def test_gradient_options_are_checked_before_any_episode():
    base = {"name": "g", "world": "point-mass", "optimizer": "gradient", "planner": {"name": "gradient"}}
    for options, message in [
        ({"stride": 1}, "unknown gradient options ['stride']"),
        ({"steps": 0}, "optimizer_options.steps must be a positive integer"),
        ({"lr": -0.1}, "optimizer_options.lr must be a positive finite number"),
        ({"horizon": 10**9}, "optimizer_options.horizon: 1,000,000,000 steps is over the limit MAX_STEPS"),
        ({"theta0": "zero"}, "optimizer_options.theta0 must be a list of finite numbers"),
    ]:
        with pytest.raises(StudyError, match=message.replace("[", r"\[").replace("]", r"\]")):
            _parse(base, {"optimizer_options": options})


def test_non_finite_numbers_anywhere_in_the_file_are_refused(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('name = "s"\nkind = "learn"\nworld = "arrow-maze"\n[planner]\nname = "value-iteration"\n'
                    "[sweep]\n\"prior.l1\" = [0.0, nan]\n")  # fmt: skip
    with pytest.raises(StudyError, match=r"s.toml: sweep.prior.l1\[1\]: expected a finite number, got nan"):
        load(path)


def test_the_python_entry_point_checks_the_same_values():
    for settings, message in [
        ({"seed": -1}, "seed must be an integer from 0"),
        ({"evaluations": 10**9}, "evaluations: 1,000,000,000 evaluations is over the limit MAX_EVALUATIONS"),
        ({"levels": 10**9}, "levels: 1,000,000,000 levels is over the limit MAX_LEVELS"),
        ({"max_steps": 2.5}, "max_steps must be a positive integer"),
        ({"overrides": [1]}, "overrides must be a table"),
    ]:
        with pytest.raises(InvalidParameterError, match=message):
            LearnConfig(**settings)
