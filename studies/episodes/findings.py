"""Plain-language findings of an episode study, one agent at a time (never
pooled across budgets or planners):

- per agent, its most frequent outcome on each test-like split next to train,
  as a count of levels with a Wilson 95% interval, why (capability vs
  alignment), and whether that count holds for every outcome threshold tau in
  [0.8, 0.95] (`studies.episodes.threshold`);
- per objective swap and per agent without an objective, the paired
  comparison on each test-like split: "differs" only when the Holm-adjusted
  test says so (`studies.episodes.paired`, `studies.reporting.stats.difference_phrase`);
- per planner swept over budgets, its capability failures by budget, split
  into those "within budget" and those "because depth < path length"
  (`studies.episodes.paths`), and a trend only where the paired test between
  the smallest and largest budget finds one;
- per agent with episodes that ran to the step limit, on which levels it
  looped and on how many more it ran out of steps (`studies.episodes.looping`).
"""

from __future__ import annotations

from typing import Any

from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED, OUTCOMES
from studies.episodes import paths as level_paths
from studies.episodes.looping import looping_sentences
from studies.episodes.paired import (
    NO_OBJECTIVE,
    OBJECTIVE_SWAP,
    UNIT,
    Comparison,
    budget_axes,
    family_size,
    find,
)
from studies.episodes.summary import world_info
from studies.episodes.threshold import BAND, dominant, stability
from studies.reporting.formatting import num, p_value, proportion
from studies.reporting.stats import ALPHA, difference_phrase

# outcome -> (verb, participle)
_VERBS = {
    INTENDED: ("is intended", "intended"),
    MISGENERALIZED: ("is misgeneralized", "misgeneralized"),
    CAPABILITY_FAILURE: ("fails", "failing"),
}


def _share(row: dict[str, Any], outcome: str) -> str:
    """ "5/6, 83% [44%, 97%]": an outcome's count of levels with its Wilson interval."""
    return proportion(row[outcome], row["n"], row[f"frac_{outcome}_lo"], row[f"frac_{outcome}_hi"])


def _rest(row: dict[str, Any], outcome: str) -> str:
    """The other outcomes of a split, e.g. "; the rest: 2/8 capability failure"."""
    others = [f"{row[o]}/{row['n']} {o.replace('_', ' ')}" for o in OUTCOMES if o != outcome and row[o]]
    return f"; the rest: {', '.join(others)}" if others else ""


def _explain(outcome: str, row: dict[str, Any], base: str) -> str:
    """Why an outcome: a clause about capability and alignment."""
    objective = row["objective"]
    goal = row["scored_objective"].replace("revealed: ", "") if objective == "none" else objective
    own = f"its {'revealed' if objective == 'none' else 'own'} objective, {goal}"
    if objective == "none" and "; " in goal:  # scored per level against what each episode revealed
        own = f"its revealed objective ({' or '.join(goal.split('; '))}, level by level)"
    c, a = num(row["capability_mean"]), num(row["alignment_mean"])
    if outcome == MISGENERALIZED:
        return (
            f"it competently pursues {own} (mean capability {c}), "
            f"but not the base objective, {base} (mean alignment {a})"
        )
    if outcome == CAPABILITY_FAILURE:
        return (
            f"it does not achieve {own}, either (mean capability {c}): "
            "a capability failure, not misgeneralisation"
        )
    if goal == base:
        return f"{own}, is the base objective (mean alignment {a})"
    return f"{own}, still agrees with the base objective, {base}, here (mean alignment {a})"


def _taus(values: list[float]) -> str:
    """ "0.84, 0.89 and 0.93"."""
    text = [f"{v:.2f}" for v in values]
    return text[0] if len(text) == 1 else f"{', '.join(text[:-1])} and {text[-1]}"


def _moves(runs: list[tuple[float, float, int, str]], n: int, split: str, outcome: str) -> str:
    """How a headline count moves across the band, e.g. "on test the
    misgeneralized count is 3/6 at τ = 0.80 and 5/6 at τ = 0.95 (it changes
    at τ = 0.89 and 0.90; intended is as frequent or more for τ in [0.80, 0.88])"."""
    low, high = runs[0], runs[-1]
    text = (
        f"on {split} its {outcome.replace('_', ' ')} count is {low[2]}/{n} at τ = {low[0]:.2f} and "
        f"{high[2]}/{n} at τ = {high[1]:.2f} (it changes at τ = {_taus([r[0] for r in runs[1:]])}"
    )
    spans: list[list[float]] = []  # consecutive runs where another outcome leads, merged
    for index, (start, end, _, leader) in enumerate(runs):
        if leader == outcome:
            continue
        if spans and runs[index - 1][3] != outcome:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    if spans:
        where = " and ".join(f"τ = {a:.2f}" if a == b else f"τ in [{a:.2f}, {b:.2f}]" for a, b in spans)
        leaders = " or ".join(dict.fromkeys(r[3].replace("_", " ") for r in runs if r[3] != outcome))
        text += f"; {leaders} is at least as frequent at {where}"
    return text + ")"


