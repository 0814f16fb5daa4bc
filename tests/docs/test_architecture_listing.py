"""docs/architecture.md lists every module of the four packages, and its
promise that no module is over 600 lines holds. (The line counts themselves
are dated "when this page was last revised", so they are not checked.)"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("worlds", "objectives", "planners", "studies")
ENTRY = re.compile(r"^(?P<indent> *)(?P<name>\S+?)(?P<folder>/)?\s+(\(|\d)")


def listed_files() -> set[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = text.split("Files and line counts", 1)[1].split("```\n", 2)[1]
    files, folders = set(), []
    for line in block.splitlines():
        match = ENTRY.match(line)
        assert match, f"docs/architecture.md: a listing line it cannot read: {line!r}"
        depth = len(match["indent"]) // 2
        folders = folders[:depth]
        if match["folder"]:
            folders.append(match["name"])
        else:
            files.add("/".join([*folders, match["name"]]))
    return files


def test_the_listing_names_every_module_and_no_other():
    on_disk = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    listed = listed_files()
    assert not on_disk - listed, f"not in docs/architecture.md's listing: {sorted(on_disk - listed)}"
    assert not listed - on_disk, f"listed but gone: {sorted(listed - on_disk)}"


def test_no_module_is_over_600_lines():
    long = {name: n for name in listed_files() if (n := (ROOT / name).read_text().count("\n")) > 600}
    assert not long, f"over 600 lines, against docs/architecture.md's promise: {long}"
