"""The diversity report section: how many training levels must separate the
base objective's goal from a proxy's before the base optimiser selects it.

Its axis is the number of training levels sampled with the mixture's
overrides (round(p x levels), `candidates.mixed_overrides`), not the fraction
p: fractions that give the same count at the same number of levels are the
same training set, so their runs are merged into one point (and the report
says so). Every interval resamples optimiser seeds.

The answer depends on the runs' terminal rule (``terminal``,
`objectives.terminal`): under the default ``"rewarded"`` a positive arrow
weight, however small, ends a candidate's episode at the arrow, which on
many test levels lies on the only path to the exit; under ``"base"`` only
the exit ends it. The section names the rule, and `summary` gives a
finished folder's numbers (for ``mesabase reproduce``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

import objectives
import worlds
from studies.learning.candidates import mixed_overrides
from studies.learning.config import levels_seeds
from studies.learning.runs import HELD_OUT, Run, label, load, tied
from studies.learning.scores import find, goal
from studies.learning.seedstats import UNIT, SeedTest, between_seed_test, interval_text, seed_interval
from studies.reporting.formatting import pct, proportion
from studies.reporting.plots import pyplot
from studies.reporting.stats import NoResultsError, binomial_ci
from worlds import InvalidParameterError

_SWEPT = ("seed", "levels", "mixture.fraction")


@dataclasses.dataclass
class Point:
    """One point of the diversity axis: `count` of `levels` training levels
    with the mixture's overrides, the fractions that give it, any other sweep
    values (`rest`), and its runs (one per optimiser seed)."""

    levels: int
    count: int
    fractions: list[float]
    rest: str
    members: list[Run]
    repeats: int = 0
    """runs left out: at a merged fraction with a seed already here, they
    are the same run (same training levels, same seed) and count once"""

    @property
    def name(self) -> str:
        where = f", {self.rest}" if self.rest else ""
        return f"{self.count} of {self.levels} levels{where}"


def goal_events(world) -> tuple[tuple[str, str], tuple[str, str]]:
    """((base objective, its goal event), (proxy objective, its goal event)):
    the goal events (terminal features that are `world.events`) of the base
    objective and of the first catalogue proxy with one of its own; on
    arrow-maze (exit, reached_exit) and (arrow, reached_arrow)."""
    catalogue = objectives.catalogue(world)
    goals = {
        name: [f for f in world.events if f in objective.terminal] for name, objective in catalogue.items()
    }
    base = goals[world.base][:1]
    proxies = [(n, g[0]) for n, g in goals.items() if n != world.base and g and g[0] not in base]
    if not base or not proxies:
        raise InvalidParameterError(
            f"the diversity report compares the goal events of {world.name}'s base objective and of a "
            'proxy in its catalogue; it has none to compare (use report = "plain")'
        )
    return (world.base, base[0]), proxies[0]


def knob(config: dict[str, Any]) -> str:
    """The diversity knob: the mixture's overrides, as text."""
    mixture = config.get("mixture") or {}
    return ", ".join(f"{k} = {v}" for k, v in mixture.get("overrides", {}).items()) or "no mixture"


def diverse_levels(config: dict[str, Any]) -> int:
    """How many training levels are sampled with the mixture's overrides."""
    mixture = config.get("mixture")
    if not mixture:
        return 0
    levels = len(levels_seeds(config.get("levels", 20)))
    plain = mixed_overrides(levels, config.get("overrides", {}), None)
    mixed = mixed_overrides(levels, config.get("overrides", {}), mixture)
    return sum(a != b for a, b in zip(plain, mixed))


def diversity_p(config: dict[str, Any]) -> float:
    """p: the fraction of training levels sampled with the mixture's overrides
    (the study's diversity knob, e.g. the arrow away from the exit)."""
    mixture = config.get("mixture")
    if mixture:
        return float(mixture["fraction"])
    if config.get("overrides"):
        # the overrides may or may not be the diversity knob: p cannot be read off them
        raise InvalidParameterError(
            "the diversity report reads p from each run's mixture; a run without one has overrides "
            f"{config['overrides']} instead: declare the diversity knob as a mixture"
        )
    return 0.0


