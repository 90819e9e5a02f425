"""Paper identifiers: parse and canonicalise arXiv ids (new and old style) and source ids.

A canonical id has no version: ``2401.01234``, ``hep-th/9901001``; papers from other
sources get a source prefix: ``jsonl:abc``. Pure functions, no I/O.
"""

from __future__ import annotations

import re

_NEW = re.compile(r"^(\d{4}\.\d{4,5})(?:v(\d+))?$")
_OLD = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?$")
_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/", re.IGNORECASE
)
_LOOKS_ARXIV = re.compile(r"^(?:arxiv:)?(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})v\d+$",
                          re.IGNORECASE)
_SOURCE_ID = re.compile(r"^[a-z][a-z0-9_\-]{0,31}:[^\s]{1,200}$")


class InvalidId(ValueError):
    """An identifier that is not a valid arXiv id nor a prefixed source id."""


def parse_arxiv_id(text: str) -> tuple[str, int | None]:
    """Return (canonical id, version or None) for an arXiv id, URL or OAI identifier.

    >>> parse_arxiv_id("arXiv:2401.01234v2")
    ('2401.01234', 2)
    >>> parse_arxiv_id("https://arxiv.org/abs/hep-th/9901001")
    ('hep-th/9901001', None)
    """
    s = (text or "").strip()
    s = _URL_PREFIX.sub("", s)
    if s.lower().startswith("oai:arxiv.org:"):
        s = s[len("oai:arXiv.org:"):]
    if s.lower().startswith("arxiv:"):
        s = s[6:]
    if s.endswith(".pdf"):
        s = s[:-4]
    s = s.strip("/")
    m = _NEW.match(s) or _OLD.match(s)
    if not m:
        raise InvalidId(f"not an arXiv id: {text[:80]!r}")
    version = int(m.group(2)) if m.group(2) else None
    if version is not None and not 1 <= version <= 1000:
        raise InvalidId(f"implausible version in {text[:80]!r}")
    return m.group(1), version


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except InvalidId:
        return False
    return True


def canonical_id(raw: str, source: str = "jsonl") -> tuple[str, int | None]:
    """Canonicalise an id from any source: arXiv ids stay bare, others get ``source:`` prefix."""
    raw = (raw or "").strip()
    if not raw:
        raise InvalidId("empty id")
    try:
        return parse_arxiv_id(raw)
    except InvalidId:
        if _LOOKS_ARXIV.match(raw):  # an arXiv id with a bad version: refuse, don't prefix
            raise
    if _SOURCE_ID.match(raw):
        return raw, None
    cid = f"{source}:{raw}"
    if not _SOURCE_ID.match(cid):
        raise InvalidId(f"invalid id {raw[:80]!r}: use 1-200 printable characters without spaces")
    return cid, None


def validate_paper_id(text: str) -> str:
    """Validate an id coming from a URL or API call; return the canonical form."""
    if len(text) > 240:
        raise InvalidId("id too long")
    if ":" in text and not text.lower().startswith(("arxiv:", "oai:", "http")):
        if not _SOURCE_ID.match(text):
            raise InvalidId(f"invalid id {text[:80]!r}")
        return text
    return parse_arxiv_id(text)[0]
