"""The `mesabase` command line.

Bad input (unknown names, malformed level texts, impossible budgets) gets one
line on stderr and exit status 2, never a traceback. So do the failures a
user's request can cause outside the code: filesystem errors (`OSError`), a
results database that SQLite cannot use (`sqlite3.Error`) and requests too
large for memory (`MemoryError`). Anything else is a bug and keeps its
traceback. `check-world` exits 1 when a world fails a contract check.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sqlite3
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import objectives
import planners
import worlds
from studies.core.executors import check_executor
from studies.core.folder import claim_folder, default_out_dir, study_identity
from studies.core.kinds import DEFAULT_KIND, get_kind, kind_names
from studies.core.limits import MAX_PRINTED_CELLS_ENV, max_printed_cells
from studies.core.spec import StudyError, load_with_kind, read_toml, shipped, study_names, study_path

# The demos, reports, reproductions and the world check are imported by the
# commands that use them: a process-pool worker of `mesabase run` re-imports
# this module (it is the console script's main), and should not pay for them.

EXIT_BAD_INPUT = 2
#: `mesabase check-world` when a check fails (bad input stays EXIT_BAD_INPUT)
EXIT_CHECK_FAILED = 1


class InputFileError(worlds.MesabaseError):
    """An input file (a level text) that cannot be read."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (try '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    from studies import worldcheck
    from studies.demos.common import DEFAULT_FPS, MAX_FPS, MAX_SCALE
    from studies.reproduce import reproduction_names

    parser = _Parser(prog="mesabase", description="Planner-based agents with swappable objectives.")
    parser.add_argument("--version", action="version", version=f"mesabase {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    demo = commands.add_parser(
        "demo", help="the teaching picture of mesa != base for one world (no world: list the demos)"
    )
    demo.add_argument("world", nargs="?", default=None, help="a world with a demo (see 'mesabase demo')")
    demo.add_argument("--out", default="mesabase-out", help="output folder (default ./mesabase-out)")
    demo.add_argument("--seed", type=int, default=0, help="level seed (default 0)")
    demo.add_argument(
        "--budget", type=int, default=None,
        help="grid worlds: A* max expansions (default unbounded); "
        "point-mass: gradient planner iterations (default 100); "
        "other worlds (the generic demo): its planner's budget, see `mesabase planners`",
    )  # fmt: skip
    demo.add_argument("--no-gif", action="store_true", help="skip the animated GIF")
    demo.add_argument(
        "--fps", type=float, default=DEFAULT_FPS,
        help=f"GIF frames per second, over 0 and at most {MAX_FPS:g} (default {DEFAULT_FPS:g}: slow "
        "enough to talk over)",
    )  # fmt: skip
    demo.add_argument(
        "--scale", type=float, default=1.0,
        help=f"GIF size factor, over 0 and at most {MAX_SCALE:g} (default 1; 2 for a large projector)",
    )  # fmt: skip
    demo.add_argument(
        "--levels", type=int, default=0, metavar="N",
        help="point-mass only: also play each of the four episodes on N seeded levels and print the rates "
        "(default 0)",
    )  # fmt: skip

    run = commands.add_parser("run", help="run a study (a study's name or a TOML file) and write its report")
    run.add_argument("study", help="a study's name ('mesabase studies' lists them) or a study TOML file")
    run.add_argument(
        "--out", default=None,
        help="results folder (default ./mesabase-out/<study name>); it holds one study: a folder that "
        "holds another study, or this one with other settings, is refused (pass another --out, or delete "
        "the folder to start fresh); a rerun with the same settings resumes",
    )  # fmt: skip
    run.add_argument("--executor", default="process", help="process (default), serial or ray")
    run.add_argument(
        "--workers", type=int, default=None,
        help="worker processes (default: one per CPU; at most 4 per CPU, raise with MESABASE_MAX_WORKERS)",
    )  # fmt: skip
    run.add_argument(
        "--seeds", type=int, default=None,
        help="the study's replication count: levels per split (episode studies), evaluation levels "
        "(learning studies) or seeds (analysis studies)",
    )  # fmt: skip
    run.add_argument(
        "--address", default=None,
        help="ray only: the cluster address for ray.init; one that does not answer within 5 s is refused "
        "(MESABASE_RAY_CONNECT_TIMEOUT sets the seconds)",
    )  # fmt: skip
    run.add_argument("--no-report", action="store_true", help="skip writing the report at the end")

    reproduce = commands.add_parser(
        "reproduce",
        help="run the curated study of each published result and write reproductions.md and .html",
    )
    reproduce.add_argument(
        "name", nargs="?", default="all",
        help=f"one reproduction ({', '.join(reproduction_names())}) or all (default)",
    )  # fmt: skip
    reproduce.add_argument(
        "--quick", action="store_true", help="smaller studies that finish in a few minutes (wider intervals)"
    )
    reproduce.add_argument(
        "--out", default=None,
        help="output folder (default ./mesabase-out/reproductions, or reproductions-quick with --quick); "
        "a rerun resumes each study",
    )  # fmt: skip
    reproduce.add_argument("--executor", default="process", help="process (default), serial or ray")
    reproduce.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")

    report = commands.add_parser(
        "report", help="write a study folder's report (report.md, report.html, a CSV table and plots)"
    )
    report.add_argument("dir", help="a folder written by mesabase run")

    commands.add_parser("studies", help="list the studies (built-in and shipped by packages) and study kinds")
    show = commands.add_parser(
        "show", help="print a study's TOML, to run as it is or to save and edit as a template"
    )
    show.add_argument("name", help="a study's name ('mesabase studies' lists them)")
    commands.add_parser("worlds", help="list the worlds")
    planners_command = commands.add_parser(
        "planners", help="which planner serves which objective, as the code decides (a planner x world grid)"
    )
    planners_command.add_argument(
        "--long", action="store_true", help="one row per planner, world and objective, with every reason"
    )
    planners_command.add_argument(
        "--world", default=None, help="only this world (default: every world; 'mesabase worlds' lists them)"
    )

    catalogue = commands.add_parser("objectives", help="list a world's objectives and features")
    catalogue.add_argument("world")

    plan = commands.add_parser("plan", help="plan on a level written as text and show the path")
    plan.add_argument("world")
    plan.add_argument("level", help="level text file, or - for standard input")
    plan.add_argument(
        "--objective", default=None,
        help="catalogue objective (default: the base; the reactive policy gets none "
        "and is scored by its revealed objective)",
    )  # fmt: skip
    plan.add_argument("--planner", default="astar", help=f"{', '.join(planners.PLANNERS)} (default astar)")
    budgets = ", ".join(f"{name}: {argument}" for name, argument in planners.BUDGET_ARGUMENT.items())
    plan.add_argument("--budget", type=int, default=None, help=f"the planner's budget ({budgets})")
    plan.add_argument("--seed", type=int, default=0, help="seed for stochastic planners (default 0)")

    check_world = commands.add_parser(
        "check-world",
        help="run the world-contract suite on a world and print a pass/fail table (exit 1 if a check fails)",
    )
    check_world.add_argument(
        "world", help="a registered world, built-in or plugin ('mesabase worlds' lists them)"
    )
    check_world.add_argument(
        "--quick", action="store_true", help="one level per split and shorter walks and rollouts"
    )
    check_world.add_argument(
        "--check", action="append", default=None, metavar="CHECK",
        help="run only this check (repeat for more): " + ", ".join(worldcheck.check_names()),
    )  # fmt: skip
    check_world.add_argument("--seed", type=int, default=0, help="the first level seed (default 0)")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mesabase")
    except PackageNotFoundError:
        return "unknown"


