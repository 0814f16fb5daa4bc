"""The one measuring method every benchmarked pair goes through.

Rounds of every implementation in one process, interleaved:

- each implementation is warmed up (called once, untimed), then every round
  calls each of them once, in an order that alternates from round to round
  (``A B C``, then ``C B A``), so a drift in the machine's speed (another
  process starting, a CPU clocking down) hits every side alike;
- every side runs the same number of rounds: rounds stop early only when the
  time budget would run out, and a round is always completed;
- a ratio is computed *per round* (peer seconds / our seconds, per unit of
  work when the sides do different amounts), and reported as its median and
  spread (min, max and the interquartile range), not as a ratio of two
  best-of-N figures, which favours whichever side was sampled more often.

Wall time (``time.perf_counter``) and process CPU time
(``time.process_time``, all threads of this process) are recorded for every
call, with the load average before and after the rounds, so a reader can tell
a quiet run from a loaded one.

    runs = {"mesabase": run_ours, "networkx": run_networkx}
    timings = interleaved(runs, {"astar_vs_networkx": ("mesabase", "networkx")})
    timings["astar_vs_networkx"].ratio_median

`machine` describes the computer and the library versions without importing
any of them (importing JAX here would change what the benchmarks measure).
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib.metadata
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

Clock = Callable[[], float]
LoadAverage = Callable[[], tuple[float, float, float]]

#: the distributions whose versions `machine` records (those installed)
VERSIONED = (
    "numpy",
    "numba",
    "jax",
    "jaxlib",
    "optax",
    "mctx",
    "networkx",
    "pyastar2d",
    "tcod",
    "igraph",
    "scikit-image",
    "gymnasium",
    "minigrid",
)


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages (zeros where the OS has none)."""
    try:
        return tuple(float(x) for x in os.getloadavg())  # type: ignore[return-value]
    except (AttributeError, OSError):
        return (0.0, 0.0, 0.0)


@dataclasses.dataclass
class Rounds:
    """The raw record of interleaved rounds.

    Attributes:
        names: the implementations, in the first round's order.
        order: the order of the calls in each round, ``len(order) == rounds``.
        seconds: name -> wall seconds of each timed call, ``rounds`` long.
        cpu: name -> process CPU seconds of each timed call, ``rounds`` long.
        load_before, load_after: `load_average` before the warm-up and after
            the last round.
        budget_s: the time budget; `stopped_by_budget` whether it ended the
            rounds before the requested count.
    """

    names: list[str]
    order: list[list[str]]
    seconds: dict[str, list[float]]
    cpu: dict[str, list[float]]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    budget_s: float
    stopped_by_budget: bool

    @property
    def rounds(self) -> int:
        return len(self.order)

    def median_seconds(self) -> dict[str, float]:
        """Name -> median wall seconds per call."""
        return {name: float(np.median(times)) for name, times in self.seconds.items()}

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"rounds": self.rounds, "median_seconds": self.median_seconds()}


