"""``harvest new``: the daily listing feed as a source of new ids, completed by the API."""

from __future__ import annotations

import pytest

from paperradar.ingest.harvest_new import harvest_new, validate_category

from .helpers import fake_client

IDS = ["2508.13426", "2508.13428", "2508.13429", "2508.13434", "2508.13435", "2508.14001", "2508.14002"]


def test_listing_then_api_metadata(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_new(store, client, hsettings.arxiv_rss_url, hsettings.arxiv_api_url, "cs.AI")
    assert [h.path for h in replay.hits()] == ["/rss/cs.AI", "/api/query"]
    assert replay.hits()[1].params["id_list"] == ",".join(IDS)  # one batched API request
    assert report.listed == 7 and report.feed_stats.added == 7
    assert report.api is not None and report.api.stats.seen == 7 and not report.api.missing
    assert store.stats()["papers"] == 7
    paper = store.get_paper("2508.13426")
    assert paper.title.startswith("ALIGN") and paper.authors[0].name == "Chunhua Liu"
    assert len(paper.sources) == 2 and "arxiv-api" in paper.sources  # feed + API


def test_rerun_is_idempotent(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client:
        harvest_new(store, client, hsettings.arxiv_rss_url, hsettings.arxiv_api_url, "cs.AI")
        dump = store.dump()
        again = harvest_new(store, client, hsettings.arxiv_rss_url, hsettings.arxiv_api_url, "cs.AI")
    assert again.feed_stats.unchanged == 7 and again.api.stats.unchanged == 7
    assert store.dump() == dump


def test_feed_only(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_new(store, client, hsettings.arxiv_rss_url, hsettings.arxiv_api_url,
                             "cs.AI", use_api=False)
    assert report.api is None and [h.path for h in replay.hits()] == ["/rss/cs.AI"]
    assert store.stats()["papers"] == 7


def test_unknown_category_is_a_clear_error(hsettings, replay, store):
    from paperradar.ingest.errors import FetchError

    client, _ = fake_client(hsettings)
    with client, pytest.raises(FetchError, match="HTTP 404"):
        harvest_new(store, client, hsettings.arxiv_rss_url, hsettings.arxiv_api_url, "cs.XX")
    assert store.dump() == []


@pytest.mark.parametrize("bad", ["", "../etc", "cs.AI/x", "CS", "cs.AI?x=1", "cs AI"])
def test_category_validation(bad):
    with pytest.raises(ValueError, match="invalid arXiv category"):
        validate_category(bad)


@pytest.mark.parametrize("good", ["cs.LG", "math", "astro-ph.GA", "cs.AI+cs.LG", "physics.optics"])
def test_category_accepted(good):
    assert validate_category(good) == good
