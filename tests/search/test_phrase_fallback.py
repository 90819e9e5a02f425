"""A quoted phrase that almost nothing contains (issue 14): fewer than PHRASE_FEW exact
matches while the words alone match PHRASE_RATIO times as many falls back to the words,
exact matches first, and the page and the API say so; a phrase with enough matches, or
whose words are as rare as it is, stays strict. A long query's title boost fades."""

from __future__ import annotations


from paperradar.models import Paper, Record
from paperradar.search import Searcher
from paperradar.search.ranking import PHRASE_FEW, PHRASE_RATIO
from tests.search.tools import search_client

EXACT = ["g:exact1", "g:exact2"]


def records() -> list[Record]:
    papers = [Paper(id=EXACT[0], title="Graph kernels for molecules", abstract="We compare them."),
              Paper(id=EXACT[1], title="Fast approximations", abstract="Graph kernels, fast.")]
    papers += [Paper(id=f"g:words{i}", title=f"Kernel methods on a graph, case {i}",
                     abstract="A graph and a kernel, never side by side.") for i in range(45)]
    papers += [Paper(id=f"n:{i}", title=f"A neural network for task {i}", abstract="Networks.")
               for i in range(PHRASE_FEW)]
    papers += [Paper(id=f"n:words{i}", title="Neural codes", abstract="A network of cells.")
               for i in range(30)]
    papers += [Paper(id="q:exact", title="The quantum sponge", abstract="A toy."),
               Paper(id="q:words", title="Sponge cities", abstract="Quantum of rain.")]
    return [Record(p) for p in papers]


def library(settings, store) -> Searcher:
    store.upsert_records(records())
    s = Searcher(settings, store)
    s.build(embed=False)
    return s


def test_almost_nothing_falls_back_exact_first_and_many_stays_strict(settings, store):
    s = library(settings, store)
    page = s.search('"graph kernels"', mode="lexical", limit=50)
    assert 45 >= PHRASE_RATIO * len(EXACT)  # the fixture is in the fallback regime
    assert sorted(h.id for h in page.hits[:2]) == EXACT  # exact matches first
    assert len(page.hits) == 47 and page.total == 47
    assert "Few papers contain the exact phrase \"graph kernels\" (2)" in page.message
    assert "the 2 exact matches first" in page.message
    strict = s.search('"neural network"', mode="lexical", limit=50)  # PHRASE_FEW matches
    assert sorted(h.id for h in strict.hits) == sorted(f"n:{i}" for i in range(PHRASE_FEW))
    assert "exact phrase" not in (strict.message or "")
    rare = s.search('"quantum sponge"', mode="lexical")  # the words are as rare: strict
    assert [h.id for h in rare.hits] == ["q:exact"] and "exact phrase" not in (rare.message or "")
    none = s.search('"kernels graph"', mode="lexical", limit=50)  # nothing has it
    assert len(none.hits) == 47 and "No paper has the exact phrase" in none.message


def test_page_and_api_say_few_papers_contain_the_phrase(settings, store):
    library(settings, store)
    with search_client(settings) as c:
        page = c.get("/search", params={"q": '"graph kernels"', "mode": "lexical"})
        assert page.status_code == 200
        assert "Few papers contain the exact phrase &#34;graph kernels&#34; (2)" in page.text \
            or "Few papers contain the exact phrase &quot;graph kernels&quot; (2)" in page.text
        api = c.get("/api/v1/search", params={"q": '"graph kernels"', "mode": "lexical",
                                              "per_page": 50}).json()
        assert sorted(i["id"] for i in api["items"][:2]) == EXACT and api["total"] == 47
        assert api["info"]["message"].startswith('Few papers contain the exact phrase "graph kernels"')
        strict = c.get("/api/v1/search", params={"q": '"neural network"', "mode": "lexical"}).json()
        assert strict["total"] == PHRASE_FEW and "exact phrase" not in (strict["info"]["message"] or "")