def terminal_rule(config: dict[str, Any]) -> str:
    """A run's terminal rule (`objectives.terminal`), as text."""
    rule = config.get("terminal", objectives.DEFAULT_TERMINAL)
    return rule if isinstance(rule, str) else "[" + ", ".join(sorted(rule)) + "]"


def rule_sentence(rule: str, goals: tuple[str, str]) -> str:
    """What the terminal rule means for the goal and proxy events."""
    if rule == "rewarded":
        return (
            f'Terminal rule "rewarded" (the default): a candidate\'s episode ends at any goal it weights '
            f"positively, so a positive {goals[1]} weight, however small, stops the agent at the proxy's "
            f"goal even where it lies on the way to the {goals[0].removeprefix('reached_')}."
        )
    if rule == "base":
        return (
            f"Terminal rule \"base\": only the base objective's goal ({goals[0]}) ends a candidate's "
            f"episode; a positive {goals[1]} weight pays each time it fires but does not stop the agent."
        )
    return f"Terminal rule {rule}: these features end a candidate's episode, whatever its weights."


def points(runs: list[Run]) -> dict[str, Point]:
    """The runs by (training levels, count of levels with the knob, other
    sweep values): fractions with the same count are one point, and in it
    each optimiser seed counts once (its runs at the merged fractions play
    the same training levels with the same seed: they are one run)."""
    found: dict[tuple, Point] = {}
    for run in sorted(runs, key=lambda r: r.seed):
        config = run.payload["config"]
        p = diversity_p(config)
        levels = len(levels_seeds(config.get("levels", 20)))
        rest = label({k: v for k, v in run.point.items() if k not in _SWEPT})
        rest = "" if rest == "all" else rest
        key = (rest, levels, diverse_levels(config))
        point = found.setdefault(key, Point(levels, key[2], [], rest, []))
        if run.seed in {r.seed for r in point.members}:
            point.repeats += 1
        else:
            point.members.append(run)
        if p not in point.fractions:
            point.fractions.append(p)
    return {point.name: point for _, point in sorted(found.items())}


def _gap(run: Run, goals: tuple[str, str]) -> float:
    return run.weights.get(goals[0], 0.0) - run.weights.get(goals[1], 0.0)


def _ends(found: dict[str, Point]) -> list[tuple[Point, Point]]:
    """Per number of training levels (and other sweep values): (the point with
    the most levels with the knob, the one with none), when both exist."""
    pairs = []
    for rest, levels in sorted({(p.rest, p.levels) for p in found.values()}):
        line = sorted(
            (p for p in found.values() if (p.rest, p.levels) == (rest, levels)), key=lambda p: p.count
        )
        if len(line) > 1 and line[0].count == 0:
            pairs.append((line[-1], line[0]))
    return pairs


def between_tests(found: dict[str, Point], goals: tuple[str, str], base: str) -> list[SeedTest]:
    """The most diverse point against the point with no diverse level, per
    number of training levels: the learned weight gap (goal minus proxy) and
    the learned objective's reach rate on each evaluation split; independent
    groups of seeds."""
    tests = []
    for top, zero in _ends(found):
        setting = f"{top.name} vs {zero.name}"
        names = (top.name, zero.name)
        gap = f"w {goals[0]} - w {goals[1]}"
        test = between_seed_test(setting, "learned weights", gap, [[_gap(r, goals)] for r in top.members],
                                 [[_gap(r, goals)] for r in zero.members], names)  # fmt: skip
        tests.append(test)
        for split in sorted({s for r in top.members + zero.members for s in r.played}):
            tests.append(
                between_seed_test(
                    setting,
                    split,
                    goal(base),
                    [r.values(split, "learned", "goal", base) for r in top.members],
                    [r.values(split, "learned", "goal", base) for r in zero.members],
                    names,
                )  # fmt: skip
            )
    return [t for t in tests if t is not None]


