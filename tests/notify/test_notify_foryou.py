"""The digest's "for you" section comes from the recommender (``rank.foryou``, the code of the
"For you" page and the API): positives from an imported library collection and upvotes,
"not interested" marks honoured, reasons in both parts; delivered through a real SMTP sink."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from notify_helpers import active

from paperradar.ingest.library import parse_library
from paperradar.ingest.library_import import import_library
from paperradar.notify.digest import build_digest
from paperradar.notify.mail import Mailer
from paperradar.notify.runner import make_searcher
from paperradar.notify.schedule import latest_period
from paperradar.rank.foryou import recommend_user

AT = datetime(2026, 3, 6, 10, 0, tzinfo=timezone.utc)


def _send(settings, store, sub, smtp):
    sub, _ = store.add_subscriber(sub)
    period = latest_period(sub, AT)
    msg = build_digest(settings, store, make_searcher(settings, store), sub, period, AT)
    assert msg is not None
    with Mailer(settings) as m:
        assert m.send(msg, kind="digest").ok
    (got,) = smtp.received(sub.email)
    return period, got


def test_for_you_section_from_an_imported_library(digest_settings, papers_store, smtp):
    store = papers_store
    user = store.create_user("lib@example.org", "lib", None, verified=True)
    seed = "2603.04405"  # a cs.CV paper of 2026-03-05 in the fixture
    lib = parse_library(f"{seed}\nhttps://arxiv.org/abs/2601.55555\n".encode())
    report = import_library(store, user.id, lib, "My Zotero")
    assert report.found_ids == [seed] and report.missing_ids == ["2601.55555"]
    first = recommend_user(store, digest_settings, user.id, since="2026-03-05",
                           until="2026-03-06", limit=5).items[0].paper.id
    store.set_dismissed(user.id, first, True)  # "not interested" in the top pick
    sub = active("lib@example.org", user_id=user.id, trending=False, recommendations=True)
    period, got = _send(digest_settings, store, sub, smtp)
    text = got.get_body(("plain",)).get_content()
    html = got.get_body(("html",)).get_content()
    assert "== Recommended for you ==" in text
    ids = re.findall(r"https://papers\.example/papers/(\S+)", text)
    expected = recommend_user(store, digest_settings, user.id, since=period.date_from,
                              until=period.date_to, limit=digest_settings.digest_topic_limit)
    assert ids == [i.paper.id for i in expected.items] and ids
    assert seed not in ids and first not in ids
    title = " ".join(store.get_paper(seed).title.split())
    assert "because “My Zotero” has" in text and "because “My Zotero” has" in html
    assert title.split()[0] in html


def test_no_positives_means_no_section(digest_settings, papers_store, smtp):
    user = papers_store.create_user("new@example.org", "new", None, verified=True)
    sub = active("new@example.org", user_id=user.id, trending=False, recommendations=True)
    sub, _ = papers_store.add_subscriber(sub)
    period = latest_period(sub, AT)
    assert build_digest(digest_settings, papers_store, make_searcher(digest_settings, papers_store),
                        sub, period, AT) is None
