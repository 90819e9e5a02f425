"""Highlighted snippets: the best window of an abstract, HTML-escaped, query terms in
``<mark>``. Matching is by analysed form (stemmed, case- and accent-folded), so "models"
highlights "model" too."""

from __future__ import annotations

import html
import re
from typing import Callable

_SPLIT = re.compile(r"(\w+)", re.UNICODE)


def _marked(parts: list[str], hits: set[int], lo: int, hi: int) -> str:
    out = []
    for i in range(lo, hi):
        text = html.escape(parts[i], quote=True)
        out.append(f"<mark>{text}</mark>" if i in hits else text)
    return "".join(out)


def highlight(text: str, terms: set[str], analyze: Callable[[str], list[str]],
              max_words: int = 40) -> str:
    """Escaped ``text`` (its best window of ``max_words`` words) with matches marked."""
    text = " ".join((text or "").split())
    parts = _SPLIT.split(text)  # odd indexes are words
    word_idx = list(range(1, len(parts), 2))
    hits: set[int] = set()
    if terms:
        cache: dict[str, bool] = {}
        for i in word_idx:
            w = parts[i].lower()
            if w not in cache:
                toks = analyze(parts[i])
                cache[w] = bool(toks) and toks[0] in terms
            if cache[w]:
                hits.add(i)
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
