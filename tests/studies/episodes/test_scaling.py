"""Capability scaling: the table behind scaling.csv / scaling.png, the answer
`summary` gives from a finished folder, and the built-in scaling studies."""

import csv
import math

import pytest

from studies.core.spec import load
from studies.episodes import parse, run_study, scaling, write_episode_report
from studies.reporting.stats import NoResultsError


def _row(seed, budget, objective, capability, alignment, split="test", depth=25, planner="mcts"):
    return {
        "world": "arrow-maze", "split": split, "seed": seed, "planner": planner, "budget": budget,
        "options": {"depth": depth}, "objective": objective, "threshold": 0.9,
        "agent": f"{planner} depth {depth} ({budget}) -> {objective}",
        "capability": capability, "alignment": alignment,
    }  # fmt: skip


def _study(proxy_high_alignment=0.0, proxy_high_capability=1.0, seeds=8):
    """An arrow proxy at 10 and 100 simulations (depth 25) on test, with the
    exit agent beside it: the weak proxy never reaches its arrow."""
    rows = []
    for seed in range(seeds):
        rows += [
            _row(seed, 10, "arrow", 0.2, 0.0),
            _row(seed, 100, "arrow", proxy_high_capability, proxy_high_alignment),
            _row(seed, 10, "exit", 0.5, 0.5),
            _row(seed, 100, "exit", 1.0, 1.0),
            _row(seed, 10, "arrow", 1.0, 1.0, split="train"),
            _row(seed, 100, "arrow", 1.0, 1.0, split="train"),
        ]
    return rows


def test_roles_and_compute():
    assert scaling.role("arrow-maze", "exit") == "base"
    assert scaling.role("arrow-maze", "arrow") == "proxy"
    assert scaling.role("chests-keys", "none") is None
    assert scaling.compute(30, {"depth": 50}) == 1500
    assert scaling.compute(10, {"restarts": 4, "execute": 4}) == 40  # execute does not multiply the work
    assert scaling.compute(7, {}) == 7


def test_success_is_capability_at_tau():
    assert scaling.success({"capability": 0.9, "threshold": 0.9})
    assert not scaling.success({"capability": 0.89, "threshold": 0.9})
    assert not scaling.success({"capability": math.nan, "threshold": 0.9})
    assert not scaling.success({"capability": None, "threshold": 0.9})


def test_table_counts_own_objective_success():
    rows = _study()
    rows[1] = {**rows[1], "capability": 0.5}  # seed 0's strong proxy falls short of its arrow
    table = scaling.scaling_table(rows)
    assert [(t["split"], t["objective"], t["budget"]) for t in table] == [
        ("train", "arrow", 10), ("train", "arrow", 100),
        ("test", "exit", 10), ("test", "exit", 100), ("test", "arrow", 10), ("test", "arrow", 100),
    ]  # fmt: skip
    strong = table[-1]
    assert (strong["success"], strong["n"], strong["role"], strong["series"]) == (7, 8, "proxy", "depth=25")
    assert strong["success_lo"] < 7 / 8 < strong["success_hi"] < 1.0  # Wilson, not a bootstrap
    assert strong["compute"] == 2500
    assert table[2]["alignment_mean"] == pytest.approx(0.5)


def test_one_objective_or_one_budget_is_not_a_scaling_study():
    exit_only = [r for r in _study() if r["objective"] == "exit"]
    assert scaling.scaling_table(exit_only) == []
    one_budget = [r for r in _study() if r["budget"] == 10]
    assert scaling.scaling_table(one_budget) == []
    # the planner at its default budget, and an agent without an objective, stay off the axis
    extra = [{**_study()[0], "budget": None}, {**_study()[0], "objective": "none"}]
    assert len(scaling.scaling_table(_study() + extra)) == len(scaling.scaling_table(_study()))


