"""Two real ``paperradar serve`` processes on one database (each with its own data dir):
a paper imported by a third process becomes searchable on both within 10 s, found the same
way (lexical, hybrid, by DOI, spelling), and one query ranks the same on both nodes. The
nodes embed queries with the real bundled MiniLM and read the papers' embeddings, computed
once by the importer, from the database; a query sharing no word with a paper finds it.
On SQLite the index lives beside the database file, so both nodes follow into one index
directory (the lexical write lock keeps them one writer at a time)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from paperradar.config import Settings
from paperradar.search.onnx import graph_path


FIXTURE = Path(__file__).parent.parent / "fixtures" / "search" / "arxiv_150.jsonl"
FOLLOW_S = 0.5
DEADLINE_S = 10.0
NEW = {"id": "2612.09999", "title": "Quokkanet: marsupial gait transformers for robotics",
       "abstract": "We learn quokka locomotion with transformers and deploy it on legged robots.",
       "authors": ["Ada Quokka"], "categories": ["cs.RO"], "first_listing_date": "2026-12-01",
       "doi": "10.5555/Quokka.2026"}
TWIN = {"id": "2612.09998", "title": "Quokkanet revisited", "abstract": "Hopping, again.",
        "authors": ["Ben Wallaby"], "categories": ["cs.RO"], "first_listing_date": "2026-12-01"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(base: dict, data_dir: Path) -> dict:
    return {**base, "PAPERRADAR_DATA_DIR": str(data_dir)}


def _cli(env: dict, *args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "paperradar", *args], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def _search(port: int, q: str, mode: str = "lexical") -> dict:
    r = httpx.get(f"http://127.0.0.1:{port}/api/v1/search",
                  params={"q": q, "mode": mode, "per_page": 20}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def _ids(answer: dict) -> list[str]:
    return [item["id"] for item in answer["items"]]


@pytest.fixture(scope="module")
def onnx_graph(tmp_path_factory) -> Path:
    """The bundled MiniLM exported once for the module; each node starts with a copy in its
    own cache, as a node that served before has (exporting costs seconds per process)."""
    from paperradar.search.embed import bundled_model_dir
    from paperradar.search.onnx import export

    return export(bundled_model_dir(), tmp_path_factory.mktemp("onnx") / "minilm.onnx")


@pytest.fixture
def nodes(settings, tmp_path, onnx_graph):
    """Two serving nodes on the test's database; yields (base env, [port, port])."""
    base = {**os.environ, "PAPERRADAR_ENV": "test", "PAPERRADAR_HTTP_MIN_INTERVAL": "0",
            "PAPERRADAR_DATABASE_URL": settings.resolved_database_url,
            "PAPERRADAR_INDEX_FOLLOW_SECONDS": str(FOLLOW_S)}
    (tmp_path / "data").mkdir(exist_ok=True)  # the SQLite file's directory
    ports, procs = [_free_port(), _free_port()], []
    for name in [f"node{i}" for i in range(len(ports))] + ["importer"]:
        cache = graph_path(Settings(data_dir=tmp_path / name,
                                    database_url=settings.resolved_database_url))
        cache.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(onnx_graph, cache)
    logs = [tmp_path / f"node{i}.log" for i in range(len(ports))]
    try:
        for i, port in enumerate(ports):
            with open(logs[i], "w") as log:  # a file, not a pipe nobody drains
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "paperradar", "serve", "--port", str(port)],
                    env=_env(base, tmp_path / f"node{i}"), stdout=log, stderr=subprocess.STDOUT))
        for proc, port, log in zip(procs, ports, logs):
            end = time.monotonic() + 30
            while True:
                assert proc.poll() is None, log.read_text()
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < end, "node did not start"
                time.sleep(0.1)
        yield base, ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for proc, log in zip(procs, logs):  # a clean shutdown: the follower stopped with the app
            assert proc.returncode in (0, -15), log.read_text()
            assert "Traceback" not in log.read_text(), log.read_text()


def test_paper_imported_elsewhere_is_found_on_both_nodes(nodes, tmp_path):
    base, ports = nodes
    importer = {**_env(base, tmp_path / "importer"),  # the same vectors as torch, faster
                "PAPERRADAR_EMBED_MODEL": "onnx:all-MiniLM-L6-v2"}
    seed = tmp_path / "seed.jsonl"
    seed.write_text("".join(FIXTURE.read_text().splitlines(keepends=True)[:40]))
    _cli(importer, "import", str(seed), "--no-index")
    fresh = tmp_path / "new.jsonl"
    fresh.write_text(json.dumps(NEW) + "\n" + json.dumps(TWIN) + "\n")  # a title word twice
    _cli(importer, "import", str(fresh), "--no-index")  # only the nodes' followers index
    imported = time.monotonic()

    took = {}
    while len(took) < len(ports):
        for port in ports:
            if port not in took and NEW["id"] in _ids(_search(port, "quokka locomotion")):
                took[port] = time.monotonic() - imported
        assert time.monotonic() - imported < DEADLINE_S, f"not found on every node: {took}"
        time.sleep(0.05)
    print("\nsearchable after import: " + ", ".join(f"node {i + 1} {took[p]:.2f} s"
                                                   for i, p in enumerate(ports)))
    assert max(took.values()) < DEADLINE_S

    _cli(importer, "index")  # embeddings computed once, stored in the database

    # each node's follower loads the new vectors on its next pass: poll, as for the import
    indexed, end = time.monotonic(), time.monotonic() + DEADLINE_S
    while True:
        meaning = [_ids(_search(p, "how kangaroo-like animals hop", "semantic")) for p in ports]
        if meaning[0] == meaning[1] and NEW["id"] in meaning[0][:3]:
            break
        assert time.monotonic() < end, f"the new vectors did not reach both nodes: {meaning}"
        time.sleep(0.05)
    print(f"semantic neighbours on both nodes {time.monotonic() - indexed:.2f} s after indexing")
    for q in ("neural networks for images", "learning", "robots transformers"):
        for mode in ("lexical", "hybrid"):
            a, b = (_search(p, q, mode) for p in ports)
            assert _ids(a) and _ids(a) == _ids(b), (q, mode)
            assert a["total"] == b["total"]
    hybrid = _search(ports[0], "quokka locomotion", "hybrid")
    assert hybrid["info"]["message"] is None or "semantic" not in hybrid["info"]["message"]
    for port in ports:  # the DOI lookup and the spelling vocabulary follow with the index
        assert _ids(_search(port, "doi:10.5555/quokka.2026"))[:1] == [NEW["id"]]
        assert _search(port, "quokkanett")["info"]["suggestion"] == "quokkanet"
