"""Atom API harvests against the replay server: ids batched into id_list, query paging,
the suspicious empty page, the 400 error feed, the empty result, politeness, and resuming an
interrupted query harvest from its checkpoint (``--restart`` to start over)."""

from __future__ import annotations

import json
import time

import pytest

from paperradar.ingest.errors import ArxivApiError, FetchError
from paperradar.ingest.harvest_api import ApiOptions, harvest_ids, harvest_query, query_key
from paperradar.ingest.http import PoliteClient

from .helpers import fake_client
from .replay import load

TESTING = {"search_query": "testing", "sortBy": "relevance", "sortOrder": "descending"}
P10 = ApiOptions(page_size=10)


def test_query_pages_with_start_and_max_results(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_query(store, client, hsettings.arxiv_api_url, "testing",
                               max_results=25, opts=P10)
    hits = replay.hits("/api/query")
    assert [(h.params["start"], h.params["max_results"]) for h in hits] == [
        ("0", "10"), ("10", "10"), ("20", "10")]
    assert report.pages == 3 and report.total_results == 214881
    assert report.stats.added == 25 == store.stats()["papers"]


def test_query_all_six_recorded_pages_then_idempotent(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client:
        first = harvest_query(store, client, hsettings.arxiv_api_url, "testing", max_results=60, opts=P10)
        dump = store.dump()
        second = harvest_query(store, client, hsettings.arxiv_api_url, "testing", max_results=60, opts=P10)
    assert first.stats.added == 60 and second.stats.unchanged == 60 and second.stats.added == 0
    assert store.dump() == dump
    assert store.stats()["sources"] == {"arxiv-api": 60}


def test_suspicious_empty_page_is_asked_again(hsettings, replay, store):
    params = {**TESTING, "start": 30, "max_results": 10}
    real = replay.routes[next(k for k in replay.routes if ("start", "30") in k[1])][0]
    empty = load("api/constructed_q_testing_s30_m10_empty.xml")
    replay.add("/api/query", params, [empty, empty, real])
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_query(store, client, hsettings.arxiv_api_url, "testing",
                               max_results=40, opts=P10)
    starts = [h.params["start"] for h in replay.hits()]
    assert starts == ["0", "10", "20", "30", "30", "30"]
    assert report.empty_retries == 2 and report.stats.added == 40


def test_empty_page_that_stays_empty_gives_up_keeping_earlier_pages(hsettings, replay, store):
    replay.add("/api/query", {**TESTING, "start": 30, "max_results": 10},
               [load("api/constructed_q_testing_s30_m10_empty.xml")])
    client, _ = fake_client(hsettings)
    with client, pytest.raises(FetchError, match=r"empty page at start=30 .* after 4 attempts"):
        harvest_query(store, client, hsettings.arxiv_api_url, "testing", max_results=60, opts=P10)
    assert store.stats()["papers"] == 30  # the three good pages stay stored
    assert len(replay.hits()) == 3 + 4


def _recorded(replay, id_list: str):
    return replay.routes[next(k for k in replay.routes if ("id_list", id_list) in k[1])]


def test_ids_batched_into_id_list(hsettings, replay, store):
    """Three ids, two per request: the recorded answers for (0808.05394, 1707.08567) and for
    1605.08386 are served for the same id lists asked with max_results=2."""
    two = {"sortBy": "relevance", "sortOrder": "descending", "start": 0, "max_results": 2}
    replay.add("/api/query", {**two, "id_list": "0808.05394,1707.08567"},
               _recorded(replay, "0808.05394,1707.08567"))
    replay.add("/api/query", {**two, "id_list": "1605.08386"}, _recorded(replay, "1605.08386"))
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_ids(store, client, hsettings.arxiv_api_url,
                             ["0808.05394", "1707.08567", "1605.08386", "0808.05394"],
                             opts=ApiOptions(page_size=2))
    assert [h.params["id_list"] for h in replay.hits()] == ["0808.05394,1707.08567", "1605.08386"]
    assert report.pages == 2
    # 0808.05394 is a real id the API does not know (recorded totalResults 0): reported missing
    assert report.missing == ["0808.05394"]
    assert sorted(p for p in ("1707.08567", "1605.08386") if store.get_paper(p)) == ["1605.08386", "1707.08567"]


def test_single_ids_and_old_style_ids(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client:
        for pid in ("https://arxiv.org/abs/1605.08386", "arXiv:astro-ph/0601001"):
            report = harvest_ids(store, client, hsettings.arxiv_api_url, [pid])
            assert report.stats.added == 1 and not report.missing
    assert [h.params["id_list"] for h in replay.hits()] == ["1605.08386", "astro-ph/0601001"]
    paper = store.get_paper("astro-ph/0601001")
    assert paper is not None and paper.primary_category.startswith("astro-ph")
    assert store.get_paper("1605.08386").authors[0].name == "Caprice Stanley"


def test_error_feed_is_one_clear_error(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client, pytest.raises(ArxivApiError) as err:
        harvest_ids(store, client, hsettings.arxiv_api_url, ["abc"])
    assert "incorrect id format for abc" in str(err.value) and "\n" not in str(err.value)
    assert [h.status for h in replay.hits()] == [400]  # not retried
    assert store.dump() == []


def test_empty_result_means_not_found(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_ids(store, client, hsettings.arxiv_api_url, ["0000.0000"])
    assert report.missing == ["0000.0000"] and report.stats.seen == 0
    assert len(replay.hits()) == 1  # totalResults 0: an honest empty result, not retried


def test_at_most_one_request_per_interval(hsettings, replay, store):
    """Real clock: with 0.2 s between requests, 6 pages take >= 1.0 s from first to last."""
    s = hsettings.model_copy(update={"http_min_interval": 0.2})
    t0 = time.monotonic()
    with PoliteClient(s) as client:
        harvest_query(store, client, s.arxiv_api_url, "testing", max_results=60, opts=P10)
    hits = replay.hits()
    assert len(hits) == 6
    gaps = [b.at - a.at for a, b in zip(hits, hits[1:])]
    assert min(gaps) >= 0.2 - 0.05, gaps  # arrival times: loopback transit may vary a little
    assert hits[-1].at - hits[0].at >= 5 * 0.2 - 0.03
    assert time.monotonic() - t0 < 10


@pytest.mark.parametrize("call, message", [
    (lambda st, c, u: harvest_query(st, c, u, "  "), "empty query"),
    (lambda st, c, u: harvest_query(st, c, u, "x", max_results=0), "at least 1"),
    (lambda st, c, u: harvest_query(st, c, u, "x", opts=ApiOptions(page_size=5000)), "page size"),
    (lambda st, c, u: harvest_query(st, c, u, "x", opts=ApiOptions(sort="random")), "unknown sort"),
    (lambda st, c, u: harvest_ids(st, c, u, ["", " "]), "no ids"),
])
def test_bad_options_refused_before_any_request(hsettings, replay, store, call, message):
    client, _ = fake_client(hsettings)
    with client, pytest.raises(ValueError, match=message):
        call(store, client, hsettings.arxiv_api_url)
    assert replay.hits() == []


# -- resumable query harvests ----------------------------------------------------------------

EMPTY30 = {**TESTING, "start": 30, "max_results": 10}


def _interrupt_at_30(replay, store, hsettings, **kw):
    """A query harvest whose page at start=30 keeps coming back empty: it stops with an error
    after storing three pages. Returns the route's real recording (to serve it afterwards)."""
    real = _recorded_start(replay, "30")
    replay.add("/api/query", EMPTY30, [load("api/constructed_q_testing_s30_m10_empty.xml")])
    client, _ = fake_client(hsettings)
    with client, pytest.raises(FetchError):
        harvest_query(store, client, hsettings.arxiv_api_url, "testing", opts=P10, **kw)
    return real


def _recorded_start(replay, start: str):
    return replay.routes[next(k for k in replay.routes
                              if ("start", start) in k[1] and ("search_query", "testing") in k[1])]


def _starts(replay, since: int = 0) -> list[str]:
    return [h.params["start"] for h in replay.hits("/api/query")[since:]]


def _clean_dump(hsettings, tmp_path, **kw) -> list[tuple]:
    """The database of one uninterrupted harvest (in a store of its own)."""
    from paperradar.store import open_store

    with open_store(f"sqlite:///{tmp_path / 'clean.db'}") as clean:
        client, _ = fake_client(hsettings)
        with client:
            harvest_query(clean, client, hsettings.arxiv_api_url, "testing", opts=P10, **kw)
        return clean.dump()


def test_interrupted_query_resumes_after_the_last_stored_page(hsettings, replay, store, tmp_path):
    real = _interrupt_at_30(replay, store, hsettings, max_results=55)
    key = query_key("testing", 55, P10)
    assert json.loads(store.get_checkpoint(key)) == {"start": 30, "stored": 30}
    assert store.stats()["papers"] == 30
    replay.add("/api/query", EMPTY30, real)
    n = len(replay.hits())
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_query(store, client, hsettings.arxiv_api_url, "testing",
                               max_results=55, opts=P10)
    assert _starts(replay, n) == ["30", "40", "50"]  # pages 1-3 are not fetched again
    assert report.resumed and report.resumed_at == 30 and report.stored == 55
    assert report.stats.added == 25 and report.pages == 3
    assert report.summary() == ("arXiv API: resumed at result 30, 3 pages, 25 papers: "
                                "25 new, 0 updated, 0 unchanged")
    assert store.get_checkpoint(key) is None  # complete: the next run is a fresh pass
    assert store.dump() == _clean_dump(hsettings, tmp_path, max_results=55)


def test_completed_query_clears_its_checkpoint_and_next_run_starts_at_the_top(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client:
        first = harvest_query(store, client, hsettings.arxiv_api_url, "testing", max_results=20, opts=P10)
        assert store.dump()[-1][0] != "checkpoint"
        second = harvest_query(store, client, hsettings.arxiv_api_url, "testing", max_results=20, opts=P10)
    assert not first.resumed and not second.resumed
    assert _starts(replay) == ["0", "10", "0", "10"]
    assert second.stats.unchanged == 20 and second.summary().startswith("arXiv API: 2 pages,")
    assert not any(row[0] == "checkpoint" for row in store.dump())


def test_restart_ignores_and_clears_the_checkpoint(hsettings, replay, store):
    real = _interrupt_at_30(replay, store, hsettings, max_results=40)
    key = query_key("testing", 40, P10)
    assert store.get_checkpoint(key) is not None
    replay.add("/api/query", EMPTY30, real)
    n = len(replay.hits())
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_query(store, client, hsettings.arxiv_api_url, "testing",
                               max_results=40, opts=P10, restart=True)
    assert _starts(replay, n) == ["0", "10", "20", "30"]
    assert not report.resumed and report.stats.unchanged == 30 and report.stats.added == 10
    assert store.get_checkpoint(key) is None


def test_other_options_are_another_harvest(hsettings, replay, store):
    """The checkpoint belongs to (query, sort, page size, max): a different --max starts at 0
    and leaves the interrupted harvest's checkpoint alone."""
    real = _interrupt_at_30(replay, store, hsettings, max_results=60)
    replay.add("/api/query", EMPTY30, real)
    n = len(replay.hits())
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_query(store, client, hsettings.arxiv_api_url, "testing",
                               max_results=20, opts=P10)
    assert _starts(replay, n) == ["0", "10"] and not report.resumed
    assert len({query_key("testing", m, o) for m in (20, 60, None)
                for o in (P10, ApiOptions(page_size=20), ApiOptions(page_size=10, sort="submittedDate"))}) == 9
    assert json.loads(store.get_checkpoint(query_key("testing", 60, P10)))["start"] == 30


def test_unreadable_checkpoint_starts_from_the_top(hsettings, replay, store):
    store.set_checkpoint(query_key("testing", 20, P10), "not json")
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_query(store, client, hsettings.arxiv_api_url, "testing", max_results=20, opts=P10)
    assert _starts(replay) == ["0", "10"] and not report.resumed and report.stats.added == 20
