"""The episode study report: summary.csv, figures, replayed examples, markdown and HTML."""

import base64
import csv
import dataclasses
import re

import pytest

import objectives
import planners
import worlds
from studies.core import Cell, ResultStore, episode_row
from studies.episodes import findings, summarise, write_episode_report
from studies.reporting import NoResultsError, write_report

TEST_OVERRIDES = (("size", 15),)


def _cell(split, seed, objective, planner="astar", budget=None, options=()):
    label = planner if budget is None else f"{planner} ({budget})"
    overrides = TEST_OVERRIDES if split == "test" else ()
    return Cell(
        world="arrow-maze", split=split, seed=seed, planner=planner, budget=budget, options=options,
        objective=objective, max_steps=None, threshold=0.9, scoring="auto", overrides=overrides, label=label,
    )  # fmt: skip


def _row(cell):
    """The stored row of a real episode of `cell`."""
    world = worlds.get(cell.world)
    level = world.sample(seed=cell.seed, split=cell.split, **dict(cell.overrides))
    planner = planners.make(cell.planner, cell.budget, **dict(cell.options))
    agent = planners.Agent(planner, objectives.get(world, cell.objective))
    episode = planners.rollout(world, level, agent, cell.max_steps, threshold=cell.threshold, seed=cell.seed)
    return episode_row("tiny", cell, episode)


def _cells():
    """A* with the exit and the arrow on train and test, plus a weak MCTS seen on test only."""
    cells = [_cell(s, seed, o) for o in ("exit", "arrow") for s in ("train", "test") for seed in range(3)]
    weak = {"budget": 10, "options": (("depth", 100),)}
    return cells + [_cell("test", seed, "exit", "mcts", **weak) for seed in range(3)]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("study")
    with ResultStore(out / "results.sqlite") as store:
        for cell in _cells():
            assert store.write(_row(cell), 0.0, 0.0)
    return out, write_report(out)


def _summary(out):
    with open(out / "summary.csv", newline="") as handle:
        return {(r["agent"], r["split"]): r for r in csv.DictReader(handle)}


def test_every_file_is_written(report):
    out, paths = report
    examples = {"example-1", "example-2", "example-3"}
    tables = {"summary", "paired", "threshold_csv", "levels"}
    figures = {"outcomes", "robustness", "threshold"}  # no budget axis here: no budget.png
    assert set(paths) == {*tables, *figures, "markdown", "html", "viewer", *examples}
    for path in paths.values():
        assert path.parent == out and path.stat().st_size > 0
    assert paths["html"].name == "report.html" and paths["markdown"].name == "report.md"


def test_summary_counts_outcomes(report):
    out, _ = report
    summary = _summary(out)
    arrow_test, arrow_train = summary[("astar -> arrow", "test")], summary[("astar -> arrow", "train")]
    assert (arrow_test["n"], arrow_test["misgeneralized"]) == ("3", "3")
    assert arrow_test["frac_misgeneralized"] == "1.0"
    assert (arrow_train["intended"], arrow_train["frac_intended"]) == ("3", "1.0")
    assert float(arrow_test["event_reached_arrow"]) == 1.0 and float(arrow_test["event_reached_exit"]) == 0.0
    for split in ("train", "test"):
        assert summary[("astar -> exit", split)]["intended"] == "3"
    assert summary[("mcts (10) -> exit", "test")]["capability_failure"] == "3"
    assert float(arrow_test["capability_lo"]) <= float(arrow_test["capability_mean"]) <= 1.0 + 1e-9
    assert float(arrow_test["alignment_mean"]) < 0.9 and "return_exit" in arrow_test


def test_markdown_has_the_table_and_the_finding(report):
    out, _ = report
    text = (out / "report.md").read_text()
    header = "| agent | split | n (levels) | intended (Wilson 95%) | misgeneralized (Wilson 95%) |"
    assert header in text
    # Wilson 95% for 0 and 3 of 3: [0%, 56%] and [44%, 100%]
    assert (
        "| astar -> arrow | test | 3 | 0/3, 0% [0%, 56%] | 3/3, 100% [44%, 100%] | 0/3, 0% [0%, 56%] |"
        in text
    )
    finding = (
        "The astar -> arrow agent is misgeneralized on test levels (3/3, 100% [44%, 100%]), "
        "while intended on train levels (3/3, 100% [44%, 100%])"
    )
    assert finding in text
    assert "The mcts (10) -> exit agent fails on test levels (3/3, 100% [44%, 100%])" in text
    assert "The unit of replication is the level" in text and "2000 resamples of levels" in text
    assert "exact McNemar" in text and "Holm" in text and "Wilson" in text
    for name in (
        "outcomes.png",
        "robustness.png",
        "threshold.png",
        "example-1.png",
        "summary.csv",
        "paired.csv",
    ):
        assert f"]({name})" in text


