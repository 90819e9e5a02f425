"""Resumable arXiv OAI-PMH harvest (ListRecords), safe to kill at any moment.

Each page's records are written in ONE transaction together with the resumptionToken that
fetches the next page (the checkpoint), so a harvest killed anywhere resumes with the first
page not yet stored. When the list is complete a completed-harvest marker (the date the
harvest covers up to) is written first and the token cleared second: a kill between the two
merely refetches the last page. A rerun of a completed harvest with ``until`` does nothing;
without ``until`` it harvests incrementally from the marker's date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Callable

from paperradar.ingest.arxiv_oai import OaiPage, parse_oai
from paperradar.ingest.errors import FetchError, OaiError, ParseError
from paperradar.ingest.http import PoliteClient
from paperradar.store import Store, UpsertStats

PREFIXES = ("arXiv", "arXivRaw")
PARSE_RETRIES = 2
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SET = re.compile(r"^[A-Za-z][A-Za-z0-9\-]*(?::[A-Za-z0-9\-.]+)*$")


@dataclass(frozen=True)
class OaiRequest:
    set: str | None = None
    from_: str | None = None
    until: str | None = None
    prefix: str = "arXiv"

    def validate(self) -> None:
        if self.prefix not in PREFIXES:
            raise ValueError(f"unsupported metadata prefix {self.prefix!r} (use arXiv or arXivRaw)")
        if self.set is not None and not _SET.match(self.set):
            raise ValueError(f"invalid OAI set {self.set!r} (e.g. cs, math, physics:hep-th)")
        for name, value in (("--from", self.from_), ("--until", self.until)):
            if value is not None:
                if not _DATE.match(value):
                    raise ValueError(f"{name} must be a date YYYY-MM-DD, got {value!r}")
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise ValueError(f"{name} is not a valid date: {value!r}") from None
        if self.from_ and self.until and self.from_ > self.until:
            raise ValueError(f"--from {self.from_} is after --until {self.until}")

    @property
    def key(self) -> str:
        """Checkpoint key naming this harvest (its resumptionToken lives under it)."""
        return f"oai:{self.prefix}:{self.set or '*'}:{self.from_ or ''}:{self.until or ''}"

    @property
    def done_key(self) -> str:
        """Key of the completed-harvest marker (value: the date harvested up to)."""
        return "oai-done:" + self.key[len("oai:"):]

    def params(self, from_: str | None) -> dict[str, str]:
        p = {"verb": "ListRecords", "metadataPrefix": self.prefix}
        if self.set:
            p["set"] = self.set
        if from_:
            p["from"] = from_
        if self.until:
            p["until"] = self.until
        return p


@dataclass
class OaiReport:
    pages: int = 0
    stats: UpsertStats = field(default_factory=UpsertStats)
    resumed: bool = False
    restarted: bool = False  # a stored token had expired: harvested again from the start
    skipped: bool = False  # already complete, nothing fetched
    complete_list_size: int | None = None
    position: int | None = None  # records of the list behind us (from the server's cursor)
    effective_from: str | None = None
    skipped_records: list[str] = field(default_factory=list)  # bad records, one line each

    def summary(self) -> str:
        if self.skipped:
            return "harvest already complete; nothing fetched (use --again to harvest again)"
        s = self.stats
        how = "resumed, " if self.resumed else ("restarted (expired token), " if self.restarted else "")
        return (f"OAI-PMH: {how}{self.pages} pages, {s.seen} records: {s.added} new, "
                f"{s.updated} updated, {s.unchanged} unchanged"
                + (f"; {len(self.skipped_records)} bad records skipped" if self.skipped_records else ""))


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def harvest_oai(store: Store, client: PoliteClient, base_url: str, request: OaiRequest, *,
                again: bool = False, on_page: Callable[[OaiReport], None] | None = None,
                today: Callable[[], str] = _today) -> OaiReport:
    """Harvest ``request`` into ``store``, resuming from its checkpoint if one exists."""
    request.validate()
    report = OaiReport()
    token = store.get_checkpoint(request.key)
    done = store.get_checkpoint(request.done_key)
    from_ = request.from_
    if token is None and done is not None:
        if request.until and not again:
            report.skipped = True
            return report
        if not again and (from_ is None or done > from_):
            from_ = done  # incremental: arXiv datestamps are days, the overlap is harmless
    report.effective_from = from_
    report.resumed = token is not None
    through = request.until or today()
    try:
        _run(store, client, base_url, request, token, from_, through, report, on_page)
    except OaiError as exc:
        if exc.code != "badResumptionToken" or not report.resumed or report.pages:
            raise
        # The token stored by an interrupted run has expired: start the list again
        # (records are merged idempotently, so re-fetching pages already stored is harmless).
        report.resumed, report.restarted = False, True
        _run(store, client, base_url, request, None, from_, through, report, on_page)
    return report


def _run(store: Store, client: PoliteClient, base_url: str, request: OaiRequest,
         token: str | None, from_: str | None, through: str, report: OaiReport,
         on_page: Callable[[OaiReport], None] | None) -> None:
    while True:
        params = {"verb": "ListRecords", "resumptionToken": token} if token else request.params(from_)
        page = _page(client, base_url, params)
        report.pages += 1
        report.skipped_records += page.errors
        if page.complete_list_size is not None:
            report.complete_list_size = page.complete_list_size
        if page.cursor is not None:  # position in the whole list, also across a resume
            report.position = page.cursor + len(page.records) + len(page.errors)
        previous, token = token, page.resumption_token or None
        if token is not None and token == previous:
            raise FetchError(f"OAI-PMH server returned the resumptionToken {token!r} it was "
                             "given: stopping instead of looping")
        if token:
            report.stats += store.upsert_records(page.records, checkpoint=(request.key, token))
        else:
            report.stats += store.upsert_records(page.records, checkpoint=(request.done_key, through))
            store.set_checkpoint(request.key, None)
        if on_page:
            on_page(report)
        if not token:
            return


def _page(client: PoliteClient, base_url: str, params: dict[str, str]) -> OaiPage:
    """Fetch and parse one page; a body that does not parse (truncated in transit) is
    fetched again a couple of times before the ParseError is reported."""
    for attempt in range(PARSE_RETRIES + 1):
        body = _fetch(client, base_url, params)
        try:
            return parse_oai(body)
        except ParseError as exc:
            if attempt == PARSE_RETRIES:
                raise ParseError(f"OAI-PMH page unreadable after {attempt + 1} attempts: {exc}") from exc


def _fetch(client: PoliteClient, base_url: str, params: dict[str, str]) -> bytes:
    """One OAI-PMH response body; an HTTP error with an OAI error inside raises OaiError."""
    response = client.get(base_url, params=params)
    if response.status_code == 200:
        return response.content
    try:
        parse_oai(response.content)  # raises OaiError when the body says why
    except ParseError:
        pass
    raise FetchError(f"OAI-PMH server answered HTTP {response.status_code} for {response.url}")