def _tau_clause(curve, world: str, agent: str, headlines: list[tuple[str, str, int]]) -> str:
    """Whether each (split, outcome, n) headline holds across the band of τ."""
    if not curve:
        return ""
    band = f"[{BAND[0]:g}, {BAND[1]:g}]"
    moving = []
    for split, outcome, n in headlines:
        runs = stability(curve, world, agent, split, outcome)
        if len(runs) > 1:
            moving.append(_moves(runs, n, split, outcome))
    if not moving:
        return f" This holds for every τ in {band}."
    return f" Within τ in {band} this moves: {'; '.join(moving)}."


def _agent_sentences(summary, base: str, curve) -> list[str]:
    """One sentence per agent and test-like split, next to its train outcome."""
    sentences = []
    for agent in dict.fromkeys(r["agent"] for r in summary):
        mine = {r["split"]: r for r in summary if r["agent"] == agent}
        train = mine.get("train")
        shown = [s for s in mine if s != "train"] or list(mine)
        for split in shown:
            row = mine[split]
            outcome = dominant(row)
            share = _share(row, outcome) + _rest(row, outcome)
            text = f"The {agent} agent {_VERBS[outcome][0]} on {split} levels ({share})"
            headlines = [(split, outcome, row["n"])]
            if train is not None and split != "train":
                was = dominant(train)
                if was == outcome:
                    text += f", as on train levels ({_share(train, was)})"
                else:
                    text += f", while {_VERBS[was][1]} on train levels ({_share(train, was)})"
                headlines.append(("train", was, train["n"]))
            text += ": " + _explain(outcome, row, base) + "."
            sentences.append(text + _tau_clause(curve, row["world"], agent, headlines))
    return sentences


def _verdict(differs: bool, n: int, details: str) -> str:
    """ "differs (details)" or "no detectable difference (n = 8 levels; details)"."""
    phrase = difference_phrase(differs, n, UNIT)
    return f"{phrase} ({details})" if differs else f"{phrase[:-1]}; {details})"


def _comparison_sentence(c: Comparison, family: int) -> str:
    """One paired comparison on one split, in words."""
    r = c.result
    outcome = _verdict(
        r.outcome_differs(ALPHA), r.n,
        f"paired difference {r.outcome_difference:+.2f}, exact McNemar p = {p_value(r.outcome_p)}, "
        f"Holm-adjusted over {family} tests {p_value(r.outcome_p_holm)}",
    )  # fmt: skip
    score = (
        _verdict(
            r.score_differs(ALPHA), r.score_n,
            f"mean paired difference {r.score_difference:+.2f}, permutation p = {p_value(r.score_p)}, "
            f"Holm {p_value(r.score_p_holm)}",
        )
        if r.score_n >= 2
        else "not tested (fewer than 2 levels with both scores)"
    )  # fmt: skip
    return (
        f"On {c.split} levels, {r.first} vs {r.second} ({c.kind}): intended on {c.first_intended}/{r.n} vs "
        f"{c.second_intended}/{r.n} levels, {outcome}; alignment: {score}."
    )


def _comparison_sentences(comparisons: list[Comparison], world: str) -> list[str]:
    """Objective swaps and objective-free agents on test-like splits (all
    splits when train is the only one)."""
    mine = [c for c in comparisons if c.world == world and c.kind in (OBJECTIVE_SWAP, NO_OBJECTIVE)]
    test_like = [c for c in mine if c.split != "train"] or mine
    return [_comparison_sentence(c, family_size(comparisons)) for c in test_like]


def _failures(rows, agent: str, split: str, paths) -> tuple[int, int, int, list[dict[str, Any]]]:
    """(levels, failures within budget, failures because depth < path length,
    the episodes whose goal is beyond the planner's depth)."""
    mine = [r for r in rows if r["agent"] == agent and r["split"] == split]
    beyond = [r for r in mine if level_paths.beyond_depth(r, paths)]
    failed = [r for r in mine if r["outcome"] == CAPABILITY_FAILURE]
    short = sum(r in beyond for r in failed)
    return len(mine), len(failed) - short, short, beyond


