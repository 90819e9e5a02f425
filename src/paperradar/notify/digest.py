"""Compose a digest: ``build_digest`` reads the store (never writes) and returns the message,
or None when there is nothing to say.

Contents, in order and without repeats: the top trending papers of the period (if wanted),
recommendations for subscribers with an account (papers of the period ranked by the
recommender of the "For you" page, ``rank.foryou``), then the subscriber's topics — categories,
keyword searches and authors — matched through the site's ``Searcher`` (the same code as
``/search``) within the period's dates. The message is
``multipart/alternative`` (text + HTML, every imported string escaped), with a ``Message-ID``
derived from subscriber and period, ``List-Unsubscribe`` (https + mailto) and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from functools import lru_cache
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from paperradar.config import Settings
from paperradar import latex
from paperradar.ids import is_arxiv_id
from paperradar.models import Paper
from paperradar.notify.mail import RawMessage, build_alternative, envelope_sender, mail_domain
from paperradar.notify.schedule import Period
from paperradar.notify.subscriptions import link_token, links
from paperradar.store.base.notify import Subscriber

ABSTRACT_CHARS = 320


@dataclass(slots=True)
class DigestItem:
    id: str
    title: str
    authors: str
    abstract: str
    url: str
    arxiv_url: str | None = None
    pdf_url: str | None = None
    code_url: str | None = None
    upvotes: int | None = None
    reason: str | None = None  # "because you upvoted …" (recommendations)


@dataclass(slots=True)
class DigestSection:
    title: str
    items: list[DigestItem] = field(default_factory=list)


def short_text(text: str, limit: int = ABSTRACT_CHARS) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def _authors(paper: Paper, keep: int = 4) -> str:
    names = [a.name for a in paper.authors]
    return ", ".join(names[:keep]) + (" et al." if len(names) > keep else "")


def make_item(paper: Paper, base_url: str, upvotes: int | None = None) -> DigestItem:
    arxiv = is_arxiv_id(paper.id)
    code = next((link.url for link in paper.links if link.kind == "code"
                 and link.url.lower().startswith(("https://", "http://"))), None)
    return DigestItem(paper.id, " ".join(latex.to_text(paper.title).split()), _authors(paper),
                      short_text(latex.to_text(paper.abstract)), f"{base_url}/papers/{quote(paper.id, safe=':/')}",
                      f"https://arxiv.org/abs/{paper.id}" if arxiv else None,
                      f"https://arxiv.org/pdf/{paper.id}" if arxiv else None, code, upvotes)


class TopicCache:
    """Per-run memo of trending lists and topic searches (subscribers share most topics)."""

    def __init__(self, settings: Settings, store, searcher):
        self.settings, self.store, self.searcher = settings, store, searcher
        self._memo: dict[tuple, list[DigestItem]] = {}
        self.base = settings.base_url.rstrip("/")

    def trending(self, period: Period) -> list[DigestItem]:
        key = ("trending", period.trending_period, period.slot)
        if key not in self._memo:
            from paperradar.rank.trending import top_trending

            items = top_trending(self.store, period=period.trending_period, now=period.slot,
                                 limit=self.settings.digest_trending_limit)
            self._memo[key] = [make_item(t.paper, self.base, t.upvotes) for t in items]
        return self._memo[key]

    def topic(self, kind: str, value: str, period: Period) -> list[DigestItem]:
        key = (kind, value.lower(), period.date_from, period.date_to)
        if key not in self._memo:
            kw = dict(limit=self.settings.digest_topic_limit, date_from=period.date_from,
                      date_to=period.date_to, snippets=False)  # mails show the abstract
            if kind == "query":
                page = self.searcher.search(value, mode=self.settings.digest_search_mode, **kw)
            elif kind == "category":
                page = self.searcher.search("", category=value, **kw)
            else:
                page = self.searcher.search("", author=value, **kw)
            self._memo[key] = [make_item(h.paper, self.base, h.upvotes) for h in page.hits]
        return self._memo[key]


    def similar(self, paper_id: str, period: Period) -> list[DigestItem]:
        """Papers of the period close to ``paper_id`` (the site's "similar papers")."""
        key = ("similar", paper_id, period.date_from, period.date_to)
        if key not in self._memo:
            hits = self.searcher.similar(paper_id, limit=50)
            self._memo[key] = [make_item(h.paper, self.base, h.upvotes) for h in hits
                               if _in_period(h.paper, period)]
        return self._memo[key]

    def recommended(self, sub: Subscriber, period: Period) -> list[DigestItem]:
        """For a subscriber with an account: papers of the period ranked by the recommender
        (``rank.foryou``, the code of the "For you" page) from their upvotes, collections and
        "not interested" marks; nothing when they have no positives yet."""
        if sub.user_id is None or not hasattr(self.store, "dismissed_by"):
            return []
        from paperradar.rank.foryou import recommend_user

        result = recommend_user(self.store, self.settings, sub.user_id, since=period.date_from,
                                until=period.date_to, limit=self.settings.digest_topic_limit)
        if result.mode != "recommended":
            return []
        items = []
        for it in result.items:
            item = make_item(it.paper, self.base)
            item.reason = it.reasons[0].sentence() if it.reasons else None
            items.append(item)
        return items


def _in_period(paper: Paper, period: Period) -> bool:
    day = (paper.published or "")[:10]
    return period.date_from <= day <= period.date_to


def collect_sections(sub: Subscriber, period: Period, topics: TopicCache) -> list[DigestSection]:
    seen: set[str] = set()
    sections: list[DigestSection] = []

    def add(title: str, items: list[DigestItem]) -> None:
        fresh = [i for i in items if i.id not in seen]
        seen.update(i.id for i in fresh)
        if fresh:
            sections.append(DigestSection(title, fresh))

    if sub.trending and topics.settings.digest_trending_limit:
        add("Trending this week" if period.frequency == "weekly" else "Trending today",
            topics.trending(period))
    if sub.recommendations:
        add("Recommended for you", topics.recommended(sub, period))
    for c in sub.categories:
        add(f"New in {c}", topics.topic("category", c, period))
    for q in sub.queries:
        add(f"Matching “{q}”", topics.topic("query", q, period))
    for a in sub.authors:
        add(f"By {a}", topics.topic("author", a, period))
    return sections


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("paperradar.notify", "templates"),
                       autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def message_id(settings: Settings, sub: Subscriber, period: Period) -> str:
    key = settings.secret_key.get_secret_value().encode()
    tag = hmac.new(key, f"digest:{sub.id}:{period.key}".encode(), hashlib.sha256).hexdigest()[:16]
    return f"<digest.{period.key.replace(':', '.')}.{sub.id}.{tag}@{mail_domain(settings)}>"


def render_digest(settings: Settings, sub: Subscriber, period: Period,
                  sections: list[DigestSection], now: datetime) -> EmailMessage | RawMessage:
    urls = links(settings, sub)
    token = link_token(settings, "unsubscribe", sub)
    kind = "weekly" if period.frequency == "weekly" else "daily"
    count = sum(len(s.items) for s in sections)
    ctx = dict(sections=sections, links=urls, kind=kind, count=count,
               day=period.local_date.strftime("%A %d %B %Y"), base_url=settings.base_url.rstrip("/"))
    text = _env().get_template("digest.txt").render(ctx)
    html = _env().get_template("digest.html").render(ctx)
    mailto = f"mailto:{envelope_sender(settings)}?subject=unsubscribe%20{token}"
    subject = f"paperradar {kind} digest, {period.local_date.isoformat()}: {count} paper" + (
        "s" if count != 1 else "")
    return build_alternative(settings, sub.email, subject, text, html, date=now,
                             message_id=message_id(settings, sub, period),
                             headers={"List-Unsubscribe": f"<{urls['unsubscribe']}>, <{mailto}>",
                                      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                                      "List-Id": f"paperradar digest <digest.{mail_domain(settings)}>",
                                      "Auto-Submitted": "auto-generated", "Precedence": "bulk"})


def build_digest(settings: Settings, store, searcher, sub: Subscriber, period: Period,
                 now: datetime, topics: TopicCache | None = None) -> EmailMessage | RawMessage | None:
    """The digest message for ``sub`` and ``period``, or None when there is nothing to say."""
    topics = topics or TopicCache(settings, store, searcher)
    sections = collect_sections(sub, period, topics)
    if not sections:
        return None
    return render_digest(settings, sub, period, sections, now)
