"""The output folder belongs to one study: names checked before they become
folders, a folder that holds another study (or other settings) refused, one
run at a time, and a file that is not a results store never written."""

import fcntl
import hashlib
import os
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studies.cli import EXIT_BAD_INPUT, main
from studies.core import ResultStore
from studies.core.folder import (
    LOCK_NAME,
    FolderBusyError,
    OutputFolderError,
    claim_folder,
    default_out_dir,
    study_identity,
)
from studies.core.store import FolderOwnedError, ForeignStoreError

TINY = """
name = "{name}"
world = "arrow-maze"
splits = ["train"]
objectives = ["exit"]
seeds = {seeds}

[[planners]]
name = "astar"
"""


def _study(tmp_path, name="tiny", seeds=1):
    path = tmp_path / f"{name}-{seeds}.toml"
    path.write_text(TINY.format(name=name, seeds=seeds))
    return str(path)


def _run(study, out, *extra):
    return main(["run", study, "--out", str(out), "--executor", "serial", "--no-report", *extra])


def _one_line_error(capsys) -> str:
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error, error
    return error


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../../x", "/abs/olute", "a/b", "a\\b", "..", ".", "", "   ", "a\nb", "x" * 300]
)
def test_names_that_are_not_plain_folder_names_are_refused(name):
    with pytest.raises(OutputFolderError, match="name"):
        default_out_dir(name)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_an_accepted_name_is_one_folder_inside_mesabase_out(name):
    try:
        out = default_out_dir(name)
    except OutputFolderError:
        return
    assert out.parent.name == "mesabase-out" and out.name == name and len(out.parts) == 2


def test_run_without_out_refuses_a_name_that_escapes_mesabase_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    study = tmp_path / "escape.toml"
    study.write_text(TINY.format(name="../../escaped", seeds=1))
    assert main(["run", str(study), "--executor", "serial", "--no-report"]) == EXIT_BAD_INPUT
    assert "not a plain folder name" in _one_line_error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["escape.toml"]


