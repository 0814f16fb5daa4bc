"""The interactive viewer's data and page: frames and their steps, running
returns of every catalogue objective, lossless PNG frames, one self-contained
page with every text escaped, and the episode report's viewer.html."""

import base64
import dataclasses
import html
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

import objectives
import planners
import worlds
from studies.reporting import viewer
from studies.reporting.viewer_page import script_json


def _decode(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"))


@pytest.fixture(scope="module")
def arrow():
    """The arrow-seeking A* agent on train and test level 0 of the arrow maze."""
    world = worlds.get("arrow-maze")
    levels = {split: world.sample(seed=0, split=split) for split in ("train", "test")}
    agent = planners.Agent(planners.AStar(), "arrow")
    return world, {split: (level, planners.rollout(world, level, agent)) for split, level in levels.items()}


def test_frame_steps_keep_the_first_and_last_step():
    assert viewer.frame_steps(3, 200).tolist() == [0, 1, 2, 3]
    assert viewer.frame_steps(4, 5).tolist() == [0, 1, 2, 3, 4]  # 5 states, 5 frames
    assert viewer.frame_steps(10, 3).tolist() == [0, 5, 10]
    assert viewer.frame_steps(0, 200).tolist() == [0]
    long = viewer.frame_steps(2116, 200)
    assert len(long) == 200 and long[0] == 0 and long[-1] == 2116 and np.all(np.diff(long) > 0)
    with pytest.raises(ValueError, match="at least 2"):
        viewer.frame_steps(10, 1)


def test_running_returns_by_hand():
    world = worlds.get("arrow-maze")
    features = np.zeros((4, len(world.features)))
    features[1, world.feature_index("reached_arrow")] = 1.0  # the arrow at step 1 ends the arrow objective
    features[2, world.feature_index("reached_arrow")] = 1.0  # ... so this later firing earns nothing
    features[3, world.feature_index("reached_exit")] = 1.0
    returns = viewer.running_returns(world, features)
    assert list(returns) == ["exit", "arrow"]  # base first
    np.testing.assert_allclose(returns["arrow"], [0.0, 0.0, 0.99, 0.99, 0.99], atol=1e-12)
    np.testing.assert_allclose(returns["exit"], [0.0, 0.0, 0.0, 0.0, 0.99**3], atol=1e-12)


@pytest.mark.parametrize("name", worlds.names())
def test_running_returns_end_at_the_episode_return(name):
    world = worlds.get(name)
    level = world.sample(seed=1, split="train")
    agent = planners.Agent(planners.make("mcts", 10), world.base)  # mcts plans in every world
    episode = planners.rollout(world, level, agent, 20, seed=1, scoring="goal")
    returns = viewer.running_returns(world, episode.features)
    assert set(returns) == set(objectives.catalogue(world)) == set(episode.returns)
    for objective, values in returns.items():
        assert values.shape == (episode.steps + 1,) and values[0] == 0.0
        assert abs(values[-1] - episode.returns[objective]) <= 1e-9


def test_viewer_episode_frames_are_the_renders_of_their_steps(arrow):
    world, played = arrow
    level, episode = played["train"]
    shown = viewer.viewer_episode(
        world, level, episode, agent="A* -> arrow", planner="astar", objective="arrow", split="train",
        seed=0, cell=6, max_frames=5,
    )  # fmt: skip
    assert episode.steps > 5
    assert shown.frame_steps[0] == 0 and shown.frame_steps[-1] == episode.steps == shown.steps
    assert len(shown.frames) == len(shown.frame_steps) == 5
    for uri, t in zip(shown.frames, shown.frame_steps):  # lossless: exactly the render of step t
        drawn = world.render_rgb(level, state=episode.states[t], path=episode.states[: t + 1], cell=6)
        np.testing.assert_array_equal(_decode(uri), drawn)
    assert shown.size == f"{level.height}x{level.width}" and shown.outcome == episode.outcome
    for name, values in shown.returns.items():
        assert len(values) == episode.steps + 1 and values[0] == 0.0
        assert abs(values[-1] - episode.returns[name]) <= 1e-9
    assert shown.sentence.startswith("It pursued arrow") and shown.base == "exit"


def test_a_lossy_frame_keeps_its_size_and_stays_close():
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)  # far more than 256 colours
    decoded = _decode(viewer.png_data_uri(noisy))
    assert decoded.shape == (20, 30, 3)
    flat = np.zeros((4, 5, 3), dtype=np.uint8)
    flat[1, 2] = (200, 10, 30)
    np.testing.assert_array_equal(_decode(viewer.png_data_uri(flat)), flat)


