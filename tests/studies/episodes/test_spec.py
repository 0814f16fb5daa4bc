"""Episode study files: every value checked when the file is read, each error
one line naming the key path, and the study's size checked before it is
expanded into cells."""

import pytest

from studies.core.limits import LIMITS, MAX_CELLS, MAX_SEEDS
from studies.core.spec import StudyError, builtin_names, load
from studies.episodes.spec import parse
from worlds import MesabaseError

BASE = 'name = "x"\nworld = "arrow-maze"\nsplits = ["train"]\n'
MCTS = '[[planners]]\nname = "mcts"\n'
ASTAR = '[[planners]]\nname = "astar"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE + "objectives = []\n" + ASTAR, "objectives: expected a name or a non-empty"),
        ('world = "arrow-maze"\nsplits = []\n' + ASTAR, "splits: expected a name or a non-empty"),
        (BASE + MCTS + "budgets = [5]\noptions = { depth = -1 }\n", "planners[0].options.depth: "),
        (BASE + MCTS + "options = { c = inf }\n", "planners[0].options.c: expected a finite number, got inf"),
        (BASE + MCTS + "options = { c = nan }\n", "planners[0].options.c: expected a finite number"),
        (BASE + MCTS + "options = { seed = -1 }\n", "planners[0].options.seed: "),
        (BASE + MCTS + "budgets = [5]\noptions = { simulations = 7 }\n",
         "planners[0].options.simulations: mcts's budget is simulations"),
        (BASE + MCTS + "budgets = [2.0]\n", "planners[0].budgets: expected a positive integer, got 2.0"),
        (BASE + MCTS + "budgets = [true]\n", "planners[0].budgets: expected a positive integer, got True"),
        (BASE + MCTS + 'label = ""\n', "planners[0].label: expected a non-empty label"),
        (BASE + "seeds = 2.0\n" + MCTS, "seeds: expected a positive integer, got 2.0"),
        (BASE + 'seeds = "3"\n' + MCTS, "seeds: expected a positive integer, got '3'"),
        (BASE + "seeds = 1_000_000_000\n" + MCTS, "seeds: 1,000,000,000 seeds is over the limit MAX_SEEDS"),
        (BASE + "max_steps = 10_000_000_000\n" + MCTS, "max_steps: 10,000,000,000 steps is over the limit"),
        (BASE + "threshold = nan\n" + MCTS, "threshold: expected a finite number, got nan"),
        (BASE + "scoring = 3\n" + MCTS, "scoring: expected one of auto, oracle, goal, reference, got 3"),
        (BASE + 'objectives = ["exit", "cheese"]\n' + MCTS + 'objectives = ["exit"]\n',
         "objectives: unknown arrow-maze objective 'cheese'"),
        (BASE + 'name = ""\n' + MCTS, "not valid TOML"),  # a key given twice
        ('name = ""\nworld = "arrow-maze"\n' + MCTS, "name: expected a non-empty name"),
        (BASE + MCTS + "[overrides.train]\nsize = nan\n", "overrides.train.size: expected a finite number"),
        ('world = "point-mass"\nscoring = "oracle"\n[[planners]]\nname = "cem"\n',
         "scoring: point-mass is continuous"),
    ],
)  # fmt: skip
def test_every_value_is_checked_when_the_file_is_read(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(StudyError) as error:
        load(path)
    line = str(error.value)
    assert "\n" not in line and line.startswith(f"{path}: ")
    assert message in line, line


def test_the_size_is_estimated_before_any_cell_is_built(monkeypatch):
    data = {"world": "arrow-maze", "seeds": 10, "planners": [{"name": "mcts", "budgets": [1, 2, 3]}]}
    assert len(parse(data, "s.toml").cells) == 2 * 10 * 3  # two splits, one objective: the base
    monkeypatch.setenv(MAX_CELLS.variable, "59")
    with pytest.raises(StudyError) as error:
        parse(data, "s.toml")
    assert str(error.value) == (
        "s.toml: seeds: 60 cells (about 0 MiB to hold them) is over the limit MAX_CELLS = 59; "
        "make the study smaller, or raise the limit with MESABASE_MAX_CELLS=60"
    )
    monkeypatch.setenv(MAX_CELLS.variable, "60")
    assert len(parse(data, "s.toml").cells) == 60


def test_a_limit_is_raised_by_its_environment_variable(monkeypatch):
    data = {"world": "arrow-maze", "seeds": 20_000, "planners": [{"name": "astar"}]}
    with pytest.raises(StudyError, match="raise the limit with MESABASE_MAX_SEEDS=20000"):
        parse(data, "s.toml")
    monkeypatch.setenv("MESABASE_MAX_SEEDS", "20000")
    monkeypatch.setenv("MESABASE_MAX_CELLS", "1_000_000")
    assert MAX_SEEDS.value == 20_000
    assert len(parse({**data, "splits": ["train"]}, "s.toml").cells) == 20_000
    monkeypatch.setenv("MESABASE_MAX_SEEDS", "lots")
    with pytest.raises(MesabaseError, match="MESABASE_MAX_SEEDS must be a positive integer, got 'lots'"):
        parse(data, "s.toml")


def test_seeds_from_the_command_line_are_named_as_the_user_gave_them():
    with pytest.raises(StudyError, match="arrow-maze.toml: --seeds: 1,000,000,000 seeds is over the limit"):
        load("arrow-maze", seeds=1_000_000_000)


def test_every_builtin_study_is_under_every_default_limit(monkeypatch):
    for limit in LIMITS:
        monkeypatch.delenv(limit.variable, raising=False)
    for name in builtin_names():
        load(name)  # a study over a limit would be refused here
