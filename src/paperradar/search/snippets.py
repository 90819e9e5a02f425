"""Highlighted snippets: the best window of an abstract, HTML-escaped, query terms in
``<mark>``. Matching is by analysed form (stemmed, case- and accent-folded), so "models"
highlights "model" too.

Cheap by construction (only the hits a page shows are highlighted): for ASCII text one
regex finds the words that begin like a query stem, only those are analysed, and only the
chosen window is escaped; other text takes the general path (every word analysed).
"""

from __future__ import annotations

import functools
import html
import re
from bisect import bisect_right
from typing import Callable

_SPLIT = re.compile(r"(\w+)", re.UNICODE)


def _marked(parts: list[str], hits: set[int], lo: int, hi: int) -> str:
    """Parts ``lo``..``hi`` joined, escaped, hits marked. Word parts (odd indexes, runs of
    word characters) cannot hold HTML-special characters; only separators are escaped."""
    out = []
    for i in range(lo, hi):
        if i % 2:
            out.append(f"<mark>{parts[i]}</mark>" if i in hits else parts[i])
        else:
            out.append(html.escape(parts[i], quote=True))
    return "".join(out)


_SPACE = re.compile(" ")


_WORDS = re.compile(r"\w+")


@functools.lru_cache(maxsize=1024)
def _prefixes(terms: frozenset[str]) -> tuple[str, ...]:
    """Prefixes of the words that may analyse to one of the stems: the English stemmer
    keeps a prefix of the word, but for a final y -> i, so the stem less its last letter
    is a safe prefix."""
    return tuple(sorted({t[:-1] if len(t) > 2 else t for t in terms if t}))


def _window(n_words: int, hit_words: list[int], max_words: int) -> int:
    """First word of the ``max_words`` window holding the most hits."""
    best, best_n = 0, -1
    for start in [0] + [max(0, n - 5) for n in hit_words]:
        count = bisect_right(hit_words, start + max_words - 1) - bisect_right(hit_words, start - 1)
        if count > best_n:
            best, best_n = start, count
    return min(best, n_words - max_words)


def highlight(text: str, terms: set[str], analyze_word: Callable[[str], str | None],
              max_words: int = 40) -> str:
    """Escaped ``text`` (its best window of ``max_words`` words) with matches marked;
    ``analyze_word`` gives a word's analysed form (None for a stop word)."""
    text = " ".join((text or "").split())
    if not text.isascii() or not all(t.isascii() for t in terms):
        return _highlight_general(text, terms, analyze_word, max_words)
    spans = []
    if terms:
        pre = _prefixes(frozenset(terms))
        lowered = text.lower()
        spans = [m.span() for m in _WORDS.finditer(lowered)
                 if m.group(0).startswith(pre) and analyze_word(m.group(0)) in terms]
    spaces = [m.start() for m in _SPACE.finditer(text)]
    lo, hi = 0, len(text)
    if len(spaces) + 1 > max_words:
        start = _window(len(spaces) + 1, sorted({bisect_right(spaces, a) for a, _ in spans}),
                        max_words)
        lo = spaces[start - 1] + 1 if start > 0 else 0
        end = start + max_words
        hi = spaces[end - 1] if end <= len(spaces) else len(text)
    out, pos = [], lo
    for a, b in spans:
        if a >= lo and b <= hi:
            out += [html.escape(text[pos:a], quote=True), "<mark>", text[a:b], "</mark>"]
            pos = b
    out.append(html.escape(text[pos:hi], quote=True))
    return ("… " if lo > 0 else "") + "".join(out) + (" …" if hi < len(text) else "")


def _highlight_general(text: str, terms: set[str], analyze_word: Callable[[str], str | None],
                       max_words: int) -> str:
    parts = _SPLIT.split(text)  # odd indexes are words
    word_idx = range(1, len(parts), 2)
    hits: set[int] = set()
    if terms:
        # The English stemmer keeps a word's first letter, so only words starting like some
        # term (or with a non-ASCII letter, which folding may change) need analysing.
        initials = {t[0] for t in terms if t}
        matching = {w for w in set(parts[1::2])
                    if (w[0].lower() in initials or not w[0].isascii() or "_" in w)
                    and analyze_word(w) in terms}
        hits = {i for i in word_idx if parts[i] in matching}
    if len(word_idx) <= max_words:
        return _marked(parts, hits, 0, len(parts))
    best, best_n = 0, -1
    hit_pos = [n for n, i in enumerate(word_idx) if i in hits]
    for start in [0] + [max(0, n - 5) for n in hit_pos]:
        count = sum(1 for n in hit_pos if start <= n < start + max_words)
        if count > best_n:
            best, best_n = start, count
    start = min(best, len(word_idx) - max_words)
    lo = word_idx[start] if start > 0 else 0
    end_n = start + max_words
    hi = word_idx[end_n - 1] + 1 if end_n < len(word_idx) else len(parts)
    body = _marked(parts, hits, lo, hi)
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(parts) else "")
