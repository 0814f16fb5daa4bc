"""Episodes that ran to their step limit, and which looped: the rule, the
summary's counts, the findings' sentence and the report's preamble, on
hand-made rows."""

from studies.episodes import looping
from studies.episodes.findings import findings
from studies.episodes.looping import LOOPED, OUT_OF_STEPS, counts, looping_sentences, unfinished
from studies.episodes.report import _stopped, _unfinished
from studies.episodes.summary import summarise


def _row(seed, steps, stop="max_steps", distinct=None, agent="mcts (1000) -> exit", split="test"):
    stats = {"plans": steps} if distinct is None else {"plans": steps, "distinct_states": distinct}
    return {
        "world": "arrow-maze", "split": split, "seed": seed, "agent": agent, "planner": "mcts",
        "budget": 1000, "options": {"depth": 100}, "objective": "exit", "outcome": "capability_failure",
        "capability": 0.1, "alignment": 0.1, "threshold": 0.9, "scored_objective": "exit",
        "scoring": "oracle",
        "returns": {}, "events": {}, "overrides": {}, "steps": steps, "stop_reason": stop,
        "planner_stats": stats,
    }  # fmt: skip


def test_an_episode_that_ended_is_not_flagged():
    assert unfinished(_row(0, 40, stop="objective_ended", distinct=5)) is None
    assert unfinished(_row(0, 40, stop="world_terminated")) is None
    assert unfinished(_row(0, 40, stop="no_plan")) is None


def test_loops_are_told_by_revisits_when_distinct_states_are_stored():
    # 100 steps visit 101 states counting the start; revisits = 101 - distinct
    assert unfinished(_row(0, 100, distinct=51)) == LOOPED  # 50 revisits: half the steps
    assert unfinished(_row(0, 100, distinct=52)) == OUT_OF_STEPS  # 49 revisits
    assert unfinished(_row(0, 2116, distinct=40)) == LOOPED
    assert unfinished(_row(0, 100, distinct=101)) == OUT_OF_STEPS  # every step a new state
    assert unfinished(_row(0, 100, distinct=1)) == LOOPED  # stuck in place


def test_without_distinct_states_the_shortest_path_decides():
    paths = {("arrow-maze", "test", 0, "exit"): 10}
    assert unfinished(_row(0, 40), paths) == LOOPED  # 4x the 10-step path
    assert unfinished(_row(0, 39), paths) == OUT_OF_STEPS
    assert unfinished(_row(0, 400), {}) == OUT_OF_STEPS  # no path known: no claim of a loop
    assert unfinished(_row(0, 400)) == OUT_OF_STEPS
    # a stored count wins over the path
    assert unfinished(_row(0, 400, distinct=390), paths) == OUT_OF_STEPS


def test_counts_and_summary_columns():
    rows = [
        _row(0, 2116, distinct=40), _row(1, 96, stop="objective_ended", distinct=90),
        _row(2, 900, distinct=880), _row(3, 60, stop="objective_ended", distinct=50),
    ]  # fmt: skip
    assert counts(rows) == {"did_not_finish": 2, "looped": 1}
    (summary,) = summarise(rows)
    assert (summary["n"], summary["did_not_finish"], summary["looped"]) == (4, 2, 1)
    # rows from before the step count was stored have no stop reason: nothing is flagged
    old = [{k: v for k, v in r.items() if k not in ("stop_reason", "steps", "planner_stats")} for r in rows]
    (summary,) = summarise(old)
    assert (summary["did_not_finish"], summary["looped"]) == (0, 0)


def test_findings_name_the_looping_agent_its_levels_and_seeds():
    rows = [
        _row(5, 2116, distinct=40),
        _row(6, 96, stop="objective_ended", distinct=90),
        _row(7, 900, distinct=880),
    ]
    rows += [_row(s, 12, stop="objective_ended", distinct=13, agent="astar -> exit") for s in range(3)]
    said = looping_sentences(rows)
    assert said == [
        "Did not finish: the mcts (1000) -> exit agent looped on 1/3 test levels (seed 5: 2116 steps, 40 "
        "distinct states): it ran to the step limit, mostly revisiting states; it also ran to the step limit "
        "on 1 more level without looping."
    ]
    assert said[0] in findings(summarise(rows), rows)
    assert looping_sentences([_row(7, 900, distinct=880)]) == [
        "Did not finish: the mcts (1000) -> exit agent ran to the step limit on 1 level without looping."
    ]
    train = _row(2, 500, distinct=3, split="train")
    assert looping_sentences([train, _row(5, 2116, distinct=40)])[0].startswith(
        "Did not finish: the mcts (1000) -> exit agent looped on 1/1 train levels (seed 2: 500 steps, 3 "
        "distinct states) and 1/1 test levels (seed 5: 2116 steps, 40 distinct states): "
    )


def test_the_report_says_it_in_the_preamble_and_the_outcome_table():
    rows = [_row(0, 2116, distinct=40), _row(1, 900, distinct=880), _row(2, 50, stop="objective_ended")]
    rows.append(_row(0, 30, stop="objective_ended", agent="astar -> exit"))
    summary = summarise(rows)
    line = _unfinished(summary)
    assert line.startswith(
        " Did not finish: 2 of the episodes ran to their step limit, and 1 of them looped, by 1 agent"
    )
    assert f"{looping.REVISIT_SHARE:.0%}" in line and "4x the shortest path" in line
    by_agent = {r["agent"]: r for r in summary}
    assert _stopped(by_agent["mcts (1000) -> exit"]) == "2/3 (1 looped)"
    assert _stopped(by_agent["astar -> exit"]) == "0/1"
    assert _unfinished(summarise(rows[2:])) == ""
