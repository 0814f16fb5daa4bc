"""The point-mass demo: four corners of the robustness picture, the PNG and the rates table."""

import numpy as np
import pytest
from rich.console import Console

from studies.cli import EXIT_BAD_INPUT, main

# On seed 0 the gradient planner is trapped and CEM (1,024 samples) escapes;
# whether the escape is quick enough to count as intended under reference
# scoring varies, so the test checks that it reached the exit.
SEED = 0
LEVELS = 3


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from studies.demos.point_mass import run_point_mass_demo

    out = tmp_path_factory.mktemp("point-mass-demo")
    console = Console(record=True, width=140, force_terminal=False)
    result = run_point_mass_demo(seed=SEED, out_dir=out, console=console, gif=False, levels=LEVELS)
    return result, console.export_text()


@pytest.mark.slow
def test_the_four_corners(demo):
    result, _ = demo
    outcomes = {key: episode.outcome for key, episode in result.episodes.items()}
    assert outcomes["A"] == "intended"  # gradient -> exit, train
    assert outcomes["B"] == "misgeneralized"  # gradient -> beacon, test
    assert outcomes["C"] == "capability_failure"  # gradient -> exit, test-trap
    assert not result.episodes["C"].achieved["exit"]
    assert result.episodes["D"].achieved["exit"]  # CEM escapes the trap
    for episode in result.episodes.values():
        assert episode.scoring == "reference"
        assert episode.states.shape == (episode.steps + 1, 4)


@pytest.mark.slow
def test_the_picture_is_written(demo):
    import imageio.v3 as iio

    result, _ = demo
    assert [path.name for path in result.files] == ["point-mass.png", "demo.html"]
    image = iio.imread(result.files[0])
    assert image.ndim == 3 and image.shape[2] in (3, 4)
    assert image.shape[0] >= 600 and image.shape[1] >= 600
    assert image.dtype == np.uint8 and image.std() > 10  # not a blank canvas
    page = result.files[1].read_text(encoding="utf-8")
    assert "https://" not in page and "http://" not in page
    # one viewer episode per corner: gradient -> exit on train and on the trap level, side by side
    assert [(item.agent, item.split) for item in result.played] == [
        ("gradient -> exit", "train"),
        ("gradient -> beacon", "test"),
        ("gradient -> exit", "test-trap"),
        ("cem -> exit", "test-trap"),
    ]


@pytest.mark.slow
def test_the_caption_says_what_went_wrong(demo):
    result, text = demo
    assert result.caption.startswith("At test the beacon moved: the gradient planner flew competently")
    assert "U-shaped trap" in result.caption and result.caption in " ".join(text.split())


@pytest.mark.slow
def test_the_tables_are_printed(demo):
    _, text = demo
    for outcome in ("intended", "misgeneralized", "capability_failure"):
        assert outcome in text
    assert "four corners" in text
    assert f"over {LEVELS} seeded levels" in text
    assert "wrote" in text and "point-mass.png" in text


@pytest.mark.slow
def test_the_rates_over_seeded_levels(demo):
    result, _ = demo
    assert set(result.rates) == {"A", "B", "C", "D"}
    for rates in result.rates.values():
        assert set(rates) == {"exit", "beacon", "intended", "misgeneralized", "capability_failure"}
        assert all(0.0 <= value <= 1.0 for value in rates.values())
        outcomes = rates["intended"] + rates["misgeneralized"] + rates["capability_failure"]
        assert outcomes == pytest.approx(1.0)
        assert all(value * LEVELS == pytest.approx(round(value * LEVELS)) for value in rates.values())


def test_negative_levels_is_one_clear_error(tmp_path, capsys):
    status = main(["demo", "point-mass", "--levels", "-1", "--no-gif", "--out", str(tmp_path)])
    assert status == EXIT_BAD_INPUT == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "levels must be a non-negative integer" in err
    assert not any(tmp_path.iterdir())


def test_levels_is_refused_for_the_grid_demo(tmp_path, capsys):
    assert main(["demo", "arrow-maze", "--levels", "2", "--no-gif", "--out", str(tmp_path)]) == 2
    assert "only used by the point-mass demo" in capsys.readouterr().err


def test_a_bad_gradient_budget_is_refused_before_any_work(tmp_path, capsys):
    assert main(["demo", "point-mass", "--budget", "0", "--no-gif", "--out", str(tmp_path)]) == 2
    assert "iterations must be a positive integer" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
