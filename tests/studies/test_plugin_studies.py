"""Study files shipped by installed packages (`mesabase.studies` entry
points) run, list and show by name like the built-in studies."""

import importlib.metadata
import sys

import pytest

from studies.cli import EXIT_BAD_INPUT, main
from studies.core import plugin_studies, spec
from studies.core.spec import shipped, study_names, study_path

STUDY = 'name = "{name}"\ndescription = "A swamp study. It is small."\nworld = "arrow-maze"\n'


@pytest.fixture
def swamp(tmp_path, monkeypatch):
    """A package `swamp_pkg` with a study folder, declared by a fake entry point;
    `declare(value)` adds another entry point."""
    folder = tmp_path / "swamp_pkg" / "studies"
    folder.mkdir(parents=True)
    (tmp_path / "swamp_pkg" / "__init__.py").write_text("")
    (folder / "swamp.toml").write_text(STUDY.format(name="swamp"))
    (folder / "arrow-maze.toml").write_text(STUDY.format(name="arrow-maze"))  # a built-in's name
    (folder / "notes.txt").write_text("not a study")
    monkeypatch.syspath_prepend(str(tmp_path))
    points = [importlib.metadata.EntryPoint("swamp", "swamp_pkg.studies", plugin_studies.GROUP)]

    def entry_points(group):
        assert group == plugin_studies.GROUP
        return list(points)

    monkeypatch.setattr(plugin_studies.importlib.metadata, "entry_points", entry_points)
    plugin_studies.shipped_studies.cache_clear()
    yield folder, points
    plugin_studies.shipped_studies.cache_clear()
    sys.modules.pop("swamp_pkg", None)
    sys.modules.pop("swamp_pkg.studies", None)


def test_a_shipped_study_is_found_by_name_and_a_built_in_name_is_kept(swamp):
    folder, _ = swamp
    taken = r"study .*arrow-maze.toml is left out: the name 'arrow-maze' is already taken by a built-in study"
    with pytest.warns(RuntimeWarning, match=taken):
        found = shipped()
    assert list(found) == ["swamp"] and found["swamp"].source == "swamp"
    assert study_path("swamp") == folder / "swamp.toml"
    assert study_path("arrow-maze") == spec.BUILTIN_DIR / "arrow-maze.toml"
    assert study_names()[-1] == "swamp" and "notes" not in study_names()


def test_a_second_package_cannot_take_a_name_already_shipped(swamp, tmp_path):
    folder, points = swamp
    other = tmp_path / "bog_pkg"
    (other / "studies").mkdir(parents=True)
    (other / "__init__.py").write_text("")
    (other / "studies" / "swamp.toml").write_text(STUDY.format(name="swamp"))
    points.append(importlib.metadata.EntryPoint("zz-bog", "bog_pkg.studies", plugin_studies.GROUP))
    with pytest.warns(RuntimeWarning) as caught:
        found = shipped()
    assert found["swamp"].path == folder / "swamp.toml"  # entry points in name order: swamp first
    messages = [str(w.message) for w in caught]
    left_out = [m for m in messages if "bog_pkg/studies/swamp.toml is left out" in m]
    assert left_out and f"already taken by swamp ({folder / 'swamp.toml'})" in left_out[0]
    sys.modules.pop("bog_pkg", None)


@pytest.mark.filterwarnings("ignore:swamp's study")
def test_a_folder_that_cannot_be_found_is_left_out_with_a_warning(swamp):
    _, points = swamp
    points.append(importlib.metadata.EntryPoint("gone", "no_such_pkg.studies", plugin_studies.GROUP))
    with pytest.warns(RuntimeWarning, match=r"study folder gone = 'no_such_pkg.studies' .* is left out"):
        assert list(shipped()) == ["swamp"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_the_cli_lists_shows_and_refuses_by_every_study_name(swamp, capsys):
    assert main(["studies"]) == 0
    listed = capsys.readouterr().out
    assert "swamp" in listed and "A swamp study." in listed
    assert main(["show", "swamp"]) == 0
    assert capsys.readouterr().out.startswith("# mesabase run swamp\n# or save this")
    assert main(["show", "bog"]) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "unknown study 'bog'" in error and error.rstrip().endswith("swamp")


def test_the_installed_lava_package_ships_its_study():
    plugin_studies.shipped_studies.cache_clear()
    if "lava" not in shipped():
        pytest.skip("examples/lava is not installed (pip install ./examples/lava)")
    study = shipped()["lava"]
    assert study.source == "mesabase-lava" and study.path.name == "lava.toml"
    assert spec.read_toml(study.path)["world"] == "lava"
