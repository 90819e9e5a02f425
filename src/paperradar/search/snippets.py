"""Highlighted snippets: the best window of an abstract, HTML-escaped, query terms in
``<mark>``. Matching is by analysed form (stemmed, case- and accent-folded), so "models"
highlights "model" too."""

from __future__ import annotations

import html
import re
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


def highlight(text: str, terms: set[str], analyze_word: Callable[[str], str | None],
              max_words: int = 40) -> str:
    """Escaped ``text`` (its best window of ``max_words`` words) with matches marked;
    ``analyze_word`` gives a word's analysed form (None for a stop word)."""
    text = " ".join((text or "").split())
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
