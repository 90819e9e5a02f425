"""Scoring settings and query building of the lexical index: BM25 field weights, a title
boost scored with the paper-level IDF, words/phrases/author names as tantivy clauses, and
the filters (categories, authors, dates, has:code, candidate keys) as non-scoring clauses.
A mixin of LexicalIndex: it needs ``schema``, ``weights``, ``_analyzer``, ``_names``.
"""

from __future__ import annotations

import math

import tantivy

from paperradar.search.lexical_schema import day_number
from paperradar.search.query import ParsedQuery

# Word proximity, the ordered window of the sequential dependence model (Metzler & Croft,
# SIGIR 2005): each pair of neighbouring query words also scores as a phrase at the query's
# distance (stop words hold their positions), with the model's published default weight,
# 0.10 against the words' 0.85. Not tuned here (README: its unordered window, 0.05, was
# measured and left out); the cross-validation picks the title weight with it in place.
# Scored in a second pass over the first PAIR_DEPTH hits of the words (the depth fusion
# reads), where phrase matching costs little: over a whole million-paper index the pairs
# cost 6x the words alone for long queries (README).
ORDERED = 0.10 / 0.85
MAX_PAIRS = 32  # pairs per query (the rarest): a bound on the cost of pasted text
PAIR_DEPTH = 100
# Two forms of the second pass, the same scores: below this many papers, walking the pairs'
# postings beside the ids is cheaper (1.4k papers, long queries: 0.4 ms against 1.6; 20k:
# 14 against 19); above, intersecting each pair with the ids (100k: 17 against 38 ms).
PAIRS_WALK_BELOW = 30_000
# The one free setting is the title weight (ORDERED is fixed): chosen by
# leave-one-set-out cross-validation over four dev sets with the one-standard-error rule
# (bench/eval_search.py, README).
DEFAULT_WEIGHTS = {"text": 1.0, "title": 0.8, "authors": 0.5, "ordered": ORDERED}
SHARED_IDF = True  # title matches scored with the paper-level IDF (see idf_ratio)
PHRASE_FIRST = 1e4  # added to exact-phrase matches when a phrase is optional: they rank first
TEXT_FIELDS = ("text", "title")  # what words and phrases are matched against


