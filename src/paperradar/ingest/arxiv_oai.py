"""Parse one arXiv OAI-PMH response (ListRecords / GetRecord) into Records.

Metadata formats: ``arXiv`` (with or without namespace prefixes), ``arXivRaw`` (full
version history with dates and sizes; the current version is the last one) and
``oai_dc``. ``noRecordsMatch`` is an empty page; any other OAI ``<error>`` raises
``OaiError``; deleted records are skipped; a bad record is skipped and described in
``OaiPage.errors``. Pure: bytes in, ``OaiPage`` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from paperradar.ids import InvalidId, parse_arxiv_id
from paperradar.ingest.errors import OaiError, ParseError
from paperradar.ingest.fields import (
    RecordError,
    authors_from_names,
    category_list,
    check_paper,
    clean_text,
    iso_date,
    opt_text,
    parse_each,
    split_authors,
)
from paperradar.ingest.links import find_links
from paperradar.ingest.xmlsafe import child, child_text, children, local, parse_xml, text_of
from paperradar.models import Author, Paper, Record, Version

SOURCE = "arxiv-oai"
_VERBS = ("ListRecords", "GetRecord")


@dataclass
class OaiPage:
    records: list[Record] = field(default_factory=list)
    resumption_token: str | None = None
    complete_list_size: int | None = None
    cursor: int | None = None
    errors: list[str] = field(default_factory=list)  # records skipped, one line each
    deleted: int = 0  # records with header status="deleted" (skipped)


def _opt_int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _paper_id(header: Element | None, meta: Element) -> str:
    raw = child_text(header, "identifier").strip() or child_text(meta, "id").strip()
    try:
        return parse_arxiv_id(raw)[0]
    except InvalidId as exc:
        raise RecordError(str(exc)) from None


def _finish(p: Paper) -> Record:
    p.links = find_links(p.abstract, p.comments)
    p.sources = [SOURCE]
    if p.primary_category is None and p.categories:
        p.primary_category = p.categories[0]
    return Record(check_paper(p))


def _common(p: Paper, meta: Element) -> Paper:
    p.title = clean_text(child_text(meta, "title"))
    p.abstract = clean_text(child_text(meta, "abstract"))
    p.categories = category_list(child_text(meta, "categories"))
    p.comments = opt_text(child_text(meta, "comments"))
    p.journal_ref = opt_text(child_text(meta, "journal-ref"))
    p.doi = opt_text(child_text(meta, "doi"))
    p.license = opt_text(child_text(meta, "license"))
    return p


def _from_arxiv(pid: str, meta: Element) -> Record:
    p = _common(Paper(id=pid, title=""), meta)
    for a in children(child(meta, "authors"), "author"):
        parts = [clean_text(child_text(a, k)) for k in ("forenames", "keyname", "suffix")]
        name = " ".join(x for x in parts if x)
        if name:
            affs = [clean_text(text_of(x)) for x in children(a, "affiliation")]
            p.authors.append(Author(name, [x for x in affs if x]))
    p.published = iso_date(child_text(meta, "created"))
    p.updated = iso_date(child_text(meta, "updated")) or p.published
    return _finish(p)


def _from_arxiv_raw(pid: str, meta: Element) -> Record:
    p = _common(Paper(id=pid, title=""), meta)
    p.authors = authors_from_names(split_authors(child_text(meta, "authors")))
    for v in children(meta, "version"):
        m = re.fullmatch(r"v?(\d+)", (v.get("version") or "").strip())
        if m:
            p.versions.append(Version(int(m.group(1)), iso_date(child_text(v, "date")),
                                      opt_text(child_text(v, "size"))))
    p.versions.sort(key=lambda v: v.version)
    if p.versions:
        p.version = p.versions[-1].version
        p.published = p.versions[0].date
        p.updated = p.versions[-1].date
    submitter = opt_text(child_text(meta, "submitter"))
    if submitter:
        p.extra["submitter"] = submitter
    return _finish(p)


def _dc_name(creator: str) -> str:
    """``"Young, J. E."`` -> ``"J. E. Young"``."""
    last, sep, first = creator.partition(",")
    return f"{first.strip()} {last.strip()}".strip() if sep else creator.strip()


def _from_oai_dc(pid: str, meta: Element) -> Record:
    p = Paper(id=pid, title=clean_text(child_text(meta, "title")))
    p.authors = authors_from_names([_dc_name(clean_text(text_of(c)))
                                    for c in children(meta, "creator")])
    descriptions = [clean_text(text_of(d)) for d in children(meta, "description")]
    for d in descriptions:
        if d.startswith("Comment:"):
            p.comments = p.comments or d[len("Comment:"):].strip() or None
        elif not p.abstract:
            p.abstract = d
    dates = sorted(filter(None, (iso_date(text_of(d)) for d in children(meta, "date"))))
    if dates:
        p.published, p.updated = dates[0], dates[-1]
    for ident in (clean_text(text_of(i)) for i in children(meta, "identifier")):
        if ident.lower().startswith("doi:"):
            p.doi = p.doi or ident[4:].strip() or None
    subjects = [clean_text(text_of(s)) for s in children(meta, "subject")]
    if subjects:
        p.extra["subjects"] = [s for s in subjects if s]
    return _finish(p)


_FORMATS = {"arXiv": _from_arxiv, "arXivRaw": _from_arxiv_raw, "dc": _from_oai_dc}


def _parse_record(rec: Element) -> Record | None:
    header = child(rec, "header")
    if header is not None and header.get("status") == "deleted":
        return None
    metadata = child(rec, "metadata")
    meta = next(iter(metadata), None) if metadata is not None else None
    if meta is None:
        raise RecordError(f"{child_text(header, 'identifier').strip() or 'record'}: no metadata")
    parse = _FORMATS.get(local(meta.tag))
    if parse is None:
        raise RecordError(f"unsupported metadata format <{local(meta.tag)}>")
    return parse(_paper_id(header, meta), meta)


def _raise_errors(root: Element) -> bool:
    """Raise ``OaiError`` for an OAI error; return True for ``noRecordsMatch``."""
    errors = list(children(root, "error"))
    if not errors:
        return False
    codes = [e.get("code") or "unknown" for e in errors]
    if all(c == "noRecordsMatch" for c in codes):
        return True
    bad = next(e for e in errors if (e.get("code") or "unknown") != "noRecordsMatch")
    raise OaiError(bad.get("code") or "unknown", clean_text(text_of(bad)) or "(no message)")


def parse_oai(data: bytes) -> OaiPage:
    """Parse an OAI-PMH response body. Raises ``OaiError`` or ``ParseError``."""
    root = parse_xml(data)
    if local(root.tag) != "OAI-PMH":
        raise ParseError(f"not an OAI-PMH response (root element <{local(root.tag)}>)")
    if _raise_errors(root):
        return OaiPage()
    verb = next((c for c in root if local(c.tag) in _VERBS), None)
    if verb is None:
        what = next((local(c.tag) for c in root if local(c.tag) not in ("responseDate", "request")),
                    "empty")
        raise ParseError(f"OAI-PMH {what} response: no ListRecords or GetRecord to import")
    page = OaiPage()
    records = list(children(verb, "record"))
    page.records = parse_each(records, _parse_record, "record", page.errors)
    page.deleted = len(records) - len(page.records) - len(page.errors)
    token = child(verb, "resumptionToken")
    if token is not None:
        page.resumption_token = (token.text or "").strip() or None
        page.complete_list_size = _opt_int(token.get("completeListSize"))
        page.cursor = _opt_int(token.get("cursor"))
    return page
