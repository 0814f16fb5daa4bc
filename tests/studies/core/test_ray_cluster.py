"""A real Ray cluster: a head started with ``ray start`` on loopback, with
token authentication as Ray documents it, serves a study run by explicit
address, and gives the same rows as a serial run."""

import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from studies.cli import main

# the same pytest-xdist worker as the other Ray tests: `ray stop --force` below
# stops every Ray process on the machine
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ray")]

RAY = shutil.which("ray", path=os.path.dirname(sys.executable)) or shutil.which("ray")
COLUMNS = "cell_id, outcome, capability, alignment, steps, returns, events"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rows(folder) -> dict:
    with sqlite3.connect(folder / "results.sqlite") as db:
        return {row[0]: row for row in db.execute(f"SELECT {COLUMNS} FROM episodes")}


def _mesabase(*args, env) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "studies", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(RAY is None, reason="the ray command line is not installed (pip install 'mesabase[ray]')")
def test_a_study_on_a_token_authenticated_head_matches_serial(tmp_path):
    token = tmp_path / "token"
    token.write_text(secrets.token_hex(16))
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}
    port = _free_port()
    # a short temp dir: Ray's socket paths must fit in 107 bytes, which pytest's
    # own folders (longer under pytest-xdist) need not leave room for
    temp = Path(tempfile.mkdtemp(prefix="ray-"))
    head = [RAY, "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
            "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"]  # fmt: skip
    # the head starts in the background while the serial reference plays in this process
    starting = subprocess.Popen(head, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert main(["run", "chests-keys", "--seeds", "1", "--executor", "serial",
                     "--out", str(tmp_path / "serial"), "--no-report"]) == 0  # fmt: skip
        _, stderr = starting.communicate(timeout=120)
        assert starting.returncode == 0, stderr[-2000:]
        ray_run = _mesabase("run", "chests-keys", "--seeds", "1", "--executor", "ray",
                            "--address", f"127.0.0.1:{port}", "--out", str(tmp_path / "ray"), "--no-report",
                            env=env)  # fmt: skip
        assert ray_run.returncode == 0, ray_run.stderr[-2000:]
        # without the token the head refuses the client, in one line
        stranger = {k: v for k, v in env.items() if not k.startswith("RAY_AUTH")}
        # Ray retries a refused client once a second, 20 times by default; two
        # tries show the same refusal (the first is already refused)
        stranger["RAY_NUM_REDIS_GET_RETRIES"] = "2"
        refused = _mesabase("run", "chests-keys", "--seeds", "1", "--executor", "ray",
                            "--address", f"127.0.0.1:{port}", "--out", str(tmp_path / "stranger"),
                            "--no-report", env=stranger)  # fmt: skip
        assert refused.returncode == 2, refused.stderr[-2000:]
        assert "Traceback" not in refused.stderr
    finally:
        starting.kill()  # a no-op once it has finished
        subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(temp, ignore_errors=True)
    ray_rows, serial_rows = _rows(tmp_path / "ray"), _rows(tmp_path / "serial")
    assert len(ray_rows) == 6 and ray_rows == serial_rows
    assert json.loads(next(iter(ray_rows.values()))[5])  # returns were stored
