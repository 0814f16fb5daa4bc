"""The built-in reproductions, one per result of the source texts
(../shared/seeds and the papers they cite), each with its judge.

A judge reads only the finished folder and says what the data shows; the
thresholds it uses are in its docstring. Intervals follow docs/statistics.md.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED
from studies.learning.runs import HELD_OUT, Run
from studies.learning.runs import load as load_runs
from studies.learning.seedstats import between_seed_test, interval_text, paired_seed_test
from studies.reporting.formatting import interval, p_value
from studies.reporting.stats import ALPHA, holm
from studies.reproduce.figures import plot_depth, plot_escape
from studies.reproduce.measures import (
    count,
    episode_rows,
    fraction_text,
    paired_mcnemar,
    pick,
    shortest_paths,
    wilson,
)
from studies.reproduce.registry import NOT_REPRODUCED, PARTLY, REPRODUCED, Reproduction, Verdict, register

BAND = (0.8, 0.85, 0.9, 0.95)


def _majority(hits: int, n: int) -> bool:
    """The Wilson 95% interval of the fraction lies above one half."""
    return n > 0 and wilson(hits, n)[1] > 0.5


# ---- capability generalises, the objective does not -------------------------------------


def judge_arrow_maze(folder: Path) -> Verdict:
    """Reproduced when A* pursuing the arrow is intended on most training
    levels and misgeneralized on most test levels (Wilson intervals above one
    half) and differs from A* pursuing the exit (exact McNemar p < 0.05)."""
    rows = episode_rows(folder)
    arrow_test, exit_test = pick(rows, "test", "arrow", "astar"), pick(rows, "test", "exit", "astar")
    arrow_train = pick(rows, "train", "arrow", "astar")
    misled, n = count(arrow_test, MISGENERALIZED)
    trained, n_train = count(arrow_train, INTENDED)
    only_exit, only_arrow, p, pairs = paired_mcnemar(exit_test, arrow_test, INTENDED)
    paths = shortest_paths(folder, "test")
    distance = ""
    if paths.get("arrow") and paths.get("exit"):
        distance = (
            f" The test arrow is nearer the start than the exit (mean shortest path "
            f"{np.mean(paths['arrow']):.0f} against {np.mean(paths['exit']):.0f} steps), so part of the "
            "proxy agent's competence is a nearer goal; capability-scaling matches the distances."
        )
    ours = (
        f"A* -> arrow: intended on {fraction_text(trained, n_train)} train levels, misgeneralized on "
        f"{fraction_text(misled, n)} test levels; against A* -> exit on the same test levels, McNemar "
        f"p = {p_value(p)} (n = {pairs} levels)"
    )
    if _majority(misled, n) and _majority(trained, n_train) and p < ALPHA:
        verdict, why = REPRODUCED, "The proxy agent navigates the larger mazes competently to the arrow."
    elif misled > n / 2 and trained > n_train / 2:
        verdict, why = PARTLY, "The pattern is there, but too few levels for the intervals and the test."
    else:
        verdict, why = NOT_REPRODUCED, "The proxy agent does not misgeneralize on most test levels."
    return Verdict(ours, verdict, why + distance)


register(
    Reproduction(
        name="arrow-maze",
        paper="Hubinger (2019), 'Concrete experiments in inner alignment' (source text 003)",
        claim="capability generalisation without objective generalisation: an agent that learned to reach "
        "the green arrow navigates a larger maze competently to the arrow, not to the exit",
        paper_figure="none: a proposed experiment, no results published (the text draws the train and "
        "test mazes)",
        study="arrow-maze",
        quick={"seeds": 6, "planners": [{"name": "astar"}]},
        judge=judge_arrow_maze,
    )
)


# ---- malign generalisation without search ------------------------------------------------


def judge_keys(folder: Path) -> Verdict:
    """Reproduced when the reactive key-seeker (no search, no objective) is
    intended on most training levels and misgeneralized on most test levels
    at every τ in [0.8, 0.95]; partly when that holds at τ = 0.9 only."""
    rows = episode_rows(folder)
    reactive_test, reactive_train = (
        pick(rows, "test", planner="reactive"),
        pick(rows, "train", planner="reactive"),
    )
    at = {tau: count(reactive_test, MISGENERALIZED, tau) for tau in BAND}
    trained, n_train = count(reactive_train, INTENDED)
    band = ", ".join(f"{hits}/{n} at τ = {tau:g}" for tau, (hits, n) in at.items())
    misled, n = at[0.9]
    ours = (
        f"reactive key-seeker: intended on {fraction_text(trained, n_train)} train levels; misgeneralized "
        f"on {fraction_text(misled, n)} test levels at τ = 0.9 ({band})"
    )
    holds = [tau for tau, (hits, m) in at.items() if _majority(hits, m)]
    if not _majority(trained, n_train):
        return Verdict(ours, NOT_REPRODUCED, "The heuristic is not intended in training.")
    if len(holds) == len(BAND):
        return Verdict(
            ours, REPRODUCED, "A heuristic with no search and no objective misgeneralizes competently."
        )
    if misled > n / 2:
        return Verdict(
            ours,
            PARTLY,
            "It misgeneralizes on most test levels at τ = 0.9, but the majority does not hold across "
            "τ in [0.8, 0.95]: several test episodes also open chests, with alignment just under 0.9.",
        )
    return Verdict(ours, NOT_REPRODUCED, "The heuristic does not misgeneralize on most test levels.")


register(
    Reproduction(
        name="keys-no-search",
        paper="Barnett (source text 004), on Risks from Learned Optimization",
        claim="malign generalisation needs no search: a reactive policy that steps towards the nearest "
        "key, with no internal search, pursues keys rather than chests when keys become plentiful",
        paper_figure="none in the source text; Langosco et al. (2022) run Keys and Chests with trained "
        "agents (ICML 2022, arXiv:2105.14111; figure number not cited: the PDF could not be opened here)",
        study="chests-keys",
        quick={"seeds": 6},
        judge=judge_keys,
    )
)


# ---- side-effect before instrumental -----------------------------------------------------


def _first_depth(rows, split: str, objective: str) -> tuple[int | None, list[tuple[int, int, int]]]:
    """(the smallest depth misgeneralized on most levels, [(depth, hits, n)])."""
    curve = []
    for row_depth in sorted({r["options"]["horizon"] for r in rows if "horizon" in (r["options"] or {})}):
        agent = pick(rows, split, objective, "value-iteration", horizon=row_depth)
        hits, n = count(agent, MISGENERALIZED)
        curve.append((row_depth, hits, n))
    first = next((d for d, hits, n in curve if n and hits > n / 2), None)
    return first, curve


def judge_proxy_depth(folder: Path) -> Verdict:
    """Reproduced when the side-effect proxy (sweeps, on test-sweep)
    misgeneralizes on most levels at a smaller depth than the instrumental
    proxy (dustpan, on test-bin), and the two differ at that depth (exact
    McNemar on the misgeneralized indicator, paired by seed)."""
    rows = episode_rows(folder)
    side, side_curve = _first_depth(rows, "test-sweep", "sweeps")
    instrumental, instrumental_curve = _first_depth(rows, "test-bin", "dustpan")
    figure = plot_depth(side_curve, instrumental_curve, folder / "depth.png")
    text = lambda curve: ", ".join(f"{h}/{n} at depth {d}" for d, h, n in curve)  # noqa: E731
    ours = f"misgeneralized: sweeps {text(side_curve)}; dustpan {text(instrumental_curve)} (levels)"
    if side is None:
        return Verdict(
            ours, NOT_REPRODUCED, "The side-effect proxy never misgeneralizes on most levels.", figure
        )
    if instrumental is not None and instrumental <= side:
        return Verdict(
            ours, NOT_REPRODUCED, "The instrumental proxy shows up as early as the side-effect one.", figure
        )
    a = pick(rows, "test-sweep", "sweeps", "value-iteration", horizon=side)
    b = pick(rows, "test-bin", "dustpan", "value-iteration", horizon=side)
    _, _, p, pairs = paired_mcnemar(a, b, MISGENERALIZED)
    later = f"from depth {instrumental}" if instrumental is not None else "at no depth tried"
    why = (
        f"The side-effect proxy misgeneralizes from depth {side}, the instrumental one {later}; at depth "
        f"{side} they differ on the same seeds with McNemar p = {p_value(p)} (n = {pairs} levels)."
    )
    return Verdict(ours, REPRODUCED if p < ALPHA else PARTLY, why, figure)


register(
    Reproduction(
        name="side-effect-first",
        paper="Hubinger (2019), 'Concrete experiments in inner alignment' (source text 003)",
        claim="side-effect proxies show up with less planning than instrumental proxies, which need a "
        "more forward-looking model",
        paper_figure="none: a hypothesis, no results published",
        study="proxy-depth",
        quick={"seeds": 6},
        judge=judge_proxy_depth,
    )
)


# ---- local minima are capability failures ------------------------------------------------


def judge_u_trap(folder: Path) -> Verdict:
    """Reproduced when the single-restart gradient planner escapes the trap on
    fewer levels than CEM (exact McNemar p < 0.05 on the intended indicator)
    and its failures are capability failures."""
    rows = episode_rows(folder)
    agents = sorted({r["agent"] for r in rows})
    curve = []
    for agent in agents:
        mine = [r for r in rows if r["agent"] == agent]
        curve.append((agent.split(" -> ")[0], *count(mine, INTENDED)))
    figure = plot_escape(curve, folder / "escape.png")
    gradient = pick(rows, "test-trap", "exit", "gradient", restarts=1)
    cem = pick(rows, "test-trap", "exit", "cem")
    failed, n = count(gradient, CAPABILITY_FAILURE)
    only_gradient, only_cem, p, pairs = paired_mcnemar(gradient, cem, INTENDED)
    ours = "escaped (intended): " + "; ".join(f"{a} {fraction_text(h, n_)}" for a, h, n_ in curve)
    why = (
        f"The gradient planner (1 restart) has a capability failure on {fraction_text(failed, n)} "
        "levels; "
        f"against CEM on the same levels McNemar p = {p_value(p)} (n = {pairs} levels)."
    )
    if p < ALPHA and only_cem > only_gradient and _majority(failed, n):
        return Verdict(ours, REPRODUCED, why, figure)
    if only_cem > only_gradient:
        return Verdict(ours, PARTLY, why + " Too few levels to tell.", figure)
    return Verdict(ours, NOT_REPRODUCED, why, figure)


register(
    Reproduction(
        name="u-trap",
        paper="Source text 000 (a framing from the Risks from Learned Optimization collaboration)",
        claim="a local search procedure stuck in a local minimum is a capability failure, not an objective "
        "failure: a gradient planner walks into a U-shaped trap where a sampling planner escapes",
        paper_figure="none: a framing, no experiment",
        study="u-trap",
        quick={
            "seeds": 3,
            "planners": [
                {
                    "name": "gradient",
                    "label": "gradient, 1 restart",
                    "options": {"execute": 4, "restarts": 1},
                },
                {"name": "cem", "budgets": [1024], "options": {"execute": 4}},
            ],
        },  # fmt: skip
        judge=judge_u_trap,
    )
)


# ---- optimal objective design for bounded planners ---------------------------------------


def judge_bounded_design(folder: Path) -> Verdict:
    """Reproduced when, at every planner budget, the designed objective beats
    the base objective on base return on held-out training-distribution
    levels (paired permutation across optimiser seeds, Holm over budgets)."""
    runs = load_runs(folder)[1]
    base = runs[0].payload["config"]["evaluate"].get("objectives", ["exit"])[0] if runs else "exit"
    budgets = sorted({r.point.get("planner.budget") for r in runs}, key=lambda b: (b is None, b))
    parts, pvalues, gains = [], [], []
    for budget in budgets:
        members = [r for r in runs if r.point.get("planner.budget") == budget]
        test = paired_seed_test(
            "", HELD_OUT, "base return",
            [r.values(HELD_OUT, "learned", "return", base) for r in members],
            [r.values(HELD_OUT, base, "return", base) for r in members],
        )  # fmt: skip
        if test is None:
            continue
        pvalues.append(test.p)
        gains.append(test.difference[0])
        setting = f"budget {budget}" if budget is not None else "all runs"
        parts.append(
            f"{setting}: held-out base return {interval_text(test.first_ci)} "
            f"against {interval_text(test.second_ci)}"
        )
    adjusted = holm([p if math.isfinite(p) else 1.0 for p in pvalues])
    ours = "; ".join(f"{part} (Holm p = {p_value(p)})" for part, p in zip(parts, adjusted))
    if not parts:
        return Verdict("no held-out episodes", NOT_REPRODUCED, "The study has no held-out scores.")
    better = [g > 0 and p < ALPHA for g, p in zip(gains, adjusted)]
    if all(better):
        why = "The designed objective beats the base objective for these weak planners, on unseen levels too."
        return Verdict(ours, REPRODUCED, why)
    if any(better):
        return Verdict(ours, PARTLY, "The designed objective beats the base objective at some budgets only.")
    higher = (
        "scores higher on average, but not detectably"
        if all(g > 0 for g in gains)
        else "does not score higher"
    )
    return Verdict(ours, NOT_REPRODUCED, f"On held-out levels the designed objective {higher}.")


register(
    Reproduction(
        name="bounded-design",
        paper="Jain, Chan, Brown & Dragan (2021), 'Optimal cost design for model predictive control', "
        "L4DC, PMLR 144:1205-1217, arXiv:2104.11353 (cited in text 000)",
        claim="for a bounded (short-horizon, few-simulation) planner the objective that makes it score best "
        "on the true objective is not the true objective",
        paper_figure="the driving scenarios comparing MPC under the true cost C with MPC under the designed "
        "cost C' (cumulative true cost; also on the project page sites.google.com/berkeley.edu/ocd-mpc). "
        "Figure number not cited: the paper's PDF could not be opened from this machine",
        study="bounded-design",
        quick={
            "levels": 8,
            "evaluations": 12,
            "evaluate": {"levels": 6, "held_out": 6},
            "sweep": {"planner.budget": [5], "seed": [0, 1, 2]},
        },  # fmt: skip
        judge=judge_bounded_design,
    )
)


register(
    Reproduction(
        name="bounded-design-continuous",
        paper="Jain, Chan, Brown & Dragan (2021), 'Optimal cost design for model predictive control', "
        "L4DC, PMLR 144:1205-1217, arXiv:2104.11353 (cited in text 000)",
        claim="the same for a short-horizon gradient MPC agent in a continuous world: a designed cost beats "
        "the true one, found by differentiating through the planner",
        paper_figure="the driving scenarios comparing MPC under the true cost C with MPC under the designed "
        "cost C' (cumulative true cost; also on the project page sites.google.com/berkeley.edu/ocd-mpc). "
        "Figure number not cited: the paper's PDF could not be opened from this machine",
        study="bounded-design-continuous",
        quick=None,  # a cold compile of the unrolled inner optimiser alone takes minutes
        judge=judge_bounded_design,
    )
)


# ---- training diversity -------------------------------------------------------------------


def judge_diversity(folder: Path) -> Verdict:
    """Reproduced when the learned objectives reach the exit at test more often
    with the most arrow-away training levels than with none (permutation test
    between the two groups of optimiser seeds, p < 0.05), at every number of
    training levels."""
    runs = load_runs(folder)[1]
    parts, verdicts = [], []
    for levels in sorted({r.payload["config"].get("levels", 20) for r in runs}):
        counts: dict[int, dict[int, Run]] = {}
        for run in runs:
            config = run.payload["config"]
            if config.get("levels", 20) == levels:
                fraction = (config.get("mixture") or {}).get("fraction", 0.0)
                counts.setdefault(math.floor(fraction * levels + 0.5), {})[run.seed] = run
        low, high = min(counts), max(counts)
        test = between_seed_test(
            "", "test", "reached exit",
            [r.values("test", "learned", "goal", "exit") for r in counts[high].values()],
            [r.values("test", "learned", "goal", "exit") for r in counts[low].values()],
            ("most arrow-away levels", "none"),
        )  # fmt: skip
        if test is None:
            continue
        parts.append(
            f"{levels} training levels: test exit reach {interval_text(test.second_ci)} with {low} "
            f"arrow-away levels, {interval_text(test.first_ci)} with {high} "
            f"(permutation p = {p_value(test.p)})"
        )
        verdicts.append((test.difference[0] > 0, test.p))
    # Holm over the numbers of training levels: one test each
    adjusted = holm([p if math.isfinite(p) else 1.0 for _, p in verdicts])
    ours = "; ".join(parts) + f" (Holm over {len(verdicts)} tests: {', '.join(p_value(p) for p in adjusted)})"
    better = [up and p < ALPHA for (up, _), p in zip(verdicts, adjusted)]
    if better and all(better):
        return Verdict(ours, REPRODUCED, "A few arrow-away training levels make selection prefer the exit.")
    if any(better):
        return Verdict(
            ours, PARTLY, "Diverse training raises the test exit reach at some numbers of levels only."
        )
    higher = (
        "higher with more arrow-away levels, but not detectably"
        if all(up for up, _ in verdicts)
        else "not higher"
    )
    return Verdict(ours, NOT_REPRODUCED, f"The learned objectives' test exit reach is {higher}.")


register(
    Reproduction(
        name="diversity",
        paper="Langosco, Koch, Sharkey, Pfau & Krueger (2022), 'Goal misgeneralization in deep "
        "reinforcement learning', ICML, PMLR 162, arXiv:2105.14111",
        claim="a small fraction of training levels where proxy and goal come apart is enough for the goal to "
        "be learned rather than the proxy",
        paper_figure="the CoinRun experiment with the coin placed in the right 20% of the level in training "
        "and tested with the coin anywhere (videos on sites.google.com/view/goal-misgeneralization). "
        "Figure number not cited: the paper's PDF could not be opened from this machine",
        study="diversity",
        quick={
            "evaluations": 12,
            "evaluate": {"levels": 10, "held_out": 6},
            "sweep": {"mixture.fraction": [0.0, 0.25], "levels": [20], "seed": [0, 1, 2]},
        },  # fmt: skip
        judge=judge_diversity,
    )
)

register(
    Reproduction(
        name="diversity-no-stop",
        paper="Langosco, Koch, Sharkey, Pfau & Krueger (2022), 'Goal misgeneralization in deep "
        "reinforcement learning', ICML, PMLR 162, arXiv:2105.14111",
        claim="the same claim, with the modelling rule that a positively weighted goal ends the episode "
        "turned off (only the exit ends it): does diversity still make selection prefer the exit?",
        paper_figure="the CoinRun experiment with the coin placed in the right 20% of the level in training "
        "and tested with the coin anywhere (videos on sites.google.com/view/goal-misgeneralization). "
        "Figure number not cited: the paper's PDF could not be opened from this machine",
        study="diversity-no-stop",
        quick={
            "evaluations": 12,
            "evaluate": {"levels": 10, "held_out": 6},
            "sweep": {"mixture.fraction": [0.0, 0.25], "levels": [20], "seed": [0, 1, 2]},
        },  # fmt: skip
        judge=judge_diversity,
    )
)


# ---- the proxy chosen by selection, not handed over ---------------------------------------


def judge_keys_selected(folder: Path) -> Verdict:
    """Reproduced when the base optimiser, selecting by training score, picks
    an objective that weights keys above chests on some optimiser seeds (a
    Wilson interval over seeds that excludes 0) and the learned objectives
    score lower on the base objective at test than the base objective itself
    (paired permutation across seeds, p < 0.05)."""
    runs = load_runs(folder)[1]
    if not runs:
        return Verdict("no finished runs", NOT_REPRODUCED, "The study has no results.")
    keys = sum(r.weights.get("collected_key", 0.0) > r.weights.get("opened_chest", 0.0) for r in runs)
    share = fraction_text(keys, len(runs)).replace("/", " of ", 1)
    test = paired_seed_test(
        "", "test", "chests return",
        [r.values("test", "learned", "return", "chests") for r in runs],
        [r.values("test", "chests", "return", "chests") for r in runs],
    )  # fmt: skip
    p = test.p if test is not None else math.nan
    ours = (
        f"{share} optimiser seeds select keys over chests (Wilson 95% over seeds); test chests return "
        f"{interval_text(test.first_ci)} against the base objective's {interval_text(test.second_ci)}, "
        f"paired permutation p = {p_value(p)}"
    )
    lower = wilson(keys, len(runs))[1]
    if lower > 0 and math.isfinite(p) and p < ALPHA and test.difference[0] < 0:
        why = "Training cannot tell keys from chests; selection lands on the key proxy on some seeds."
        return Verdict(ours, REPRODUCED, why)
    if keys:
        return Verdict(
            ours, PARTLY, "Some seeds select the key proxy, but the test difference is not detectable."
        )
    return Verdict(ours, NOT_REPRODUCED, "Selection never lands on the key proxy.")


register(
    Reproduction(
        name="keys-selected",
        paper="Barnett (source text 004), with the proxy chosen by a base optimiser",
        claim="selection by training score alone can produce the key proxy: where every key lies on a "
        "chest, a base optimiser cannot tell the two apart, and the key-seeking objective it may select "
        "fails at test",
        paper_figure="none: a thought experiment, no figure",
        study="chests-keys-selected",
        quick={
            "levels": 6,
            "evaluations": 12,
            "evaluate": {"levels": 6, "held_out": 4},
            "sweep": {"seed": [0, 1, 2, 3]},
        },  # fmt: skip
        judge=judge_keys_selected,
    )
)


# ---- planner and reward cannot be identified from behaviour -------------------------------


def _level_interval(value: dict) -> str:
    """A {"mean", "lo", "hi", "n"} over levels as report text."""
    return interval(value["mean"], value["lo"], value["hi"], value["n"], "level")


def judge_equivalent_pairs(folder: Path) -> Verdict:
    """Reproduced when at least three (planner, reward) pairs with different
    rewards (EPIC distance to R of 0.5 or more for two of them) give the same
    demonstrations the same likelihood on every level (largest gap under 1e-9
    nats), including a degenerate pair."""
    from studies.analysis.identifiability import summary

    found = summary(folder)
    matching = [p for p in found["pairs"] if p["group"] == "demonstrator"]
    degenerate = [p for p in found["pairs"] if p["group"] != "demonstrator"]
    far = [p for p in matching if p["epic_to_R"]["mean"] >= 0.5]
    known = found["restored"]["planner_known"]["-R"]
    level = matching[0]["loglik"] if matching else None
    names = ", ".join(p["name"] for p in matching)
    ours = (
        f"{len(matching)} pairs ({names}) give the demonstrations the same log-likelihood on all "
        f"{found['levels']} levels (largest gap {found['max_likelihood_gap']:.1e} nats"
        + (f"; {_level_interval(level)} nats per level" if level else "")
        + f"), with EPIC distance to R up to {max(p['epic_to_R']['mean'] for p in matching):.2f}; "
        f"{len(degenerate)} degenerate pairs share the uniform likelihood. With the planner known, -R's "
        f"log-likelihood minus R's is {_level_interval(known)} nats per level"
    )
    if len(matching) >= 3 and len(far) >= 2 and degenerate and found["max_likelihood_gap"] < 1e-9:
        why = (
            "Behaviour alone cannot tell these explanations apart; knowing the planner separates R from "
            "-R, a second environment separates the shaped and copying pairs, and a simplicity prior over "
            "rewards prefers the degenerate zero reward."
        )
        return Verdict(ours, REPRODUCED, why)
    return Verdict(ours, NOT_REPRODUCED, "The pairs' likelihoods are not equal on every level.")


register(
    Reproduction(
        name="equivalent-pairs",
        paper="Armstrong & Mindermann (2018), 'Occam's razor is insufficient to infer the preferences of "
        "irrational agents' (cited in source text 000)",
        claim="a planner and a reward cannot be identified from behaviour alone: (optimal, R), "
        "(anti-optimal, -R) and degenerate pairs explain the same policy equally well, and a simplicity "
        "prior does not pick the intended one",
        paper_figure="none: a theoretical result (its decompositions are stated in the text)",
        study="equivalent-pairs",
        quick={"seeds": 3},
        judge=judge_equivalent_pairs,
    )
)


# ---- misgeneralisation grows more competent with capability -------------------------------


def judge_scaling(folder: Path) -> Verdict:
    """Reproduced when, for the proxy agent at test (arrow placed as far as the
    exit), success at its own objective rises from the lowest to the highest
    compute (Holm-adjusted exact McNemar p < 0.05) while its alignment stays
    flat (the 95% interval of the paired difference within ±0.1):
    `studies.episodes.scaling.summary`."""
    from studies.episodes.scaling import summary

    found = summary(folder)
    ours = " ".join(found.get("sentences", [])) or "no data"
    verdict = {"yes": REPRODUCED, "partly": PARTLY}.get(found["answer"], NOT_REPRODUCED)
    why = {
        "yes": "The proxy agent's competence grows with search while its alignment stays at zero.",
        "partly": "Competence grows, but alignment does not stay flat, or the test is not conclusive.",
    }.get(found["answer"], "Competence at the proxy does not grow detectably with search.")
    return Verdict(ours, verdict, why + " The test arrow sits at the exit's distance from the start.")


register(
    Reproduction(
        name="capability-scaling",
        paper="Langosco, Koch, Sharkey, Pfau & Krueger (2022), 'Goal misgeneralization in deep "
        "reinforcement learning', ICML, PMLR 162, arXiv:2105.14111",
        claim="goal misgeneralisation is competent: as capability grows, the agent pursues the proxy ever "
        "more competently while its alignment with the intended goal stays flat",
        paper_figure="the CoinRun agent that runs to the end of the level, dodging monsters, past a moved "
        "coin (CoinRun section and videos). Figure number not cited: the paper's PDF could not be opened "
        "from this machine",
        study="capability-scaling",
        quick={
            "seeds": 4,
            "planners": [
                {"name": "mcts", "label": "mcts depth 100", "budgets": [10, 1000], "options": {"depth": 100}}
            ],
        },  # fmt: skip
        judge=judge_scaling,
    )
)
