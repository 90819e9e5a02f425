"""Field helpers shared by every parser: whitespace, dates, author names, size limits.

Pure functions. Every parser funnels its papers through ``check_paper`` so the same
limits hold whatever the source. Documented limits (a record over a limit is skipped
with a clear error, never truncated silently):

* title: 4,000 characters; abstract: 200,000; any other text field: 20,000;
* authors: 20,000 per paper, 1,000 characters per name; categories: 100.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterable

from paperradar.ingest.errors import ParseError
from paperradar.models import Author, Paper

MAX_TITLE = 4_000
MAX_ABSTRACT = 200_000
MAX_TEXT = 20_000
MAX_AUTHORS = 20_000
MAX_AUTHOR_NAME = 1_000
MAX_CATEGORIES = 100

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                  r"(Z|[+-]\d{2}:?\d{2})?)?$")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class RecordError(ParseError):
    """One record is invalid; the rest of its file still imports."""


def parse_each(items: Iterable[Any], parse: Callable[[Any], Any], label: str,
               errors: list[str] | None) -> list[Any]:
    """``parse`` every item; one raising ``RecordError`` is skipped and described in
    ``errors`` (``"<label> <n>: <problem>"``). ``None`` results are kept out too."""
    out = []
    for n, item in enumerate(items, 1):
        try:
            parsed = parse(item)
        except RecordError as exc:
            if errors is not None:
                errors.append(f"{label} {n}: {exc}")
            continue
        if parsed is not None:
            out.append(parsed)
    return out


def may_have_surrogates(raw: bytes | str) -> bool:
    """True when JSON text contains a ``\\uD800``-``\\uDFFF`` escape (a lone one cannot be
    stored as UTF-8): then run ``scrub_surrogates`` on the decoded value."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    return _SURROGATE_ESCAPE.search(raw) is not None


def scrub_surrogates(value: Any) -> Any:
    """Replace lone UTF-16 surrogates in every string of a decoded JSON value with U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [scrub_surrogates(x) for x in value]
    if isinstance(value, dict):
        return {scrub_surrogates(k): scrub_surrogates(v) for k, v in value.items()}
    return value


def clean_text(value: object) -> str:
    """Collapse runs of whitespace to one space, drop control characters; '' for None."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value  # the common case, 5x faster: printable text holds no other whitespace
    text = " ".join(value.split())
    if not text.isprintable() and _CONTROL.search(text):  # isprintable: a fast C scan
        text = " ".join(_CONTROL.sub("", text).split())
    return text


def opt_text(value: object) -> str | None:
    if value is None:
        return None
    text = clean_text(value)
    return text or None


def iso_date(value: object) -> str | None:
    """Normalise a date or datetime to ISO 8601: ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SSZ`` (UTC).

    Accepts ISO strings (with offset or ``Z``, fractional seconds dropped) and RFC 2822
    dates (``Wed, 31 Dec 2008 21:00:04 GMT``). Unparseable values give None.
    """
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    m = _ISO.match(s)
    if m:
        y, mo, d, hh, mm, ss, tz = m.groups()
        try:
            if hh is None:
                return datetime(int(y), int(mo), int(d)).date().isoformat()
            dt = datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0))
        except ValueError:
            return None
        if tz and tz != "Z":
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            try:
                dt -= timedelta(minutes=sign * (int(digits[:2]) * 60 + int(digits[2:])))
            except OverflowError:
                return None
        return dt.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
    try:
        dt = parsedate_to_datetime(s)
        if dt.tzinfo is not None:
            dt = dt.astimezone(timezone.utc)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return dt.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def day_of(value: object) -> str | None:
    iso = iso_date(value)
    return iso[:10] if iso else None


def split_authors(text: str) -> list[str]:
    """Split an author string ``"A, B and C"`` (arXiv style) into names."""
    text = clean_text(text)
    if not text:
        return []
    text = re.sub(r"\s*\([^()]*\)", "", text)  # drop "(affiliation)" groups
    parts = re.split(r",\s*|\s+and\s+|;\s*", text)
    return [p.strip() for p in parts if p.strip() and p.strip().lower() != "et al."]


def authors_from_names(names: list[str]) -> list[Author]:
    return [Author(n) for n in (clean_text(x) for x in names) if n]


def category_list(value: object) -> list[str]:
    """Categories from a list or a space/comma separated string, order kept, no duplicates."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple)):
        items = [x.strip() if isinstance(x, str) else str(x).strip()
                 for x in value if x is not None]
    else:
        raise RecordError(f"categories must be a list or a string, not {type(value).__name__}")
    return list(dict.fromkeys(c for c in items if c))


def _too_long(pid: str, name: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise RecordError(f"{pid}: {name} too long ({len(value):,} characters; "
                          f"the limit is {limit:,})")


def check_paper(p: Paper) -> Paper:
    """Enforce the documented limits and required fields; raise ``RecordError``."""
    if not p.title:
        raise RecordError(f"{p.id}: no title")
    _too_long(p.id, "title", p.title, MAX_TITLE)
    _too_long(p.id, "abstract", p.abstract, MAX_ABSTRACT)
    for name, value in (("doi", p.doi), ("journal_ref", p.journal_ref),
                        ("comments", p.comments), ("license", p.license),
                        ("primary_category", p.primary_category)):
        if value is not None and len(value) > MAX_TEXT:
            _too_long(p.id, name, value, MAX_TEXT)
    authors = p.authors
    if len(authors) > MAX_AUTHORS:
        raise RecordError(f"{p.id}: {len(authors):,} authors (the limit is {MAX_AUTHORS:,})")
    if authors and max(len(a.name) for a in authors) > MAX_AUTHOR_NAME:
        for a in authors:
            _too_long(p.id, "author name", a.name, MAX_AUTHOR_NAME)
    for a in authors:
        if a.affiliations:
            for aff in a.affiliations:
                _too_long(p.id, "affiliation", aff, MAX_TEXT)
    if len(p.categories) > MAX_CATEGORIES:
        raise RecordError(f"{p.id}: {len(p.categories)} categories (the limit is {MAX_CATEGORIES})")
    if p.categories and max(map(len, p.categories)) > 100:
        for c in p.categories:
            _too_long(p.id, "category", c, 100)
    return p