def test_examples_show_misgeneralisation_then_capability_failure(report):
    out, _ = report
    captions = re.findall(r"!\[([^\]]*)\]\(example-\d\.png\)", (out / "report.md").read_text())
    assert captions[0] == "astar -> arrow, test seed 0: misgeneralized"
    assert captions[1] == "mcts (10) -> exit, test seed 0: capability failure"
    assert captions[2].endswith("intended")


def test_html_is_self_contained(report):
    out, paths = report
    page = paths["html"].read_text()
    sources = re.findall(r"""(?:src|href)=['"]([^'"]*)['"]""", page)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "<script" not in page and "<link" not in page and "@import" not in page
    images = [s for s in sources if not s.endswith((".csv", ".html"))]
    assert all(s.startswith("data:image/png;base64,") for s in images)
    pngs = sorted(out.glob("*.png"))
    assert len(images) == len(pngs) == 6
    for png in pngs:
        assert base64.b64encode(png.read_bytes()).decode() in page
    assert "<table>" in page and "misgeneralized on test levels (3/3, 100% [44%, 100%])" in page


def test_one_agent_one_split_with_undefined_scores(tmp_path):
    rows = [_row(_cell("train", seed, "exit")) for seed in range(2)]
    rows[1].update(cell_id="undefined", capability=None, alignment=None, outcome="capability_failure")
    with ResultStore(tmp_path / "results.sqlite") as store:
        for row in rows:
            store.write(row, 0.0, 0.0)
        summary = summarise(store.rows())
    paths = write_episode_report(tmp_path, examples=1)
    assert [p.name for k, p in paths.items() if k.startswith("example")] == ["example-1.png"]
    (only,) = summary
    assert (only["n"], only["capability_nan"], only["capability_mean"]) == (2, 1, pytest.approx(1.0))
    assert findings(summary) == [
        "The astar -> exit agent is intended on train levels (1/2, 50% [9%, 91%]; the rest: 1/2 capability "
        "failure): its own objective, exit, is the base objective (mean alignment 1.00)."
    ]


def test_no_episodes_is_a_clear_error(tmp_path):
    ResultStore(tmp_path / "results.sqlite").close()
    message = "^no finished episodes in .*results.sqlite; run the study first$"
    with pytest.raises(NoResultsError, match=message):
        write_report(tmp_path)
    with pytest.raises(worlds.MesabaseError, match="run the study first"):
        write_report(tmp_path / "never-run")
    assert not (tmp_path / "never-run").exists()


def test_study_text_reaches_the_pages_escaped_and_the_csv_neutralised(tmp_path):
    hostile = "<script>alert(1)</script>"
    cell = dataclasses.replace(_cell("train", 0, "exit"), label="=cmd() $\\foo$")  # $: matplotlib's mathtext
    row = _row(cell)
    with ResultStore(tmp_path / "results.sqlite") as store:
        store.record_info({"name": hostile, "description": f"{hostile} & more", "kind": "episodes"})
        store.write(row, 0.0, 0.0)
    paths = write_episode_report(tmp_path, examples=1)
    markdown, page = paths["markdown"].read_text(), paths["html"].read_text()
    assert "<script" not in markdown and "# Study: &lt;script>alert(1)&lt;/script>" in markdown
    assert "&lt;/script> &amp; more" in markdown and "=cmd() $\\foo$ -> exit" in markdown
    assert "<script" not in page
    with open(paths["summary"], newline="") as handle:
        (summary,) = csv.DictReader(handle)
    assert summary["agent"] == "'=cmd() $\\foo$ -> exit" and float(summary["capability_mean"]) == 1.0
