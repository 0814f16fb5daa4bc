"""The base optimiser: candidate objectives, priors, the optimisers, executors,
resumption and bad arguments (studies.learning: config, optimisers, learn)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import objectives
import planners
from studies.core.store import ResultStore
from studies.learning import (
    CMAES,
    LearnConfig,
    PlannerSpec,
    Prior,
    RandomSearch,
    learn_objective,
    learnable_features,
    make_strategy,
    mixed_overrides,
    objective_from,
)
from worlds import InvalidParameterError, UnknownNameError

# every training level has the arrow away from the exit: "exit" and "arrow" differ
AWAY = {"arrow_at_exit_prob": 0.0}
EXIT_AND_ARROW = ["reached_exit", "reached_arrow"]


def test_learnable_features_are_the_catalogue_features():
    assert learnable_features("arrow-maze") == ("reached_exit", "reached_arrow")
    assert learnable_features("cleaning") == ("cleaned", "swept", "dustpan_gain")


def test_candidate_objective_is_normalised_and_ends_only_at_rewarded_goals():
    candidate = objective_from("arrow-maze", EXIT_AND_ARROW, [4.0, -2.0])
    assert dict(candidate.weights) == {"reached_exit": 1.0, "reached_arrow": -0.5}
    assert candidate.terminal == {"reached_exit"}  # a penalised goal does not end the episode
    assert candidate.discount == objectives.get("arrow-maze", "exit").discount
    assert objective_from("arrow-maze", EXIT_AND_ARROW, [0.0, 0.0]).terminal == frozenset()
    # positive rescaling gives the same candidate (and so the same stored episodes)
    assert objective_from("arrow-maze", EXIT_AND_ARROW, [8.0, -4.0]).to_json() == candidate.to_json()


def test_objective_json_round_trips():
    objective = objectives.Objective(
        {"reached_exit": 0.5, "exit_progress": -0.25}, {"reached_exit"}, 0.01, 0.97
    )
    assert objectives.Objective.from_json(objective.to_json()) == objective
    with pytest.raises(objectives.ObjectiveError, match="not an objective's JSON"):
        objectives.Objective.from_json("{}")


def test_mixture_puts_an_exact_fraction_of_levels_evenly_through_the_training_set():
    mixture = {"fraction": 0.1, "overrides": {"arrow_at_exit_prob": 0.0}}
    per_level = mixed_overrides(50, {"size": 9}, mixture)
    mixed = [i for i, o in enumerate(per_level) if o.get("arrow_at_exit_prob") == 0.0]
    assert mixed == [9, 19, 29, 39, 49] and all(o["size"] == 9 for o in per_level)
    assert sum("arrow_at_exit_prob" in o for o in mixed_overrides(50, {}, {**mixture, "fraction": 0.02})) == 1
    assert mixed_overrides(3, {}, None) == [{}, {}, {}]
    learned = learn_objective(
        "arrow-maze", "value-iteration",
        LearnConfig(levels=10, optimizer="candidates", mixture={**mixture, "fraction": 0.3},
                    candidates=[{"reached_arrow": 1.0}]),
    )  # fmt: skip
    # the arrow-seeker earns nothing on exactly the three levels with the arrow away
    assert sum(score == 0.0 for score in learned.train_scores) == 3


def test_prior_penalty_by_hand():
    prior = Prior(l1=0.1, nonzero=0.5, cost={"swept": 2.0}, tolerance=0.05)
    weights = {"cleaned": 1.0, "swept": -0.5, "dustpan_gain": 0.01}
    # l1: 0.1 * 1.51; nonzero: two weights above 0.05; cost: 2 * 0.5
    assert prior.penalty(weights) == pytest.approx(0.151 + 1.0 + 1.0)
    with pytest.raises(InvalidParameterError, match="non-negative"):
        Prior(l1=-1.0)


def test_candidates_optimiser_picks_the_exit_when_training_separates_them():
    learned = learn_objective(
        "arrow-maze", "value-iteration",
        LearnConfig(features=EXIT_AND_ARROW, levels=6, overrides=AWAY, optimizer="candidates",
                    candidates=[objectives.get("arrow-maze", "arrow"), {"reached_exit": 1.0}]),
    )  # fmt: skip
    arrow, exit_ = learned.history
    assert arrow.score == 0.0  # the arrow-seeker stops on the arrow: no base return
    assert exit_.score > 0.5 and learned.weights == {"reached_exit": 1.0, "reached_arrow": 0.0}
    # the optimal planner with the base objective scores exactly what the exit candidate does
    assert learned.train_score == pytest.approx(learned.base_score)
    assert learned.train_scores == learned.base_scores
    assert learned.initial_score == arrow.score


def test_prior_breaks_a_tie_towards_the_cheaper_feature():
    # in training the arrow sits on the exit: both single-goal candidates score the same
    candidates = [{"reached_exit": 1.0}, {"reached_arrow": 1.0}]
    plain = learn_objective(
        "arrow-maze", "value-iteration", LearnConfig(levels=4, optimizer="candidates", candidates=candidates)
    )
    assert plain.history[0].score == plain.history[1].score
    costly = learn_objective(
        "arrow-maze", "value-iteration",
        LearnConfig(levels=4, optimizer="candidates", candidates=candidates,
                    prior=Prior(cost={"reached_exit": 0.1})),
    )  # fmt: skip
    assert costly.weights["reached_arrow"] == 1.0 and costly.fitness == pytest.approx(costly.train_score)


def test_cma_and_random_are_deterministic_and_improve_on_their_first_candidate():
    kwargs = dict(features=EXIT_AND_ARROW, levels=8, overrides={"arrow_at_exit_prob": 0.5}, max_steps=120)
    for optimizer in ("cma", "random"):
        config = LearnConfig(optimizer=optimizer, evaluations=12, seed=3, **kwargs)
        first = learn_objective("arrow-maze", "value-iteration", config)
        again = learn_objective("arrow-maze", "value-iteration", config)
        assert [e.weights for e in first.history] == [e.weights for e in again.history]
        assert first.fitness == max(e.fitness for e in first.history) >= first.initial_score
        assert len(first.history) <= 12
        # the selected objective pursues the exit where it matters
        assert first.weights["reached_exit"] > first.weights["reached_arrow"]


def test_a_rerun_into_the_same_store_replays_nothing(tmp_path):
    path = tmp_path / "results.sqlite"
    config = LearnConfig(features=EXIT_AND_ARROW, levels=5, optimizer="cma", evaluations=12, seed=1)
    first = learn_objective("arrow-maze", "value-iteration", config, store=path)
    with ResultStore(path) as store:
        before = len(store.finished())
    again = learn_objective("arrow-maze", "value-iteration", config, store=path)
    with ResultStore(path) as store:
        assert len(store.finished()) == before
    assert again.history == first.history


@pytest.mark.slow
def test_process_pool_gives_the_serial_result():
    # the base optimiser plays its cells on the study executors (`Executor`), whose
    # Ray path is checked against serial in tests/test_studies.py
    config = LearnConfig(
        features=EXIT_AND_ARROW, levels=4, overrides=AWAY, optimizer="random", evaluations=4, seed=2
    )
    mcts = PlannerSpec.of("mcts", 20, {"depth": 30})
    serial = learn_objective("arrow-maze", mcts, config)
    pooled = learn_objective("arrow-maze", mcts, config, executor="process", workers=2)
    assert pooled.history == serial.history


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (dict(features=["reached_exit", "nope"]), UnknownNameError, "unknown arrow-maze feature 'nope'"),
        (dict(features=[]), InvalidParameterError, "the feature set is empty"),
        (dict(optimizer="adam"), UnknownNameError, "unknown optimizer 'adam'"),
        (dict(optimizer="gradient"), InvalidParameterError, "cannot be used with planner 'value-iteration'"),
        (dict(optimizer="candidates"), InvalidParameterError, "needs candidates"),
        (dict(levels=0), InvalidParameterError, "levels must be a positive integer"),
        (dict(evaluations=-3), InvalidParameterError, "evaluations must be a positive integer"),
        (dict(split="nowhere"), UnknownNameError, "nowhere"),
        (
            dict(prior=Prior(cost={"exit_progress": 1.0})),
            InvalidParameterError,
            "not one of the learned features",
        ),
        (dict(optimizer="cma", optimizer_options={"lr": 1}), InvalidParameterError, "unknown cma options"),
        (dict(executor="threads"), InvalidParameterError, "unknown executor"),
        (
            dict(mixture={"fraction": 2, "overrides": {}}),
            InvalidParameterError,
            "mixture fraction must be in",
        ),
        (dict(mixture={"share": 0.1}), InvalidParameterError, "mixture must be"),
    ],
)
def test_bad_arguments_get_one_clear_error(arguments, error, message):
    running = {k: arguments.pop(k) for k in ("executor",) if k in arguments}
    with pytest.raises(error, match=message):
        config = LearnConfig(levels=arguments.pop("levels", 2), **arguments)
        learn_objective("arrow-maze", "value-iteration", config, **running)


def test_a_planner_that_cannot_pursue_weighted_objectives_is_refused_up_front():
    with pytest.raises(planners.IncompatibleObjectiveError, match="astar cannot pursue a learned objective"):
        learn_objective("arrow-maze", "astar", LearnConfig(levels=2))
    with pytest.raises(UnknownNameError, match="unknown planner 'dijkstra'"):
        learn_objective("arrow-maze", "dijkstra", LearnConfig(levels=2))


def test_candidates_outside_the_features_are_refused():
    with pytest.raises(InvalidParameterError, match="not among the learned features"):
        learn_objective(
            "arrow-maze",
            "value-iteration",
            LearnConfig(levels=2, optimizer="candidates", candidates=[{"exit_progress": 1.0}]),
        )


def test_history_weights_are_readable_and_normalised():
    learned = learn_objective(
        "arrow-maze", "value-iteration", LearnConfig(levels=3, optimizer="random", evaluations=5, seed=0)
    )
    for evaluation in learned.history:
        magnitudes = np.abs(list(evaluation.weights.values()))
        assert magnitudes.max() == pytest.approx(1.0)
    assert "reached_exit" in learned.describe() and "train base return" in learned.describe()


@pytest.mark.slow
def test_gradient_optimiser_improves_the_base_score_in_real_episodes():
    # the gradient planner (the mesa-optimiser) from the sparse start: only the
    # exit goal, no shaping; the base optimiser differentiates through it
    learned = learn_objective(
        "point-mass", PlannerSpec.of("gradient", 20, {"horizon": 30, "restarts": 2}),
        LearnConfig(levels=6, optimizer="gradient", optimizer_options={"steps": 5}),
    )  # fmt: skip
    start, end = learned.history
    assert start.weights["reached_exit"] == 1.0 and start.weights["exit_distance"] == 0.0
    assert end.score > start.score + 10.0, (start.score, end.score)
    assert learned.train_score == end.score
    assert learned.weights["exit_distance"] < 0.0  # it learned to shape towards the exit


def test_every_config_field_has_its_own_docstring():
    import ast
    import inspect

    body = ast.parse(inspect.getsource(LearnConfig)).body[0].body
    documented = {
        field.target.id
        for field, after in zip(body, body[1:])
        if isinstance(field, ast.AnnAssign)
        and isinstance(after, ast.Expr)
        and isinstance(after.value.value, str)
    }
    assert documented == {f.name for f in dataclasses.fields(LearnConfig)}


def test_each_optimizer_is_a_small_strategy_checked_before_any_episode():
    features = ("reached_exit", "reached_arrow")
    assert isinstance(make_strategy(LearnConfig(optimizer="random", evaluations=3), features), RandomSearch)
    cma = make_strategy(LearnConfig(optimizer_options={"popsize": 4, "sigma0": 0.5}), features)
    assert isinstance(cma, CMAES) and (cma.popsize, cma.sigma0, cma.x0.tolist()) == (4, 0.5, [0.0, 0.0])
    with pytest.raises(InvalidParameterError, match="cma x0 needs 2 values"):
        make_strategy(LearnConfig(optimizer_options={"x0": [1.0]}), features)
    with pytest.raises(InvalidParameterError, match="the random optimiser takes no options"):
        make_strategy(LearnConfig(optimizer="random", optimizer_options={"popsize": 4}), features)
    mixture = {"fraction": 0.5, "overrides": {"beacon_at_exit_prob": 0.0}}
    with pytest.raises(InvalidParameterError, match="not a mixture"):
        make_strategy(LearnConfig(optimizer="gradient", levels=4, mixture=mixture), features)
