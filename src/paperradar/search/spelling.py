"""Spelling suggestions from the index's own vocabulary ("difusion modles" -> "diffusion
models"): word document frequencies counted while the full-text index is written, saved
beside it (``vocab.json``, the most frequent words only), and Norvig-style candidate edits
(one edit, then two for short words) ranked by distance, then frequency."""

from __future__ import annotations

import json
import os
import re
import threading
from collections import Counter
from pathlib import Path
from typing import Iterable

_WORD = re.compile(r"[^\W\d_]{3,30}", re.UNICODE)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
MAX_WORDS = 300_000  # vocabulary kept on disk (most frequent first)
MIN_DF = 2  # words seen in fewer papers are not suggested (nor trusted as correct)
RATIO = 20  # a correction must be this many times more frequent than the typed word
MAX_TRIED = 3  # unknown words of one query looked at (each costs ~0.3 ms, two edits ~30)
TWO_EDITS_MAX_LEN = 10  # two-edit candidates only for words up to this length (cost)


def paper_words(title: str, abstract: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(f"{title} {abstract}")}


def count_title_words(titles: Iterable[str], counts: Counter) -> None:
    """Add each title's words (``paper_words(title, "")``: once per title) to ``counts``,
    with one counting call for the whole batch."""
    find = _WORD.findall
    words: list[str] = []
    for title in titles:
        words.extend(set(map(str.lower, find(title))))
    counts.update(words)


def save_vocabulary(path: Path, counts: Counter) -> None:
    """Merge ``counts`` into the vocabulary file at ``path`` (atomic rewrite)."""
    old = load_vocabulary(path)
    old.update(counts)
    kept = {w: n for w, n in old.most_common(MAX_WORDS) if n >= 1}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(kept, ensure_ascii=False, separators=(",", ":")))
    os.replace(tmp, path)


def load_vocabulary(path: Path) -> Counter:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return Counter()
    return Counter({str(k): int(v) for k, v in data.items()}) if isinstance(data, dict) else Counter()


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts)


def correct(word: str, vocab: Counter, two_edits: bool = True) -> str | None:
    """The likeliest intended word, or None when ``word`` looks right (or nothing fits)."""
    w = word.lower()
    if not _WORD.fullmatch(w) or not w.isascii():
        return None
    seen = vocab.get(w, 0)
    floor = max(MIN_DF, RATIO * seen)

    def best(cands) -> str | None:
        scored = [(vocab[c], c) for c in cands if vocab.get(c, 0) >= floor]
        return max(scored)[1] if scored else None

    one = _edits1(w)
    found = best(one)
    if found is None and two_edits and len(w) <= TWO_EDITS_MAX_LEN and seen < MIN_DF:
        found = best({e2 for e1 in one for e2 in _edits1(e1)})
    return found


class Speller:
    """Suggestions for one index directory, reloaded when the vocabulary file changes."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._vocab: Counter = Counter()
        self._mtime: float | None = None
        self._lock = threading.Lock()

    def vocabulary(self) -> Counter:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            return Counter()
        with self._lock:
            if mtime != self._mtime:
                self._vocab, self._mtime = load_vocabulary(self.path), mtime
            return self._vocab

    def suggest(self, words: list[str], two_edits: bool = True) -> list[str] | None:
        """The words with misspellings corrected, or None when nothing needs correcting
        (``two_edits=False``: one-edit corrections only, the cheap check)."""
        vocab = self.vocabulary()
        if not vocab or not words:
            return None
        out, changed, tried = [], False, 0
        for w in words[:16]:
            fix = None
            if vocab.get(w.lower(), 0) < MIN_DF and tried < MAX_TRIED:  # known words stand
                tried += 1
                fix = correct(w, vocab, two_edits)
            out.append(fix or w)
            changed = changed or fix is not None
        return out if changed else None


def suggested_query(raw: str, words: list[str], fixed: list[str]) -> str:
    """``raw`` with each corrected word replaced (whole words, any case)."""
    out = raw
    for old, new in zip(words, fixed):
        if old.lower() != new.lower():
            out = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, out, count=1)
    return out
