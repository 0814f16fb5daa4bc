"""Non-identifiability as Armstrong & Mindermann (2018) mean it: different
(planner, reward) pairs that produce exactly the same behaviour, and the
assumptions that tell them apart.

A *planner* maps a reward ``float64[N, A]`` on a level's tabular MDP
(`studies.analysis.irl.mdp_of`) to a stationary policy ``float64[N, A]``:

``optimal``
    Boltzmann-rational: ``softmax(Q*_R / temperature)``, with ``Q*_R`` the
    exact discounted optimal action values (value iteration to convergence).
``anti-optimal``
    The planner that pursues the opposite of its reward:
    ``softmax(-Qmin_R / temperature)``, with ``Qmin_R`` the values of the
    policy that *minimises* the return (min instead of max in the backup).
``depth-limited``
    Boltzmann over `depth`-step lookahead values (0 at the leaves).
``uniform``
    Indifferent: every action equally likely, whatever the reward.
``copy``
    Reward-blind: replays a fixed policy (the demonstrator's), whatever the
    reward; the paper's degenerate planner.

On each level the demonstrator is ``optimal`` with the reward R. Pairs that
produce its action distributions exactly:

- ``(optimal, R)``, the truth;
- ``(anti-optimal, -R)``: ``Qmin_{-R} = -Q*_R``, so the policy is the same;
- ``(depth-limited, R + gamma V*(s') - V*(s))``: potential shaping with the
  optimal value as potential telescopes the lookahead to ``Q*_R(s, a) - V*(s)``
  at any depth, so the short-sighted planner acts optimally;
- ``(copy, 0)``: the degenerate pair, zero reward and a planner that ignores it.

A second group explains a uniformly random demonstrator, and gives the
same (uniform) likelihood to any demonstration: ``(uniform, R)``,
``(optimal, 0)``, ``(depth-limited, 0)`` (the degenerate zero reward).

Three assumptions are then tried, each on its own:

- **planner known** (optimal): the candidate rewards R, -R, the shaped reward
  and 0, each under the optimal planner, scored on the same demonstrations;
- **reward simplicity**: each pair's reward's number of non-zero transitions
  and L1 norm on the level;
- **a second environment**: the same maze with the exit and the arrow
  swapped (`swapped_level`). Rewards on features (R, -R, 0) transfer as they
  are; the shaped reward keeps its potential (the first maze's V*, by cell)
  and the copying planner its policy (by cell). The demonstrator plays the
  second maze, and each pair is scored on those demonstrations.

Log-likelihoods are in nats, summed over a level's demonstrations.
`summary` reads the numbers back from a finished results folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import planners
import worlds
from studies.analysis.epic import TabularReward, epic
from studies.analysis.irl import TabularMDP, boltzmann, mdp_of, sample_trajectories
from studies.analysis.irl.mdp import goal_features
from studies.core.store import ResultStore
from studies.reporting.stats import NoResultsError, bootstrap_ci

#: the features the rewards weigh
FEATURES = ("reached_exit", "reached_arrow")
#: a reward entry below this is zero when counting non-zero transitions
ZERO = 1e-12
#: value iteration stops when no value changes by more than this
TOLERANCE = 1e-15

#: the pairs that reproduce the demonstrator: (name, planner, reward)
EXPLAIN_DEMONSTRATOR = (
    ("optimal / R", "optimal", "R"),
    ("anti-optimal / -R", "anti-optimal", "-R"),
    ("depth-limited / shaped R", "depth-limited", "shaped"),
    ("copy / 0", "copy", "0"),
)
#: the pairs that reproduce a uniformly random demonstrator
EXPLAIN_UNIFORM = (
    ("uniform / R", "uniform", "R"),
    ("optimal / 0", "optimal", "0"),
    ("depth-limited / 0", "depth-limited", "0"),
)
#: the candidate rewards the planner-known assumption scores under the optimal planner
CANDIDATES = ("R", "-R", "shaped", "0")


# ---- planners ----------------------------------------------------------------------
def action_values(
    mdp: TabularMDP, reward: np.ndarray, discount: float, *, minimise: bool = False, depth: int | None = None
) -> np.ndarray:
    """Action values ``float64[N, A]`` of ``reward`` ``float64[N, A]``: the
    best (or, `minimise`, the worst) discounted return after taking a in s,
    over `depth` steps (None: to convergence). Absorbing states are worth 0."""
    best = np.min if minimise else np.max
    live = ~mdp.absorbing
    values = np.zeros(mdp.n_states)
    # depth d looks d steps ahead: d - 1 backups, then the action's own step
    sweeps = depth - 1 if depth is not None else 1_000_000
    for _ in range(sweeps):
        q = reward + discount * values[mdp.next_index]
        new = np.where(live, best(q, axis=1), 0.0)
        change = np.max(np.abs(new - values))
        values = new
        if depth is None and change <= TOLERANCE * max(1.0, np.max(np.abs(values))):
            break
    q = reward + discount * values[mdp.next_index]
    q[mdp.absorbing] = 0.0
    return q


def policy(
    mdp: TabularMDP,
    planner: str,
    reward: np.ndarray,
    *,
    discount: float,
    temperature: float,
    depth: int = 1,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """The stationary policy ``float64[N, A]`` of `planner` for `reward` (see the module docstring)."""
    if planner == "optimal":
        return boltzmann(action_values(mdp, reward, discount), temperature)
    if planner == "anti-optimal":
        return boltzmann(-action_values(mdp, reward, discount, minimise=True), temperature)
    if planner == "depth-limited":
        return boltzmann(action_values(mdp, reward, discount, depth=depth), temperature)
    if planner == "uniform":
        return np.full(mdp.next_index.shape, 1.0 / mdp.n_actions)
    if planner == "copy":
        if fixed is None:
            raise ValueError("the copy planner needs the policy it replays")
        return fixed
    raise ValueError(f"unknown planner {planner!r}")


def log_likelihood(pi: np.ndarray, trajectories) -> float:
    """Summed ``log pi(a | s)`` (nats) over the steps of `trajectories`."""
    return float(sum(np.log(pi[t.states[: len(t.actions)], t.actions]).sum() for t in trajectories))


# ---- levels ------------------------------------------------------------------------
def swapped_level(world, level):
    """The same maze with the exit and the arrow swapped (the second environment)."""
    text = world.format(level).translate(str.maketrans({"E": "A", "A": "E"}))
    return world.parse(text)


def cells(world, level, mdp: TabularMDP) -> list[tuple[int, ...]]:
    """The state vector of each of `mdp`'s states, as `mdp_of` numbers them
    (the oracle's states, then ``()`` for the extra absorbing state)."""
    states = planners.default_oracle().model(world, level).states
    return [tuple(int(v) for v in s) for s in states] + [()] * (mdp.n_states - len(states))


def complexity(values: np.ndarray, live: np.ndarray) -> dict[str, float]:
    """Non-zero transitions and L1 norm of a reward ``float64[N, A]`` out of live states."""
    values = np.abs(values[live])
    return {"nonzero": int((values > ZERO).sum()), "l1": float(values.sum())}


def level_unit(unit: dict[str, Any]) -> dict[str, Any]:
    """Every pair on one level, and the three assumptions: a JSON payload."""
    world = worlds.get(unit["world"])
    level = world.sample(seed=unit["seed"], split=unit["split"], size=tuple(unit["size"]))
    discount, tau, depth = unit["discount"], unit["temperature"], unit["depth"]
    weights = np.array([unit["reward"].get(f, 0.0) for f in FEATURES])
    goals = sorted(f for f in goal_features(world) if unit["reward"].get(f, 0.0) != 0.0)

    def setting(lv):
        mdp = mdp_of(world, lv, FEATURES, goals=goals)
        r = mdp.reward(weights)
        v = action_values(mdp, r, discount).max(axis=1)
        v[mdp.absorbing] = 0.0
        return mdp, r, v

    mdp, r, v_star = setting(level)
    shaped = r + discount * v_star[mdp.next_index] - v_star[:, None]
    shaped[mdp.absorbing] = 0.0
    rewards = {"R": r, "-R": -r, "shaped": shaped, "0": np.zeros_like(r)}
    tabular = {
        "R": TabularReward(r),
        "-R": TabularReward(-r),
        "shaped": TabularReward(r, v_star),
        "0": TabularReward(np.zeros_like(r)),
    }
    demonstrator = policy(mdp, "optimal", r, discount=discount, temperature=tau)
    demos = sample_trajectories(
        mdp, demonstrator, unit["max_steps"], n=unit["demonstrations"], seed=unit["seed"]
    )
    live = ~mdp.absorbing

    def pairs(group, mdp, rewards, demos, fixed):
        out = {}
        for name, planner, reward in group:
            pi = policy(
                mdp, planner, rewards[reward], discount=discount, temperature=tau, depth=depth, fixed=fixed
            )
            out[name] = (pi, log_likelihood(pi, demos))
        return out

    rows = {}
    for group in (EXPLAIN_DEMONSTRATOR, EXPLAIN_UNIFORM):
        found = pairs(group, mdp, rewards, demos, demonstrator)
        reference = found[group[0][0]][0]
        for name, planner, reward in group:
            pi, loglik = found[name]
            rows[name] = {
                "group": "demonstrator" if group is EXPLAIN_DEMONSTRATOR else "uniform",
                "planner": planner,
                "reward": reward,
                "loglik": loglik,
                # the largest difference of any action probability from the group's first pair
                "policy_gap": float(np.max(np.abs(pi[live] - reference[live]))),
                "epic_to_R": epic(tabular[reward], tabular["R"], mdp.next_index, discount),
                **complexity(rewards[reward], live),
            }
    known = {
        name: log_likelihood(policy(mdp, "optimal", rewards[name], discount=discount, temperature=tau), demos)
        for name in CANDIDATES
    }

    # the second environment: the exit and the arrow swapped in the same maze
    level2 = swapped_level(world, level)
    mdp2, r2, _ = setting(level2)
    where = {cell: i for i, cell in enumerate(cells(world, level, mdp)) if cell}
    index = [where.get(cell, -1) for cell in cells(world, level2, mdp2)]
    potential = np.array([v_star[i] if i >= 0 else 0.0 for i in index])
    shaped2 = r2 + discount * potential[mdp2.next_index] - potential[:, None]
    shaped2[mdp2.absorbing] = 0.0
    uniform = np.full(mdp2.n_actions, 1.0 / mdp2.n_actions)
    copied = np.array([demonstrator[i] if i >= 0 else uniform for i in index])
    rewards2 = {"R": r2, "-R": -r2, "shaped": shaped2, "0": np.zeros_like(r2)}
    demonstrator2 = policy(mdp2, "optimal", r2, discount=discount, temperature=tau)
    demos2 = sample_trajectories(
        mdp2, demonstrator2, unit["max_steps"], n=unit["demonstrations"], seed=unit["seed"]
    )
    second = {
        name: ll for name, (_, ll) in pairs(EXPLAIN_DEMONSTRATOR, mdp2, rewards2, demos2, copied).items()
    }
    return {
        "unit": unit,
        "level": {"seed": unit["seed"], "size": [level.height, level.width], "states": mdp.n_states - 1},
        "steps": int(sum(len(t.actions) for t in demos)),
        "steps_second": int(sum(len(t.actions) for t in demos2)),
        "pairs": rows,
        "planner_known": known,
        "second_environment": second,
    }


# ---- the numbers of a finished folder -------------------------------------------
def payloads(out_dir: str | Path) -> list[dict[str, Any]]:
    """The per-level payloads of a finished equivalent-pairs folder, by seed."""
    with ResultStore(Path(out_dir) / "results.sqlite", read_only=True) as store:
        found = [p for p in store.learned() if "pairs" in p]
    if not found:
        raise NoResultsError(f"no finished equivalent-pairs level in {Path(out_dir) / 'results.sqlite'}")
    return sorted(found, key=lambda p: p["unit"]["seed"])


def _ci(values) -> dict[str, float]:
    mean, lo, hi = bootstrap_ci(values)
    return {"mean": mean, "lo": lo, "hi": hi, "n": len(values)}


def summarise(found: list[dict[str, Any]]) -> dict[str, Any]:
    """The study's numbers from its per-level payloads (see `summary`)."""
    names = [n for n, _, _ in EXPLAIN_DEMONSTRATOR + EXPLAIN_UNIFORM]
    pairs = []
    for name in names:
        rows = [p["pairs"][name] for p in found]
        first = rows[0]
        pairs.append(
            {
                "name": name,
                "group": first["group"],
                "planner": first["planner"],
                "reward": first["reward"],
                "loglik": _ci([r["loglik"] for r in rows]),
                "policy_gap": max(r["policy_gap"] for r in rows),
                "epic_to_R": _ci([r["epic_to_R"] for r in rows]),
                "nonzero": _ci([r["nonzero"] for r in rows]),
                "l1": _ci([r["l1"] for r in rows]),
            }
        )
    gap = 0.0
    for group in (EXPLAIN_DEMONSTRATOR, EXPLAIN_UNIFORM):
        for p in found:
            values = [p["pairs"][n]["loglik"] for n, _, _ in group]
            gap = max(gap, max(values) - min(values))
    known = {
        name: _ci([p["planner_known"][name] - p["planner_known"]["R"] for p in found]) for name in CANDIDATES
    }
    second = {
        name: _ci([p["second_environment"][name] - p["second_environment"]["optimal / R"] for p in found])
        for name, _, _ in EXPLAIN_DEMONSTRATOR
    }
    simplicity = {
        name: {key: float(np.mean([p["pairs"][name][key] for p in found])) for key in ("nonzero", "l1")}
        for name, _, _ in EXPLAIN_DEMONSTRATOR
    }
    return {
        "levels": len(found),
        "steps": _ci([p["steps"] for p in found]),
        "steps_second": _ci([p["steps_second"] for p in found]),
        "pairs": pairs,
        "max_likelihood_gap": gap,
        "max_policy_gap": max(p["policy_gap"] for p in pairs),
        "epic": {p["name"]: p["epic_to_R"]["mean"] for p in pairs},
        "restored": {"planner_known": known, "simplicity": simplicity, "second_environment": second},
    }


def summary(out_dir: str | Path) -> dict[str, Any]:
    """The equivalent-pairs numbers of a finished results folder.

    Returns a dict with ``levels`` (the number of levels), ``steps`` (demonstrated
    steps per level), ``pairs`` (one dict per pair: name, group, planner,
    reward, per-level ``loglik`` and ``epic_to_R``, ``nonzero`` and ``l1``
    complexity, each ``{"mean", "lo", "hi", "n"}`` with a bootstrap 95% CI over
    levels; ``policy_gap``, the largest action-probability difference from its
    group's first pair on any state of any level), ``max_likelihood_gap`` (the
    largest log-likelihood difference, nats, between pairs of one group on one
    level), ``max_policy_gap``, ``epic`` (pair name -> mean EPIC distance of its
    reward to R) and ``restored``: ``planner_known`` (candidate reward ->
    per-level log-likelihood minus R's, under the optimal planner),
    ``simplicity`` (pair -> mean ``nonzero`` transitions and ``l1`` norm of
    its reward over levels) and
    ``second_environment`` (pair -> per-level log-likelihood minus the truth's
    on the swapped mazes)."""
    return summarise(payloads(out_dir))
