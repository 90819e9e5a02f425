"""OAI-PMH harvests against the replay server: paging by resumptionToken, checkpoints,
resume, completion marker, 503 + Retry-After, noRecordsMatch, other OAI errors."""

from __future__ import annotations

import pytest

from paperradar.ingest.errors import FetchError, OaiError, ParseError
from paperradar.ingest.harvest_oai import OaiRequest, harvest_oai

from .helpers import PHYSICS, fake_client
from .replay import Canned, load

REQ = OaiRequest(set="physics", from_="2015-01-16", until="2015-01-18")


def test_paged_harvest_follows_tokens_and_marks_completion(hsettings, replay, store):
    pages = replay.add_oai_pages(PHYSICS, "oai/listrecords_physics_2015-01-16.xml", 10, "7001")
    assert pages == 15
    client, clock = fake_client(hsettings)
    seen = []
    with client:
        report = harvest_oai(store, client, hsettings.arxiv_oai_url, REQ,
                             on_page=lambda r: seen.append(store.get_checkpoint(REQ.key)))
    hits = replay.hits("/oai2")
    assert len(hits) == 15 and all(h.status == 200 for h in hits)
    assert hits[0].params == PHYSICS
    assert [h.params.get("resumptionToken") for h in hits[1:]] == [f"7001|{c}" for c in range(10, 150, 10)]
    # after each page the checkpoint holds the token of the next page; cleared at the end
    assert seen == [f"7001|{c}" for c in range(10, 150, 10)] + [None]
    assert store.get_checkpoint(REQ.done_key) == "2015-01-18"
    assert report.pages == 15 and report.complete_list_size == 150
    assert report.stats.seen == store.stats()["papers"] > 140  # a few ids may repeat
    assert store.stats()["sources"] == {"arxiv-oai": store.stats()["papers"]}
    paper = store.get_paper("0912.3200")
    assert paper is not None and paper.title


def test_rerun_of_complete_harvest_fetches_nothing(hsettings, replay, store):
    replay.add_oai_pages(PHYSICS, "oai/listrecords_physics_2015-01-16.xml", 50, "7002")
    client, _ = fake_client(hsettings)
    with client:
        harvest_oai(store, client, hsettings.arxiv_oai_url, REQ)
        before = store.dump()
        again = harvest_oai(store, client, hsettings.arxiv_oai_url, REQ)
        assert again.skipped and len(replay.hits()) == 3
        forced = harvest_oai(store, client, hsettings.arxiv_oai_url, REQ, again=True)
    assert forced.pages == 3 and forced.stats.unchanged == forced.stats.seen
    assert store.dump() == before  # idempotent


def test_resume_from_checkpoint_fetches_only_remaining_pages(hsettings, replay, store, tmp_path):
    replay.add_oai_pages(PHYSICS, "oai/listrecords_physics_2015-01-16.xml", 10, "7003")
    client, _ = fake_client(hsettings)

    class Killed(Exception):
        pass

    def die_after_4(report):
        if report.pages == 4:
            raise Killed

    with client:
        with pytest.raises(Killed):
            harvest_oai(store, client, hsettings.arxiv_oai_url, REQ, on_page=die_after_4)
        assert store.get_checkpoint(REQ.key) == "7003|40"
        n = len(replay.hits())
        report = harvest_oai(store, client, hsettings.arxiv_oai_url, REQ)
    resumed = replay.hits()[n:]
    assert report.resumed and report.pages == 11 and report.position == 150
    assert [h.params["resumptionToken"] for h in resumed] == [f"7003|{c}" for c in range(40, 150, 10)]
    from paperradar.store import open_store
    clean = open_store(f"sqlite:///{tmp_path / 'clean.db'}")
    try:
        with fake_client(hsettings)[0] as c2:
            harvest_oai(clean, c2, hsettings.arxiv_oai_url, REQ)
        assert clean.dump() == store.dump()
    finally:
        clean.close()


def test_503_retry_after_is_honoured(hsettings, replay, store):
    client, clock = fake_client(hsettings)
    req = OaiRequest(from_="2015-01-01", until="2015-01-03")
    with client:
        report = harvest_oai(store, client, hsettings.arxiv_oai_url, req)
    assert [h.status for h in replay.hits()] == [503, 200]
    assert clock.sleeps == [10.0]
    assert report.stats.added == 2 and store.get_paper("1412.8544").doi == "10.4204/EPTCS.172.11"


