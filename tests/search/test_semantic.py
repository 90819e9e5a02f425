"""Embeddings, vectors, hybrid fusion and similar papers, with the real MiniLM model."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from paperradar.models import Link, Record
from paperradar.search import Searcher
from paperradar.search.build import embed_new
from paperradar.search.embed import EmbedderError, bundled_model_dir, load_embedder
from paperradar.search.vectors import decode

from .conftest import arxiv_records


@pytest.fixture
def built(settings, store, embedder) -> Searcher:
    store.upsert_records(arxiv_records(40))
    s = Searcher(settings, store, embedder=embedder)
    out = s.build()
    assert out["embedded"] == 40 and out["lexical_indexed"] == 40
    return s


def test_embedder_contract(embedder):
    v = embedder.embed(["graph neural networks", "protein folding"])
    assert v.dtype == np.float32 and v.shape == (2, embedder.dim)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)


def test_incremental_embedding_only_reembeds_changed(built, store):
    again = built.build()
    assert again["embedded"] == 0 and again["lexical_indexed"] == 0
    recs = arxiv_records(42)
    changed = recs[0].paper
    changed.version, changed.abstract = 2, "A completely rewritten abstract about sea turtles."
    link_only = recs[1].paper
    link_only.links = [Link("https://github.com/a/b", "code")]  # new seq, same text
    store.upsert_records([Record(changed), Record(link_only), recs[40], recs[41]])
    out = built.build()
    assert out["lexical_indexed"] == 4
    assert out["embedded"] == 3 and out["embed_unchanged"] == 1
    assert store.embedding_count(built.model_name()) == 42
    top = built.search("sea turtles", mode="semantic", limit=1).hits[0]
    assert top.id == changed.id


def test_semantic_finds_paraphrase_and_hybrid_fuses(built):
    target = arxiv_records(40)[7].paper
    page = built.search(target.title.lower(), mode="semantic", limit=3)
    assert page.hits[0].id == target.id
    hybrid = built.search(target.title, mode="hybrid", limit=5)
    assert hybrid.hits[0].id == target.id and hybrid.message is None


def test_filters_apply_inside_semantic_and_hybrid(built):
    for mode in ("semantic", "hybrid"):
        page = built.search("learning cat:cs.CV", mode=mode, limit=20)
        assert page.hits
        assert all(any(c.lower().startswith("cs.cv") for c in h.paper.categories)
                   for h in page.hits)
        dated = built.search("models since:2026-03-02", mode=mode, limit=20)
        assert all(h.paper.published >= "2026-03-02" for h in dated.hits)


def test_pagination_hybrid(built):
    full = [h.id for h in built.search("learning", limit=20).hits]
    paged = [h.id for off in (0, 10) for h in built.search("learning", limit=10, offset=off).hits]
    assert paged == full


def test_similar_excludes_itself(built):
    pid = arxiv_records(40)[3].paper.id
    sims = built.similar(pid, limit=5)
    assert len(sims) == 5 and pid not in [h.id for h in sims]
    assert sims == sorted(sims, key=lambda h: -h.score)
    assert built.similar("no-such-paper") == []


def test_similar_falls_back_to_lexical_without_vectors(hand_searcher):
    sims = hand_searcher.similar("2401.00001", limit=3)
    assert sims and "2401.00001" not in [h.id for h in sims]


def test_semantic_without_vectors_explains(hand_searcher):
    page = hand_searcher.search("zebrafish", mode="semantic")
    assert page.hits and "not built" in page.message


def test_hnsw_index_and_delta(built, store, embedder):
    model = built.model_name()
    q = embedder.embed(["robot manipulation policies"])[0]
    exact = [pid for pid, _ in built.vectors().search(model, q, 5)]
    info = built.vectors().sync(model, ann_min=10)
    assert info["vector_index"] == "hnsw" and built.vectors().ann_path(model).exists()
    ann = [pid for pid, _ in built.vectors().search(model, q, 5)]
    assert len(set(exact) & set(ann)) >= 4
    # new embeddings are searchable before the HNSW file is extended (exact delta)
    new = arxiv_records(45)[44]
    store.upsert_records([new])
    embed_new(store, embedder, max_tokens=built.settings.embed_max_tokens)
    built.vectors()._states.clear()
    v = embedder.embed([new.paper.title])[0]
    assert built.vectors().search(model, v, 1)[0][0] == new.paper.id
    # filtered search over the HNSW part uses the stored vectors of the allowed keys
    page = built.search("learning cat:cs.CV", mode="semantic", limit=5)
    assert page.hits and all(any(c.startswith("cs.CV") for c in h.paper.categories)
                             for h in page.hits)
    assert built.build()["added"] == 1


def test_checksum_mismatch_is_refused(tmp_path, settings):
    copy = tmp_path / "model"
    shutil.copytree(bundled_model_dir(), copy)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(EmbedderError, match="SHA-256"):
        load_embedder(settings, model_dir=copy)


def test_vector_rebuild_equals_incremental(built, store, embedder):
    model, vec = built.model_name(), built.vectors()
    vec.sync(model, ann_min=10)
    store.upsert_records(arxiv_records(46)[40:])
    embed_new(store, embedder, max_tokens=built.settings.embed_max_tokens)
    assert vec.sync(model, ann_min=10)["added"] == 6  # extends the HNSW file
    queries = embedder.embed(["image segmentation", "language model reasoning", "quantum"])
    incremental = [vec.search(model, q, 8) for q in queries]
    assert vec.sync(model, rebuild=True, ann_min=10)["vectors"] == 46
    rebuilt = [vec.search(model, q, 8) for q in queries]
    assert [[p for p, _ in r] for r in incremental] == [[p for p, _ in r] for r in rebuilt]


def test_any_string_in_every_mode(built):
    from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

    @hsettings(max_examples=40, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(raw=st.text(max_size=120), mode=st.sampled_from(["hybrid", "semantic", "lexical"]),
           sort=st.sampled_from(["relevance", "date", "upvotes"]))
    def check(raw, mode, sort):
        page = built.search(raw, mode=mode, sort=sort, limit=5)
        assert page.hits or page.message

    check()


def test_small_hnsw_search_is_exact(built, store, embedder):
    """HNSW may leave a node unreachable (usearch returned 45 of 46 here); when the
    candidates wanted cover the whole graph, search goes exact over every key."""
    model, vec = built.model_name(), built.vectors()
    vec.sync(model, rebuild=True, ann_min=10)
    stored = {store.ids_for_keys([e.key])[e.key]: e for e in store.iter_embeddings(model, 0)}
    assert len(stored) == vec.count(model) > 10
    rng = np.random.default_rng(7)
    for _ in range(20):
        q = rng.standard_normal(embedder.dim).astype(np.float32)
        q /= np.linalg.norm(q)
        exact = sorted(((pid, float(decode(e) @ q)) for pid, e in stored.items()),
                       key=lambda t: (-t[1], t[0]))[:8]
        assert [p for p, _ in vec.search(model, q, 8)] == [p for p, _ in exact]


def test_server_loads_the_model_before_the_first_search(built, settings):
    """At start-up the app loads the embedding model in the background (``search_warmup``),
    so the first visitor's search does not wait seconds for it; off, nothing is loaded."""
    from fastapi.testclient import TestClient

    from paperradar.web.app import create_app

    off = create_app(settings.model_copy(update={"search_warmup": False}))
    with TestClient(off):
        assert off.state.warmup is None and getattr(off.state, "searcher", None) is None
    app = create_app(settings.model_copy(update={"search_warmup": True}))
    with TestClient(app) as client:
        app.state.warmup.join(120)
        assert app.state.search_warm is True
        assert app.state.searcher._query_embedder is not None  # loaded before any request
        r = client.get("/api/v1/search", params={"q": "language model reasoning"})
        assert r.status_code == 200 and r.json()["items"], r.text
        assert not r.json()["info"].get("message")  # no "semantic unavailable" fallback


