"""The study core every kind builds on: the kind registry (`kinds`), study
files (`spec`, and those installed packages ship: `plugin_studies`), cells
(`cells`), the results store (`store`), playing cells (`runner`), where they
run (`executors`), the output folder a study owns (`folder`) and the run
limits (`limits`). It imports no study kind."""

from studies.core.cells import NO_OBJECTIVE, Cell, cell_objective
from studies.core.executors import EXECUTORS, Executor, RayAddressError, RayMissingError, check_executor
from studies.core.folder import FolderBusyError, OutputFolderError, check_study_name, claim_folder
from studies.core.kinds import DEFAULT_KIND, StudyKind, get_kind, kind_names, register_kind
from studies.core.runner import open_run, play_cell, play_cells
from studies.core.spec import (
    StudyError,
    builtin_names,
    expect,
    expect_names,
    fail,
    load,
    load_with_kind,
    positive_int,
    read_toml,
    reject_unknown_keys,
    shipped,
    study_names,
    study_path,
)
from studies.core.store import EPISODE_COLUMNS, FolderOwnedError, ForeignStoreError, ResultStore, episode_row

__all__ = [
    "ForeignStoreError",
    "FolderOwnedError",
    "claim_folder",
    "check_study_name",
    "OutputFolderError",
    "FolderBusyError",
    "RayAddressError",
    "DEFAULT_KIND",
    "EPISODE_COLUMNS",
    "EXECUTORS",
    "NO_OBJECTIVE",
    "Cell",
    "Executor",
    "RayMissingError",
    "ResultStore",
    "StudyError",
    "StudyKind",
    "builtin_names",
    "cell_objective",
    "check_executor",
    "episode_row",
    "expect",
    "expect_names",
    "fail",
    "get_kind",
    "kind_names",
    "load",
    "load_with_kind",
    "open_run",
    "play_cell",
    "play_cells",
    "positive_int",
    "read_toml",
    "register_kind",
    "reject_unknown_keys",
    "shipped",
    "study_names",
    "study_path",
]
