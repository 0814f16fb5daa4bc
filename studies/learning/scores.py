"""Every setting's scores, learned objective against the base objective:
in-sample (the training levels selection saw), on held-out levels of the
training distribution, and on each evaluation split; each a paired
comparison over optimiser seeds (`studies.learning.seedstats`).

Shared by every learning report kind: the sections read their findings from
the same (Holm-adjusted) tests that this table prints.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from studies.learning.runs import HELD_OUT, IN_SAMPLE, Run
from studies.learning.seedstats import SeedTest, interval_text, paired_seed_test
from studies.reporting.formatting import p_value, spreadsheet_safe

RETURN = "base return"


def goal(base: str) -> str:
    """The 0/1 measure: the share of levels where the base objective's goal is achieved."""
    return f"reaches {base}"


def where_text(where: str, runs: Sequence[Run] = ()) -> str:
    """How a table or sentence names where a score comes from."""
    if where == IN_SAMPLE:
        return "in-sample: the levels selection saw"
    if where == HELD_OUT:
        counts = sorted({len(r.payload["held_out"]["levels"]) for r in runs if r.held_out is not None})
        levels = "/".join(str(c) for c in counts)
        return f"held-out: {levels} fresh training-distribution levels" if levels else "held-out"
    return f"{where} split"


def where_phrase(where: str, runs: Sequence[Run] = ()) -> str:
    """How a finding sentence says where a score comes from."""
    if where == IN_SAMPLE:
        return "in-sample (on the training levels selection saw)"
    if where == HELD_OUT:
        counts = sorted({len(r.payload["held_out"]["levels"]) for r in runs if r.held_out is not None})
        return f"on {'/'.join(str(c) for c in counts)} held-out levels of the training distribution"
    return f"on the {where} split"


def places(runs: Sequence[Run]) -> list[str]:
    """Where the runs were scored: in-sample, held-out, then the evaluation splits."""
    return [IN_SAMPLE, HELD_OUT, *sorted({s for r in runs for s in r.played})]


def setting_tests(setting: str, members: Sequence[Run], base: str) -> list[SeedTest]:
    """The learned objective against the base objective for one setting's
    runs (one per optimiser seed), for each place and measure where both
    were played; in-sample compares base return only."""
    tests = []
    for where in places(members):
        for measure, name in (("return", RETURN), ("goal", goal(base))):
            first = [r.values(where, "learned", measure, base) for r in members]
            second = [r.values(where, base, measure, base) for r in members]
            test = paired_seed_test(setting, where, name, first, second)
            if test is not None:
                tests.append(test)
    return tests


def find(tests: Sequence[SeedTest], setting: str, where: str, measure: str) -> SeedTest | None:
    """The paired test of `setting` at `where` on `measure`, if there is one."""
    for test in tests:
        if test.paired and (test.setting, test.where, test.measure) == (setting, where, measure):
            return test
    return None


def missing_held_out(groups: dict[str, Sequence[Run]]) -> list[str]:
    """The settings none of whose runs was scored on held-out levels."""
    return [name for name, members in groups.items() if all(r.held_out is None for r in members)]


def scores_table(
    tests: Sequence[SeedTest], groups: dict[str, Sequence[Run]]
) -> tuple[list[str], list[list[str]]]:
    """(headers, rows): every paired test of the learned against the base
    objective, one row per setting, place and measure; a setting without
    held-out episodes gets a row saying so."""
    headers = [
        "setting", "where", "measure", "learned objective (mean over seeds [95% CI])",
        "base objective, same levels", "learned - base (paired over seeds)", "p", "Holm p", "verdict",
    ]  # fmt: skip
    rows = []
    missing = set(missing_held_out(groups))
    for setting, members in groups.items():
        for test in (t for t in tests if t.paired and t.setting == setting):
            rows.append([
                setting, where_text(test.where, members), test.measure, interval_text(test.first_ci),
                interval_text(test.second_ci), interval_text(test.difference), p_value(test.p),
                p_value(test.p_holm), test.phrase(),
            ])  # fmt: skip
        if setting in missing:
            rows.append([setting, "held-out", "-", "not scored on held-out levels", "-", "-", "-", "-", "-"])
    return headers, rows


def write_tests_csv(path: Path, tests: Sequence[SeedTest]) -> Path:
    """Every test of the report as a CSV row of numbers (`SeedTest.as_row`)."""
    rows = [t.as_row() for t in tests]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        headers = list(rows[0]) if rows else ["setting"]
        writer.writerow(headers)
        writer.writerows([spreadsheet_safe(row[h]) for h in headers] for row in rows)
    return path