def test_one_cell_size_draws_a_bigger_maze_bigger(arrow):
    _, played = arrow
    levels = [level for level, _ in played.values()]
    longest = max(max(level.height, level.width) for level in levels)
    cell = viewer.page_cell(levels)
    assert cell == min(viewer.CELL_RANGE[1], viewer.LEVEL_PIXELS // longest)
    assert cell * longest <= viewer.LEVEL_PIXELS


def _page_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="viewer-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_the_page_is_self_contained_and_escapes_every_text(arrow, tmp_path):
    world, played = arrow
    hostile = "</script><script>alert(1)</script> & <b>"
    shown = [
        viewer.viewer_episode(
            world,
            level,
            episode,
            agent=f"A* {hostile}",
            planner="astar",
            objective="arrow",
            split=split,
            seed=0,
            sentence=hostile,
            cell=4,
            max_frames=4,
        )  # fmt: skip
        for split, (level, episode) in played.items()
    ]
    swatch = np.full((24, 24, 3), 200, dtype=np.uint8)
    path = viewer.write_viewer(tmp_path / "v.html", hostile, shown, legend=[(hostile, swatch)], intro=hostile)
    page = path.read_text()
    sources = re.findall(r"""(?:src|href)=['"]([^'"]*)['"]""", page)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "http://" not in page and "https://" not in page
    assert page.count("<script") == 2 and page.count("</script>") == 2  # only the page's own two
    assert (
        f"<title>{html.escape(hostile)}</title>" in page
        and f'<p class="intro">{html.escape(hostile)}' in page
    )
    for dom_id in ("agent-select", "level-select", "play", "pause", "step-back", "step-forward", "slider",
                   "step-label", "robustness", "legend"):  # fmt: skip
        assert f'id="{dom_id}"' in page
    data = _page_data(page)
    assert [e["split"] for e in data["episodes"]] == ["train", "test"]
    assert data["episodes"][0]["sentence"] == hostile and data["legends"]["arrow-maze"][0]["label"] == hostile
    assert len(page.encode()) < 500_000


def test_script_json_cannot_close_its_element():
    text = script_json({"a": "</script><!-- & -->"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & -->"}
    with pytest.raises(ValueError):
        script_json({"a": float("nan")})


def test_scores_without_a_value_travel_as_null(arrow, tmp_path):
    world, played = arrow
    level, episode = played["test"]
    shown = viewer.viewer_episode(world, level, episode, agent="a", planner="astar", objective="arrow",
                                  split="test", seed=0, cell=4, max_frames=3)  # fmt: skip
    data = dataclasses.replace(shown, capability=float("nan")).as_dict()
    assert data["capability"] is None and data["alignment"] == shown.alignment
    with pytest.raises(ValueError, match="at least one episode"):
        viewer.write_viewer(tmp_path / "none.html", "t", [])


def test_the_default_legend_is_the_worlds(arrow, tmp_path):
    world, played = arrow
    level, episode = played["train"]
    shown = viewer.viewer_episode(world, level, episode, agent="a", planner="astar", objective="arrow",
                                  split="train", seed=0, cell=4, max_frames=2)  # fmt: skip
    data = _page_data(viewer.write_viewer(tmp_path / "v.html", "t", [shown]).read_text())
    entries = getattr(world, "legend_entries", lambda: [])()
    assert [e["label"] for e in data["legends"]["arrow-maze"]] == [label for label, _ in entries]
