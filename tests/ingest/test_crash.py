"""Crash safety: SIGKILL ``paperradar import`` at random points, rerun, compare with a clean run."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
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
    for _ in range(10):  # until 4 kills, one of them mid-import (timing varies with load)
        proc = subprocess.Popen(
            [sys.executable, "-m", "paperradar", "import", "--no-index", str(inputs)],
            env=_env(crashed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.15, duration * 0.9))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        if (crashed / "paperradar.db").exists():
            papers = sum(1 for row in _dump(crashed) if row[0] == "paper")
            partial += 0 < papers < N_RECORDS + 9
        if kills >= 4 and partial:
            break
    assert partial >= 1, "no kill landed in the middle of the import"
    assert kills >= 2, "the import finished before it could be killed; make the input bigger"
    final = _run(crashed, inputs)
    assert final.returncode == 0, final.stderr
    assert _dump(crashed) == expected
