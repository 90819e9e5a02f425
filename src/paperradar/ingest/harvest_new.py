"""New papers from the arXiv daily listing feed (``<rss_url>/<category>``).

The feed's entries are stored as they are (title, abstract, authors, categories), then, unless
asked not to, their full metadata (versions, dates, DOI, journal reference...) is fetched from
the Atom API by id and merged over them. Both writes are idempotent merges, so running the
command twice, or after an interruption, gives the same database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from paperradar.ingest.arxiv_rss import parse_listing
from paperradar.ingest.errors import FetchError, ParseError
from paperradar.ingest.harvest_api import ApiOptions, ApiReport, harvest_ids
from paperradar.ingest.http import PoliteClient
from paperradar.store import Store, UpsertStats

# "cs.LG", "math", "physics.optics", "astro-ph.GA", several joined with "+" as the feed allows.
_CATEGORY = re.compile(r"^[a-z][a-z\-]{0,20}(?:\.[A-Za-z\-]{1,20})?"
                       r"(?:\+[a-z][a-z\-]{0,20}(?:\.[A-Za-z\-]{1,20})?){0,19}$")


@dataclass
class NewReport:
    listed: int = 0
    feed_stats: UpsertStats = field(default_factory=UpsertStats)
    api: ApiReport | None = None
    skipped_items: list[str] = field(default_factory=list)  # bad feed items, one line each

    def summary(self) -> str:
        f = self.feed_stats
        text = f"listing: {self.listed} papers ({f.added} new, {f.updated} updated, {f.unchanged} unchanged)"
        if self.skipped_items:
            text += f", {len(self.skipped_items)} bad items skipped"
        if self.api is not None:
            a = self.api.stats
            text += (f"; full metadata for {a.seen} via the API ({a.updated + a.added} changed"
                     + (f", {len(self.api.missing)} not found" if self.api.missing else "") + ")")
        return text


def validate_category(category: str) -> str:
    category = category.strip()
    if not _CATEGORY.match(category):
        raise ValueError(f"invalid arXiv category {category!r} (e.g. cs.LG, math, astro-ph.GA, cs.AI+cs.LG)")
    return category


def harvest_new(store: Store, client: PoliteClient, rss_url: str, api_url: str, category: str, *,
                use_api: bool = True, opts: ApiOptions = ApiOptions(),
                on_step: Callable[[str], None] | None = None) -> NewReport:
    """Store the papers listed today in ``category`` (and their full API metadata)."""
    category = validate_category(category)
    opts.validate()
    url = rss_url.rstrip("/") + "/" + category
    response = client.get(url)
    if response.status_code != 200:
        raise FetchError(f"listing feed answered HTTP {response.status_code} for {url}")
    errors: list[str] = []
    try:
        records = parse_listing(response.content, errors)
    except ParseError as exc:
        raise ParseError(f"listing feed {url}: {exc}") from exc
    report = NewReport(listed=len({r.paper.id for r in records}), skipped_items=errors)
    report.feed_stats = store.upsert_records(records)
    if on_step:
        on_step(f"{report.listed} papers listed")
    if use_api and records:
        ids = list(dict.fromkeys(r.paper.id for r in records))
        report.api = harvest_ids(store, client, api_url, ids, opts=opts)
    return report
