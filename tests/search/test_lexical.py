"""Full-text search against a real tantivy index over a real SQLite store."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from paperradar.models import Paper, Record
from paperradar.search import Searcher
from paperradar.search.lexical import LexicalIndex

from .conftest import arxiv_records


def ids(page):
    return [h.id for h in page.hits]


def test_field_weights_title_over_abstract_over_authors(hand_searcher):
    # "zebrafish" is in 00001's title, 00002's abstract and 00003's author list
    page = hand_searcher.search("zebrafish", mode="lexical")
    assert ids(page) == ["2401.00001", "2401.00002", "2401.00003"]
    assert page.hits[0].score > page.hits[1].score > page.hits[2].score


def test_stemming_and_snippet_highlight(hand_searcher):
    page = hand_searcher.search("regenerating", mode="lexical")
    assert set(ids(page)) == {"2401.00001", "2401.00002"}
    hit = next(h for h in page.hits if h.id == "2401.00002")
    assert "<mark>regeneration</mark>" in hit.snippet_html


def test_snippets_are_escaped(settings, store):
    store.upsert_records([Record(Paper(id="x:1", title="<script>alert(1)</script> tokens",
                                       abstract='tokens & <img src=x onerror="y">'))])
    s = Searcher(settings, store)
    s.sync_lexical()
    hit = s.search("tokens", mode="lexical").hits[0]
    assert "<script>" not in hit.title_html and "<img" not in hit.snippet_html
    assert "&lt;img" in hit.snippet_html and "<mark>tokens</mark>" in hit.snippet_html


def test_phrase_requires_adjacency(hand_searcher):
    page = hand_searcher.search('"large language models"', mode="lexical")
    assert ids(page) == ["2201.00006"]
    loose = hand_searcher.search("large language models", mode="lexical")
    assert set(ids(loose)) >= {"2201.00006", "2201.00007"}


def test_filters_inside_search(hand_searcher):
    s = hand_searcher
    assert ids(s.search("fins cat:physics.optics", mode="lexical")) == ["2401.00003"]
    assert set(ids(s.search("cat:cs", mode="lexical"))) == {"2301.00004", "2301.00005",
                                                           "2201.00006", "2201.00007"}
    assert ids(s.search('author:"geoffrey hinton"', mode="lexical")) == ["2301.00004"]
    assert set(ids(s.search("author:geoffrey", mode="lexical"))) == {"2301.00004", "2301.00005"}
    assert set(ids(s.search("has:code", mode="lexical"))) == {"2401.00002", "2301.00004",
                                                             "2201.00006"}
    assert ids(s.search("fins since:2024-02 until:2024-02", mode="lexical")) == ["2401.00002"]
    assert set(ids(s.search("models 2022..2022", mode="lexical"))) == {"2201.00006", "2201.00007"}
    assert ids(s.search("zebrafish", mode="lexical", category="q-bio.CB", has_code=True)) \
        == ["2401.00002"]
    assert ids(s.search("fins -microscopy", mode="lexical")) == ["2401.00002", "2401.00001"] \
        or set(ids(s.search("fins -microscopy", mode="lexical"))) == {"2401.00001", "2401.00002"}


def test_filter_only_query_lists_newest_first(hand_searcher):
    page = hand_searcher.search("cat:q-bio.CB", mode="lexical")
    assert ids(page) == ["2401.00002", "2401.00001"]


def test_sort_by_date_and_upvotes(hand_searcher):
    by_date = hand_searcher.search("fins zebrafish", mode="lexical", sort="date")
    assert ids(by_date) == ["2401.00003", "2401.00002", "2401.00001"]
    by_votes = hand_searcher.search("fins zebrafish", mode="lexical", sort="upvotes")
    assert ids(by_votes) == ["2401.00002", "2401.00003", "2401.00001"]
    assert [h.upvotes for h in by_votes.hits] == [40, 12, 3]


def test_pagination_is_consistent(arxiv_searcher):
    full = ids(arxiv_searcher.search("learning", mode="lexical", limit=30))
    pages = []
    for off in range(0, 30, 7):
        pages += ids(arxiv_searcher.search("learning", mode="lexical", limit=7, offset=off))
    assert pages[:30] == full and len(set(full)) == 30
    assert arxiv_searcher.search("learning", mode="lexical").total > 30


def test_unusable_queries_give_messages(hand_searcher):
    for q in ["", "   ", "the of and", "since:2030"]:
        page = hand_searcher.search(q, mode="lexical")
        assert page.hits == [] and page.message
    page = hand_searcher.search("fins", mode="nonsense", sort="weird", limit="x", offset=-5)
    assert page.hits and "unknown mode" in page.message


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(max_size=200))
def test_any_string_searches_without_error(hand_searcher, raw):
    page = hand_searcher.search(raw, mode="lexical")
    assert page.hits or page.message


def test_sync_is_incremental_and_replay_is_idempotent(settings, store):
    recs = arxiv_records(60)
    store.upsert_records(recs[:40])
    s = Searcher(settings, store)
    assert s.sync_lexical() == 40
    assert s.sync_lexical() == 0
    store.upsert_records(recs[40:])
    assert s.sync_lexical() == 20
    # an update re-indexes the paper (old document deleted first)
    changed = recs[0].paper
    changed.title, changed.version = "Quasicrystalline hovercraft", 2  # a newer version
    store.upsert_records([Record(changed)])
    assert s.sync_lexical() == 1
    assert ids(s.search("hovercraft", mode="lexical")) == [changed.id]
    assert s.lexical.num_docs() == 60
    # a crash after the tantivy commit but before the watermark write: replay from 0
    lex = LexicalIndex(settings.index_dir)
    lex._write_meta(lex.path, 0)
    assert LexicalIndex(settings.index_dir).sync(store) == 60
    assert LexicalIndex(settings.index_dir).num_docs() == 60


def test_rebuild_equals_incremental(settings, store):
    recs = arxiv_records(80)
    s = Searcher(settings, store)
    for i in range(0, 80, 25):
        store.upsert_records(recs[i:i + 25])
        s.sync_lexical()
    queries = ["neural networks", "quantum", "graph learning cat:cs.LG", "robot since:2026-03-02"]
    before = [[(h.id, round(h.score, 4)) for h in s.search(q, mode="lexical", limit=50).hits]
              for q in queries]
    s.lexical.rebuild(store)
    after = [[(h.id, round(h.score, 4)) for h in s.search(q, mode="lexical", limit=50).hits]
             for q in queries]
    assert before == after and any(before)


def test_lost_or_foreign_index_is_rebuilt(settings, store):
    store.upsert_records(arxiv_records(30))
    s = Searcher(settings, store)
    s.sync_lexical()
    # lose the index: a rename is atomic (an rmtree could race tantivy's own file cleanup)
    lost = s.lexical.path.with_name("lexical.lost")
    s.lexical.path.rename(lost)
    shutil.rmtree(lost, ignore_errors=True)
    assert s.sync_lexical() == 30
    (s.lexical.path / "paperradar.json").write_text("garbage")
    assert s.sync_lexical() == 30 and s.lexical.num_docs() == 30


def test_highlight_matches_by_analysed_form_and_escapes(tmp_path):
    """The snippet highlighter marks every surface form whose analysed form is a query term
    (plural, -ing, accents, leading underscores), escapes the rest, and keeps the best window."""
    from paperradar.search.lexical import LexicalIndex
    from paperradar.search.snippets import highlight

    lex = LexicalIndex(tmp_path)
    terms = {t for w in ("die", "model", "uber", "val") for t in lex.analyze(w)}
    text = "Dying <b>models</b> & Über-modeling, _val set; unrelated words " * 3
    out = highlight(text, terms, lex.analyze_word, max_words=10_000)
    for word in ("Dying", "models", "Über", "_val"):
        assert f"<mark>{word}</mark>" in out, word
    assert "&lt;b&gt;" in out and "&amp;" in out and "<b>" not in out
    assert "<mark>unrelated</mark>" not in out
    long = "filler " * 200 + "a model here " + "filler " * 200
    window = highlight(long, terms, lex.analyze_word, max_words=40)
    assert "<mark>model</mark>" in window and window.startswith("… ") and window.endswith(" …")


def test_snippets_can_be_skipped(hand_searcher):
    """APIs whose answers carry no snippet skip the highlighting; ranking is unchanged."""
    with_snippets = hand_searcher.search("regeneration", mode="lexical")
    without = hand_searcher.search("regeneration", mode="lexical", snippets=False)
    assert [h.id for h in without.hits] == [h.id for h in with_snippets.hits] != []
    assert any("<mark>" in h.snippet_html + h.title_html for h in with_snippets.hits)
    assert all(h.snippet_html == "" and "<mark>" not in h.title_html for h in without.hits)


def test_hits_with_cards_carry_their_list_facts(hand_searcher, store):
    """``cards=True`` (what the web asks for) gives the same hits, each with its card, read
    in the same store call as its paper; without it the hits carry none."""
    plain = hand_searcher.search("zebrafish fins", mode="lexical")
    carded = hand_searcher.search("zebrafish fins", mode="lexical", cards=True)
    ids = [h.id for h in plain.hits]
    assert len(ids) == 3 and [h.id for h in carded.hits] == ids
    cards = store.paper_cards(ids)
    for p, c in zip(plain.hits, carded.hits):
        assert p.card is None and c.card == cards[c.id]
        assert c.paper == p.paper == cards[c.id].paper and c.upvotes == p.upvotes
    assert sorted(c.card.entry.upvotes for c in carded.hits) == [3, 12, 40]  # one entry each
    assert all(c.card.entry.upvotes == c.upvotes for c in carded.hits)
