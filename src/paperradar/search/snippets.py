"""Highlighted snippets: the best window of an abstract, HTML-escaped, query terms in
``<mark>``. Matching is by analysed form (stemmed, case- and accent-folded), so "models"
highlights "model" too.

LaTeX text markup is converted first (``latex.to_text``: ``\\emph{x}`` -> ``x``, ``--`` ->
an en dash, ...), so marks and window refer to the text a reader sees; math stays as written
for KaTeX: the window never cuts a formula and no word inside one is marked, and a literal
dollar (``\\$``) comes out wrapped (``latex.DOLLAR``) so KaTeX never pairs it.

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

from paperradar import latex

_WORDS = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_LITERAL = "\x00"  # a literal dollar while the snippet is built (removed from the input first)
Analyze = Callable[[str], "str | None"]


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


def _ascii_spans(text: str, terms: set[str], analyze_word: Analyze) -> list[tuple[int, int]]:
    """Matching words of ASCII text (but for the dashes, ties and quotes ``to_text`` adds,
    which neither are word characters nor change when lowered): each stem prefix is found
    by substring search, and only the words that begin with one are analysed."""
    low = text.lower()
    found = set()
    for pre in _prefixes(frozenset(terms)):
        i = low.find(pre)
        while i >= 0:
            if i and _WORD_CHAR.match(low, i - 1):  # inside a word: not its beginning
                i = low.find(pre, i + 1)
                continue
            m = _WORDS.match(low, i)
            if m is None:  # a stem that begins with no word character
                i = low.find(pre, i + 1)
                continue
            end = m.end()
            if analyze_word(low[i:end]) in terms:
                found.add((i, end))
            i = low.find(pre, end)
    return sorted(found)


def _general_spans(text: str, terms: set[str], analyze_word: Analyze) -> list[tuple[int, int]]:
    """Matching words of any text. The English stemmer keeps a word's first letter, so only
    words starting like some term (or with a non-ASCII letter, which folding may change)
    need analysing, each distinct word once."""
    initials, seen = {t[0] for t in terms if t}, {}
    out = []
    for m in _WORDS.finditer(text):
        w = m.group(0)
        if w not in seen:
            seen[w] = ((w[0].lower() in initials or not w[0].isascii() or "_" in w)
                       and analyze_word(w) in terms)
        if seen[w]:
            out.append(m.span())
    return out


def _space_at(text: str, k: int) -> int:
    """Where the ``k``-th space of ``text`` is (from 0; there are more than ``k``)."""
    return len(text) - len(text.split(" ", k + 1)[-1]) - 1


def _outside(spans: list[tuple[int, int]], maths: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans that lie in no formula."""
    starts = [a for a, _ in maths]
    return [(a, b) for a, b in spans
            if not (i := bisect_right(starts, a)) or maths[i - 1][1] <= a]


def _widened(lo: int, hi: int, maths: list[tuple[int, int]]) -> tuple[int, int]:
    """The window ``lo..hi`` grown to hold whole every formula it cuts."""
    for a, b in maths:
        if a < lo < b:
            lo = a
        if a < hi < b:
            hi = b
    return lo, hi


def highlight(text: str, terms: set[str], analyze_word: Analyze, max_words: int = 40,
              *, general: bool = False) -> str:
    """Escaped ``text`` (its best window of ``max_words`` words) with LaTeX text markup
    converted and matches marked; ``analyze_word`` gives a word's analysed form (None for a
    stop word); ``general`` forces the path for non-ASCII text (for tests)."""
    raw = " ".join((text or "").replace(_LITERAL, "").split())
    fast = not general and raw.isascii() and all(t.isascii() for t in terms)
    text, maths = latex.to_text_and_math(raw, dollar=_LITERAL)
    spans = []
    if terms:
        spans = (_ascii_spans if fast else _general_spans)(text, terms, analyze_word)
    if maths and spans:
        spans = _outside(spans, maths)
    n_spaces = text.count(" ")  # words are separated by one space (``raw``)
    lo, hi = 0, len(text)
    if n_spaces + 1 > max_words:
        start = _window(n_spaces + 1, sorted({text.count(" ", 0, a) for a, _ in spans}),
                        max_words)
        lo = _space_at(text, start - 1) + 1 if start > 0 else 0
        end = start + max_words
        hi = _space_at(text, end - 1) if end <= n_spaces else len(text)
        lo, hi = _widened(lo, hi, maths)
    out, pos = [], lo
    for a, b in spans:
        if a >= lo and b <= hi:
            out += [html.escape(text[pos:a], quote=True), "<mark>", text[a:b], "</mark>"]
            pos = b
    out.append(html.escape(text[pos:hi], quote=True))
    body = "".join(out)
    if _LITERAL in body:
        body = body.replace(_LITERAL, latex.DOLLAR)
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(text) else "")


def _highlight_general(text: str, terms: set[str], analyze_word: Analyze,
                       max_words: int) -> str:
    """``highlight`` on its general path, whatever the text."""
    return highlight(text, terms, analyze_word, max_words, general=True)
