"""The README's Python examples, and the base-optimiser example of
docs/studies.md, run as pasted into a script (a fresh interpreter, the process
executor included, which needs the ``if __name__ == "__main__":`` guard)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def python_blocks(page: str) -> list[str]:
    return BLOCK.findall((ROOT / page).read_text())


EXAMPLES = [
    *(pytest.param(code, id=f"README-{i}") for i, code in enumerate(python_blocks("README.md"), 1)),
    # the study example of docs/studies.md runs a whole 240-episode study (minutes); the
    # base-optimiser one is the example that once failed when pasted without the guard
    *(
        pytest.param(code, id="studies.md-base-optimiser")
        for code in python_blocks("docs/studies.md")
        if "learn_objective" in code
    ),
]


def test_the_pages_have_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs_as_pasted(code, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
