"""The tutorials in docs/tutorials run top to bottom in a fresh kernel, as a
reader runs them, and show what their text says they show.

Each runs through nbclient in the ``python3`` kernel, which jupyter_client
starts with this test's own interpreter, so the notebooks exercise the
mesabase installed here. They write only into ``MESABASE_TUTORIAL_OUT``.
Marked slow (each starts a kernel, about 10-40 s): ``pytest`` and CI run them,
``pytest -m "not slow"`` leaves them out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

TUTORIALS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"

#: per notebook, what its outputs must show (the claims its text makes)
EXPECTED = {
    "01-mesa-not-base-in-ten-minutes.ipynb": [
        "| arrow | test | 74 | False | True | **misgeneralized** |",  # the arrow-seeker at test
        "| arrow | train | 26 | True | True | **intended** |",
        "outcome: capability_failure",  # the weak planner with the right objective
        "train: EPIC(exit, arrow) = 0.00",
        "arrow on test : misgeneralized  It reached the arrow",  # the demo tells it in a sentence
    ],
    "02-your-first-ablation-study.ipynb": [
        "48 episodes: 6 agents x 2 splits x 4 levels",
        "second run: {'cells': 48, 'already': 48, 'played': 0}",  # a rerun resumes, plays nothing
        "| astar -> arrow | test | 4 | 0 | 4 | 0 | 0.00 |",
        "intended on 4/4 vs 0/4 levels, no detectable difference",  # too few levels ...
        "intended on 12/12 vs 0/12 levels, differs",  # ... and enough
    ],
    "03-bring-your-own-objective-and-planner.ipynb": [
        "return 0.3874 = 0.9 ** 9 = 0.3874",
        "| 1 | 52 | 24 | no | exit: intended | arrow: misgeneralized | arrow: misgeneralized |",
        "refused: lookahead enumerates discrete actions and point-mass is continuous",
        "| Lookahead(depth=1) | 3 capability_failure | 3 capability_failure |",
        "| arrow, shaped | 3 intended | 3 misgeneralized |",
        "refused: A* needs a goal objective",
    ],
    "04-new-world.ipynb": [
        "lava is world 4 from mesabase_lava.world",
        "kernels = reference on all 100 (state, action) pairs",
        "check-world lava: 16 passed, 0 failed",
        "| value-iteration -> lava_edge | train | 4 | 1.00 | 1.00 | **intended** |",
        "| value-iteration -> lava_edge | test | 784 | 1.00 | 0.48 | **misgeneralized** |",
        "| reactive -> none | test | 5 | -0.10 | -0.10 | **capability_failure** |",
    ],
}


#: the notebooks that write files (into MESABASE_TUTORIAL_OUT, or a temporary folder without it)
WRITES = {"01-mesa-not-base-in-ten-minutes.ipynb", "02-your-first-ablation-study.ipynb"}


def test_every_tutorial_is_checked():
    assert sorted(p.name for p in TUTORIALS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_tutorial_is_committed_clean_and_says_what_it_teaches(name):
    notebook = nbformat.read(TUTORIALS / name, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code), "clear the outputs"
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and "What you will learn" in first.source
    assert "not on PyPI" in first.source  # the Colab note: install from the repository
    assert code[0].source.startswith("# !pip install")  # commented out: a local run needs no install
    assert (name in WRITES) == ("MESABASE_TUTORIAL_OUT" in code[0].source)


def _shown(notebook) -> str:
    """Everything the executed notebook printed or displayed as text."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type in ("display_data", "execute_result"):
                parts.append(output.data.get("text/markdown") or output.data.get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_tutorial_runs_top_to_bottom(name, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("MESABASE_TUTORIAL_OUT", str(out))
    # the checkout, for the notebook that reads examples/lava (mesabase may be installed elsewhere)
    monkeypatch.setenv("MESABASE_REPOSITORY", str(TUTORIALS.parents[1]))
    notebook = nbformat.read(TUTORIALS / name, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import sys\nprint('kernel:', sys.executable)"))
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # a cell that raises fails the test with its traceback
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    shown = _shown(notebook)
    missing = [text for text in EXPECTED[name] if text not in shown]
    assert not missing, shown
    kernel = shown.rsplit("kernel: ", 1)[1].strip()
    # the mesabase under test; a user-level "python3" kernelspec for another Python would shadow it
    assert Path(kernel).resolve() == Path(sys.executable).resolve(), (
        f"the python3 kernel runs {kernel}, not {sys.executable}: see `jupyter kernelspec list`"
    )
    # it wrote into MESABASE_TUTORIAL_OUT and nowhere else in its working folder
    assert (out.is_dir() and any(out.iterdir())) == (name in WRITES)
    assert {p.name for p in tmp_path.iterdir()} <= {"out"}
