"""Merge what a source says about a paper into what the store already knows.

Pure and idempotent: ``merge(merge(old, new), new) == merge(old, new)``, so re-importing
the same data changes nothing and an interrupted import replayed from the start gives the
same database as one clean run. Rules:

* a strictly newer version (by number) replaces title, abstract, authors, comments and
  categories (affiliations already known for an author of the same name are kept when the
  newer source gives none); the version history is the union of what every source reported;
* otherwise fields the store lacks are filled in (first non-empty value wins);
* links and sources are unions; ``updated`` is the latest date seen.
"""

from __future__ import annotations

from paperradar.models import Author, Link, Paper, Version

_REPLACED_BY_NEWER = ("title", "abstract", "authors", "comments", "categories", "primary_category")
_COALESCED = (
    "title", "abstract", "authors", "primary_category", "categories", "published",
    "doi", "journal_ref", "comments", "license",
)


def _is_newer(incoming: Paper, existing: Paper) -> bool:
    if incoming.version is None:
        return False
    return existing.version is None or incoming.version > existing.version


def _union_versions(a: list[Version], b: list[Version]) -> list[Version]:
    by_number: dict[int, Version] = {}
    for v in [*a, *b]:
        have = by_number.get(v.version)
        if have is None:
            by_number[v.version] = Version(v.version, v.date, v.size)
        else:
            have.date = have.date or v.date
            have.size = have.size or v.size
    return [by_number[n] for n in sorted(by_number)]


def _union_links(a: list[Link], b: list[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in [*a, *b]:
        seen.setdefault(link.url, Link(link.url, link.kind))
    return list(seen.values())


def copy_paper(p: Paper) -> Paper:
    """A copy whose lists are new (so merging never modifies its arguments), much faster than
    ``Paper.from_dict(p.to_dict())``. Author, Link and Version objects are shared: the merge
    rules never modify them in place (unions build new ones)."""
    return Paper(
        id=p.id, title=p.title, abstract=p.abstract, version=p.version,
        authors=list(p.authors), primary_category=p.primary_category,
        categories=list(p.categories), published=p.published, updated=p.updated, doi=p.doi,
        journal_ref=p.journal_ref, comments=p.comments, license=p.license,
        links=list(p.links), versions=list(p.versions), sources=list(p.sources),
        extra=dict(p.extra),
    )


def paper_dict(p: Paper) -> dict:
    """``p.to_dict()`` without ``dataclasses.asdict``'s deep copy (same content)."""
    return {
        "id": p.id, "title": p.title, "abstract": p.abstract, "version": p.version,
        "authors": [{"name": a.name, "affiliations": list(a.affiliations)} for a in p.authors],
        "primary_category": p.primary_category, "categories": list(p.categories),
        "published": p.published, "updated": p.updated, "doi": p.doi,
        "journal_ref": p.journal_ref, "comments": p.comments, "license": p.license,
        "links": [{"url": x.url, "kind": x.kind} for x in p.links],
        "versions": [{"version": v.version, "date": v.date, "size": v.size} for v in p.versions],
        "sources": list(p.sources), "extra": dict(p.extra),
    }


def normalise(p: Paper) -> Paper:
    """Put a single source's paper into canonical shape (sorted unions, version list)."""
    versions = list(p.versions)
    if p.version is not None and all(v.version != p.version for v in versions):
        versions.append(Version(p.version, p.updated if p.version > 1 else p.published))
    p.versions = _union_versions(versions, [])
    if p.version is None and p.versions:
        p.version = p.versions[-1].version
    p.links = _union_links(p.links, [])
    p.sources = sorted(set(p.sources))
    p.categories = list(dict.fromkeys(c for c in p.categories if c))
    if p.primary_category is None and p.categories:
        p.primary_category = p.categories[0]
    if p.updated is None:
        p.updated = p.published
    return p


def _keep_affiliations(new: list[Author], old: list[Author]) -> list[Author]:
    known = {a.name.casefold(): a.affiliations for a in old if a.affiliations}
    if not known:
        return new
    return [a if a.affiliations or a.name.casefold() not in known
            else Author(a.name, list(known[a.name.casefold()])) for a in new]


def merge(existing: Paper | None, incoming: Paper) -> Paper:
    """Return the merged paper; neither argument is modified."""
    inc = normalise(copy_paper(incoming))
    if existing is None:
        return inc
    out = copy_paper(existing)
    if _is_newer(inc, out):
        for name in _REPLACED_BY_NEWER:
            value = getattr(inc, name)
            if value:
                setattr(out, name, value)
        if inc.authors:
            out.authors = _keep_affiliations(inc.authors, existing.authors)
        out.version = inc.version
    for name in _COALESCED:
        if not getattr(out, name) and getattr(inc, name):
            setattr(out, name, getattr(inc, name))
    out.versions = _union_versions(out.versions, inc.versions)
    if out.versions:
        out.version = max(out.version or 0, out.versions[-1].version)
    out.links = _union_links(out.links, inc.links)
    out.sources = sorted(set(out.sources) | set(inc.sources))
    dates = [d for d in (out.updated, inc.updated) if d]
    out.updated = max(dates) if dates else None
    for key, value in inc.extra.items():
        out.extra.setdefault(key, value)
    return out
