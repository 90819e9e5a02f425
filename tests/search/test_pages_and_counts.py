"""Honest counts and pagination (issue 14, issue 10 item 9): disjoint stable pages whose
sizes add up to ``total`` in every mode and sort, deep pages refused clearly, and a paper
without a vector not losing to semantic-only hits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paperradar.config import Settings
from paperradar.store import open_store

from paperradar.models import Paper, Record
from paperradar.search import Searcher
from paperradar.search.ranking import MAX_OFFSET

from .conftest import arxiv_records


@pytest.fixture(scope="module")
def built_dir(tmp_path_factory, embedder) -> Path:
    """150 real papers, embedded once for the module (embedding is the slow part)."""
    data = tmp_path_factory.mktemp("pages") / "data"
    settings = Settings(data_dir=data, env="test")
    store = open_store(settings.resolved_database_url)
    try:
        store.upsert_records(arxiv_records(150))
        Searcher(settings, store, embedder=embedder).build()
    finally:
        store.close()
    return data


@pytest.fixture
def built(built_dir, tmp_path, embedder):
    """A private copy of the built library (tests may add papers to it)."""
    data = tmp_path / "data"
    shutil.copytree(built_dir, data)
    settings = Settings(data_dir=data, env="test")
    store = open_store(settings.resolved_database_url)
    yield Searcher(settings, store, embedder=embedder)
    store.close()


def walk(s: Searcher, q: str, **kw) -> tuple[list[str], set[tuple[int, bool]]]:
    seen, totals, offset = [], set(), 0
    while True:
        page = s.search(q, limit=7, offset=offset, **kw)
        totals.add((page.total, page.total_exact))
        if not page.hits:
            return seen, totals
        seen += [h.id for h in page.hits]
        offset += 7


@pytest.mark.parametrize("kw", [dict(mode="hybrid"), dict(mode="lexical"), dict(mode="semantic"),
                                dict(mode="hybrid", sort="date"), dict(mode="lexical", sort="upvotes"),
                                dict(mode="hybrid", category="cs")])
def test_pages_are_disjoint_stable_and_add_up_to_the_total(built, kw):
    for q in ("language model", "image segmentation", "learning"):
        seen, totals = walk(built, q, **kw)
        assert len(seen) == len(set(seen)), (q, kw)  # disjoint
        assert len(totals) == 1, (q, kw)  # one total on every page
        total, exact = totals.pop()
        if exact:
            assert total == len(seen), (q, kw)  # and it is what the pages hold
        else:  # "about": an upper bound, off by fewer than the fused head's depth
            assert len(seen) <= total < len(seen) + built.fusion.depth, (q, kw)
        assert walk(built, q, **kw)[0] == seen  # stable


def test_semantic_tail_is_cut_so_counts_are_not_the_whole_corpus(built):
    page = built.search("quantum error correction", mode="hybrid")
    lexical = built.search("quantum error correction", mode="lexical")
    assert page.total < 150 and page.total >= lexical.total
    assert built.search("quantum error correction", mode="semantic").total < 150


def test_deep_pages_are_refused_clearly_with_the_same_total(built):
    first = built.search("learning", mode="lexical")
    deep = built.search("learning", mode="lexical", offset=MAX_OFFSET + 1)
    assert deep.hits == [] and deep.total == first.total
    assert "cannot be paged" in deep.message
    huge = built.search("learning", offset=10**30)
    assert huge.hits == [] and "cannot be paged" in huge.message


def test_a_paper_without_a_vector_is_not_outranked_by_semantic_only_hits(built):
    built.store.upsert_records([Record(Paper(
        id="jsonl:entmax", title="Sparse sequence-to-sequence models with α-entmax",
        abstract="We propose entmax, a sparse alternative to softmax for attention."))])
    built.sync_lexical()  # indexed for words, not embedded
    page = built.search("entmax", mode="hybrid")
    assert page.hits[0].id == "jsonl:entmax"
    assert "no embedding yet" in page.message


def test_hybrid_runs_its_keyword_list_beside_the_vector_search(built, monkeypatch):
    """The keyword list of a hybrid search runs on a worker thread while the query is
    embedded; the page is the one a sequential run gives (the fusion of the same lists)."""
    import threading

    from paperradar.search import hybrid, ranking

    threads, real = [], built.lexical.search

    def search(q, limit, *a, **kw):
        threads.append(threading.current_thread().name)
        return real(q, limit, *a, **kw)

    monkeypatch.setattr(built.lexical, "search", search)
    page = built.search("graph neural networks", mode="hybrid", limit=10)
    assert threads and all(t.startswith("keywords") for t in threads)
    from paperradar.search.query import parse_query

    q = parse_query("graph neural networks")
    lex = real(q, built.fusion.depth)
    sem, _ = built._semantic(q, built.fusion.depth)
    head = hybrid.fused_head(list(zip(lex.ids, lex.scores)), sem, built.fusion,
                             min_similarity=ranking.SEMANTIC_MIN, keep=ranking.KEEP_TOP)
    assert [h.id for h in page.hits] == [pid for pid, _ in head][:10]


def test_hybrid_without_vectors_pages_like_the_keyword_ranking(settings, store):
    """No vectors at all: a hybrid search is the keyword ranking, on the first page (from the
    keyword list run beside the vector lookup) and on a page past the fusion's depth (a
    deeper keyword query), with the same total, and says why."""
    store.upsert_records([Record(Paper(
        id=f"g:{i:03d}", title=f"Graph study number {i}",
        abstract=" ".join(["A graph."] * (1 + i % 7) + ["Other words."] * (i % 5))))
        for i in range(130)])
    s = Searcher(settings, store)
    s.build(embed=False)
    for offset in (0, s.fusion.depth + 5):
        lexical = s.search("graph", mode="lexical", limit=10, offset=offset)
        hybrid = s.search("graph", mode="hybrid", limit=10, offset=offset)
        assert lexical.hits, offset
        assert [h.id for h in hybrid.hits] == [h.id for h in lexical.hits], offset
        assert hybrid.total == lexical.total > s.fusion.depth + 15
        assert "not built" in hybrid.message
