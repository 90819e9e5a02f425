"""Parse arXiv's daily listing feeds (``rss.arxiv.org``: RSS 2.0 and Atom) into Records.

Each item gives an id with its version, title, abstract, authors, categories, licence
and the announce type (``new``, ``cross``, ``replace``, ``replace-cross``), kept in
``Paper.extra["announce_type"]``. A new (v1) announcement sets ``published`` to the
listing date; a replacement only sets ``updated``. Pure: bytes in, Records out.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from paperradar.ids import InvalidId, parse_arxiv_id
from paperradar.ingest.errors import ParseError
from paperradar.ingest.fields import (
    RecordError,
    authors_from_names,
    category_list,
    check_paper,
    clean_text,
    day_of,
    opt_text,
    parse_each,
    split_authors,
)
from paperradar.ingest.links import find_links
from paperradar.ingest.xmlsafe import child, child_text, children, local, parse_xml, text_of
from paperradar.models import Paper, Record

SOURCE = "arxiv-rss"
_PREAMBLE = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*(\S+)\s*Abstract:\s*", re.IGNORECASE)


def _abstract(text: str) -> tuple[str, str | None]:
    """Split ``"arXiv:ID Announce Type: new Abstract: ..."`` into (abstract, announce type)."""
    m = _PREAMBLE.match(text)
    if m:
        return clean_text(text[m.end():]), m.group(1).lower()
    return clean_text(text), None


def _item_record(item: Element, is_atom: bool) -> Record:
    raw_id = child_text(item, "id" if is_atom else "guid").strip()
    if not raw_id:
        raw_id = (child(item, "link").get("href") if is_atom and child(item, "link") is not None
                  else child_text(item, "link")) or ""
    try:
        pid, version = parse_arxiv_id(raw_id)
    except InvalidId as exc:
        raise RecordError(str(exc)) from None
    abstract, announce = _abstract(child_text(item, "summary" if is_atom else "description"))
    announce = clean_text(child_text(item, "announce_type")).lower() or announce
    if is_atom:
        cats = [c.get("term") for c in children(item, "category")]
        date = day_of(child_text(item, "published"))
    else:
        cats = [text_of(c) for c in children(item, "category")]
        date = day_of(child_text(item, "pubDate"))
    names = [n for c in children(item, "creator") for n in split_authors(text_of(c))]
    first = version in (None, 1) and announce in (None, "new", "cross")
    paper = Paper(
        id=pid, version=version, title=clean_text(child_text(item, "title")), abstract=abstract,
        authors=authors_from_names(names), categories=category_list(cats),
        primary_category=category_list(cats)[0] if category_list(cats) else None,
        published=date if first else None, updated=date,
        license=opt_text(child_text(item, "rights")), links=find_links(abstract),
        sources=[SOURCE], extra={"announce_type": announce} if announce else {},
    )
    return Record(check_paper(paper))


def parse_listing(data: bytes, errors: list[str] | None = None) -> list[Record]:
    """Parse a listing feed. Bad items are skipped and described in ``errors`` if given."""
    root = parse_xml(data)
    kind = local(root.tag)
    if kind == "feed":
        items, is_atom = list(children(root, "entry")), True
    elif kind in ("rss", "RDF"):
        channel = child(root, "channel")
        items = list(children(channel if kind == "rss" else root, "item"))
        is_atom = False
    else:
        raise ParseError(f"not an RSS or Atom listing feed (root element <{kind}>)")
    return parse_each(items, lambda item: _item_record(item, is_atom), "item", errors)
