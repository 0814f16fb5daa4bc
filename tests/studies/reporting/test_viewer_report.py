"""The episode report's viewer.html: the example episodes with the same agent
on the same level seed of the other splits, the stored outcomes, and links
from report.md and report.html."""

import json
import re

import pytest

import objectives
import planners
import worlds
from studies.core import Cell, ResultStore, episode_row
from studies.episodes import write_episode_report


def _row(split, seed, objective):
    cell = Cell(
        world="arrow-maze", split=split, seed=seed, planner="astar", budget=None, options=(),
        objective=objective, max_steps=None, threshold=0.9, scoring="auto", overrides=(), label="astar",
    )  # fmt: skip
    world = worlds.get(cell.world)
    level = world.sample(seed=seed, split=split)
    agent = planners.Agent(planners.make("astar"), objectives.get(world, objective))
    return episode_row("tiny", cell, planners.rollout(world, level, agent, threshold=0.9, seed=seed))


def _episodes(path):
    page = path.read_text()
    match = re.search(r'<script type="application/json" id="viewer-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))["episodes"]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The arrow-seeker on train and test seeds 0 and 1, the exit-seeker on train seed 0."""
    out = tmp_path_factory.mktemp("study")
    rows = [_row(split, seed, "arrow") for split in ("train", "test") for seed in (0, 1)]
    rows.append(_row("train", 0, "exit"))
    with ResultStore(out / "results.sqlite") as store:
        for row in rows:
            store.write(row, 0.0, 0.0)
    return out, rows


def test_the_viewer_pairs_each_example_with_its_other_splits(study):
    out, rows = study
    paths = write_episode_report(out, examples=1)
    assert paths["viewer"] == out / "viewer.html"
    shown = _episodes(paths["viewer"])
    # the one example: the arrow-seeker misgeneralizing on test seed 0; beside it, train seed 0
    assert [(e["agent"], e["split"], e["seed"]) for e in shown] == [
        ("astar -> arrow", "test", 0),
        ("astar -> arrow", "train", 0),
    ]
    stored = {(r["split"], r["seed"]): r for r in rows if r["objective"] == "arrow"}
    for episode in shown:
        row = stored[episode["split"], episode["seed"]]
        assert (episode["outcome"], episode["steps"]) == (row["outcome"], row["steps"])
        assert episode["capability"] == pytest.approx(row["capability"])
    assert shown[0]["outcome"] == "misgeneralized" and "pursued arrow competently" in shown[0]["sentence"]
    # one cell size for the page: the test maze (larger) is drawn larger
    assert shown[0]["size"] != shown[1]["size"]
    link = "Step through the example episodes: "
    assert f"{link}[viewer.html](viewer.html)." in paths["markdown"].read_text()
    assert f"{link}<a href='viewer.html'>viewer.html</a>." in paths["html"].read_text()


def test_no_examples_no_viewer(study):
    out, _ = study
    write_episode_report(out, examples=1)
    assert (out / "viewer.html").exists()
    paths = write_episode_report(out, examples=0)
    assert "viewer" not in paths and not (out / "viewer.html").exists()  # the stale page is gone
    assert "viewer.html" not in paths["markdown"].read_text()
