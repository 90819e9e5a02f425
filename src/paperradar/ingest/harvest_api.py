"""arXiv Atom API harvest: papers by id (batched into ``id_list``) or by search query (paged
with ``start``/``max_results``). Every page is written in its own short transaction.

A query harvest is resumable: each page is stored in ONE transaction together with a
checkpoint (key ``api-query:`` + a hash of query, sort, page size and ``max_results``; value
JSON ``{"start": next start, "stored": papers stored so far}``), so a run killed at any moment
resumes, when run again with the same options, at the first page not yet stored. The page that
completes the query (the last one, or the one reaching ``max_results``) clears the checkpoint
in its transaction, so the next run is a fresh pass from the top (new results appear there);
``restart=True`` ignores and clears a stored checkpoint. With the ``submittedDate`` and
``lastUpdatedDate`` sorts a resume continues exactly where the list stopped (save for papers
submitted or updated in between, which join at the top and wait for the next pass); with
``relevance`` the order can shift between runs, so a resume may fetch again a paper already
stored or miss one that moved behind ``start``. The merge is idempotent, so the cost is at
worst a re-fetched result, or a missed one that the next fresh pass picks up.
A harvest by id has no checkpoint: a killed run is simply run again (papers already stored
merge to no change).

Politeness comes from the shared ``PoliteClient`` (one request per ``http_min_interval`` per
host, retries on transient failures). The API sometimes answers a page in the middle of a
result list with no entries although ``totalResults`` says there are more: such a page (or a
page that does not parse) is asked again a few times before giving up with a clear error.
The API's error feed (HTTP 400, e.g. a malformed id) becomes an ``ArxivApiError``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from paperradar.ids import InvalidId, parse_arxiv_id
from paperradar.ingest.arxiv_api import ApiPage, parse_feed
from paperradar.ingest.errors import ArxivApiError, FetchError, ParseError
from paperradar.ingest.http import PoliteClient
from paperradar.store import Store, UpsertStats

SORTS = ("relevance", "lastUpdatedDate", "submittedDate")
MAX_PAGE_SIZE = 2000  # the API's documented per-request limit
DEFAULT_PAGE_SIZE = 100
EMPTY_PAGE_RETRIES = 3


@dataclass
class ApiReport:
    pages: int = 0
    stats: UpsertStats = field(default_factory=UpsertStats)
    total_results: int | None = None
    empty_retries: int = 0
    missing: list[str] = field(default_factory=list)  # requested ids the API did not return
    skipped_records: list[str] = field(default_factory=list)  # bad entries, one line each
    resumed: bool = False  # query: continued from a stored checkpoint
    resumed_at: int = 0  # query: the ``start`` it continued from
    stored: int = 0  # query: papers stored in this pass, including before a resume

    def summary(self) -> str:
        s = self.stats
        how = f"resumed at result {self.resumed_at}, " if self.resumed else ""
        text = (f"arXiv API: {how}{self.pages} pages, {s.seen} papers: {s.added} new, "
                f"{s.updated} updated, {s.unchanged} unchanged")
        if self.missing:
            text += f"; {len(self.missing)} ids not found"
        if self.skipped_records:
            text += f"; {len(self.skipped_records)} bad entries skipped"
        return text


@dataclass(frozen=True)
class ApiOptions:
    page_size: int = DEFAULT_PAGE_SIZE
    sort: str = "relevance"
    empty_retries: int = EMPTY_PAGE_RETRIES

    def validate(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}, got {self.page_size}")
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r} (use {', '.join(SORTS)})")
        if self.empty_retries < 0:
            raise ValueError("empty-page retries must be >= 0")


def _params(opts: ApiOptions, *, query: str = "", ids: Sequence[str] = (), start: int = 0) -> dict:
    return {"search_query": query, "id_list": ",".join(ids), "sortBy": opts.sort,
            "sortOrder": "descending", "start": start, "max_results": opts.page_size}


def query_key(query: str, max_results: int | None, opts: ApiOptions) -> str:
    """Checkpoint key naming a query harvest: the same options resume the same pass."""
    what = json.dumps([query.strip(), opts.sort, opts.page_size, max_results])
    return "api-query:" + hashlib.sha256(what.encode()).hexdigest()[:16]


def _load_checkpoint(value: str | None) -> tuple[int, int] | None:
    """(next start, stored so far) of a stored checkpoint; None if absent or unreadable."""
    try:
        data = json.loads(value) if value else None
        start, stored = int(data["start"]), int(data["stored"])
    except (ValueError, TypeError, KeyError):
        return None
    return (start, stored) if start >= 0 and stored >= 0 else None


def harvest_query(store: Store, client: PoliteClient, api_url: str, query: str, *,
                  max_results: int | None = None, opts: ApiOptions = ApiOptions(),
                  restart: bool = False,
                  on_page: Callable[[ApiReport], None] | None = None) -> ApiReport:
    """Store every result of ``query`` (at most ``max_results``), page by page, resuming
    from this query's checkpoint unless ``restart``."""
    opts.validate()
    query = query.strip()
    if not query:
        raise ValueError("empty query")
    if max_results is not None and max_results < 1:
        raise ValueError("--max must be at least 1")
    key = query_key(query, max_results, opts)
    report = ApiReport()
    resume = None if restart else _load_checkpoint(store.get_checkpoint(key))
    if restart:
        store.set_checkpoint(key, None)
    start, stored = resume or (0, 0)
    report.resumed, report.resumed_at, report.stored = resume is not None, start, stored
    while True:
        page = _fetch_page(client, api_url, _params(opts, query=query, start=start), start,
                           opts, report)
        report.total_results = page.total_results
        records = page.records
        if max_results is not None:
            records = records[:max(0, max_results - stored)]
        stored += len(records)
        entries = len(page.records) + len(page.errors)
        start += entries
        done = (not entries or start >= (page.total_results or 0)
                or (max_results is not None and stored >= max_results))
        mark = None if done else json.dumps({"start": start, "stored": stored})
        report.stats += store.upsert_records(records, checkpoint=(key, mark))
        report.pages += 1
        report.stored = stored
        if on_page:
            on_page(report)
        if done:
            return report