def _fractions(point: Point) -> str:
    values = [f"{p:g}" for p in sorted(point.fractions)]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _span(values: list[float]) -> str:
    return f"{min(values):+.2f} to {max(values):+.2f}"


def section(found: dict[str, Point], tests: list[SeedTest], out: Path, base: str, world):
    """(sentences, headers, table, figures) of the diversity section, its
    intervals and verdicts read from the report's Holm-adjusted `tests`."""
    (base_name, base_goal), (proxy_name, proxy_goal) = goal_events(world)
    config = next(iter(found.values())).members[0].payload["config"]
    shown = knob(config)
    splits = sorted({s for p in found.values() for r in p.members for s in r.played})
    table = []
    rules = sorted({terminal_rule(r.payload["config"]) for p in found.values() for r in p.members})
    sentences = [rule_sentence(rule, (base_goal, proxy_goal)) for rule in rules]
    for point in found.values():
        if len(point.fractions) > 1:
            every = "both" if len(point.fractions) == 2 else "all"
            sentences.append(
                f"p = {_fractions(point)} {every} give {point.count} of {point.levels} training levels with "
                f"{shown}: the same training set, so they are one point here, not {len(point.fractions)}; "
                f"their runs with the same optimiser seed are the same run, so each seed counts once "
                f"(n = {len(point.members)} optimiser seeds; {point.repeats} repeated runs left out)."
            )
    for name, point in found.items():
        members = point.members
        n = len(members)
        w_base = [r.weights.get(base_goal, 0.0) for r in members]
        w_proxy = [r.weights.get(proxy_goal, 0.0) for r in members]
        prefer = sum(a > b for a, b in zip(w_base, w_proxy))
        tied_share = float(np.mean([tied(r.payload["history"]) for r in members]))
        held = find(tests, name, HELD_OUT, goal(base))
        row = [
            str(point.levels), str(point.count), _fractions(point), str(n),
            f"{np.mean(w_base):+.2f} [{min(w_base):+.2f}, {max(w_base):+.2f}]",
            f"{np.mean(w_proxy):+.2f} [{min(w_proxy):+.2f}, {max(w_proxy):+.2f}]",
            proportion(prefer, n, *binomial_ci(prefer, n)[1:]), pct(tied_share),
            interval_text(held.first_ci) if held else "not scored on held-out levels",
        ]  # fmt: skip
        for split in splits:
            test = find(tests, name, split, goal(base))
            per_seed = [float(np.mean(r.values(split, "learned", "goal", base))) for r in members]
            row += [
                interval_text(test.first_ci) if test else "-",
                f"{pct(min(per_seed))}-{pct(max(per_seed))}",
            ]
        table.append(row)
        where = f"{point.count} of {point.levels} training levels with {shown} (p = {_fractions(point)})"
        if point.rest:
            where += f", {point.rest}"
        selection = (
            f"{prefer} of {n} optimiser seeds weight {base_goal} above {proxy_goal} "
            f"({proportion(prefer, n, *binomial_ci(prefer, n)[1:])}, Wilson 95%)"
        )
        if point.count == 0:
            sentences.append(
                f"With {where}, {pct(tied_share)} of the candidates tie with the best training score: "
                f"training cannot tell {base_name} from {proxy_name}. Across optimiser seeds the learned "
                f"weight on {base_goal} spans {_span(w_base)} and on {proxy_goal} {_span(w_proxy)}; "
                f"{selection}: what gets selected is whatever the optimiser's seed lands on, not the "
                f"{base_name}."
            )
        else:
            sentences.append(f"With {where}, {selection}.")
        for split in splits:
            test = find(tests, name, split, goal(base))
            if test is not None:
                sentences.append(
                    f"With {where}, the learned objectives reach the {base} in "
                    f"{interval_text(test.first_ci)} of {split} episodes; the base objective on the same "
                    f"levels {interval_text(test.second_ci)}; learned - base {test.difference_short()}: "
                    f"{test.verdict()}."
                )
    for test in (t for t in tests if not t.paired):
        what = (
            f"the learned weight gap {test.measure}"
            if test.where == "learned weights"
            else f"the learned objectives' share of {test.where} episodes reaching the {base}"
        )
        sentences.append(
            f"{test.first} against {test.second}: {what} is {interval_text(test.first_ci)} against "
            f"{interval_text(test.second_ci)}; difference {test.difference_short()}: "
            f"{test.verdict()}."
        )
    headers = [
        "training levels", f"levels with {shown}", "p (merged when the count is equal)", "optimiser seeds",
        f"w {base_goal} mean [min, max]", f"w {proxy_goal} mean [min, max]",
        f"seeds with w {base_goal} > w {proxy_goal} (Wilson 95%)", "candidates tied with the best",
        f"held-out: learned reaches {base} (mean over seeds [95% CI])",
    ]  # fmt: skip
    for split in splits:
        headers += [f"{split}: learned reaches {base} (mean over seeds [95% CI])", f"{split}: per seed"]
    figure = _plot(found, tests, splits, out / "diversity.png", base, (base_goal, proxy_goal), shown)
    caption = f"Learned weights and reach rates against the number of training levels with {shown}"
    return sentences, headers, table, [(figure, caption)]


