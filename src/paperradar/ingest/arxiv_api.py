"""Parse one page of the arXiv Atom API (``export.arxiv.org/api/query``) into Records.

Pure: bytes in, ``ApiPage`` out. The API's error feed (an entry whose id is
``http://arxiv.org/api/errors#...``) raises ``ArxivApiError`` with its message;
malformed or hostile XML raises ``ParseError``; a single bad entry is skipped and
described in ``ApiPage.errors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from paperradar.ids import InvalidId, parse_arxiv_id
from paperradar.ingest.errors import ArxivApiError, ParseError
from paperradar.ingest.fields import (
    RecordError,
    category_list,
    check_paper,
    clean_text,
    iso_date,
    opt_text,
    parse_each,
)
from paperradar.ingest.links import find_links
from paperradar.ingest.xmlsafe import child, child_text, children, local, parse_xml, text_of
from paperradar.models import Author, Paper, Record

SOURCE = "arxiv-api"


@dataclass
class ApiPage:
    records: list[Record] = field(default_factory=list)
    total_results: int = 0
    start_index: int = 0
    items_per_page: int = 0
    errors: list[str] = field(default_factory=list)  # entries skipped, one line each


def _int(el: Element, name: str) -> int:
    value = child_text(el, name).strip()
    try:
        return int(value) if value else 0
    except ValueError:
        raise ParseError(f"opensearch:{name} is not a number: {value[:40]!r}") from None


def _is_error_entry(entry: Element) -> bool:
    return "arxiv.org/api/errors" in child_text(entry, "id")


def parse_entry(entry: Element, source: str = SOURCE) -> Record:
    """One Atom ``<entry>`` of the API (or of an Atom listing) -> Record."""
    raw_id = child_text(entry, "id").strip()
    try:
        pid, version = parse_arxiv_id(raw_id)
    except InvalidId as exc:
        raise RecordError(str(exc)) from None
    authors = []
    for a in children(entry, "author"):
        name = clean_text(child_text(a, "name"))
        if name:
            affs = [clean_text(text_of(x)) for x in children(a, "affiliation")]
            authors.append(Author(name, [x for x in affs if x]))
    cats = category_list([c.get("term") for c in children(entry, "category")])
    primary = child(entry, "primary_category")
    abstract = clean_text(child_text(entry, "summary"))
    comments = opt_text(child_text(entry, "comment"))
    paper = Paper(
        id=pid, version=version, title=clean_text(child_text(entry, "title")),
        abstract=abstract, authors=authors,
        primary_category=(primary.get("term") if primary is not None else None)
        or (cats[0] if cats else None),
        categories=cats, published=iso_date(child_text(entry, "published")),
        updated=iso_date(child_text(entry, "updated")),
        doi=opt_text(child_text(entry, "doi")),
        journal_ref=opt_text(child_text(entry, "journal_ref")),
        comments=comments, links=find_links(abstract, comments), sources=[source],
    )
    return Record(check_paper(paper))


def parse_feed(data: bytes) -> ApiPage:
    """Parse an API response body. Raises ``ArxivApiError`` or ``ParseError``."""
    root = parse_xml(data)
    if local(root.tag) != "feed":
        raise ParseError(f"not an Atom feed (root element <{local(root.tag)}>)")
    entries = list(children(root, "entry"))
    for entry in entries:
        if _is_error_entry(entry):
            message = clean_text(child_text(entry, "summary")) or "unknown error"
            raise ArxivApiError(f"arXiv API error: {message}")
    page = ApiPage(total_results=_int(root, "totalResults"), start_index=_int(root, "startIndex"),
                   items_per_page=_int(root, "itemsPerPage"))
    page.records = parse_each(entries, parse_entry, "entry", page.errors)
    return page