class LexicalQueries:
    """Builds the tantivy queries of a LexicalIndex (see the module docstring)."""

    def idf_ratio(self, searcher, tok: str) -> float:
        """IDF of ``tok`` over whole papers (the "text" field) / its IDF over titles alone:
        multiplied into the title boost, it scores a title match with the paper-level IDF,
        as BM25F does. A title field's own IDF rates generic words ("model", "language",
        "process": in most abstracts, few titles) as rare, and a long query then ranks the
        paper whose title holds several of them above the one it describes."""
        n = searcher.num_docs
        df_text, df_title = searcher.doc_freq("text", tok), searcher.doc_freq("title", tok)
        if not df_title:
            return 1.0
        idf = lambda df: math.log(1 + (n - df + 0.5) / (df + 0.5))  # noqa: E731  (tantivy's)
        return idf(df_text) / idf(df_title)

    def _text_query(self, q: ParsedQuery, searcher=None) -> tantivy.Query | None:
        S, M = tantivy.Occur.Should, tantivy.Occur.Must
        clauses = []
        words = self.query_words(q)
        tokens = list(dict.fromkeys(t for w in words for t in self.analyze(w)))
        weights = self.weights
        shared_idf = searcher is not None and weights.get("title_idf", SHARED_IDF)
        for tok in tokens:
            for fname in TEXT_FIELDS:
                if weights.get(fname):
                    w = weights[fname]
                    if fname == "title" and shared_idf:
                        w *= self.idf_ratio(searcher, tok)
                    clauses.append((S, tantivy.Query.boost_query(
                        tantivy.Query.term_query(self.schema, fname, tok), w)))
        for name_tok in dict.fromkeys(t for w in words for t in self._names.analyze(w)):
            clauses.append((S, tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, "authors", name_tok), weights["authors"])))
        for phrase in q.phrases:
            pq = self._phrase(phrase, TEXT_FIELDS, self._analyzer, weights)
            if pq is not None:
                clauses.append((S, tantivy.Query.const_score_query(pq, PHRASE_FIRST))
                               if q.phrases_optional else (M, pq))
        if not clauses:
            return None
        return tantivy.Query.boolean_query(clauses)

    @staticmethod
    def query_words(q: ParsedQuery) -> list[str]:
        """The words the text query scores (an optional phrase's words count too)."""
        return q.words + (q.phrases if q.phrases_optional else [])

    def pair_clauses(self, q: ParsedQuery, searcher) -> list:
        """The ordered-pair clauses of the query's words (see ORDERED; [] when it has no
        pair), built once per search: they decide the depth and then score the head."""
        return self._proximity(self.query_words(q), self.weights, searcher)

    def pair_query(self, pairs: list, ids: list[str], searcher) -> tantivy.Query | None:
        """The second pass (see ORDERED): the ``pair_clauses`` scoring only the papers
        ``ids``; None when there is no pair or no paper."""
        if not pairs or not ids:
            return None
        only = tantivy.Query.const_score_query(tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "id", pid))
             for pid in ids]), 0.0)
        if searcher.num_docs <= PAIRS_WALK_BELOW:  # the ids once, the pairs' postings walked
            return tantivy.Query.boolean_query([(tantivy.Occur.Must, only)] + pairs)
        # each pair intersected with the ids: phrases matched only at those papers, for
        # the price of the ids' terms looked up once per pair
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, only), (tantivy.Occur.Must, pq)])) for _, pq in pairs])

    def _proximity(self, words: list[str], weights: dict[str, float], searcher=None) -> list:
        """The ordered-pair clauses (see ORDERED), on the combined "text" field: at most
        MAX_PAIRS, the rarest (by the document frequency of the pair's commoner word)."""
        if not weights.get("ordered"):
            return []
        pairs = self.word_pairs(words)
        if len(pairs) > MAX_PAIRS and searcher is not None:
            df = {t: searcher.doc_freq("text", t) for p in pairs for t in p[:2]}
            pairs = sorted(pairs, key=lambda p: max(df[p[0]], df[p[1]]))[:MAX_PAIRS]
        return [(tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.phrase_query(
                    self.schema, "text", [(0, a), (gap, b)]), weights["ordered"]))
                for a, b, gap in pairs[:MAX_PAIRS]]

    def word_pairs(self, words: list[str]) -> list[tuple[str, str, int]]:
        """Each pair of neighbouring query words once stop words are dropped, with their
        distance in the query ("reasoning in LLMs": reason, llms, 2): the ordered pairs of
        the sequential dependence model."""
        out, prev, pos = [], None, 0
        for w in words:
            toks = self.analyze(w)
            pos += not toks
            for tok in toks:
                if prev is not None and prev[1] != tok:
                    out.append((prev[1], tok, pos - prev[0]))
                prev, pos = (pos, tok), pos + 1
        return list(dict.fromkeys(out))

    def _phrase(self, text: str, fields: tuple[str, ...], analyzer,
                weights: dict[str, float] | None = None) -> tantivy.Query | None:
        words = [(i, toks[0]) for i, w in enumerate(text.split())
                 if (toks := analyzer.analyze(w))]
        if not words:
            return None
        per_field = []
        for f in fields:
            if len(words) == 1:
                sub = tantivy.Query.term_query(self.schema, f, words[0][1])
            else:
                base = words[0][0]
                sub = tantivy.Query.phrase_query(self.schema, f, [(i - base, t) for i, t in words])
            per_field.append((tantivy.Occur.Should,
                              tantivy.Query.boost_query(sub, (weights or self.weights).get(f, 1.0))))
        return tantivy.Query.boolean_query(per_field)

    def filter_clauses(self, q: ParsedQuery, keys: list[int] | None = None) -> list:
        """Filters as non-scoring Must clauses (also used to filter vector candidates)."""
        M, S = tantivy.Occur.Must, tantivy.Occur.Should
        out = []
        if q.categories:
            terms = [(S, tantivy.Query.term_query(self.schema, "cats", c.lower()))
                     for c in q.categories]
            out.append(tantivy.Query.boolean_query(terms))
        for author in q.authors:
            pq = self._phrase(author, ("authors",), self._names)
            out.append(pq if pq is not None else tantivy.Query.empty_query())
        if q.date_from or q.date_to:
            lo = day_number(q.date_from) if q.date_from else None
            hi = day_number(q.date_to) if q.date_to else None
            if lo is not None and hi is not None and lo > hi:
                out.append(tantivy.Query.empty_query())
            else:
                out.append(tantivy.Query.range_query(self.schema, "day", tantivy.FieldType.Integer,
                                                     lo if lo is not None else 1, hi))
        if q.has_code is not None:
            out.append(tantivy.Query.term_query(self.schema, "has_code", int(q.has_code)))
        if keys is not None:
            out.append(tantivy.Query.term_set_query(self.schema, "key", keys))
        return [(M, tantivy.Query.const_score_query(x, 0.0)) for x in out]

    def _exclusions(self, q: ParsedQuery) -> list:
        out = []
        for w in q.excluded:
            for tok in self.analyze(w):
                for f in ("text",):
                    out.append((tantivy.Occur.MustNot, tantivy.Query.term_query(self.schema, f, tok)))
        return out