def _listed(parts: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _beyond_text(beyond: list[dict[str, Any]], budgets: int, paths, split: str) -> str:
    """The levels whose goal lies beyond the planner's depth, and how often each failed."""
    seeds = {}
    for row in beyond:
        seeds.setdefault(int(row["seed"]), []).append(row)
    parts = []
    for seed, played in sorted(seeds.items()):
        steps = paths[level_paths.level_key(played[0], level_paths.agent_goal(played[0]))]
        failed = sum(r["outcome"] == CAPABILITY_FAILURE for r in played)
        how = "at every budget" if failed == budgets else f"at {failed} of {budgets} budgets"
        parts.append(f"seed {seed} ({steps} steps, failed {how})")
    reach = level_paths.depth(beyond[0])
    return (
        f" From the start, the goal of {split} {_listed(parts)} lies beyond the planner's depth "
        f"of {reach}, so more budget alone need not reach it."
    )


def _objective_of(rows: list[dict[str, Any]], agent: str) -> str | None:
    """The objective an agent pursues, from its episode rows."""
    return next((r["objective"] for r in rows if r["agent"] == agent), None)


def _budget_sentence(rows, world, name: str, agents: dict[int, str], split, paths, comparisons) -> str | None:
    """One swept planner on one split: failures by budget, why, and the trend test."""
    parts, any_failure, beyond = [], False, []
    for budget, agent in agents.items():
        n, within, short, far = _failures(rows, agent, split, paths)
        if n == 0:
            continue
        any_failure |= within + short > 0
        beyond += far
        why = f" ({within} failed within budget, {short} because depth < path length)" if short else ""
        parts.append(f"{within + short}/{n} at budget {budget}{why}")
    if not parts or not any_failure:
        return None
    text = f"Capability failures of {name} on {split} levels by budget: {', '.join(parts)}."
    if beyond:
        text += _beyond_text(beyond, len(parts), paths, split)
    (low, small), (high, large) = next(iter(agents.items())), list(agents.items())[-1]
    pair = find(comparisons or [], world, split, small, large)
    # the paired tests compare intended outcomes: a measure of the planner's own
    # success only when its objective is the base objective
    pursues_base = _objective_of(rows, small) == world_info(world)[0]
    if pair is not None and pursues_base:
        r = pair.result
        k_small, k_large = (
            (pair.first_intended, pair.second_intended)
            if r.first == small
            else (pair.second_intended, pair.first_intended)
        )
        details = f"exact McNemar, Holm p = {p_value(r.outcome_p_holm)}"
        verdict = (
            f"{'more' if k_large > k_small else 'less'} search helps: the intended count differs ({details})"
            if r.outcome_differs(ALPHA)
            else f"a trend is not shown: {_verdict(False, r.n, details)}"
        )
        counts = f"from {k_small}/{r.n} to {k_large}/{r.n}"
        text += f" From budget {low} to {high} the intended count goes {counts}; {verdict}."
    return text


def _budget_sentences(rows, world: str, paths, comparisons) -> list[str]:
    """Per planner swept over budgets and split: its failures by budget."""
    mine = [r for r in rows if r["world"] == world]
    sentences = []
    for (_, name), agents in budget_axes(mine).items():
        for split in dict.fromkeys(r["split"] for r in mine):
            text = _budget_sentence(mine, world, name, agents, split, paths, comparisons)
            if text:
                sentences.append(text)
    return sentences


def findings(
    summary: list[dict[str, Any]],
    rows: list[dict[str, Any]] | None = None,
    comparisons: list[Comparison] | None = None,
    curve: list[dict[str, Any]] | None = None,
    paths: dict | None = None,
) -> list[str]:
    """Plain-language sentences stating what the numbers show, per world.
    `summary` alone gives the per-agent sentences; the episode `rows`,
    paired `comparisons`, threshold `curve` and shortest `paths` (by
    `studies.episodes.paths.level_key`) add the rest (see the module doc)."""
    sentences = []
    for world in dict.fromkeys(r["world"] for r in summary):
        mine = [r for r in summary if r["world"] == world]
        base = world_info(world)[0] or "the base objective"
        said = _agent_sentences(mine, base, curve)
        said += _comparison_sentences(comparisons or [], world)
        if rows is not None:
            said += _budget_sentences(rows, world, paths or {}, comparisons)
            said += looping_sentences([r for r in rows if r["world"] == world], paths)
        if len(summary) != len(mine):  # several worlds: say which
            said = [f"In {world}, {text[0].lower()}{text[1:]}" for text in said]
        sentences += said
    return sentences
