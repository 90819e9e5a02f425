"""Atom documents: the site's feeds (daily, trending, search, category) and the
arXiv-API-compatible query response (with ``opensearch:`` and ``arxiv:`` elements)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

from paperradar import latex
from paperradar.ids import is_arxiv_id
from paperradar.web.render.text import arxiv_abs_url, arxiv_pdf_url, iso_z, one_line, xml_safe
from paperradar.web.render.views import PaperView

ATOM_NS = "http://www.w3.org/2005/Atom"


def _t(text: str | None) -> str:
    return escape(xml_safe(text))


def _a(text: str | None) -> str:
    return quoteattr(xml_safe(text))


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(view: PaperView, base_url: str) -> str:
    p = view.paper
    url = f"{base_url}/papers/{p.id}"
    updated = iso_z(p.updated or p.published, millis=False) or \
        (iso_z(view.entry.date, millis=False) if view.entry else None) or _now()
    parts = [f"<entry><id>{_t(url)}</id><title>{_t(one_line(latex.to_text(p.title)))}</title>",
             f"<updated>{updated}</updated>"]
    published = iso_z(p.published, millis=False)
    if published:
        parts.append(f"<published>{published}</published>")
    parts.append(f'<link rel="alternate" type="text/html" href={_a(url)}/>')
    if arxiv_pdf_url(p):
        parts.append(f'<link rel="related" type="application/pdf" title="pdf" href={_a(arxiv_pdf_url(p))}/>')
    parts += [f"<author><name>{_t(a.name)}</name></author>" for a in p.authors if a.name.strip()]
    if not any(a.name.strip() for a in p.authors):
        parts.append("<author><name>unknown</name></author>")
    parts += [f"<category term={_a(c)}/>" for c in p.categories]
    summary = one_line(latex.to_text(p.abstract))
    if view.upvotes:
        summary = f"[{view.upvotes} upvote{'' if view.upvotes == 1 else 's'}] {summary}"
    parts.append(f'<summary type="text">{_t(summary)}</summary></entry>')
    return "".join(parts)


def site_feed(title: str, self_url: str, html_url: str, views: Iterable[PaperView],
              base_url: str) -> str:
    """An Atom 1.0 feed of papers linking to their pages on this site."""
    views = list(views)
    updated = max((iso_z(v.paper.updated or v.paper.published, millis=False) or "" for v in views),
                  default="") or _now()
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="{ATOM_NS}">'
            f"<id>{_t(self_url)}</id><title>{_t(title)}</title><updated>{updated}</updated>"
            f'<link rel="self" type="application/atom+xml" href={_a(self_url)}/>'
            f'<link rel="alternate" type="text/html" href={_a(html_url)}/>'
            f"<generator>paperradar</generator>")
    return head + "".join(_entry(v, base_url) for v in views) + "</feed>\n"


def _arxiv_entry(view: PaperView) -> str:
    p = view.paper
    vid = f"{p.id}v{p.version}" if p.version and is_arxiv_id(p.id) else p.id
    abs_url = f"http://arxiv.org/abs/{vid}" if is_arxiv_id(p.id) else f"urn:paperradar:{p.id}"
    published = iso_z(p.published, millis=False) or (iso_z(view.entry.date, millis=False)
                                                     if view.entry else None) or _now()
    updated = iso_z(p.updated, millis=False) or published
    parts = [f"<entry><id>{_t(abs_url)}</id><title>{_t(one_line(p.title))}</title>",
             f"<updated>{updated}</updated><published>{published}</published>",
             f"<summary>{_t(p.abstract)}</summary>"]
    parts += [f"<author><name>{_t(a.name)}</name>"
              + "".join(f"<arxiv:affiliation>{_t(x)}</arxiv:affiliation>" for x in a.affiliations)
              + "</author>" for a in p.authors]
    if is_arxiv_id(p.id):
        parts.append(f'<link href={_a(arxiv_abs_url(p))} rel="alternate" type="text/html"/>')
        parts.append(f'<link title="pdf" href={_a(arxiv_pdf_url(p))} rel="related" type="application/pdf"/>')
    for tag, value in (("comment", p.comments), ("journal_ref", p.journal_ref), ("doi", p.doi)):
        if value:
            parts.append(f"<arxiv:{tag}>{_t(value)}</arxiv:{tag}>")
    primary = p.primary_category or (p.categories[0] if p.categories else None)
    if primary:
        parts.append(f'<arxiv:primary_category term={_a(primary)} scheme="http://arxiv.org/schemas/atom"/>')
    parts += [f'<category term={_a(c)} scheme="http://arxiv.org/schemas/atom"/>' for c in p.categories]
    return "".join(parts) + "</entry>"


def arxiv_feed(query_title: str, self_url: str, views: Iterable[PaperView], total: int,
               start: int, per_page: int) -> str:
    """A response shaped like ``export.arxiv.org/api/query``."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="{ATOM_NS}" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">'
            f'<link href={_a(self_url)} rel="self" type="application/atom+xml"/>'
            f"<title type=\"html\">{_t('ArXiv Query: ' + query_title)}</title>"
            f"<id>{_t(self_url)}</id><updated>{_now()}</updated>"
            f"<opensearch:totalResults>{total}</opensearch:totalResults>"
            f"<opensearch:startIndex>{start}</opensearch:startIndex>"
            f"<opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>")
    return head + "".join(_arxiv_entry(v) for v in views) + "</feed>\n"


def arxiv_error(message: str, self_url: str) -> str:
    """arXiv's error document (it answers 400 with a one-entry feed)."""
    now = _now()
    err_id = "https://arxiv.org/api/errors#" + "_".join(message.split())[:80]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="{ATOM_NS}" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
            f"<id>{_t(self_url)}</id><title>arXiv Search Results</title><updated>{now}</updated>"
            "<opensearch:itemsPerPage>1</opensearch:itemsPerPage>"
            "<opensearch:totalResults>1</opensearch:totalResults>"
            "<opensearch:startIndex>0</opensearch:startIndex>"
            f"<entry><id>{_t(err_id)}</id><title>Error</title><updated>{now}</updated>"
            f"<summary>{_t(message)}</summary><author><name>arXiv api core</name></author>"
            "</entry></feed>\n")
