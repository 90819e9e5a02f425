"""Specific-vocabulary features for the recommender's learned re-ranker (``rank.learned``).

Built once per candidate set (with the ``CandidateIndex``), then per reader, each a z-score
over the candidates:

  rare     the IDF mass of the words a candidate shares with its closest positive, counting
           only words in at most ``RARE_DF`` candidates (a word in one candidate included,
           which the TF-IDF drops): the method, dataset and project names a group reuses
  caps     the same over case-sensitive name tokens (two capitals, or letters and digits
           mixed: GRPO, LLaMA-3, ViT-B/16)
  title    TF-IDF (1-2-gram) cosine of the candidate's title to its closest positive title
  comment  TF-IDF cosine of the arXiv comment fields (venue, pages, project pages)

and, once the fusion has scored the candidates (``near_top``), the highest TF-IDF and MiniLM
cosine of each candidate to one of the fusion's top ``NEAR_TOP`` (itself left out): a reader's
interests show up in several papers of a period, so a paper close to the others the library
points to is more likely one of them.

Chosen by ``bench/eval_recommend_new_signal.py`` on the bench's tuning half.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from paperradar.rank.learned import z

NAMES = ("rare", "caps", "title", "comment")
RARE_DF = 10
NEAR_TOP = 10
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-./]*[A-Za-z0-9]")


def name_tokens(doc: str) -> list[str]:
    """Tokens that look like names: two capitals, or letters and digits mixed."""
    out = []
    for t in _NAME.findall(doc):
        if sum(c.isupper() for c in t) >= 2 or (
                any(c.isdigit() for c in t) and any(c.isalpha() for c in t)):
            out.append(t)
    return out


def _best(X, Q) -> np.ndarray:
    """Per candidate row of X, the largest product with a row of Q (0 without Q rows)."""
    if Q.shape[0] == 0:
        return np.zeros(X.shape[0])
    return np.asarray((X @ Q.T).max(axis=1).todense()).ravel().astype(np.float64)


class _Overlap:
    """Binary term matrix of the candidates weighted by IDF, terms in <= RARE_DF of them."""

    def __init__(self, docs: Sequence[str], **kw):
        from sklearn.feature_extraction.text import CountVectorizer

        self.cv = CountVectorizer(binary=True, dtype=np.float64, max_df=RARE_DF, **kw)
        X = self.cv.fit_transform(list(docs)).tocsr()
        df = np.asarray(X.sum(axis=0)).ravel()
        self.W = X.multiply(np.log(len(docs) / df)).tocsr()

    def score(self, docs: Sequence[str]) -> np.ndarray:
        return _best(self.W, self.cv.transform(list(docs)))


class _Cosine:
    def __init__(self, docs: Sequence[str], **kw):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.tv = TfidfVectorizer(sublinear_tf=True, strip_accents="unicode", **kw)
        self.X = self.tv.fit_transform(list(docs)).tocsr()

    def score(self, docs: Sequence[str]) -> np.ndarray:
        return _best(self.X, self.tv.transform(list(docs)))


def _built(cls, docs, **kw):
    try:
        return cls(docs, **kw)
    except ValueError:  # no usable vocabulary (or too few documents for max_df)
        return None


class Signals:
    """The four features' candidate-side matrices (texts: title + abstract)."""

    def __init__(self, texts: Sequence[str], titles: Sequence[str], comments: Sequence[str]):
        n = len(texts)
        self.n = n
        self.parts = {
            "rare": _built(_Overlap, texts, strip_accents="unicode"),
            "caps": _built(_Overlap, texts, analyzer=name_tokens, lowercase=False),
            "title": _built(_Cosine, titles, ngram_range=(1, 2)),
            "comment": _built(_Cosine, comments, min_df=min(2, max(1, n // 10)),
                              max_df=0.5 if n >= 20 else 1.0)}

    def features(self, texts: Sequence[str], titles: Sequence[str],
                 comments: Sequence[str]) -> dict[str, np.ndarray]:
        """The four features for these positives (all zeros where a side has no vocabulary:
        e.g. a period whose papers carry no comments)."""
        docs = {"rare": texts, "caps": texts, "title": titles, "comment": comments}
        return {name: z(part.score(docs[name])) if part is not None else np.zeros(self.n)
                for name, part in self.parts.items()}


def _best_other(S, top: np.ndarray) -> np.ndarray:
    """z(row maxima of the candidate x top similarities S), a top paper's own entry left out."""
    S = np.asarray(S, dtype=np.float64)
    S[top, np.arange(len(top))] = 0.0
    return z(S.max(axis=1))


def near_top(X, E, fused: np.ndarray, k: int = NEAR_TOP, Xc=None) -> dict[str, np.ndarray]:
    """``toplex`` / ``topemb``: z(highest cosine of each candidate to one of the top ``k`` of
    ``fused``, ties by position, a candidate's own cosine left out) over the TF-IDF rows X and
    the unit MiniLM rows E of the candidates; a side that is None is left out. ``Xc``, X in
    CSC form (the index keeps one), makes the TF-IDF side ~7x faster: only the top's terms
    are read."""
    top = np.argsort(-np.asarray(fused), kind="stable")[:k]
    out = {}
    if not len(top):
        return out
    if X is not None:
        Q = X[top]
        cols = np.unique(Q.indices)
        out["toplex"] = _best_other((Xc if Xc is not None else X.tocsc())[:, cols]
                                    @ Q[:, cols].T.toarray(), top)
    if E is not None:
        out["topemb"] = _best_other(E @ E[top].T, top)
    return out