def test_no_records_match_is_nothing_new(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    req = OaiRequest(set="physics:hep-lat", from_="2015-01-17", until="2015-01-17")
    with client:
        report = harvest_oai(store, client, hsettings.arxiv_oai_url, req)
    assert report.pages == 1 and report.stats.seen == 0
    assert store.stats()["papers"] == 0
    assert store.get_checkpoint(req.done_key) == "2015-01-17"


def test_bad_argument_is_one_clear_error_and_writes_nothing(hsettings, replay, store):
    client, _ = fake_client(hsettings)
    with client, pytest.raises(OaiError) as err:
        harvest_oai(store, client, hsettings.arxiv_oai_url, OaiRequest(set="nosuchset"))
    assert err.value.code == "badArgument" and "nosuchset" in str(err.value)
    assert store.dump() == []


def test_expired_stored_token_restarts_the_list(hsettings, replay, store):
    replay.add_oai_pages(PHYSICS, "oai/listrecords_physics_2015-01-16.xml", 75, "7004")
    store.set_checkpoint(REQ.key, "999999|1001")  # left by a run killed long ago; now expired
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_oai(store, client, hsettings.arxiv_oai_url, REQ)
    assert report.restarted and report.pages == 2
    assert [h.params.get("resumptionToken") for h in replay.hits()] == ["999999|1001", None, "7004|75"]
    assert store.get_checkpoint(REQ.key) is None


def test_incremental_rerun_without_until_starts_at_marker(hsettings, replay, store):
    req = OaiRequest(set="cs", from_="2015-01-10")
    store.set_checkpoint(req.done_key, "2015-01-16")  # a previous run harvested through the 16th
    replay.add("/oai2", {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs",
                         "from": "2015-01-16"}, replay.routes[next(
                             k for k in replay.routes if ("set", "cs") in k[1])])
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_oai(store, client, hsettings.arxiv_oai_url, req, today=lambda: "2015-01-18")
    assert report.effective_from == "2015-01-16" and report.stats.added == 46
    assert store.get_checkpoint(req.done_key) == "2015-01-18"


@pytest.mark.parametrize("kwargs, message", [
    ({"from_": "2015-13-01"}, "not a valid date"),
    ({"from_": "yesterday"}, "YYYY-MM-DD"),
    ({"from_": "2015-02-01", "until": "2015-01-01"}, "after"),
    ({"prefix": "oai_marc"}, "unsupported metadata prefix"),
    ({"set": "cs; DROP"}, "invalid OAI set"),
])
def test_invalid_requests_are_refused_before_any_fetch(hsettings, replay, store, kwargs, message):
    client, _ = fake_client(hsettings)
    with client, pytest.raises(ValueError, match=message):
        harvest_oai(store, client, hsettings.arxiv_oai_url, OaiRequest(**kwargs))
    assert replay.hits() == []


def test_truncated_page_is_fetched_again(hsettings, replay, store):
    replay.add_oai_pages(PHYSICS, "oai/listrecords_physics_2015-01-16.xml", 75, "7005")
    key = ("/oai2", frozenset({("verb", "ListRecords"), ("resumptionToken", "7005|75")}))
    good = replay.routes[key][0]
    cut = Canned(200, good.headers, good.body[: len(good.body) // 2])
    replay.add("/oai2", {"verb": "ListRecords", "resumptionToken": "7005|75"}, [cut, good])
    client, _ = fake_client(hsettings)
    with client:
        report = harvest_oai(store, client, hsettings.arxiv_oai_url, REQ)
    assert report.pages == 2 and len(replay.hits()) == 3
    assert store.get_checkpoint(REQ.done_key) == "2015-01-18"


def test_page_that_never_parses_stops_with_checkpoint_kept(hsettings, replay, store):
    replay.add_oai_pages(PHYSICS, "oai/listrecords_physics_2015-01-16.xml", 75, "7006")
    replay.add("/oai2", {"verb": "ListRecords", "resumptionToken": "7006|75"},
               [Canned(200, {}, b"<OAI-PMH><ListRecords><record>")])
    client, _ = fake_client(hsettings)
    with client, pytest.raises(ParseError, match="unreadable after 3 attempts"):
        harvest_oai(store, client, hsettings.arxiv_oai_url, REQ)
    assert store.get_checkpoint(REQ.key) == "7006|75"  # a rerun resumes at the bad page
    assert store.get_checkpoint(REQ.done_key) is None


def test_server_repeating_a_token_does_not_loop_forever(hsettings, replay, store):
    replay.add_oai_pages(PHYSICS, "oai/listrecords_physics_2015-01-16.xml", 75, "7007")
    looping = replay.routes[("/oai2", frozenset(PHYSICS.items()))][0].body.replace(b"7007|75", b"7007|0")
    replay.add("/oai2", {"verb": "ListRecords", "resumptionToken": "7007|0"}, [Canned(200, {}, looping)])
    replay.add("/oai2", PHYSICS, [Canned(200, {}, looping)])
    client, _ = fake_client(hsettings)
    with client, pytest.raises(FetchError, match="stopping instead of looping"):
        harvest_oai(store, client, hsettings.arxiv_oai_url, REQ)
    assert len(replay.hits()) == 2


def test_arxivraw_after_arxiv_adds_version_history(hsettings, replay, store):
    """The same set and dates in both formats: separate checkpoints; arXivRaw brings dated
    versions of 1101.4388, merged into the paper the arXiv format stored."""
    raw = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs",
           "from": "2015-01-16", "until": "2015-01-18"}
    replay.add("/oai2", raw, [load("oai/constructed_arxivraw_cs_2015-01-16.xml")])
    client, _ = fake_client(hsettings)
    arxiv_req = OaiRequest(set="cs", from_="2015-01-16", until="2015-01-18")
    raw_req = OaiRequest(set="cs", from_="2015-01-16", until="2015-01-18", prefix="arXivRaw")
    assert arxiv_req.done_key != raw_req.done_key
    with client:
        first = harvest_oai(store, client, hsettings.arxiv_oai_url, arxiv_req)
        before = store.get_paper("1101.4388")
        second = harvest_oai(store, client, hsettings.arxiv_oai_url, raw_req)
    assert first.stats.added == 46
    assert second.stats.updated == 1 and len(second.skipped_records) == 1  # the invalid id
    assert "bad records skipped" in second.summary()
    after = store.get_paper("1101.4388")
    assert after.version == 2 and [v.version for v in after.versions] == [1, 2]
    assert all(v.date for v in after.versions) and after.title == before.title
    assert store.get_checkpoint(raw_req.done_key) == "2015-01-18"
