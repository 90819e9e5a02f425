"""Small text helpers shared by renderers: timestamps, author lists, arXiv links, XML safety."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from paperradar.ids import is_arxiv_id
from paperradar.models import Paper

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


def iso_z(value: str | None, *, millis: bool = True) -> str | None:
    """Normalise a date or datetime string to UTC ``YYYY-MM-DDTHH:MM:SS(.mmm)Z``."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            dt = datetime.combine(date.fromisoformat(text), datetime.min.time(), timezone.utc)
        else:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
            dt = dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)
    except ValueError:
        return None
    if millis:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def year_of(paper: Paper) -> str | None:
    value = paper.published or paper.updated
    return value[:4] if value and value[:4].isascii() and value[:4].isdigit() else None


def one_line(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def xml_safe(text: str | None) -> str:
    """Drop characters XML 1.0 cannot carry (control characters)."""
    return _XML_BAD.sub("", text or "")


def gist(text: str | None, limit: int = 260) -> str:
    """The first sentences of an abstract, up to about ``limit`` characters."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = max(text.rfind(". ", 0, limit), text.rfind("? ", 0, limit))
    if cut >= 60:
        return text[:cut + 1]
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def short_authors(paper: Paper, keep: int = 3) -> str:
    names = [a.name for a in paper.authors]
    if len(names) <= keep + 1:
        return ", ".join(names)
    return ", ".join(names[:keep]) + f" and {len(names) - keep} others"


def arxiv_abs_url(paper: Paper) -> str | None:
    return f"https://arxiv.org/abs/{paper.id}" if is_arxiv_id(paper.id) else None


def arxiv_pdf_url(paper: Paper) -> str | None:
    return f"https://arxiv.org/pdf/{paper.id}" if is_arxiv_id(paper.id) else None


def link_of(paper: Paper, kind: str) -> str | None:
    return next((link.url for link in paper.links if link.kind == kind), None)