def _table(title: str, columns: tuple[str, ...]) -> Table:
    """A table whose long cells fold instead of being cut off with an ellipsis."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _cmd_worlds(args, console: Console) -> None:
    table = _table(
        "worlds", ("name", "actions", "features", "objectives (base first)", "splits", "gymnasium id")
    )
    for name in worlds.names():
        w = worlds.get(name)
        base_first = [w.base, *(o for o in w.objectives if o != w.base)]
        table.add_row(
            name, str(len(w.actions)), str(len(w.features)), ", ".join(base_first),
            ", ".join(w.splits), w.gym_id,
        )  # fmt: skip
    console.print(table)


def _cmd_objectives(args, console: Console) -> None:
    w = worlds.get(args.world)
    table = _table(f"{w.name} objectives", ("name", "role", "weights", "terminal", "discount", "description"))
    for name, spec in w.objectives.items():
        weights = ", ".join(f"{f}: {v:g}" for f, v in spec["weights"].items())
        table.add_row(
            name, "base" if name == w.base else "proxy", weights, ", ".join(spec.get("terminal", ())),
            f"{spec.get('discount', 1.0):g}", spec.get("description", ""),
        )  # fmt: skip
    console.print(table)
    features = _table(f"{w.name} features (for Objective(weights=...))", ("feature", "meaning"))
    for name, meaning in w.features.items():
        features.add_row(name, meaning)
    console.print(features)


def _cmd_planners(args, console: Console) -> None:
    if args.world is not None:
        worlds.get(args.world)  # an unknown world: one line that lists the worlds
    rows = planners.compatibility(None if args.world is None else [args.world])
    where = "" if args.world is None else f" in {args.world}"
    if args.long:
        table = _table(
            f"planner x objective compatibility{where}", ("planner", "world", "objective", "works", "why not")
        )
        for row in rows:
            works = "[green]yes[/]" if row["works"] else "[red]no[/]"
            table.add_row(row["planner"], row["world"], row["objective"], works, row["reason"])
        console.print(table)
    else:
        _planner_grid(rows, console, where)
    console.print(
        "value-iteration also refuses levels with more reachable states than its max_states "
        "(default 200,000)."
    )


def _planner_grid(rows: list[dict], console: Console, where: str = "") -> None:
    """The planner x world grid (each cell: the objectives that work) and each
    distinct reason once, with the worlds it applies to; `where` (" in WORLD")
    names the one world the rows cover."""
    world_names = list(dict.fromkeys(r["world"] for r in rows))
    grid = _table(f"which objectives each planner serves{where or ', per world'}", ("planner", *world_names))
    reasons: dict[tuple[str, str], list[str]] = {}
    for planner in dict.fromkeys(r["planner"] for r in rows):
        cells = []
        for world in world_names:
            mine = [r for r in rows if r["planner"] == planner and r["world"] == world]
            served = [r["objective"] for r in mine if r["works"]]
            if len(served) == len(mine):
                cells.append(f"[green]all {len(mine)}[/]")
            elif not served:
                cells.append("[red]none[/]")
            else:
                cells.append(", ".join(served))
            for r in mine:
                if not r["works"]:  # the reason names the objective: one line per kind of reason
                    kind = r["reason"].replace(f"'{r['objective']}'", "the objective")
                    # the world's name as a word, not inside a feature name (near_lava)
                    kind = re.sub(rf"(?<![\w-]){re.escape(world)}(?![\w-])", "this world", kind)
                    reasons.setdefault((planner, kind), [])
                    if world not in reasons[(planner, kind)]:
                        reasons[(planner, kind)].append(world)
        grid.add_row(planner, *cells)
    console.print(grid)
    if reasons:
        why = _table(
            "why not (mesabase planners --long lists every objective)", ("planner", "worlds", "reason")
        )
        for (planner, kind), where in reasons.items():
            why.add_row(planner, ", ".join(where), kind)
        console.print(why)


def _read_level_text(source: str) -> str:
    try:
        if source == "-":
            return sys.stdin.read()
        return Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise InputFileError(f"cannot read {error.filename or source}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InputFileError(f"cannot read {source}: not UTF-8 text") from None


def _cmd_plan(args, console: Console) -> None:
    w = worlds.get(args.world)
    planner = planners.make(args.planner, args.budget)
    level = w.parse(_read_level_text(args.level))
    objectiveless = not planner.needs_objective and args.objective is None
    objective = None if objectiveless else objectives.get(w, args.objective or w.base)
    episode = planners.rollout(w, level, planners.Agent(planner, objective), seed=args.seed)
    cells = level.height * level.width
    if w.continuous or cells <= max_printed_cells():
        console.print(Text.from_ansi(w.render_ansi(level, path=episode.states)), end="")
        legend = ", ".join(f"{glyph} {meaning}" for glyph, meaning in w.text_legend().items())
        console.print(Text(f"legend: {legend}", style="dim"))
    else:
        console.print(
            f"(a {level.height} x {level.width} level is not drawn: over MAX_PRINTED_CELLS="
            f"{max_printed_cells()}; set {MAX_PRINTED_CELLS_ENV} to raise it)"
        )
    if w.continuous:
        actions = " ".join(f"({ax:+.2f},{ay:+.2f})" for ax, ay in episode.actions[:8])
        actions += " ..." if len(episode.actions) > 8 else ""
    else:
        actions = " ".join(w.actions[a] for a in episode.actions)
    console.print(f"objective {episode.objective!r}: {episode.steps} steps, outcome {episode.outcome}")
    console.print(f"actions: {actions or '(none)'}")
    console.print("returns: " + ", ".join(f"{k} {v:.4f}" for k, v in episode.returns.items()))
    stats = episode.planner_stats
    console.print(
        f"planner {planner!r}: {stats['plans']} plan(s), {stats['expansions']} expansions, "
        f"{stats['simulations']} simulations, {stats['rollout_steps']} rollout steps, "
        f"{stats['seconds']:.3f} s"
    )


def _cmd_studies(args, console: Console) -> None:
    table = _table(
        "studies (mesabase run NAME; mesabase show NAME prints one as a template)",
        ("name", "kind", "from", "description"),
    )
    shipped_by = {name: study.source for name, study in shipped().items()}
    for name in study_names():
        data = read_toml(study_path(name))
        first_sentence = " ".join(str(data.get("description", "")).split()).split(". ")[0].rstrip(".")
        where = shipped_by.get(name, "built-in")
        table.add_row(name, str(data.get("kind", DEFAULT_KIND)), where, first_sentence + ".")
    console.print(table)
    kinds = _table("study kinds (kind = ... in a study file)", ("kind", "what it runs"))
    for name in kind_names():
        kinds.add_row(name + (" (default)" if name == DEFAULT_KIND else ""), get_kind(name).description)
    console.print(kinds)


def _cmd_show(args, console: Console) -> None:
    """The study's file as it is, after two comment lines that say how to run it."""
    if args.name not in study_names():
        raise StudyError(f"unknown study {args.name!r}; studies: {', '.join(study_names())}")
    text = study_path(args.name).read_text(encoding="utf-8")
    # plain stdout, not rich: a TOML table header such as [[planners]] would read as markup
    sys.stdout.write(
        f"# mesabase run {args.name}\n"
        "# or save this as my-study.toml and run: mesabase run my-study.toml\n"
        + text
        + ("" if text.endswith("\n") else "\n")
    )


