"""The index follower: a second process indexing what an import commits, while it imports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil

from paperradar.ingest.files import import_paths
from paperradar.search import Searcher
from paperradar.search.follow import LexicalFollower


def _jsonl(path: Path, n: int) -> Path:
    with path.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"2301.{i:05d}", "title": f"Paper {i} on topic{i % 7}",
                                 "abstract": f"Abstract number {i} about follower indexing.",
                                 "authors": [f"Author {i % 11}"], "categories": ["cs.IR"],
                                 "date": "2023-01-02"}) + "\n")
    return path


def test_follower_indexes_everything_the_import_commits(settings, store, tmp_path):
    data = _jsonl(tmp_path / "papers.jsonl", 6000)
    with LexicalFollower(settings) as follower:
        report = import_paths(store, [data])
    assert follower.ok
    searcher = Searcher(settings, store)
    assert searcher.sync_lexical() == 0  # nothing left to catch up
    assert follower.indexed >= report.stats.added == 6000
    assert searcher.lexical.num_docs() == 6000  # each paper once, no duplicates
    hits = searcher.search("topic3", mode="lexical", limit=5).hits
    assert hits and all("topic3" in h.title for h in hits)


def test_follower_exits_when_its_importer_is_killed(settings, tmp_path):
    script = (
        "import sys, time\n"
        "from paperradar.config import Settings\n"
        "from paperradar.search.follow import LexicalFollower\n"
        f"s = Settings(data_dir={str(settings.data_dir)!r}, env='test')\n"
        "f = LexicalFollower(s).__enter__()\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    children = psutil.Process(proc.pid).children()
    assert children, "the follower process was not started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs(children, timeout=20)
    assert not alive, "the follower outlived its killed importer"
