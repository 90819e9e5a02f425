"""The distilled static embedder (loaded from a small hand-made directory) and the fusion
functions."""

from __future__ import annotations

import numpy as np
import pytest

from paperradar.config import Settings
from paperradar.search.embed import EmbedderError, load_embedder
from paperradar.search.hybrid import (DEFAULT_FUSION, STATIC_FUSION, SHORT_EMBEDDING_FUSION,
                                      FusionParams, convex, fuse, fusion_for, rrf)
from tests.search.tools import write_static_model


@pytest.fixture
def static_dir(tmp_path):
    return write_static_model(tmp_path)


def test_static_embedder_via_settings(static_dir):
    e = load_embedder(Settings(env="test", embed_model=f"static:{static_dir}"))
    v = e.embed(["graph neural networks", "graph neural networks", "", "protein folding"])
    assert v.shape == (4, 16) and v.dtype == np.float32
    assert np.allclose(v[0], v[1]) and np.allclose(np.linalg.norm(v[[0, 3]], axis=1), 1.0)
    assert not v[2].any()  # nothing to embed: a zero vector, not NaN
    assert fusion_for(Settings(env="test", embed_model=f"static:{static_dir}")) == STATIC_FUSION


def test_static_embedder_missing_dir(tmp_path):
    with pytest.raises(EmbedderError):
        load_embedder(Settings(env="test", embed_model=f"static:{tmp_path / 'none'}"))


def test_fusion_choice_by_settings():
    assert fusion_for(Settings(env="test")) == DEFAULT_FUSION
    assert fusion_for(Settings(env="test", embed_max_tokens=64)) == SHORT_EMBEDDING_FUSION


def test_rrf_and_convex():
    scores = rrf(["a", "b"], ["b", "c"], k=60)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert max(scores, key=scores.get) == "b"
    c = convex([("a", 10.0), ("b", 5.0)], [("b", 0.9), ("c", 0.1)], alpha=0.5)
    assert c == {"a": 0.5, "b": 0.5, "c": 0.0}
    ranked = fuse([("a", 3.0), ("b", 2.0)], [("b", 0.8), ("a", 0.1)],
                  FusionParams("convex", alpha=0.2))
    assert [pid for pid, _ in ranked] == ["b", "a"]
    with pytest.raises(ValueError):
        fuse([], [], FusionParams("nope"))


def test_vector_state_follows_new_embeddings_incrementally(settings, store):
    from paperradar.search.lexical import paper_key
    from paperradar.search.vectors import VectorIndex, encode
    from paperradar.store.base.search import StoredEmbedding

    from .conftest import hand_records

    store.upsert_records(hand_records())
    ids = [r.paper.id for r in hand_records()]
    basis = np.eye(8, dtype=np.float32)

    def put(pid, i):
        store.put_embeddings("m", [StoredEmbedding(pid, paper_key(pid), f"h{i}", 8, "f16",
                                                   encode(basis[i]))])

    for n, pid in enumerate(ids[:3]):
        put(pid, n)
    vec = VectorIndex(settings.index_dir, store)
    assert vec.search("m", basis[1], 1)[0][0] == ids[1]
    state = vec._state("m")
    put(ids[3], 5)  # a new paper
    put(ids[0], 6)  # a changed vector
    state.checked = 0.0  # as if the refresh interval had passed
    assert vec.search("m", basis[5], 1)[0][0] == ids[3]
    assert vec.search("m", basis[6], 1)[0][0] == ids[0]
    assert vec.search("m", basis[0], 1)[0][1] < 0.5  # the old vector is gone
    assert vec.count("m") == 4 and vec._state("m") is state
