"""Word-level text tools shared by keyphrases and summaries: tokens, stopwords, the
normal form of a phrase (case, punctuation and plurals folded) and the corpus IDF table.

The IDF table ships with the package (``data/df.json.gz``, document frequencies of words
over 12,768 arXiv abstracts of March-April 2026, built by ``scripts/build_keyphrase_df.py``),
so keyphrases depend only on the text and this table: deterministic, and the same on
every installation.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import re
from importlib import resources

# A word: letters/digits, inner hyphens, dots or apostrophes (GPT-4, Qwen2.5, 3D, o1).
WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|[-.'’](?=[A-Za-z0-9]))*")
STOP = frozenset("""
a about above across after again against all almost along also although always am among an
and another any are around as at be because been before being below between both but by can
cannot could did do does doing done down during each either else enough especially etc even
ever every few for from further had has have having he her here hers him his how however i if
in into is it its itself just least less many may me might more most much must my neither no
nor not now of off often on once one only onto or other others otherwise our ours out over own
per perhaps rather same several she should since so some such than that the their theirs them
then there therefore these they this those though through thus to too toward towards under
until up upon us very via was we well were what whatever when where whereas whether which
while who whom whose why will with within without would yet you your
able achieve achieves achieved achieving address addresses allow allows approach approaches
based best better challenge challenges challenging compared comparable conduct conducted
consider considered crucial demonstrate demonstrates demonstrated despite develop developed
different effective effectively enable enables enabling existing experiment experiments
experimental extensive facilitate find findings first furthermore given help highly improve
improved improves improving including increasingly introduce introduces introduced key
leverage leverages leveraging lead leads make makes making method methods new novel
numerous outperform outperforms outperforming paper particular particularly present presents
previous prior problem problems promising propose proposed proposes provide provides
recent recently remain remains result results reveal reveals second show shows shown
significant significantly simple specifically state strong study studies substantial
substantially superior task tasks three two use used uses using various way ways widely work
works yield yields whereby paradigm
""".split())
# Words that may sit inside a phrase ("state of the art" is rare enough to lose).
_PLURAL_KEEP = frozenset("analysis basis axis thesis class less loss mass gas bias bus lens "
                         "process access success chaos corpus status focus consensus virus "
                         "physics mathematics dynamics kinematics robotics semantics "
                         "linguistics genomics economics graphics news series species".split())


def singular(word: str) -> str:
    """Cheap English singular of a lower-case word (models -> model, queries -> query)."""
    if len(word) <= 3 or word in _PLURAL_KEEP or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    if word.endswith("us") or word.endswith("is"):
        return word
    return word[:-1]


def norm_word(word: str) -> str:
    return singular(word.lower().replace("’", "'"))


_PUNCT = re.compile(r"[^\w\s]+|_")


def norm_phrase(phrase: str) -> str:
    """The form phrases are compared in: lower case, punctuation removed, singular words."""
    return " ".join(norm_word(w) for w in _PUNCT.sub(" ", phrase.lower()).split())


class IDF:
    """Inverse document frequency of normalised words over the shipped reference corpus,
    and the corpus's verb forms (lower case)."""

    def __init__(self, docs: int, df: dict[str, int], verbs: frozenset[str] = frozenset()):
        self.docs = docs
        self.df = df
        self.verbs = verbs
        self.max = math.log((docs + 1) / 1)

    def __call__(self, word: str) -> float:
        return math.log((self.docs + 1) / (self.df.get(word, 0) + 1))


@functools.cache
def shipped_idf() -> IDF:
    path = resources.files("paperradar.enrich") / "data" / "df.json.gz"
    with path.open("rb") as fh:
        data = json.loads(gzip.decompress(fh.read()))
    return IDF(int(data["docs"]), data["df"], frozenset(data.get("verbs") or ()))


_ACRONYM_TAIL = re.compile(r"\s*\([^()]*\)\s*$")
MAX_KEY = 200


def topic_key(phrase: str) -> str:
    """The key of a keyphrase's topic page: normal form without a trailing ``(ACRONYM)``."""
    return norm_phrase(_ACRONYM_TAIL.sub("", phrase) or phrase)[:MAX_KEY]


def author_key(name: str) -> str:
    """Authors are matched by name: case-folded, white space collapsed (same-name people
    share a key; a known limit, said on their page)."""
    return " ".join(name.split()).casefold()[:MAX_KEY]
