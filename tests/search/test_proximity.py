"""Word proximity in keyword scoring (issue 14): neighbouring query words found next to each
other in a paper score as ordered pairs (the sequential dependence model's ordered window),
so a long description finds the paper that says it, not a companion paper whose title holds
several of its rarer words. The two papers are real (the HF known-item query that the title
boost alone put at rank 2), over 150 real arXiv papers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tantivy

from paperradar.models import Paper, Record
from paperradar.search import Searcher
from paperradar.search.lexical import LexicalIndex

FIXTURE = Path(__file__).parent.parent / "fixtures" / "search" / "arxiv_150.jsonl"
QUERY = ("Structured workflow prompts improve hierarchical reasoning in LLMs for scholarly "
         "manuscript analysis, but their effectiveness varies with the model, task type, and "
         "context.")
TARGET = Paper(id="hf:2506.13172", title=(
    "AI-Facilitated Analysis of Abstracts and Conclusions: Flagging Unsubstantiated Claims "
    "and Ambiguous Pronouns"), abstract=(
    'We present and evaluate a suite of proof-of-concept (PoC), structured workflow '
    'prompts designed to elicit human-like hierarchical reasoning while guiding Large '
    'Language Models (LLMs) in high-level semantic and linguistic analysis of scholarly '
    'manuscripts. The prompts target two non-trivial analytical tasks: identifying '
    'unsubstantiated claims in summaries (informational integrity) and flagging ambiguous'
    ' pronoun references (linguistic clarity). We conducted a systematic, multi-run '
    'evaluation on two frontier models (Gemini Pro 2.5 Pro and ChatGPT Plus o3) under '
    'varied context conditions. Our results for the informational integrity task reveal a'
    ' significant divergence in model performance: while both models successfully '
    'identified an unsubstantiated head of a noun phrase (95% success), ChatGPT '
    'consistently failed (0% success) to identify an unsubstantiated adjectival modifier '
    'that Gemini correctly flagged (95% success), raising a question regarding potential '
    "influence of the target's syntactic role. For the linguistic analysis task, both "
    'models performed well (80-90% success) with full manuscript context. In a summary-'
    'only setting, however, ChatGPT achieved a perfect (100%) success rate, while '
    "Gemini's performance was substantially degraded. Our findings suggest that "
    'structured prompting is a viable methodology for complex textual analysis but show '
    'that prompt performance may be highly dependent on the interplay between the model, '
    'task type, and context, highlighting the need for rigorous, model-specific testing.'))
RIVAL = Paper(id="hf:2505.03332", title=(
    "AI-Driven Scholarly Peer Review via Persistent Workflow Prompting, Meta-Prompting, and "
    "Meta-Reasoning"), abstract=(
    'Critical peer review of scientific manuscripts presents a significant challenge for '
    'Large Language Models (LLMs), partly due to data limitations and the complexity of '
    'expert reasoning. This report introduces Persistent Workflow Prompting (PWP), a '
    'potentially broadly applicable prompt engineering methodology designed to bridge '
    'this gap using standard LLM chat interfaces (zero-code, no APIs). We present a '
    'proof-of-concept PWP prompt for the critical analysis of experimental chemistry '
    'manuscripts, featuring a hierarchical, modular architecture (structured via '
    'Markdown) that defines detailed analysis workflows. We develop this PWP prompt '
    'through iterative application of meta-prompting techniques and meta-reasoning aimed '
    'at systematically codifying expert review workflows, including tacit knowledge. '
    'Submitted once at the start of a session, this PWP prompt equips the LLM with '
    'persistent workflows triggered by subsequent queries, guiding modern reasoning LLMs '
    'through systematic, multimodal evaluations. Demonstrations show the PWP-guided LLM '
    'identifying major methodological flaws in a test case while mitigating LLM input '
    'bias and performing complex tasks, including distinguishing claims from evidence, '
    'integrating text/photo/figure analysis to infer parameters, executing quantitative '
    'feasibility checks, comparing estimates against claims, and assessing a priori '
    'plausibility. To ensure transparency and facilitate replication, we provide full '
    'prompts, detailed demonstration analyses, and logs of interactive chats as '
    'supplementary resources. Beyond the specific application, this work offers insights '
    'into the meta-development process itself, highlighting the potential of PWP, '
    'informed by detailed workflow formalization, to enable sophisticated analysis using '
    'readily available LLMs for complex scientific tasks.'))


def test_word_pairs_keep_the_query_distance_across_stop_words(tmp_path):
    lx = LexicalIndex(tmp_path)
    assert lx.word_pairs("hierarchical reasoning in LLMs for the analysis".split()) == [
        ("hierarch", "reason", 1), ("reason", "llms", 2), ("llms", "analysi", 3)]
    assert lx.word_pairs("model model the model".split()) == []  # a word with itself: no pair
    assert lx.word_pairs("the of".split()) == [] and lx.word_pairs(["graph"]) == []


def test_ordered_pairs_rank_the_described_paper_above_the_title_companion(settings, store):
    rows = [json.loads(line) for line in open(FIXTURE, encoding="utf-8")]
    store.upsert_records([Record(Paper(id=r["id"], title=r["title"], abstract=r["abstract"]))
                          for r in rows] + [Record(TARGET), Record(RIVAL)])
    s = Searcher(settings, store)
    s.sync_lexical()
    assert [h.id for h in s.search(QUERY, mode="lexical").hits[:2]] == [TARGET.id, RIVAL.id]
    s.lexical.weights["ordered"] = 0.0  # words alone: the companion's title wins, as before
    assert [h.id for h in s.search(QUERY, mode="lexical").hits[:2]] == [RIVAL.id, TARGET.id]
    # a short title query still finds the title first, with or without the pairs
    for w in (0.0, 0.1 / 0.85):
        s.lexical.weights["ordered"] = w
        assert s.search("persistent workflow prompting", mode="lexical").hits[0].id == RIVAL.id


def test_pairs_need_the_query_order_and_distance(settings, store):
    store.upsert_records([Record(Paper(id=f"p:{i}", title=t, abstract=""))
                          for i, t in enumerate(("graph neural networks for molecules",
                                                 "networks of neural graph molecules",
                                                 "molecules graph study"))])
    s = Searcher(settings, store)
    s.sync_lexical()
    lx, searcher = s.lexical, s.lexical.index().searcher()
    pairs = lx._proximity("graph neural networks".split(), lx.weights)
    found = [{searcher.doc(a).get_first("id")
              for _, a in searcher.search(tantivy.Query.boolean_query([p]), 10).hits}
             for p in pairs]
    assert found == [{"p:0"}, {"p:0"}]


def test_pages_of_the_second_pass_agree_with_one_long_list(settings, store):
    """The pairs re-sort a fixed head (the first PAIR_DEPTH hits of the words), whatever the
    page asked for: a page is a slice of the same ranking, and the count is the words'."""
    rows = [json.loads(line) for line in open(FIXTURE, encoding="utf-8")]
    store.upsert_records([Record(Paper(id=r["id"], title=r["title"], abstract=r["abstract"]))
                          for r in rows])
    s = Searcher(settings, store)
    s.sync_lexical()
    from paperradar.search.query import parse_query

    q = parse_query("large language models for reasoning on graphs")
    full = s.lexical.search(q, 40)
    assert full.total > 40 and full.scores == sorted(full.scores, reverse=True)
    for offset, limit in ((0, 5), (5, 10), (30, 10)):
        page = s.lexical.search(q, limit, offset)
        assert page.ids == full.ids[offset:offset + limit] and page.total == full.total
    s.lexical.weights["ordered"] = 0.0
    plain = s.lexical.search(q, 40)
    assert plain.total == full.total
    assert plain.ids != full.ids  # the pairs re-order this query's head


def test_both_forms_of_the_second_pass_score_alike(settings, store, monkeypatch):
    """Small indexes walk the pairs' postings beside the ids, large ones intersect each pair
    with the ids (PAIRS_WALK_BELOW): the same scores either way."""
    import paperradar.search.lexical_query as lq
    from paperradar.search.query import parse_query

    rows = [json.loads(line) for line in open(FIXTURE, encoding="utf-8")]
    store.upsert_records([Record(Paper(id=r["id"], title=r["title"], abstract=r["abstract"]))
                          for r in rows] + [Record(TARGET), Record(RIVAL)])
    s = Searcher(settings, store)
    s.sync_lexical()
    for text in (QUERY, "large language models for reasoning on graphs", "graph"):
        walk = s.lexical.search(parse_query(text), 30)
        monkeypatch.setattr(lq, "PAIRS_WALK_BELOW", 0)
        each = s.lexical.search(parse_query(text), 30)
        monkeypatch.setattr(lq, "PAIRS_WALK_BELOW", 30_000)
        assert each.ids == walk.ids and each.total == walk.total
        assert each.scores == pytest.approx(walk.scores, rel=1e-6)