def test_a_file_as_out_is_a_one_line_error(tmp_path, capsys):
    a_file = tmp_path / "file"
    a_file.write_text("not a folder")
    assert _run(_study(tmp_path), a_file) == EXIT_BAD_INPUT
    assert "is a file, not a folder" in _one_line_error(capsys)
    assert _run(_study(tmp_path), a_file / "sub") == EXIT_BAD_INPUT
    assert "cannot make the folder" in _one_line_error(capsys)
    assert a_file.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_is_a_one_line_error(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert _run(_study(tmp_path), locked) == EXIT_BAD_INPUT
    assert "cannot write" in _one_line_error(capsys)


# ---- one study per folder ------------------------------------------------------------


def test_a_folder_holds_one_study_and_resumes_it(tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(_study(tmp_path), out) == 0
    assert _run(_study(tmp_path), out) == 0  # the same study resumes
    assert "0 episode(s) played, 1 already finished" in capsys.readouterr().out
    assert _run(_study(tmp_path, name="other"), out) == EXIT_BAD_INPUT
    error = _one_line_error(capsys)
    assert "holds the episodes study 'tiny', not the episodes study 'other'" in error
    assert "another --out, or delete the folder" in error
    assert _run(_study(tmp_path, seeds=2), out) == EXIT_BAD_INPUT
    assert "holds the study 'tiny' with other settings: cells (1 there, 2 now)" in _one_line_error(capsys)
    assert _run(_study(tmp_path), out, "--seeds", "3") == EXIT_BAD_INPUT
    assert "cells (1 there, 3 now)" in _one_line_error(capsys)
    assert main(["run", "non-identifiability", "--out", str(out), "--no-report"]) == EXIT_BAD_INPUT
    assert "not the analysis study 'non-identifiability'" in _one_line_error(capsys)
    with ResultStore(out / "results.sqlite") as store:
        assert len(store.rows()) == 1 and store.study_info()["name"] == "tiny"


def test_the_library_run_checks_the_folder_too(tmp_path):
    from studies.core import load
    from studies.episodes import run_study

    run_study(load(_study(tmp_path)), tmp_path, executor="serial", progress=False)
    with pytest.raises(FolderOwnedError, match="other settings: cells"):
        run_study(load(_study(tmp_path, seeds=2)), tmp_path, executor="serial", progress=False)
    with ResultStore(tmp_path / "results.sqlite") as store, pytest.raises(FolderOwnedError, match="'tiny'"):
        store.record_info({"name": "else", "kind": "episodes"})


def test_identities_are_stable_and_ignore_the_description(tmp_path):
    from studies.core import load

    first = study_identity("episodes", load(_study(tmp_path)))
    assert first == study_identity("episodes", load(_study(tmp_path)))
    described = tmp_path / "described.toml"
    described.write_text('description = "words"\n' + TINY.format(name="tiny", seeds=1))
    assert study_identity("episodes", load(described)).fingerprint == first.fingerprint
    assert study_identity("episodes", load(_study(tmp_path, seeds=2))).fingerprint != first.fingerprint


# ---- one run at a time ---------------------------------------------------------------


def test_a_second_run_is_refused_while_the_first_holds_the_folder(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK_NAME, "w") as handle:  # another process's claim, as the kernel sees it
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write("4242")
        handle.flush()
        assert _run(_study(tmp_path), out) == EXIT_BAD_INPUT
        assert "another run holds this folder" in _one_line_error(capsys)
        assert not (out / "results.sqlite").exists()
    assert _run(_study(tmp_path), out) == 0  # the lock ends with its holder


def test_the_lock_message_names_the_holder_and_claims_nest(tmp_path):
    # one process: nested claims; another open file of the lock cannot take it
    with claim_folder(tmp_path), claim_folder(tmp_path), open(tmp_path / LOCK_NAME) as other:
        with pytest.raises(BlockingIOError):
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert other.read() == str(os.getpid())
    with open(tmp_path / LOCK_NAME) as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # released, so another holder takes it
        with pytest.raises(FolderBusyError, match=f"pid {os.getpid()}"), claim_folder(tmp_path):
            pass


# ---- files that are not results stores -----------------------------------------------


def _foreign(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER, email TEXT)")
    db.execute("INSERT INTO users VALUES (1, 'a@b.c')")
    db.commit()
    db.close()


@pytest.mark.parametrize("content", ["foreign", "garbage", "an episodes table of its own"])
def test_a_file_that_is_not_a_store_is_refused_and_left_byte_identical(tmp_path, capsys, content):
    study, folder = _study(tmp_path), tmp_path / "folder"
    folder.mkdir()
    database = folder / "results.sqlite"
    if content == "foreign":
        _foreign(database)
    elif content == "garbage":
        database.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 20)
    else:
        db = sqlite3.connect(database)
        db.execute("CREATE TABLE episodes (id)")
        db.commit()
        db.close()
    before = _digest(database)
    assert main(["report", str(folder)]) == EXIT_BAD_INPUT
    assert "is not a mesabase results store" in _one_line_error(capsys)
    assert _run(study, folder) == EXIT_BAD_INPUT
    assert "is not a mesabase results store" in _one_line_error(capsys)
    assert _digest(database) == before and [p.name for p in folder.iterdir()] == ["results.sqlite"]
    with pytest.raises(ForeignStoreError):
        ResultStore(database)
    assert _digest(database) == before


def test_report_reads_the_store_without_writing_to_it(tmp_path):
    out = tmp_path / "out"
    assert _run(_study(tmp_path), out) == 0
    before = _digest(out / "results.sqlite")
    assert main(["report", str(out)]) == 0
    assert _digest(out / "results.sqlite") == before
    with ResultStore(out / "results.sqlite", read_only=True) as store:
        assert len(store.rows()) == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.record_info({"extra": "1"})