def _plot(found, tests, splits, path: Path, base: str, goals: tuple[str, str], shown: str) -> Path:
    """Per number of training levels (a column): top, the learned weight gap
    per optimiser seed (dots) and its mean; bottom, the learned objective's
    reach rate (mean over seeds, 95% CI over seeds; dots per seed) on the
    first evaluation split, with the held-out rate and the base objective's."""
    plt = pyplot()
    lines = sorted({(p.rest, p.levels) for p in found.values()})
    fig, axes = plt.subplots(2, len(lines), figsize=(4.6 * len(lines), 7), squeeze=False, sharey="row")
    split = splits[0] if splits else None
    for column, (rest, levels) in enumerate(lines):
        line = sorted(
            (p for p in found.values() if (p.rest, p.levels) == (rest, levels)), key=lambda p: p.count
        )
        top, bottom = axes[0][column], axes[1][column]
        xs = [p.count for p in line]
        for point in line:
            gaps = [_gap(r, goals) for r in point.members]
            jitter = np.linspace(-0.12, 0.12, len(gaps)) if len(gaps) > 1 else [0.0]
            top.scatter(point.count + np.asarray(jitter), gaps, s=14, color="#457b9d", alpha=0.6)
        top.plot(xs, [np.mean([_gap(r, goals) for r in p.members]) for p in line], "o-", color="#1d3557")
        top.axhline(0, color="#888", lw=0.8)
        top.set_title(f"{levels} training levels{', ' + rest if rest else ''}", fontsize=10)
        series = [("learned, " + (split or ""), split, 0, "#1d3557", "o-"),
                  ("learned, held-out", HELD_OUT, 0, "#2a9d8f", "s--"),
                  ("base objective, " + (split or ""), split, 1, "#888", "^:")]  # fmt: skip
        for name, where, side, colour, style in series:
            found_tests = [(p, find(tests, p.name, where, goal(base))) for p in line]
            shown_points = [(p, t) for p, t in found_tests if t is not None]
            if not shown_points:
                continue
            cis = [t.first_ci if side == 0 else t.second_ci for _, t in shown_points]
            x = [p.count for p, _ in shown_points]
            errors = [[c[0] - c[1] for c in cis], [c[2] - c[0] for c in cis]]
            bottom.errorbar(
                x, [c[0] for c in cis], yerr=errors, fmt=style, color=colour, capsize=3, label=name
            )
        if split is not None:
            for point in line:
                rates = [np.mean(r.values(split, "learned", "goal", base)) for r in point.members]
                bottom.scatter([point.count] * len(rates), rates, s=10, color="#1d3557", alpha=0.35)
        bottom.set_ylim(-0.02, 1.02)
        for ax in (top, bottom):
            ax.set_xticks(xs)
            ax.set_xlabel(f"training levels with {shown} (of {levels})")
        bottom.legend(fontsize=7)
    axes[0][0].set_ylabel(f"w {goals[0]} - w {goals[1]}\n(dots: optimiser seeds; line: mean)")
    axes[1][0].set_ylabel(f"share of episodes reaching the {base}\n(mean over seeds, 95% CI over seeds)")
    fig.suptitle("Training diversity: what the base optimiser selects, and how it generalises")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _numbers(values: tuple[float, float, float, int]) -> dict[str, float | int]:
    mean, lo, hi, n = values
    return {"mean": float(mean), "lo": float(lo), "hi": float(hi), "n": int(n)}


