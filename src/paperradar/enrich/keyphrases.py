"""Keyphrases of a paper without a language model.

Candidates are the word n-grams (1-4 words) of the title and abstract that cross no
punctuation and no stopword; an acronym defined in the text ("Large Language Models
(LLMs)") joins its long form, which is then shown as ``long form (ACRONYM)`` and counts
the acronym's uses. Candidates are scored by how often they occur (title counted more),
how specific their words are to the corpus (shipped IDF table, ``enrich.text``), their
position and length; the list is then made diverse (a phrase whose words are all
inside an already chosen one is skipped). Pure function of the text and the IDF table:
deterministic. About 1 ms per abstract on one core.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from paperradar.enrich.text import IDF, STOP, WORD, norm_word, shipped_idf

MAX_WORDS = 4
TOP_N = 10
MAX_TEXT = 20_000  # characters of abstract looked at (bounded work on hostile input)
_BREAK = re.compile(r"[^\s]")  # anything but white space between two words breaks a phrase
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")  # markup in imported text is not content
_ACRONYM = re.compile(r"\(\s*([A-Za-z0-9][A-Za-z0-9\-]{1,14})\s*\)")

# Tuned on the tuning half of bench/eval_keywords.py (days before the split date).
WEIGHTS = {"title": 1.0, "length": {1: 0.55, 2: 1.0, 3: 1.2, 4: 0.75}, "early": -0.2,
           "idf_power": 0.6, "acronym": 2.5}


@dataclass(slots=True)
class _Cand:
    words: tuple[str, ...]
    surface: str
    count: float = 0.0
    first: int = 0
    in_title: bool = False
    acronym: str | None = None
    extra: list[str] = field(default_factory=list)


def _chunks(text: str, offset: int, verbs: frozenset[str]) -> list[list[tuple[str, int]]]:
    """Runs of non-stopword words with only spaces between them; (word, position)."""
    out: list[list[tuple[str, int]]] = []
    run: list[tuple[str, int]] = []
    end = 0
    for i, m in enumerate(WORD.finditer(text)):
        word = m.group()
        gap = text[end:m.start()]
        end = m.end()
        low = word.lower()
        keep = low not in STOP and low not in verbs and _wordish(word) and \
            not (low.endswith("ly") and len(low) > 4)
        if (bool(_BREAK.search(gap)) or not keep) and run:
            out.append(run)
            run = []
        if keep:
            run.append((word, offset + i))
    if run:
        out.append(run)
    return out


def _wordish(word: str) -> bool:
    return any(c.isalpha() for c in word) and 1 < len(word) <= 40


def _acronyms(text: str) -> dict[str, tuple[tuple[str, ...], str]]:
    """``long form (ACR)`` definitions: acronym (plural s dropped) -> (normalised long-form
    words, the acronym as written)."""
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for m in _ACRONYM.finditer(text):
        acr = m.group(1)
        letters = [c for c in acr if c.isupper()]
        if len(letters) < 2:
            continue
        before = WORD.findall(text[max(0, m.start() - 200):m.start()])
        n = len(letters)
        for take in (n, n + 1, n - 1):
            words = before[-take:] if 0 < take <= len(before) else []
            if words and words[0][0].lower() == acr[0].lower() and \
                    not any(w.lower() in STOP for w in (words[0], words[-1])):
                found.setdefault(acr[:-1] if acr.endswith("s") else acr,
                                 (tuple(norm_word(w) for w in words), acr))
                break
    return found


def _collect(title: str, abstract: str, verbs: frozenset[str]) -> dict[tuple[str, ...], _Cand]:
    cands: dict[tuple[str, ...], _Cand] = {}
    pos = 0
    for part, is_title in ((title, True), (abstract, False)):
        for run in _chunks(part, pos, verbs):
            norms = [norm_word(w) for w, _ in run]
            for i in range(len(run)):
                for n in range(1, min(MAX_WORDS, len(run) - i) + 1):
                    key = tuple(norms[i:i + n])
                    c = cands.get(key)
                    if c is None:
                        c = cands[key] = _Cand(key, " ".join(w for w, _ in run[i:i + n]),
                                               first=run[i][1])
                    elif is_title is False and c.in_title and c.count <= 1:
                        c.surface = " ".join(w for w, _ in run[i:i + n])  # prose casing
                    c.count += 1
                    c.in_title = c.in_title or is_title
        pos += len(WORD.findall(part)) + 1
    return cands


def _score(c: _Cand, idf: IDF, total_words: int) -> float:
    w = WEIGHTS
    spec = sum(idf(x) for x in c.words) / len(c.words) / idf.max
    early = 1.0 + w["early"] * (1.0 - min(1.0, c.first / max(1, total_words)))
    s = (1.0 + math.log(c.count)) * spec ** w["idf_power"] * early
    s *= w["length"].get(len(c.words), 0.5)
    if c.in_title:
        s *= w["title"]
    if c.acronym:
        s *= w["acronym"]
    return s


def extract(title: str, abstract: str, *, top_n: int = TOP_N, idf: IDF | None = None) -> list[str]:
    """The paper's keyphrases, best first (surface forms as written in the text)."""
    idf = idf or shipped_idf()
    title = " ".join(_TAG.sub(" . ", title or "").split())
    abstract = " ".join(_TAG.sub(" . ", (abstract or "")[:MAX_TEXT]).split())
    cands = _collect(title, abstract, idf.verbs)
    for acr, (long_words, written) in _acronyms(f"{title} . {abstract}").items():
        short = cands.pop((norm_word(acr),), None)
        long = cands.get(long_words)
        if long is None:
            continue
        long.acronym = written
        long.count += short.count if short else 0
    total = len(WORD.findall(title)) + len(WORD.findall(abstract)) + 1
    ranked = sorted(cands.values(), key=lambda c: (-_score(c, idf, total), c.first, c.words))
    chosen: list[_Cand] = []
    for c in ranked:
        if len(chosen) >= top_n:
            break
        words = set(c.words)
        if any(words <= set(o.words) for o in chosen):
            continue
        chosen.append(c)
    return [f"{c.surface} ({c.acronym})" if c.acronym else c.surface for c in chosen]