def _cmd_run(args, console: Console) -> None:
    if args.seeds is not None and args.seeds < 1:
        raise worlds.InvalidParameterError(f"--seeds must be a positive integer, got {args.seeds}")
    kind, study = load_with_kind(args.study, seeds=args.seeds)
    check_executor(args.executor, args.workers, args.address)  # before the folder is touched
    out = Path(args.out) if args.out else default_out_dir(study.name)
    # the claim checks that the folder holds this study with these settings, and
    # keeps other runs out until this one ends; the kind's own run claims again
    with claim_folder(out, study_identity(kind.name, study)):
        console.print(kind.headline(study, out))
        counts = kind.run(study, out, executor=args.executor, workers=args.workers, address=args.address,
                          console=console)  # fmt: skip
    console.print(kind.describe_counts(counts))
    if not args.no_report:
        _write_report(out, console)


def _cmd_reproduce(args, console: Console) -> None:
    from studies.reproduce import reproduce
    from studies.reproduce.run import names_of

    check_executor(args.executor, args.workers, None)
    names_of(args.name)  # an unknown name fails before any work
    out = (
        Path(args.out)
        if args.out
        else Path("mesabase-out") / ("reproductions-quick" if args.quick else "reproductions")
    )
    paths = reproduce(args.name, out, quick=args.quick, executor=args.executor, workers=args.workers,
                      console=console)  # fmt: skip
    console.print(f"reproductions: {paths['html']}")


