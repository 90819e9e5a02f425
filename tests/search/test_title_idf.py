"""The title boost scores a title match with the paper-level IDF, as BM25F does (issue 14):
words that fill abstracts but few titles ("model", "process", "reward") no longer make a
paper whose title holds several of them outrank, for a long description, the paper whose
abstract it describes; a short query still finds the title first."""

from __future__ import annotations

from paperradar.models import Paper, Record
from paperradar.search import Searcher

LONG_QUERY = ("An enhanced multimodal language model incorporates thinking process rewards to improve "
              "reasoning and generalization, achieving superior performance on benchmarks compared "
              "to larger models.")


def papers() -> list[Paper]:
    filler = [Paper(id=f"f:{i}", title=f"Cooking study {i} of weather",
                    abstract="A language model learns a reward process; reasoning on a benchmark.")
              for i in range(30)]
    title = Paper(id="t:title", title="Process reward models for reasoning benchmarks",
                  abstract="A suite of tasks for evaluation.")
    body = Paper(id="t:body", title="SophiaVL", abstract=(
        "We train a multimodal language model with thinking rewards; it improves generalization. "
        "Our training recipe uses curated data, careful filtering, staged schedules and "
        "ablations over many settings and seeds."))
    return filler + [title, body]


def test_idf_ratio_is_the_paper_level_idf_over_the_title_idf(settings, store):
    store.upsert_records([Record(p) for p in papers()])
    s = Searcher(settings, store)
    s.sync_lexical()
    searcher = s.lexical.index().searcher()
    model = s.lexical.analyze("models")[0]
    assert s.lexical.idf_ratio(searcher, model) < 0.5  # in 32 abstracts, 1 title
    sophia = s.lexical.analyze("SophiaVL")[0]
    assert s.lexical.idf_ratio(searcher, sophia) == 1.0  # one paper, and its title
    assert s.lexical.idf_ratio(searcher, "absentword") == 1.0


def test_long_query_ranks_the_abstract_match_above_a_few_generic_title_words(settings, store):
    store.upsert_records([Record(p) for p in papers()])
    s = Searcher(settings, store)
    s.sync_lexical()
    assert s.search(LONG_QUERY, mode="lexical").hits[0].id == "t:body"
    assert s.search("process reward benchmarks", mode="lexical").hits[0].id == "t:title"
    s.lexical.weights["title_idf"] = False  # the title field's own IDF, as before: it loses
    assert s.search(LONG_QUERY, mode="lexical").hits[0].id == "t:title"