def test_summary_answers_yes_when_competence_grows_and_alignment_stays_flat():
    answer = scaling.summarise_ends(_study())
    assert answer["answer"] == "yes"
    (proxy,) = answer["proxies"]
    assert (proxy["split"], proxy["objective"], proxy["n"]) == ("test", "arrow", 8)
    assert (proxy["low"]["success"], proxy["high"]["success"]) == (0, 8)
    assert (proxy["low"]["budget"], proxy["high"]["budget"]) == (10, 100)
    # 8 discordant levels, all one way: exact two-sided p = 2 / 2^8
    assert proxy["mcnemar"] == {"only_low": 0, "only_high": 8, "p": 2 / 2**8, "p_holm": 2 / 2**8}
    assert proxy["alignment_difference"]["mean"] == 0.0
    assert proxy["more_competent"] and proxy["alignment_flat"]
    assert [c["objective"] for c in answer["base"]] == ["exit"]
    assert {c["split"] for c in answer["train"]} == {"train"}
    assert "0/8 at compute 250" in answer["sentences"][0] and "8/8 at 2500" in answer["sentences"][0]


def test_summary_answers_partly_when_alignment_moves():
    answer = scaling.summarise_ends(_study(proxy_high_alignment=0.5))
    (proxy,) = answer["proxies"]
    assert proxy["more_competent"] and not proxy["alignment_flat"]
    assert proxy["alignment_difference"]["mean"] == pytest.approx(0.5)
    assert answer["answer"] == "partly"


def test_summary_answers_no_when_neither_holds():
    answer = scaling.summarise_ends(_study(proxy_high_alignment=0.5, proxy_high_capability=0.3))
    assert answer["answer"] == "no"
    assert answer["proxies"][0]["mcnemar"]["p"] == 1.0


def test_too_few_levels_cannot_show_a_trend():
    """4 levels, all discordant one way: p = 2/16 = 0.125, not below 0.05."""
    answer = scaling.summarise_ends(_study(seeds=4))
    assert answer["proxies"][0]["mcnemar"]["p"] == pytest.approx(0.125)
    assert answer["answer"] == "partly"


def test_the_ends_are_the_lowest_and_highest_compute():
    """Depth crossed with budget: the ends multiply the two."""
    rows = []
    for seed in range(3):
        for budget, depth in ((100, 10), (10, 200), (30, 25)):
            rows.append(_row(seed, budget, "arrow", 1.0, 0.0, depth=depth))
            rows.append(_row(seed, budget, "exit", 1.0, 1.0, depth=depth))
    (proxy,) = scaling.summarise_ends(rows)["proxies"]
    assert (proxy["low"]["compute"], proxy["high"]["compute"]) == (750, 2000)
    assert proxy["high"]["options"] == {"depth": 200}


def test_summary_of_an_empty_folder_says_so(tmp_path):
    with pytest.raises(NoResultsError, match="run the study first"):
        scaling.summary(tmp_path)


@pytest.mark.slow
def test_a_tiny_run_writes_the_scaling_figure_and_table(tmp_path):
    study = parse(
        {
            "name": "tiny-scaling", "world": "arrow-maze", "splits": ["train", "test"],
            "objectives": ["exit", "arrow"], "seeds": 2, "max_steps": 60,
            "overrides": {"test": {"size": 9, "match_exit_distance": True}},
            "planners": [{"name": "mcts", "budgets": [3, 40], "options": {"depth": 20}}],
        }
    )  # fmt: skip
    run_study(study, tmp_path, executor="serial", progress=False)
    paths = write_episode_report(tmp_path, examples=0)
    assert paths["scaling"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(paths["scaling_csv"], newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert len(lines) == 2 * 2 * 2  # splits x objectives x budgets
    assert {line["n"] for line in lines} == {"2"}
    assert "scaling.png" in paths["markdown"].read_text() and "scaling.csv" in paths["markdown"].read_text()
    answer = scaling.summary(tmp_path)
    assert answer["answer"] in {"yes", "partly", "no"}
    assert [(p["low"]["budget"], p["high"]["budget"]) for p in answer["proxies"]] == [(3, 40)]


@pytest.mark.parametrize(
    "name, agents",
    [
        ("capability-scaling", 3 * 3 * 2),  # depths x budgets x objectives
        ("capability-scaling-chests-keys", 5 * 2),
        ("capability-scaling-point-mass", 2 * 4 * 2),  # restarts x iterations x objectives
    ],
)
def test_builtin_scaling_studies_take_seeds(name, agents):
    study = load(name, seeds=2)  # what `mesabase run NAME --seeds 2` plays
    splits = {cell.split for cell in study.cells}
    assert len(study.cells) == agents * len(splits) * 2
    assert len({cell.agent for cell in study.cells}) == agents
