"""The grid worlds' demos (arrow-maze, chests-keys, cleaning): each plays its
episodes, prints a table and a sentence per episode and writes its PNG, its
GIF (200 ms a frame by default, ending on the caption) and demo.html."""

import json

import numpy as np
import pytest
from rich.console import Console

from planners import CAPABILITY_FAILURE, INTENDED, MISGENERALIZED
from studies.demos import run_demo
from studies.demos.common import CAPTION_MS, LINGER_MS, feature_total
from studies.reporting import figures

DEMOS = ("arrow-maze", "chests-keys", "cleaning")


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    """Each demo run once at its defaults (seed 0), with its printed text."""
    results = {}
    for name in DEMOS:
        out = tmp_path_factory.mktemp(name)
        console = Console(record=True, width=500, force_terminal=False)  # table cells unwrapped
        result = run_demo(name, out_dir=out, console=console)
        results[name] = (result, " ".join(console.export_text().split()), out)  # rich's wrapping undone
    return results


def _in_script(text: str, page: str) -> bool:
    """Whether `text` is in the page's embedded JSON (with <, > and & escaped)."""
    escaped = json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return escaped in page


@pytest.mark.parametrize("name", DEMOS)
@pytest.mark.slow
def test_each_demo_writes_its_png_gif_and_page(demos, name):
    import imageio.v3 as iio

    result, text, out = demos[name]
    assert [path.name for path in result.files] == [f"{name}.png", f"{name}.gif", "demo.html"]
    assert all(path.parent == out and path.stat().st_size > 0 for path in result.files)
    image = iio.imread(out / f"{name}.png")
    assert image.ndim == 3 and image.shape[0] >= 600 and image.shape[1] >= 600 and image.std() > 10
    page = (out / "demo.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "http://" not in page and "https://" not in page  # nothing leaves the file
    for item in result.played:  # one sentence per episode, printed and on the page
        assert item.sentence in text
        assert _in_script(item.agent, page) and _in_script(item.sentence, page)
    assert f"wrote {out / 'demo.html'}" in text


@pytest.mark.parametrize("name", DEMOS)
@pytest.mark.slow
def test_the_gif_plays_at_five_frames_a_second_and_ends_on_the_caption(demos, name, read_gif):
    result, text, out = demos[name]
    frames, durations = read_gif(out / f"{name}.gif")
    assert min(durations) == 200 and max(durations[:-2]) % 200 == 0
    assert durations[-2] >= LINGER_MS and durations[-1] == CAPTION_MS
    assert 8_000 <= sum(durations) <= 20_000  # talked over in ~10-20 s
    height, width = frames[0].shape[:2]
    caption = figures.caption_frame(result.caption, width, height, size=34)
    assert np.abs(frames[-1].astype(int) - caption).mean() < 1  # the caption, exactly
    assert np.abs(frames[-2].astype(int) - caption).mean() > 20  # after the final positions
    assert result.caption in text


@pytest.mark.slow
def test_arrow_maze_caption_says_what_went_wrong(demos):
    result, _, _ = demos["arrow-maze"]
    assert result.episodes[("arrow", "test")].outcome == MISGENERALIZED
    assert result.caption == (
        "At test the arrow moved: the arrow-seeking agent crossed the larger maze competently to the "
        "arrow and never reached the exit."
    )
    assert (result.levels["train"].height, result.levels["test"].height) == (11, 17)


@pytest.mark.slow
def test_the_reactive_key_seeker_collects_keys_at_test_and_leaves_chests(demos):
    result, text, _ = demos["chests-keys"]
    world = result.world
    test = result.levels["test"]
    chests = len(world.locate(test, None, "chest"))
    reactive, search = result.episodes[("reactive", "test")], result.episodes[("search", "test")]
    keys = feature_total(world, reactive, "collected_key")
    opened = feature_total(world, reactive, "opened_chest")
    # hand check on the episode itself: keys picked up, a chest left closed
    assert reactive.events["collected_key"] and keys >= 2 and opened < chests
    assert reactive.returns["keys"] > reactive.returns["chests"]
    assert reactive.outcome == MISGENERALIZED and reactive.objective == "revealed: keys"
    # the planner pursuing chests opens every chest of the same level
    assert search.outcome == INTENDED and feature_total(world, search, "opened_chest") == chests
    # in training every key lies on a chest: both agents open what they collect
    train = result.episodes[("reactive", "train")]
    assert train.outcome == INTENDED
    assert feature_total(world, train, "collected_key") == feature_total(world, train, "opened_chest") > 0
    assert (
        f"collected {keys} keys" in result.caption and f"opened only {opened} of {chests}" in result.caption
    )
    # seed 0's test level is one where the key-seeker opens every chest, so the demo says which it shows
    assert result.test_seed > 0 and f"test level: seed {result.test_seed}" in text


@pytest.mark.slow
def test_the_side_effect_proxy_misgeneralizes_at_depth_one_and_the_instrumental_needs_depth(demos):
    result, _, _ = demos["cleaning"]
    world = result.world
    shallow, deep = result.depths
    assert (shallow, deep) == (1, 16)
    sweeps = result.episodes[("sweeps", shallow, "test-sweep")]
    assert sweeps.outcome == MISGENERALIZED
    # it sweeps clean floor: far more sweeps than dirt cleaned
    assert feature_total(world, sweeps, "swept") > 10 * max(1, feature_total(world, sweeps, "cleaned"))
    assert sweeps.returns["sweeps"] > sweeps.returns["clean"]
    assert result.episodes[("dustpan", shallow, "test-bin")].outcome == CAPABILITY_FAILURE
    farmed = result.episodes[("dustpan", deep, "test-bin")]
    assert farmed.outcome == MISGENERALIZED
    assert feature_total(world, farmed, "dustpan_gain") > feature_total(world, farmed, "cleaned")
    for proxy in ("sweeps", "dustpan"):  # in training the proxies agree with cleanliness
        for depth in result.depths:
            assert result.episodes[(proxy, depth, "train")].returns[proxy] == pytest.approx(
                result.episodes[(proxy, depth, "train")].returns["clean"]
            )
    assert result.caption.startswith("The side-effect proxy misgeneralised already at depth 1")
    assert len(result.played) == 8 and {item.split for item in result.played} == {
        "train",
        "test-sweep",
        "test-bin",
    }


def test_the_cleaning_budget_is_the_deep_depth(tmp_path):
    with pytest.raises(Exception, match="deep planning depth, an integer above 1"):
        run_demo("cleaning", out_dir=tmp_path / "x", budget=1, console=Console(quiet=True))
    assert not (tmp_path / "x").exists()