@dataclasses.dataclass
class PairTiming:
    """One (ours, peer) pair measured in the same interleaved rounds.

    Attributes:
        ours, peer: the implementations' names.
        rounds: how many times each side ran (after its warm-up).
        ours_seconds, peer_seconds: wall seconds per unit of work, one per
            round.
        ours_cpu, peer_cpu: process CPU seconds per unit of work, one per round.
        ours_work, peer_work: units of work one call performs (1 unless the
            task says otherwise).
        ratio_median, ratio_min, ratio_max: of the per-round ratios
            ``peer_seconds[i] / ours_seconds[i]`` (how many times faster ours
            is; above 1 means ours is faster).
        ratio_iqr: the 25th and 75th percentiles of those ratios.
        load_before, load_after: the load averages around the rounds.
    """

    ours: str
    peer: str
    rounds: int
    ours_seconds: list[float]
    peer_seconds: list[float]
    ours_cpu: list[float]
    peer_cpu: list[float]
    ratio_median: float
    ratio_min: float
    ratio_max: float
    ratio_iqr: tuple[float, float]
    ours_work: float = 1.0
    peer_work: float = 1.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def ratios(self) -> list[float]:
        """The per-round ratios, peer / ours."""
        return [p / o for o, p in zip(self.ours_seconds, self.peer_seconds)]

    @property
    def cpu_ratio_median(self) -> float:
        """Median per-round ratio of CPU time (peer / ours)."""
        return float(np.median([p / o for o, p in zip(self.ours_cpu, self.peer_cpu)]))

    def summary(self) -> str:
        """``"85.3x [80.1, 92.0] (15 rounds, load 1.52→1.60)"``."""
        return (
            f"{self.ratio_median:,.1f}x [{self.ratio_min:,.1f}, {self.ratio_max:,.1f}] "
            f"({self.rounds} rounds, load {self.load_before[0]:.2f}→{self.load_after[0]:.2f})"
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PairTiming:
        """The timing `as_dict` wrote (extra keys ignored)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        kept = {name: value for name, value in data.items() if name in fields}
        for name in ("ratio_iqr", "load_before", "load_after"):
            if name in kept:
                kept[name] = tuple(kept[name])
        return cls(**kept)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {
            "ours_median_seconds": float(np.median(self.ours_seconds)),
            "peer_median_seconds": float(np.median(self.peer_seconds)),
            "cpu_ratio_median": self.cpu_ratio_median,
            "ratio_iqr": list(self.ratio_iqr),
        }


def run_rounds(
    runs: Mapping[str, Callable[[], Any]],
    rounds: int = 15,
    budget_s: float = 10.0,
    *,
    min_rounds: int = 3,
    warm_up: int = 1,
    clock: Clock = time.perf_counter,
    cpu_clock: Clock = time.process_time,
    load: LoadAverage = load_average,
) -> Rounds:
    """Call every run of `runs` in interleaved rounds (see the module's docstring).

    Args:
        runs: name -> a call that performs the work once (its result is ignored).
        rounds: the rounds wanted.
        budget_s: wall seconds the rounds may take (the warm-up not counted);
            a round is not started when, judging by the rounds so far, it
            would end past the budget, unless fewer than `min_rounds` have run.
        min_rounds: rounds run whatever the budget (at most `rounds`).
        warm_up: untimed calls of each run before the rounds.
        clock, cpu_clock, load: injectable for tests.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    names = list(runs)
    if not names:
        raise ValueError("nothing to time: runs is empty")
    load_before = load()
    for _ in range(warm_up):
        for name in names:
            runs[name]()
    seconds: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    order: list[list[str]] = []
    began = clock()
    stopped = False
    while len(order) < rounds:
        done = len(order)
        if done >= max(1, min(min_rounds, rounds)):
            elapsed = clock() - began
            # the next round would take about as long as the average round so far
            if elapsed + elapsed / done > budget_s:
                stopped = True
                break
        this_round = names if done % 2 == 0 else names[::-1]
        for name in this_round:
            wall0, cpu0 = clock(), cpu_clock()
            runs[name]()
            cpu1, wall1 = cpu_clock(), clock()
            seconds[name].append(wall1 - wall0)
            cpu[name].append(cpu1 - cpu0)
        order.append(list(this_round))
    return Rounds(
        names=names,
        order=order,
        seconds=seconds,
        cpu=cpu,
        load_before=load_before,
        load_after=load(),
        budget_s=budget_s,
        stopped_by_budget=stopped,
    )


def pair_timing(
    record: Rounds, ours: str, peer: str, work: Callable[[str], float] | None = None
) -> PairTiming:
    """The per-round ratio of `peer` to `ours` in `record`, per unit of
    ``work(name)`` when given."""
    ours_work = float(work(ours)) if work else 1.0
    peer_work = float(work(peer)) if work else 1.0
    ours_seconds = [s / ours_work for s in record.seconds[ours]]
    peer_seconds = [s / peer_work for s in record.seconds[peer]]
    ratios = np.array(peer_seconds) / np.array(ours_seconds)
    q1, q3 = np.percentile(ratios, [25, 75])
    return PairTiming(
        ours=ours,
        peer=peer,
        rounds=record.rounds,
        ours_seconds=ours_seconds,
        peer_seconds=peer_seconds,
        ours_cpu=[s / ours_work for s in record.cpu[ours]],
        peer_cpu=[s / peer_work for s in record.cpu[peer]],
        ratio_median=float(np.median(ratios)),
        ratio_min=float(ratios.min()),
        ratio_max=float(ratios.max()),
        ratio_iqr=(float(q1), float(q3)),
        ours_work=ours_work,
        peer_work=peer_work,
        load_before=record.load_before,
        load_after=record.load_after,
    )


def interleaved(
    runs: Mapping[str, Callable[[], Any]],
    pairs: Mapping[str, tuple[str, str]],
    rounds: int = 15,
    budget_s: float = 10.0,
    work: Callable[[str], float] | None = None,
    **options: Any,
) -> dict[str, PairTiming]:
    """Time `runs` in interleaved rounds and return each pair's `PairTiming`.

    Args:
        runs: name -> a call that performs the work once. Only the
            implementations named in `pairs` are timed.
        pairs: key -> (ours, peer), e.g. ``{"astar_vs_networkx": ("mesabase",
            "networkx")}``.
        rounds, budget_s: as in `run_rounds`.
        work: name -> units of work one call performs, where sides do
            different amounts (ratios then compare time per unit).
        options: `run_rounds`'s keyword options (``min_rounds``, ``warm_up``,
            ``clock``, ``cpu_clock``, ``load``).
    """
    missing = {name for pair in pairs.values() for name in pair} - set(runs)
    if missing:
        raise KeyError(f"pairs name implementations with no run: {sorted(missing)}")
    wanted = [name for name in runs if any(name in pair for pair in pairs.values())]
    record = run_rounds({name: runs[name] for name in wanted}, rounds, budget_s, **options)
    return {key: pair_timing(record, ours, peer, work) for key, (ours, peer) in pairs.items()}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine(versioned: Sequence[str] = VERSIONED) -> dict[str, Any]:
    """The computer and software a measurement ran on: CPU model, logical
    cores (and those this process may use), the load average now, the OS,
    Python and the installed versions of `versioned`, and the UTC time.
    Reads package metadata only: imports none of them."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "load_average": list(load_average()),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in versioned},
        "xla_flags": os.environ.get("XLA_FLAGS"),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
