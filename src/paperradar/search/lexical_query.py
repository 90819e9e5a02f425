"""Scoring settings and query building of the lexical index: BM25 field weights, the
title boost that fades for long queries, words/phrases/author names as tantivy clauses, and
the filters (categories, authors, dates, has:code, candidate keys) as non-scoring clauses.
A mixin of LexicalIndex: it needs ``schema``, ``weights``, ``_analyzer``, ``_names``.
"""

from __future__ import annotations

import tantivy

from paperradar.search.lexical_schema import day_number
from paperradar.search.query import ParsedQuery

DEFAULT_WEIGHTS = {"text": 1.0, "title": 0.6, "authors": 0.5}  # tuned on Cranfield only (dev grid)
# The title boost fades for long descriptive queries: weight * min(1, (REF / n) ** DECAY) for n
# distinct query terms. A long question matches a few title words of many papers; summed on
# top of the body it outranked the paper whose abstract matched (HF known-item set). Chosen
# by leave-one-set-out cross-validation over the three dev sets (bench/eval_search.py).
TITLE_REF_TERMS = 12
TITLE_DECAY = 1.5
PHRASE_FIRST = 1e4  # added to exact-phrase matches when a phrase is optional: they rank first
TEXT_FIELDS = ("text", "title")  # what words and phrases are matched against


class LexicalQueries:
    """Builds the tantivy queries of a LexicalIndex (see the module docstring)."""

    def query_weights(self, n_terms: int) -> dict[str, float]:
        """Field weights for a query of ``n_terms`` distinct analysed terms (the title boost
        fades for long queries, see TITLE_REF_TERMS)."""
        w = dict(self.weights)
        ref = w.pop("title_ref", TITLE_REF_TERMS)
        decay = w.pop("title_decay", TITLE_DECAY)
        if n_terms > ref and decay:
            w["title"] = w.get("title", 0.0) * (ref / n_terms) ** decay
        return w

    def _text_query(self, q: ParsedQuery) -> tantivy.Query | None:
        S, M = tantivy.Occur.Should, tantivy.Occur.Must
        clauses = []
        words = q.words + (q.phrases if q.phrases_optional else [])
        tokens = list(dict.fromkeys(t for w in words for t in self.analyze(w)))
        weights = self.query_weights(len(tokens))
        for tok in tokens:
            for fname in TEXT_FIELDS:
                if weights.get(fname):
                    clauses.append((S, tantivy.Query.boost_query(
                        tantivy.Query.term_query(self.schema, fname, tok), weights[fname])))
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
