"""What users type (issue 14): arXiv ids, URLs and DOIs find that paper first; named papers
not in the library are offered for fetching; spelling suggestions come from the index's own
vocabulary; a quoted phrase that nothing has falls back to its words, and says so."""

from __future__ import annotations

import pytest

from paperradar.models import Paper, Record
from paperradar.search import Searcher
from paperradar.search.known import find_identifiers, normal_doi

from .conftest import arxiv_records


@pytest.fixture
def library(settings, store) -> Searcher:
    recs = arxiv_records(60)
    recs.append(Record(Paper(id="jsonl:doi-paper", title="A paper known by its DOI",
                             abstract="Nothing else to say.", doi="10.1234/ABC.5")))
    store.upsert_records(recs)
    s = Searcher(settings, store)
    s.sync_lexical()
    return s


def test_ids_urls_and_dois_find_that_paper_only(library):
    pid = arxiv_records(60)[17].paper.id
    for q in (pid, f"arXiv:{pid}v2", f"https://arxiv.org/abs/{pid}", f"arxiv.org/pdf/{pid}.pdf",
              f"10.48550/arXiv.{pid}", f"https://doi.org/10.48550/arXiv.{pid}"):
        page = library.search(q, mode="lexical")
        assert [h.id for h in page.hits] == [pid] and page.total == 1, q
    for q in ("doi:10.1234/abc.5", "https://doi.org/10.1234/ABC.5", "10.1234/ABC.5"):
        page = library.search(q)
        assert [h.id for h in page.hits] == ["jsonl:doi-paper"], q


def test_an_id_with_words_comes_first_then_the_words(library):
    recs = arxiv_records(60)
    pid = recs[3].paper.id
    page = library.search(f"{pid} learning", mode="lexical")
    assert page.hits[0].id == pid and len(page.hits) > 1
    assert len({h.id for h in page.hits}) == len(page.hits)


def test_a_paper_not_in_the_library_is_offered_for_fetching(library):
    page = library.search("2599.00001")
    assert page.hits == [] and page.fetchable == ["2599.00001"]
    assert "Not in this library: 2599.00001" in page.message and "submitting" in page.message
    page = library.search("10.9999/nowhere")
    assert page.hits == [] and page.fetchable == [] and "10.9999/nowhere" in page.message


def test_identifier_parsing():
    found = find_identifiers('2401.01234v3 "phrase words" cat:cs.LG doi:10.1000/X hep-th/9901001')
    assert found.arxiv_ids == ["2401.01234", "hep-th/9901001"] and found.dois == ["10.1000/x"]
    assert found.rest == '"phrase words" cat:cs.LG'
    assert normal_doi("diffusion") is None and find_identifiers("2024 models").any is False


def spelling_library(settings, store) -> Searcher:
    titles = ["Diffusion models for video", "Latent diffusion models", "Diffusion models beat GANs",
              "Modules for graph learning", "Score models and diffusion", "Video diffusion models"]
    store.upsert_records([Record(Paper(id=f"sp:{i}", title=t, abstract="We study them."))
                          for i, t in enumerate(titles)])
    s = Searcher(settings, store)
    s.sync_lexical()
    return s


def test_spelling_suggestion_from_the_index_vocabulary(settings, store):
    s = spelling_library(settings, store)
    page = s.search("difusion modles", mode="lexical")
    assert page.suggestion == "diffusion models"
    assert s.search("diffusion models", mode="lexical").suggestion is None
    assert s.search("Difusion video", mode="lexical").suggestion == "diffusion video"
    assert s.search("qwxzv", mode="lexical").suggestion is None  # nothing close: no guess


def test_quoted_phrase_nothing_has_falls_back_to_words(library):
    rec = arxiv_records(60)[5].paper
    words = [w for w in rec.title.split() if w.isalpha() and len(w) > 3][:2]
    phrase = f'"{words[1]} {words[0]}"'  # the title's words, in an order nothing has
    page = library.search(phrase, mode="lexical")
    assert page.hits and rec.id in [h.id for h in page.hits]
    assert "No paper has the exact phrase" in page.message
    exact = library.search(f'"{words[0]} {words[1]}"' if rec.title.find(f"{words[0]} {words[1]}") >= 0
                           else f'"{rec.title.split()[0]} {rec.title.split()[1]}"', mode="lexical")
    assert exact.hits and "exact phrase" not in (exact.message or "")