def _reach(members: list[Run], where: str, agent: str, base: str) -> dict[str, float | int] | None:
    """`agent`'s share of episodes reaching the base goal at `where`: the
    seed-clustered mean, its 95% interval and the number of seeds."""
    clusters = [c for c in (r.values(where, agent, "goal", base) for r in members) if c]
    return _numbers(seed_interval(clusters)) if clusters else None


def summary(out_dir: str | Path) -> dict[str, Any]:
    """A finished diversity study's findings as plain numbers (for
    ``mesabase reproduce``), one entry per point of its axis.

    Returns ``{"study", "world", "unit": "optimiser seed", "terminal": [rules],
    "splits": [evaluation splits], "points": [...]}``; each point has
    ``levels`` (training levels), ``count`` (of them with the mixture's
    overrides: the x axis), ``fractions``, ``rest`` (other sweep values, e.g.
    ``terminal base`` when a study sweeps the rule), ``terminal`` (its rule),
    ``seeds`` (n), ``prefers_base`` (seeds weighting the base goal above the
    proxy's), ``reach`` and ``base_reach`` (where -> ``{mean, lo, hi, n}``:
    the learned and the base objective's share of episodes reaching the base
    goal, per seed then a percentile bootstrap over seeds, on each evaluation
    split and ``"held-out"``; None where not played) and ``vs_none`` (per
    split, the learned reach minus that of the point with no such level on
    the same line: ``{difference, lo, hi, p}``, a permutation test between
    the two groups of seeds, not adjusted for multiplicity; None at count 0 or
    where that point is missing).
    """
    info, runs, world_name = load(Path(out_dir))
    if not runs:
        where = Path(out_dir) / "results.sqlite"
        raise NoResultsError(f"no finished learning run in {where}; run the study first")
    world = worlds.get(world_name)
    base = world.base
    (_, base_goal), (_, proxy_goal) = goal_events(world)
    found = points(runs)
    splits = sorted({s for p in found.values() for r in p.members for s in r.played})
    zeros = {(p.rest, p.levels): p for p in found.values() if p.count == 0}
    out = []
    for point in found.values():
        members = point.members
        prefers = sum(r.weights.get(base_goal, 0.0) > r.weights.get(proxy_goal, 0.0) for r in members)
        zero = zeros.get((point.rest, point.levels))
        vs_none = {}
        for split in splits:
            test = None
            if zero is not None and point is not zero:
                test = between_seed_test(
                    point.name, split, goal(base),
                    [r.values(split, "learned", "goal", base) for r in members],
                    [r.values(split, "learned", "goal", base) for r in zero.members], (point.name, zero.name),
                )  # fmt: skip
            vs_none[split] = (
                None if test is None
                else {"difference": test.difference[0], "lo": test.difference[1], "hi": test.difference[2],
                      "p": test.p}
            )  # fmt: skip
        out.append({
            "levels": point.levels, "count": point.count, "fractions": sorted(point.fractions),
            "rest": point.rest, "terminal": terminal_rule(members[0].payload["config"]),
            "seeds": len(members),
            "prefers_base": prefers,
            "reach": {w: _reach(members, w, "learned", base) for w in (*splits, HELD_OUT)},
            "base_reach": {w: _reach(members, w, base, base) for w in (*splits, HELD_OUT)},
            "vs_none": vs_none,
        })  # fmt: skip
    return {
        "study": info.get("name", ""), "world": world.name, "unit": UNIT,
        "terminal": sorted({p["terminal"] for p in out}), "splits": splits, "points": out,
    }  # fmt: skip
