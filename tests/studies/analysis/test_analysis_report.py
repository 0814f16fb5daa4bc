"""The analysis reports say what every spread was computed over: means over
levels get a bootstrap CI over levels and their n, an IRL fit over a split's
levels is a point estimate, counts of levels get Wilson intervals, and a
folder stored before per-level values were kept still reports (n only)."""

import csv
import math

import pytest

from studies.analysis.report import level_mean, write_analysis_report
from studies.core.store import ResultStore
from studies.reporting.stats import bootstrap_ci


def revealed_payload(split="test", levels=True, swap=True):
    """A revealed-objective payload as `studies.analysis.study.revealed_unit`
    stores it, on 3 levels (seeds 0-2), with hand-picked per-level values."""
    unit = {
        "study": "arrow-maze", "world": "arrow-maze", "planner": "astar", "budget": None, "options": [],
        "objective": "arrow" if swap else "none", "label": "astar", "split": split, "overrides": {},
        "seeds": 3, "max_steps": None, "irl_horizon": 200,
    }  # fmt: skip
    payload = {
        "unit": unit,
        "weights": {"reached_arrow": 2.0, "reached_exit": 0.0},
        "normalised": {"reached_arrow": 1.0, "reached_exit": 0.0},
        "epic": {"exit": 0.71, "arrow": 0.0},
        "closest": "arrow",
        "capability": 0.5,
        "base_return": 0.3,
        "swap": {"gap": 1.0, "objective_part": 0.6, "capability_part": 0.4} if swap else None,
    }
    if levels:
        payload["levels"] = {
            "seeds": [0, 1, 2],
            "capability": [0.2, None, 0.8],  # one level undefined: left out, n = 2
            "base_return": [0.0, 0.3, 0.6],
            **({"objective_part": [0.6, 0.6, 0.6], "capability_part": [0.2, 0.4, 0.6]} if swap else {}),
        }
    return payload


def test_level_mean_resamples_the_stored_levels():
    payload = revealed_payload()
    assert level_mean(payload, "base_return") == (*bootstrap_ci([0.0, 0.3, 0.6]), 3)
    mean, lo, hi, n = level_mean(payload, "capability")
    assert (mean, n) == (pytest.approx(0.5), 2) and 0.2 <= lo < hi <= 0.8
    assert level_mean(payload, "objective_part") == (0.6, 0.6, 0.6, 3)  # no spread: a degenerate interval
    # float noise is no spread
    payload["levels"]["base_return"] = [1.0, 1.0000000000000002, 1.0]
    assert level_mean(payload, "base_return")[1:3] == (1.0, 1.0)
    # without a swap there is nothing to report
    assert math.isnan(level_mean(revealed_payload(swap=False), "objective_part")[0])
    assert level_mean(revealed_payload(swap=False), "objective_part")[3] == 0


def test_level_mean_of_a_payload_without_levels_keeps_the_stored_mean_and_n():
    mean, lo, hi, n = level_mean(revealed_payload(levels=False), "capability")
    assert (mean, n) == (0.5, 3) and math.isnan(lo) and math.isnan(hi)


def _store(folder, payloads, report):
    with ResultStore(folder / "results.sqlite") as store:
        store.record_info({"name": "tiny", "description": "", "kind": "analysis", "report": report})
        for number, payload in enumerate(payloads):
            store.write_learned(f"k{number}", payload)


def test_revealed_report_gives_intervals_over_levels_and_calls_the_fit_a_point_estimate(tmp_path):
    _store(tmp_path, [revealed_payload("train"), revealed_payload("test", swap=False)], "revealed")
    paths = write_analysis_report(tmp_path)
    text = paths["markdown"].read_text()
    assert "The unit of replication is the level" in text
    assert (
        "one IRL fit pools the 3 levels of each split" in text and "point estimates with no interval" in text
    )
    assert "revealed weights (one IRL fit over the split's 3 levels)" in text
    mean, lo, hi = bootstrap_ci([0.0, 0.3, 0.6])
    assert f"0.30 [{lo:.2f}, {hi:.2f}] (n = 3 levels)" in text  # base return
    assert "0.60 (all 3 levels equal: no spread to resample)" in text  # the objective part
    assert "before per-level values were stored" not in text
    with paths["analysis"].open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    train = next(r for r in rows if r["split"] == "train")
    assert float(train["base_return_lo"]) == pytest.approx(lo, abs=1e-6) and train["base_return_n"] == "3"
    assert train["capability_n"] == "2" and train["levels"] == "3"
    test = next(r for r in rows if r["split"] == "test")
    assert test["objective_part_mean"] == "" and test["objective_part_n"] == "0"


def test_a_folder_stored_before_per_level_values_still_reports_with_n_only(tmp_path):
    _store(tmp_path, [revealed_payload(levels=False)], "revealed")
    text = write_analysis_report(tmp_path)["markdown"].read_text()
    assert "0.50 (n = 3 levels, no interval)" in text and "before per-level values were stored" in text


def test_identifiability_report_counts_levels_with_wilson_intervals(tmp_path):
    unit = {"world": "arrow-maze", "truth": {"reached_exit": 1.0, "reached_arrow": 0.1}, "depth": 5}
    payloads = [
        {
            "unit": {**unit, "model": model},
            "weights": {"reached_exit": 1.0, "reached_arrow": 0.1},
            "cosine": 1.0,
            "epic": 0.0,
            "went": {"visible": ["exit"] * 8, "hidden": ["arrow"] * 3 + ["exit"]},
        }
        for model in ("optimal", "depth-limited")
    ]
    _store(tmp_path, payloads, "non-identifiability")
    text = write_analysis_report(tmp_path)["markdown"].read_text()
    # Wilson for 8 of 8 reaches below 1: 8 / (8 + z^2) = 0.68; 3 of 4: [30%, 95%]
    assert "8/8, 100% [68%, 100%]" in text and "3/4, 75% [30%, 95%]" in text
    assert "one IRL fit over all 12 levels" in text and "point estimates" in text


def test_revealed_unit_stores_the_per_level_values_behind_its_means():
    from studies.analysis.study import revealed_unit
    from studies.core.spec import load

    unit = next(
        u
        for u in load("revealed").units
        if (u["label"], u["objective"], u["split"]) == ("astar", "arrow", "test")
    )
    payload = revealed_unit({**unit, "seeds": 2})
    levels = payload["levels"]
    assert levels["seeds"] == [0, 1] and len(levels["capability"]) == len(levels["base_return"]) == 2
    assert sum(levels["base_return"]) / 2 == pytest.approx(payload["base_return"])
    assert sum(levels["capability"]) / 2 == pytest.approx(payload["capability"])
    for part in ("objective_part", "capability_part"):
        assert sum(levels[part]) / len(levels[part]) == pytest.approx(payload["swap"][part])
    assert level_mean(payload, "objective_part")[3] == 2