def harvest_ids(store: Store, client: PoliteClient, api_url: str, ids: Iterable[str], *,
                opts: ApiOptions = ApiOptions(),
                on_page: Callable[[ApiReport], None] | None = None) -> ApiReport:
    """Store the papers with these ids, ``opts.page_size`` ids per request."""
    opts.validate()
    wanted = list(dict.fromkeys(_api_id(i) for i in ids if i and i.strip()))
    if not wanted:
        raise ValueError("no ids given")
    report = ApiReport()
    for i in range(0, len(wanted), opts.page_size):
        batch = wanted[i:i + opts.page_size]
        page = _fetch_page(client, api_url, _params(opts, ids=batch), 0, opts, report,
                           expect=len(batch))
        report.stats += store.upsert_records(page.records)
        report.pages += 1
        found = {r.paper.id for r in page.records}
        report.missing += [x for x in batch if _canonical(x) not in found]
        if on_page:
            on_page(report)
    return report


def _api_id(raw: str) -> str:
    """What ``id_list`` expects: a bare id (with its version if one was given), also from an
    abs/pdf URL or an ``arXiv:`` prefix. Anything else is passed on for the API to judge."""
    raw = raw.strip()
    try:
        pid, version = parse_arxiv_id(raw)
    except InvalidId:
        return raw
    return f"{pid}v{version}" if version else pid


def _canonical(raw: str) -> str:
    try:
        return parse_arxiv_id(raw)[0]
    except InvalidId:
        return raw


def _fetch_page(client: PoliteClient, api_url: str, params: dict, start: int, opts: ApiOptions,
                report: ApiReport, expect: int | None = None) -> ApiPage:
    """One parsed page; re-asked when suspiciously empty or unparseable."""
    problem = ""
    for attempt in range(opts.empty_retries + 1):
        if attempt:
            report.empty_retries += 1
        response = client.get(api_url, params=params)
        if response.status_code != 200:
            _raise_for_status(response)
        try:
            page = parse_feed(response.content)
        except ArxivApiError:
            raise
        except ParseError as exc:
            problem = f"unreadable response ({exc})"
            continue
        total = page.total_results or 0
        if page.records or page.errors or start >= total:
            report.skipped_records += page.errors
            return page
        problem = (f"an empty page at start={start} although totalResults={total}"
                   if expect is None else f"no entries for {expect} ids although totalResults={total}")
    raise FetchError(f"arXiv API gave {problem} after {opts.empty_retries + 1} attempts; "
                     f"pages already stored are kept")


def _raise_for_status(response) -> None:
    try:
        parse_feed(response.content)  # the error feed raises ArxivApiError with its message
    except ArxivApiError:
        raise
    except ParseError:
        pass
    raise FetchError(f"arXiv API answered HTTP {response.status_code} for {response.url}")
