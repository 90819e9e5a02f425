"""Parse Hugging Face ``/api/daily_papers`` JSON into Records (paper + daily entry).

Accepts the API's list of items (one file per day) and the ``{"date": ..., "data": [...]}``
wrapper some tools save. The featured date is the file's day when known, else the
item's ``submittedOnDailyAt`` (newer responses) or top-level ``publishedAt`` (older ones).
Items that are not JSON objects (e.g. Python ``repr`` strings saved by mistake) are not
guessed at: they are skipped with a clear error. URLs are kept only when http(s).
"""

from __future__ import annotations

import json
from typing import Any

from paperradar.ids import InvalidId, canonical_id
from paperradar.ingest.errors import ParseError
from paperradar.ingest.fields import (
    RecordError,
    check_paper,
    clean_text,
    day_of,
    iso_date,
    opt_text,
    parse_each,
    scrub_surrogates,
)
from paperradar.ingest.links import find_links
from paperradar.models import Author, DailyEntry, Link, Paper, Record

SOURCE = "hf"


def _url(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower().startswith(("https://", "http://")):
        url = value.strip()
        return url if len(url) <= 2000 and not any(c.isspace() for c in url) else None
    return None


def _count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"{name} is not an integer: {str(value)[:40]!r}")
    if not 0 <= value < 2**53:
        raise RecordError(f"{name} out of range: {value}")
    return value


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _authors(raw: Any) -> list[Author]:
    out = []
    for a in raw if isinstance(raw, list) else []:
        name = clean_text(a.get("name") if isinstance(a, dict) else a)
        if name:
            out.append(Author(name))
    return out


def _submitter(item: dict, paper: dict) -> str | None:
    by = _dict(paper.get("submittedOnDailyBy"))
    old = _dict(item.get("submittedBy"))
    return opt_text(by.get("user") or by.get("name") or old.get("name") or old.get("user"))


def parse_item(item: Any, day: str | None) -> Record:
    """One daily-papers item -> Record; raise ``RecordError`` when it is not usable."""
    if isinstance(item, str):
        raise RecordError("item is a string (a Python repr saved by mistake?), not a JSON object")
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise RecordError(f"item is not a daily-papers object ({type(item).__name__})")
    p = item["paper"]
    try:
        pid, _ = canonical_id(str(p.get("id") or ""), SOURCE)
    except InvalidId as exc:
        raise RecordError(str(exc)) from None
    abstract = clean_text(p.get("summary") or item.get("summary"))
    repo, page = _url(p.get("githubRepo")), _url(p.get("projectPage"))
    links = [Link(repo, "code")] if repo else []
    links += [Link(page, "project")] if page else []
    paper = Paper(id=pid, title=clean_text(p.get("title") or item.get("title")),
                  abstract=abstract, authors=_authors(p.get("authors")),
                  published=iso_date(p.get("publishedAt")),
                  links=links + find_links(abstract), sources=[SOURCE])
    check_paper(paper)
    featured = day or day_of(p.get("submittedOnDailyAt")) or day_of(item.get("publishedAt"))
    if not featured:
        raise RecordError(f"{pid}: no featured date (name the file YYYY-MM-DD.json)")
    keywords = p.get("ai_keywords") if isinstance(p.get("ai_keywords"), list) else []
    entry = DailyEntry(
        paper_id=pid, date=featured, submitted_by=_submitter(item, p),
        submitted_at=iso_date(p.get("submittedOnDailyAt"))
        or (iso_date(item.get("publishedAt")) if "submittedOnDailyAt" not in p else None),
        upvotes=_count(p.get("upvotes"), "upvotes") or 0,
        num_comments=_count(item.get("numComments"), "numComments") or 0,
        github_repo=repo, github_stars=_count(p.get("githubStars"), "githubStars"),
        project_page=page, ai_summary=opt_text(p.get("ai_summary")),
        ai_keywords=[k for k in (clean_text(x) for x in keywords if isinstance(x, str)) if k],
        source=SOURCE)
    return Record(paper, entry)


def load_items(data: bytes) -> tuple[list[Any], str | None]:
    """The items of a daily-papers document and the day its wrapper names (if any).

    Accepts the API's JSON list, a ``{"date", "data": [...]}`` wrapper, or JSON Lines.
    """
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        if not exc.msg.startswith("Extra data"):
            raise ParseError(f"malformed JSON: {exc}") from None
        doc = _json_lines(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"malformed JSON: {exc}") from None
    except RecursionError:
        raise ParseError("malformed JSON: nested too deeply") from None
    doc = scrub_surrogates(doc)  # lone surrogates (from \\ud800 escapes) cannot be stored
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        return doc["data"], day_of(doc.get("date"))
    if isinstance(doc, list):
        return doc, None
    raise ParseError("not a daily-papers document (expected a JSON list of items)")


def _json_lines(data: bytes) -> list[Any]:
    items = []
    for n, line in enumerate(data.splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except (ValueError, RecursionError) as exc:
                raise ParseError(f"malformed JSON Lines at line {n}: {exc}") from None
    return items


def parse_daily(data: bytes, day: str | None = None,
                errors: list[str] | None = None) -> list[Record]:
    """Parse a daily-papers response. ``day`` (YYYY-MM-DD) is the date it was fetched for.

    Bad items are skipped and described in ``errors`` when a list is given.
    """
    items, wrapper_day = load_items(data)
    day = day_of(day) if day else wrapper_day
    return parse_each(items, lambda item: parse_item(item, day), "item", errors)
