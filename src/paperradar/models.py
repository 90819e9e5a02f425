"""Plain data shared by every stage: papers as ingested and stored, daily-papers entries.

Dataclasses with slots (cheap to build by the hundred thousand); no behaviour beyond
small conversions to and from JSON-ready dicts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, NamedTuple


@dataclass(slots=True)
class Author:
    name: str
    affiliations: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Version:
    version: int
    date: str | None = None  # ISO 8601
    size: str | None = None


@dataclass(slots=True)
class Link:
    url: str
    kind: str  # "code" | "project" | "huggingface" | "other"


def links_have_code(kinds: Iterable[str]) -> bool:
    """The "has code" rule, from the kinds of a paper's links (``Paper.has_code`` and the
    index's lean read of stored JSON both use it)."""
    return any(kind == "code" for kind in kinds)


@dataclass(slots=True)
class Paper:
    """A paper as a source describes it, and as the store keeps it (merged over sources)."""

    id: str  # canonical: arXiv id without version, or "source:id"
    title: str
    abstract: str = ""
    version: int | None = None  # current version, None when the source does not say
    authors: list[Author] = field(default_factory=list)
    primary_category: str | None = None
    categories: list[str] = field(default_factory=list)
    published: str | None = None  # first version, ISO 8601 date or datetime (UTC, "Z")
    updated: str | None = None  # latest version
    doi: str | None = None
    journal_ref: str | None = None
    comments: str | None = None
    license: str | None = None
    links: list[Link] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # Extra keys kept from generic sources (JSONL) when they fit nowhere else.
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Paper":
        d = dict(d)
        d["authors"] = [Author(**a) for a in d.get("authors") or []]
        d["links"] = [Link(**x) for x in d.get("links") or []]
        d["versions"] = [Version(**v) for v in d.get("versions") or []]
        return cls(**d)

    @property
    def has_code(self) -> bool:
        return links_have_code(link.kind for link in self.links)


@dataclass(slots=True)
class DailyEntry:
    """A paper featured on a daily list (Hugging Face daily papers or a local submission)."""

    paper_id: str
    date: str  # YYYY-MM-DD the paper was featured
    submitted_by: str | None = None
    submitted_at: str | None = None  # ISO datetime
    upvotes: int = 0  # as imported
    num_comments: int = 0
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] = field(default_factory=list)
    source: str = "hf"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Record:
    """One unit an ingester yields: a paper and, for daily-papers sources, its entry."""

    paper: Paper
    daily: DailyEntry | None = None


class IndexFields(NamedTuple):
    """What the full-text index reads of a paper: a plain tuple, built straight from the
    stored JSON by the feed read for indexing (no Author/Link/Version objects)."""

    id: str
    title: str
    abstract: str
    authors: list[str]  # names, in order
    categories: list[str]
    primary_category: str | None
    doi: str | None
    published: str | None
    has_code: bool

    @classmethod
    def of(cls, p: Paper) -> "IndexFields":
        return cls(p.id, p.title, p.abstract, [a.name for a in p.authors], p.categories,
                   p.primary_category, p.doi, p.published, p.has_code)