def test_warm_up_waits_for_the_first_vectors(settings, store, embedder, monkeypatch):
    """A node started before any paper is embedded (a new deployment; another process embeds
    later) loads the query model as soon as vectors exist, without waiting for a visitor;
    a node whose vectors never come stops looking when the app stops."""
    import time

    from fastapi.testclient import TestClient

    from paperradar.web import site
    from paperradar.web.app import create_app

    monkeypatch.setattr(site, "WARM_RETRY_S", 0.05)
    store.upsert_records(arxiv_records(20))
    on = settings.model_copy(update={"search_warmup": True})
    idle = create_app(on)
    with TestClient(idle):
        time.sleep(0.2)
        assert idle.state.warmup.is_alive()  # still looking: no vectors yet
    idle.state.warmup.join(5)
    assert not idle.state.warmup.is_alive()  # stopped with the app
    app = create_app(on)
    with TestClient(app):
        end = time.monotonic() + 30
        while getattr(app.state, "search_warm", None) is None:
            assert time.monotonic() < end
            time.sleep(0.02)
        assert app.state.search_warm is False and app.state.warmup.is_alive()
        Searcher(settings, store, embedder=embedder).build()  # "another process" embeds
        app.state.warmup.join(120)
        assert app.state.search_warm is True
        assert app.state.searcher._query_embedder is not None  # before any request


@pytest.mark.parametrize("n, breadth", [(1, 512), (100_000, 512), (256_000, 1024),
                                        (1_000_000, 2048), (1_000_001, 4096), (10**8, 4096)])
def test_hnsw_search_breadth_grows_with_the_corpus(n, breadth):
    """Measured (README): 512 keeps recall@10 >= 0.98 at 100k; 1M needs 2048 for 0.97."""
    from paperradar.search.vectors import search_breadth

    assert search_breadth(n) == breadth
