"""Plain-language findings of an episode study: per world, one sentence per
group of like agents saying how often they are intended, misgeneralized or
failing on each split, and why (capability vs alignment); one per planner
swept over budgets saying how its capability failures fall with search.
"""

from __future__ import annotations

import math
from typing import Any

from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED, OUTCOMES
from studies.episodes.summary import AXES, world_info
from studies.reporting.formatting import num, pct


def _dominant(stats: dict[str, Any]) -> tuple[str, float]:
    """The most frequent outcome of pooled counts (ties: intended first) and its fraction."""
    outcome = max(OUTCOMES, key=lambda o: (stats[o], -OUTCOMES.index(o)))
    return outcome, stats[outcome] / stats["n"]


def _pool(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts summed and means weighted over several agents' rows of one split."""
    pooled = {key: sum(r[key] for r in rows) for key in ("n", *OUTCOMES)}
    for axis in AXES:
        weights = [(r[f"{axis}_mean"], r["n"] - r[f"{axis}_nan"]) for r in rows]
        total = sum(w for m, w in weights if math.isfinite(m))
        pooled[axis] = sum(m * w for m, w in weights if math.isfinite(m)) / total if total else math.nan
    pooled["scored"] = "; ".join(sorted({r["scored_objective"] for r in rows}))
    return pooled


# outcome -> (singular verb, plural verb, participle)
_VERBS = {
    INTENDED: ("is intended", "are intended", "intended"),
    MISGENERALIZED: ("is misgeneralized", "are misgeneralized", "misgeneralized"),
    CAPABILITY_FAILURE: ("fails", "fail", "failing"),
}


def _explain(outcome: str, objective: str, base: str, stats: dict[str, Any], plural: bool) -> str:
    """Why an outcome: a clause about capability and alignment."""
    they, their, s, does = ("they", "their", "", "do") if plural else ("it", "its", "s", "does")
    goal = stats["scored"].replace("revealed: ", "") if objective == "none" else objective
    own = f"{their} {'revealed' if objective == 'none' else 'own'} objective, {goal}"
    c, a = num(stats["capability"]), num(stats["alignment"])
    if outcome == MISGENERALIZED:
        return (
            f": {they} competently pursue{s} {own} (mean capability {c}), "
            f"but not the base objective, {base} (mean alignment {a})"
        )
    if outcome == CAPABILITY_FAILURE:
        return (
            f": {they} {does} not achieve {own}, either (mean capability {c}): "
            "a capability failure, not misgeneralisation"
        )
    if goal == base:
        return f": {own}, is the base objective (mean alignment {a})"
    return f": {own}, still agrees with the base objective, {base}, here (mean alignment {a})"


def _rest(stats: dict[str, Any], outcome: str) -> str:
    """The other outcomes of a split, e.g. " (the rest: 25% capability failure)"."""
    others = [
        f"{pct(stats[o] / stats['n'])} {o.replace('_', ' ')}" for o in OUTCOMES if o != outcome and stats[o]
    ]
    return f" (the rest: {', '.join(others)})" if others else ""


def _agent_groups(rows: list[dict[str, Any]]) -> dict[tuple, list[str]]:
    """Agents grouped by objective and dominant outcome on every split."""
    groups: dict[tuple, list[str]] = {}
    for agent in dict.fromkeys(r["agent"] for r in rows):
        mine = [r for r in rows if r["agent"] == agent]
        pattern = tuple((r["split"], _dominant(r)[0]) for r in mine)
        groups.setdefault((mine[0]["objective"], pattern), []).append(agent)
    return groups


def _agent_sentences(rows: list[dict[str, Any]], base: str) -> list[str]:
    """One sentence per group of like agents and test-like split, comparing it with train."""
    sentences = []
    for (objective, pattern), agents in _agent_groups(rows).items():
        plural = len(agents) > 1
        name = "objective-free" if objective == "none" else objective
        subject = f"The {name} agents ({', '.join(agents)})" if plural else f"The {agents[0]} agent"
        pooled = {s: _pool([r for r in rows if r["agent"] in agents and r["split"] == s]) for s, _ in pattern}
        train = pooled.get("train")
        for split in [s for s, _ in pattern if s != "train" or len(pattern) == 1]:
            outcome, fraction = _dominant(pooled[split])
            verb, rest = _VERBS[outcome][plural], _rest(pooled[split], outcome)
            text = f"{subject} {verb} on {pct(fraction)} of {split} levels{rest}"
            if train is not None and split != "train":
                was, was_fraction = _dominant(train)
                both = f"{pct(was_fraction)} of train and {pct(fraction)} of {split} levels{rest}"
                text = (
                    f"{subject} {verb} on {both}"
                    if was == outcome
                    else f"{text} while {_VERBS[was][2]} on {pct(was_fraction)} of train levels"
                )
            text += _explain(outcome, objective, base, pooled[split], plural)
            sentences.append(text + ".")
    return sentences


def _budget_sentences(rows: list[dict[str, Any]]) -> list[str]:
    """Per planner swept over budgets: its capability-failure rate by budget and split."""
    sentences = []
    for planner in dict.fromkeys(r["planner"] for r in rows if r["budget"] is not None):
        swept = [r for r in rows if r["planner"] == planner and r["budget"] is not None]
        budgets = sorted({r["budget"] for r in swept})
        if len(budgets) < 2 or not any(r[CAPABILITY_FAILURE] for r in swept):
            continue
        parts, falls = [], False
        for split in dict.fromkeys(r["split"] for r in swept):
            rates = []
            for budget in budgets:
                group = [r for r in swept if r["split"] == split and r["budget"] == budget]
                if group:
                    rates.append(
                        (budget, sum(r[CAPABILITY_FAILURE] for r in group) / sum(r["n"] for r in group))
                    )
            falls |= rates[0][1] > rates[-1][1]
            parts.append(f"on {split} levels " + " and ".join(f"{pct(f)} at budget {b}" for b, f in rates))
        text = f"Capability failures of {planner} by budget: {'; '.join(parts)}"
        if falls:
            text += ". The weak planner fails at its own objective; more search fixes that"
        sentences.append(text + ".")
    return sentences


def findings(summary: list[dict[str, Any]]) -> list[str]:
    """Plain-language sentences stating what the numbers show, per world."""
    sentences = []
    for world in dict.fromkeys(r["world"] for r in summary):
        rows = [r for r in summary if r["world"] == world]
        base = world_info(world)[0] or "the base objective"
        said = _agent_sentences(rows, base) + _budget_sentences(rows)
        if len(summary) != len(rows):  # several worlds: say which
            said = [f"In {world}, {text[0].lower()}{text[1:]}" for text in said]
        sentences += said
    return sentences