def _cmd_report(args, console: Console) -> None:
    _write_report(Path(args.dir), console)


def _write_report(out: Path, console: Console) -> None:
    from studies.reporting.report import write_report

    files = write_report(out, console=console)
    report = files.get("html") or next(iter(files.values()))
    console.print(f"report: {report}")


def _cmd_demo(args, console: Console) -> None:
    from studies.demos import demo_names, get_demo, run_demo
    from studies.demos.common import MAX_FPS, MAX_SCALE

    if args.world is None:
        table = _table("demos (mesabase demo WORLD)", ("world", "what it shows"))
        for name in demo_names():
            table.add_row(name, get_demo(name).description)
        console.print(table)
        return
    if args.levels < 0:
        raise worlds.InvalidParameterError(f"--levels must be a non-negative integer, got {args.levels}")
    # written so that NaN fails too
    if not 0 < args.fps <= MAX_FPS:
        raise worlds.InvalidParameterError(f"--fps must be over 0 and at most {MAX_FPS:g}, got {args.fps:g}")
    if not 0 < args.scale <= MAX_SCALE:
        raise worlds.InvalidParameterError(
            f"--scale must be over 0 and at most {MAX_SCALE:g}, got {args.scale:g}"
        )
    # each demo validates its budget before any work
    run_demo(args.world, seed=args.seed, out_dir=args.out, budget=args.budget, console=console,
             gif=not args.no_gif, levels=args.levels, fps=args.fps, scale=args.scale)  # fmt: skip


