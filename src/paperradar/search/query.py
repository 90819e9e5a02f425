"""Parse the search box into words, phrases and filters, safely: any string gives a
``ParsedQuery`` (never an exception); problems become ``warnings`` the UI can show.

Syntax: plain words; ``"exact phrases"``; ``-word`` to exclude; ``author:hinton`` or
``author:"geoffrey hinton"``; ``cat:cs.LG`` (or ``cat:cs`` for a whole archive);
``since:2024-05``/``until:2024-06-30`` (year, month or day); ``year:2024``; year ranges
``2023..2024``; ``has:code``. Unknown ``key:value`` pairs are searched as plain words.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 1000
MAX_PARTS = 64

_TOKEN = re.compile(r'(-?)(?:([A-Za-z_]+):)?(?:"([^"]*)"?|(\S+))')
_YEAR_RANGE = re.compile(r"^(\d{4})\s*\.\.\s*(\d{4})?$|^\.\.(\d{4})$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class ParsedQuery:
    raw: str = ""
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    date_from: str | None = None  # YYYY-MM-DD inclusive
    date_to: str | None = None
    has_code: bool | None = None
    warnings: list[str] = field(default_factory=list)
    phrases_optional: bool = False  # set when no paper has the phrases: words, phrases boost

    @property
    def text(self) -> str:
        """The free text (words and phrases), as the embedder should see it."""
        return " ".join(self.words + self.phrases).strip()

    @property
    def has_filters(self) -> bool:
        return bool(self.authors or self.categories or self.date_from or self.date_to
                    or self.has_code is not None)

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.has_filters)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "words", "phrases", "excluded", "authors", "categories", "date_from", "date_to",
            "has_code", "warnings")}


def parse_date(value: str, *, end: bool = False) -> str | None:
    """``2024``, ``2024-05`` or ``2024-05-03`` -> ISO day (first or last day of the period)."""
    m = _DATE.match(value.strip())
    if not m:
        return None
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if not 1000 <= y <= 9999:
        return None
    if mo is None:
        return f"{y:04d}-12-31" if end else f"{y:04d}-01-01"
    month = int(mo)
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(y, month)[1]
    if d is None:
        return f"{y:04d}-{month:02d}-{last if end else 1:02d}"
    day = int(d)
    if not 1 <= day <= last:
        return None
    return f"{y:04d}-{month:02d}-{day:02d}"


def _clean_text(s: str) -> str:
    s = "".join(ch if ch.isprintable() else " " for ch in s)
    return " ".join(s.split())


class _Parser:
    def __init__(self, raw: str):
        self.q = ParsedQuery(raw=raw)

    def narrow_from(self, day: str | None) -> None:
        if day and (self.q.date_from is None or day > self.q.date_from):
            self.q.date_from = day

    def narrow_to(self, day: str | None) -> None:
        if day and (self.q.date_to is None or day < self.q.date_to):
            self.q.date_to = day

    def year_range(self, token: str) -> bool:
        m = _YEAR_RANGE.match(token)
        if not m:
            return False
        if m.group(3):
            self.narrow_to(parse_date(m.group(3), end=True))
        else:
            self.narrow_from(parse_date(m.group(1)))
            if m.group(2):
                self.narrow_to(parse_date(m.group(2), end=True))
        return True

    def field(self, key: str, value: str, negated: bool) -> bool:
        key = key.lower()
        value = _clean_text(value)
        if key in ("author", "au", "by"):
            if value and negated:
                self.q.warnings.append("excluding authors is not supported")
            elif value:
                self.q.authors.append(value)
            return True
        if key in ("cat", "category"):
            if value:
                self.q.categories.extend(c for c in value.replace(",", " ").split() if c)
            return True
        if key in ("since", "from", "after", "until", "to", "before", "year", "date"):
            return self.dates(key, value)
        if key == "has":
            if value.lower() in ("code", "github", "repo"):
                self.q.has_code = not negated
            else:
                self.q.warnings.append(f"has:{value} is not a known filter (try has:code)")
            return True
        return False

    def dates(self, key: str, value: str) -> bool:
        if key in ("year", "date") and self.year_range(value):
            return True
        start, end = parse_date(value), parse_date(value, end=True)
        if start is None:
            self.q.warnings.append(f"{key}:{value} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
            return True
        if key in ("since", "from", "after"):
            self.narrow_from(start)
        elif key in ("until", "to", "before"):
            self.narrow_to(end)
        else:
            self.narrow_from(start)
            self.narrow_to(end)
        return True

    def plain(self, value: str, negated: bool, quoted: bool) -> None:
        value = _clean_text(value)
        if not value:
            return
        if quoted:
            words = _WORD.findall(value)
            if len(words) > 1:
                (self.q.excluded if negated else self.q.phrases).append(" ".join(words))
            elif words:
                (self.q.excluded if negated else self.q.words).append(words[0])
            return
        if not negated and self.year_range(value):
            return
        for w in _WORD.findall(value):
            (self.q.excluded if negated else self.q.words).append(w)

    def run(self) -> ParsedQuery:
        raw = self.q.raw
        if len(raw) > MAX_QUERY_CHARS:
            self.q.warnings.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
            raw = raw[:MAX_QUERY_CHARS]
        for n, m in enumerate(_TOKEN.finditer(raw)):
            if n >= MAX_PARTS:
                self.q.warnings.append(f"only the first {MAX_PARTS} parts of the query are used")
                break
            neg, key, quoted, bare = m.group(1) == "-", m.group(2), m.group(3), m.group(4)
            value = quoted if quoted is not None else (bare or "")
            if key and self.field(key, value, neg):
                continue
            if key:
                self.plain(key, neg, False)
            self.plain(value, neg, quoted is not None)
        if self.q.date_from and self.q.date_to and self.q.date_from > self.q.date_to:
            self.q.warnings.append("the date range is empty (start after end)")
        return self.q


FILTER_KEYS = ("cat", "category", "since", "from", "after", "until", "to", "before", "year",
               "date", "has")


def filter_tokens(raw: str) -> list[tuple[str, bool]]:
    """The query's parts in order, each with whether it is a ``key:value`` filter that has
    a form field (category, dates, has:code); the parts joined give the query back."""
    out = []
    for m in _TOKEN.finditer((raw or "")[:MAX_QUERY_CHARS]):
        key = (m.group(2) or "").lower()
        out.append((m.group(0), key in FILTER_KEYS and m.group(1) != "-" or
                    (key == "has" and m.group(1) == "-")))
    return out


def parse_query(raw: object) -> ParsedQuery:
    """Parse any input; never raises."""
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    text = text.replace("\x00", " ")
    try:
        return _Parser(text).run()
    except Exception as exc:  # defensive: the search box must never fail
        q = ParsedQuery(raw=text, words=_WORD.findall(text)[:MAX_PARTS])
        q.warnings.append(f"query partly understood ({type(exc).__name__})")
        return q
