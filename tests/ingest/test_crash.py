"""Crash safety: SIGKILL ``paperradar import`` at random points, rerun, compare with a clean run."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperradar.store import open_store

F = Path(__file__).parents[1] / "fixtures" / "ingest"
N_RECORDS = 6000


def _big_input(folder: Path) -> Path:
    """6,000 papers grown from the real sample (new ids), with later revisions of some of them
    further down the file so that merges cross batch boundaries; plus one HF day."""
    folder.mkdir()
    base = [json.loads(x) for x in (F / "jsonl/arxiv_2026-03_sample.jsonl").read_text().splitlines()]
    with open(folder / "big.jsonl", "w") as out:
        for i in range(N_RECORDS):
            obj = dict(base[i % len(base)], id=f"2603.{10000 + i:05d}v1")
            out.write(json.dumps(obj) + "\n")
            if i % 97 == 0 and i >= 2500:  # revise an early paper (already written by then)
                old = dict(base[(i - 2500) % len(base)], id=f"2603.{10000 + i - 2500:05d}v2")
                old["title"] = "Revised: " + old["title"]
                out.write(json.dumps(old) + "\n")
    shutil.copy(F / "hf/2025-06-30.json", folder / "2025-06-30.json")
    return folder


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "PAPERRADAR_DATA_DIR": str(data_dir), "PAPERRADAR_ENV": "test"}


def _run(data_dir: Path, inputs: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperradar", "import", "--no-index", str(inputs)],
                          env=_env(data_dir), capture_output=True, text=True, timeout=300)


def _dump(data_dir: Path) -> list[tuple]:
    store = open_store(f"sqlite:///{data_dir / 'paperradar.db'}")
    try:
        return store.dump()
    finally:
        store.close()


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_equals_clean_run(tmp_path):
    inputs = _big_input(tmp_path / "in")
    clean = tmp_path / "clean"
    started = time.monotonic()
    first = _run(clean, inputs)
    duration = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    expected = _dump(clean)
    assert sum(1 for row in expected if row[0] == "paper") == N_RECORDS + 9

    crashed = tmp_path / "crashed"
    rng = random.Random(20261129)
    kills, partial = 0, 0
    for _ in range(10):  # until 4 kills, one of them mid-import
        stored = _papers_now(crashed)
        proc = subprocess.Popen(
            [sys.executable, "-m", "paperradar", "import", "--no-index", str(inputs)],
            env=_env(crashed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kills % 2:  # every other run: kill once it has committed something new...
            _wait_for_more_papers(crashed, proc, stored, duration)
            time.sleep(rng.uniform(0, 0.2))
        else:  # ...or at a random moment, start-up and schema creation included
            time.sleep(rng.uniform(0.15, duration * 0.9))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        partial += 0 < _papers_now(crashed) < N_RECORDS + 9
        if kills >= 4 and partial:
            break
    assert partial >= 1, f"no kill landed in the middle of the import ({kills} kills)"
    assert kills >= 2, "the import finished before it could be killed; make the input bigger"
    final = _run(crashed, inputs)
    assert final.returncode == 0, final.stderr
    got = _dump(crashed)
    diff = [(a, b) for a, b in zip(got, expected) if a != b][:3]
    assert got == expected, (len(got), len(expected), diff)


def _papers_now(data_dir: Path) -> int:
    """Papers committed so far, read beside a running import (WAL readers do not block)."""
    db = data_dir / "paperradar.db"
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # schema not created yet
        return 0


def _wait_for_more_papers(data_dir: Path, proc: subprocess.Popen, stored: int,
                          duration: float) -> None:
    deadline = time.monotonic() + max(10.0, 3 * duration)
    while proc.poll() is None and time.monotonic() < deadline:
        if _papers_now(data_dir) > stored:
            return
        time.sleep(0.01)
