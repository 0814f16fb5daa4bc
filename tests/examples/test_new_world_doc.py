"""docs/new-world.md quotes the example plugin world's files exactly and
gives their true line counts, so the tutorial cannot drift from the package
that CI installs and tests."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "new-world.md"
QUOTED = re.compile(r"<!-- file: (?P<path>\S+) -->\n```\w*\n(?P<body>.*?)```\n", re.DOTALL)
COUNTED = re.compile(r"^\| `(?P<path>[^`]+)` \| (?P<lines>\d+) \|", re.MULTILINE)


def test_every_quoted_file_is_the_file_itself():
    quoted = {m["path"]: m["body"] for m in QUOTED.finditer(DOC.read_text())}
    assert set(quoted) == {
        "examples/lava/pyproject.toml",
        "examples/lava/mesabase_lava/__init__.py",
        "examples/lava/mesabase_lava/kernels.py",
        "examples/lava/mesabase_lava/world.py",
        "examples/lava/tests/test_lava.py",
        "examples/lava/mesabase_lava/studies/lava.toml",
    }
    for path, body in quoted.items():
        assert body == (ROOT / path).read_text(), f"docs/new-world.md quotes an old {path}"


def test_the_line_counts_are_wc_l():
    counted = {m["path"]: int(m["lines"]) for m in COUNTED.finditer(DOC.read_text())}
    assert "mesabase_lava/world.py" in counted and len(counted) == 6
    for path, lines in counted.items():
        text = (ROOT / "examples" / "lava" / path).read_text()
        assert lines == text.count("\n"), f"{path} has {text.count(chr(10))} lines, the table says {lines}"
