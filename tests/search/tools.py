"""Helpers shared by search tests (and the multi-node tests): a tiny static embedder and a
test client of the app that searches without warm-up or rate limits."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from paperradar.search.embed import bundled_model_dir
from paperradar.web.app import create_app


def write_static_model(root: Path, seed: int = 0) -> Path:
    """A distilled static embedder of random 16-d token vectors with the real tokenizer, in
    ``root/static``: loads in milliseconds in every process, unlike MiniLM."""
    d = root / "static"
    d.mkdir()
    rng = np.random.default_rng(seed)
    np.save(d / "vectors.npy", rng.standard_normal((30522, 16)).astype(np.float16))
    np.save(d / "idf.npy", np.ones(30522, np.float32))
    np.save(d / "center.npy", np.zeros(16, np.float32))
    shutil.copy(bundled_model_dir() / "tokenizer.json", d / "tokenizer.json")
    return d


def search_client(settings) -> TestClient:
    """A TestClient (use it as a context manager) of the app on ``settings``."""
    return TestClient(create_app(settings.model_copy(update={
        "base_url": "http://testserver", "rate_limits_enabled": False, "search_warmup": False})))
