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
