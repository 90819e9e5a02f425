"""Keyword scoring that holds when records lack an abstract (issue 14): title and abstract
share one length-normalised field, so a title-only record is not outranked for lacking one."""

from __future__ import annotations

from paperradar.models import Paper, Record
from paperradar.search import Searcher

FILLER = ("We report experiments on several benchmarks and compare with prior work in detail. "
          "Results are discussed at length with ablations and further analysis. ") * 3


def test_title_only_record_not_outranked_by_a_weaker_match_in_both_fields(settings, store):
    store.upsert_records([
        Record(Paper(id="t:1", title="Sparse attention for long documents", abstract="")),
        Record(Paper(id="t:2", title="Attention mechanisms revisited",
                     abstract=FILLER + "One section mentions sparse patterns of attention. " + FILLER)),
    ])
    s = Searcher(settings, store)
    s.sync_lexical()
    page = s.search("sparse attention long documents", mode="lexical")
    assert [h.id for h in page.hits] == ["t:1", "t:2"]
    page = s.search("sparse attention", mode="lexical")
    assert page.hits[0].id == "t:1"


def test_fast_snippets_mark_the_same_words_as_the_general_path(tmp_path):
    """The ASCII fast path (prefix regex, window-only escaping) against the general path
    that analyses every word, on real abstracts; plus escaping and the y -> i stems."""
    import json
    import re
    from pathlib import Path

    from paperradar.search.lexical import LexicalIndex
    from paperradar.search.snippets import _highlight_general, highlight

    lx = LexicalIndex(tmp_path)
    fixture = Path(__file__).parent.parent / "fixtures" / "search" / "arxiv_150.jsonl"
    rows = [json.loads(line) for line in open(fixture, encoding="utf-8")]
    for q in ("language models reasoning", "image segmentation", "studies of happy graphs",
              "quantum error correction"):
        terms = {t for w in q.split() for t in lx.analyze(w)}
        for r in rows:
            text = " ".join(r["abstract"].split())
            fast = highlight(text, terms, lx.analyze_word, 10**6)
            slow = _highlight_general(text, terms, lx.analyze_word, 10**6)
            assert re.findall("<mark>(.*?)</mark>", fast) == re.findall("<mark>(.*?)</mark>", slow)
            assert highlight(text, terms, lx.analyze_word).count(" ") <= 45  # a window
    out = highlight('Studies of <b>happy</b> models & more', {"studi", "happi", "model"},
                    lx.analyze_word)
    assert out == ("<mark>Studies</mark> of &lt;b&gt;<mark>happy</mark>&lt;/b&gt; "
                   "<mark>models</mark> &amp; more")