def _cmd_check_world(args, console: Console) -> int:
    from studies import worldcheck

    """The suite's table; the exit status is 1 when a check fails."""
    world = worlds.get(args.world)  # an unknown world: one line that lists the worlds
    if args.seed < 0:
        raise worlds.InvalidParameterError(f"--seed must be a non-negative integer, got {args.seed}")
    checks = worldcheck.selected(args.check)  # an unknown check: one line that lists them
    settings = dataclasses.replace(worldcheck.QUICK if args.quick else worldcheck.DEFAULT, seed=args.seed)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    results = []
    # the first run in a fresh numba cache compiles the planner kernels: minutes, not seconds
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(world.name, total=len(checks))
        for check in checks:
            progress.update(task, description=f"{world.name}: {check.name}")
            results.append(check(world, settings))
            progress.advance(task)
    mode = "quick" if args.quick else "full"
    table = _table(
        f"world contract of {world.name} ({mode}, seed {args.seed})", ("check", "result", "seconds", "detail")
    )
    style = {worldcheck.PASS: "green", worldcheck.FAIL: "red", worldcheck.SKIP: "yellow"}
    for result in results:
        verdict = f"[{style[result.status]}]{result.status}[/]"
        table.add_row(result.check, verdict, f"{result.seconds:.2f}", Text(result.detail))
    console.print(table)
    counts = {status: sum(r.status == status for r in results) for status in style}
    failed = counts[worldcheck.FAIL]
    console.print(
        f"{world.name}: {counts[worldcheck.PASS]} passed, {failed} failed, {counts[worldcheck.SKIP]} skipped "
        f"(does not apply) in {sum(r.seconds for r in results):.1f} s"
    )
    return EXIT_CHECK_FAILED if failed else 0


_COMMANDS = {
    "demo": _cmd_demo,
    "worlds": _cmd_worlds,
    "planners": _cmd_planners,
    "objectives": _cmd_objectives,
    "plan": _cmd_plan,
    "run": _cmd_run,
    "report": _cmd_report,
    "reproduce": _cmd_reproduce,
    "studies": _cmd_studies,
    "show": _cmd_show,
    "check-world": _cmd_check_world,
}


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _os_error(error: OSError) -> str:
    """An `OSError` as 'path: reason' (or the reason alone when it names no file)."""
    reason = error.strerror or _one_line(str(error)) or type(error).__name__
    paths = [p for p in (error.filename, getattr(error, "filename2", None)) if p is not None]
    return f"{' -> '.join(map(str, paths))}: {reason}" if paths else reason


def _failure(error: BaseException) -> str:
    """The one line an expected failure prints."""
    if isinstance(error, worlds.MesabaseError):
        return _one_line(str(error))
    if isinstance(error, UnicodeDecodeError):
        return "cannot read input: not UTF-8 text"
    if isinstance(error, OSError):
        return _os_error(error)
    if isinstance(error, sqlite3.Error):
        return f"the results database failed: {_one_line(str(error)) or type(error).__name__}"
    return "out of memory; ask for less (fewer seeds or levels, a smaller budget or fewer workers)"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `mesabase` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    # Piped output has no terminal width; 120 columns keeps the tables whole.
    console = Console() if sys.stdout.isatty() else Console(width=120)
    try:
        status = _COMMANDS[args.command](args, console)  # None: success
    except (worlds.MesabaseError, UnicodeDecodeError, OSError, sqlite3.Error, MemoryError) as error:
        print(f"mesabase: error: {_failure(error)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("mesabase: interrupted", file=sys.stderr)
        return 130
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
