"""The paper page's combined reads (``paper_page``, ``paper_cards``) equal the separate reads
they replace (and so do ``list_facts`` and ``daily_nav`` of lists), on one fixture with every kind of fact: two daily entries (the latest wins),
votes and comments by a banned user (not counted), a hidden and a deleted comment, a
confirmed and a pending claim, enrichment, an embedding under one model only, a viewer's
votes, and ids that are not stored (left out; a missing paper is None)."""

from __future__ import annotations

from paperradar.enrich.build import enrich_new
from paperradar.models import Author, DailyEntry, Paper, Record
from paperradar.store.base.search import StoredEmbedding

IDS = [f"2602.{i:05d}" for i in range(6)]


def _fill(store) -> tuple[int, int]:
    recs = []
    for i, pid in enumerate(IDS):
        p = Paper(id=pid, title=f"Paper {i}", abstract=f"Sparse attention kernels, take {i}.",
                  authors=[Author(f"Author {i % 2}")], categories=["cs.LG"],
                  primary_category="cs.LG", published=f"2026-02-0{1 + i}T00:00:00Z")
        recs.append(Record(p, DailyEntry(pid, "2026-02-10", upvotes=10 - i, source="hf",
                                         submitted_by=f"hf{i}") if i < 4 else None))
    store.upsert_records(recs)
    store.upsert_records([Record(recs[0].paper, DailyEntry(IDS[0], "2026-02-11", upvotes=3,
                                                           num_comments=2, source="hf"))])
    store.put_embeddings("m", [StoredEmbedding(IDS[0], 7, "h", 2, "f16", b"\x01\x02\x03\x04")])
    ada = store.create_user("ada@example.org", "ada", "hash", is_admin=True, verified=True)
    bob = store.create_user("bob@example.org", "bob", None)
    eve = store.create_user("eve@example.org", "eve", None)
    for user, pids in ((ada, IDS[:3]), (bob, IDS[1:2]), (eve, IDS[:2])):
        for pid in pids:
            store.set_vote(user.id, pid, True)
    first = store.add_comment(IDS[0], ada.id, "first")
    store.add_comment(IDS[0], bob.id, "reply", parent_id=first.id)
    store.set_comment_hidden(store.add_comment(IDS[0], bob.id, "hidden").id, True)
    store.delete_comment(store.add_comment(IDS[0], ada.id, "deleted").id)
    store.add_comment(IDS[0], eve.id, "by a banned user")
    store.add_comment(IDS[1], bob.id, "on another paper")
    store.update_user(eve.id, banned=True)
    assert enrich_new(store)["enriched"] == len(IDS)
    store.request_claim(bob.id, "author 0")
    store.request_claim(ada.id, "author 1")
    assert store.decide_claims(bob.id, "author 0", confirm=True, admin_id=ada.id) > 0
    return ada.id, bob.id


def _separate_cards(store, ids, viewer_id):
    found = store.get_papers(ids)
    ids = [i for i in ids if i in found]
    entries, enriched = store.latest_daily_entries(ids), store.get_enrichments(ids)
    up, com = store.local_upvote_counts(ids), store.local_comment_counts(ids)
    voted = store.voted_by(viewer_id, ids) if viewer_id is not None else set()
    return {i: (found[i], entries.get(i), up.get(i, 0), com.get(i, 0), enriched.get(i),
                i in voted) for i in ids}


def _card(c):
    return (c.paper, c.entry, c.local_upvotes, c.local_comments, c.enrichment, c.voted)


def test_combined_page_reads_equal_the_separate_reads(store):
    ada, bob = _fill(store)
    for viewer in (None, ada, bob):
        for pid in [*IDS, "2602.99999"]:
            page = store.paper_page(pid, model="m", viewer_id=viewer)
            if store.get_paper(pid) is None:
                assert page is None
                continue
            assert _card(page.card) == _separate_cards(store, [pid], viewer)[pid]
            assert page.embedding == store.get_embeddings("m", [pid]).get(pid)
            assert page.day_rank == store.daily_rank(pid)
            assert page.comments == store.list_comments(pid)
            assert page.claimants == store.confirmed_claimants_of(pid)
        asked = [IDS[3], "2602.99999", IDS[1], IDS[5], IDS[1], IDS[0]]
        cards = store.paper_cards(asked, viewer_id=viewer)
        assert list(cards) == [IDS[3], IDS[1], IDS[5], IDS[0]]  # first-asked order, no dupes
        assert {i: _card(c) for i, c in cards.items()} == _separate_cards(store, asked, viewer)
    assert store.paper_cards([]) == {}
    # The facts themselves, so that equal-but-empty answers cannot pass.
    page = store.paper_page(IDS[0], model="m", viewer_id=ada)
    assert page.card.entry.date == "2026-02-11" and page.card.local_upvotes == 1  # eve banned
    assert page.card.local_comments == 2 and len(page.comments) == 5 and page.card.voted
    assert page.embedding.key == 7 and page.claimants == {bob} and page.day_rank == ("2026-02-11", 1)
    assert page.card.enrichment.keyphrases
    assert store.paper_page(IDS[0]).embedding is None  # no model asked: not read
    assert store.paper_page(IDS[0], model="other").embedding is None
    assert not store.paper_page(IDS[0], viewer_id=bob).card.voted
    assert store.paper_cards([IDS[1]], viewer_id=bob)[IDS[1]].voted
    assert store.paper_cards(["2602.9\x00"]) == {} and store.paper_page("2602.9\x00") is None


def test_list_facts_equal_the_separate_reads(store):
    _fill(store)
    asked = [IDS[3], "2602.99999", IDS[1], IDS[5], IDS[1], IDS[0], "2602.9\x00"]
    ids = list(dict.fromkeys(asked))
    for entries in (False, True):
        facts = store.list_facts(asked, entries=entries)
        assert {i: facts.upvotes.get(i, 0) for i in ids} == store.local_upvote_counts(ids)
        assert {i: facts.comments.get(i, 0) for i in ids} == store.local_comment_counts(ids)
        assert facts.enrichments == store.get_enrichments(ids)
        assert facts.entries == (store.latest_daily_entries(ids) if entries else {})
    facts = store.list_facts(IDS, entries=True)
    assert facts.upvotes[IDS[0]] == 1 and facts.upvotes[IDS[1]] == 2  # eve is banned
    assert facts.comments[IDS[0]] == 2 and facts.entries[IDS[0]].date == "2026-02-11"
    assert IDS[5] not in facts.entries and facts.enrichments[IDS[2]].keyphrases
    empty = store.list_facts([])
    assert (empty.upvotes, empty.comments, empty.enrichments, empty.entries) == ({}, {}, {}, {})


def test_daily_nav_equals_the_separate_reads(store):
    assert tuple(store.daily_nav("2026-02-10", "2026-02-10")) == (0, None, None, None, None, None)
    _fill(store)
    for start, end in (("2026-02-10", "2026-02-10"), ("2026-02-11", "2026-02-11"),
                       ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-07"),
                       ("2026-01-01", "2026-01-31")):
        for by in (None, "hf1", "nobody", ""):
            nav = store.daily_nav(start, end, submitter=by)
            assert nav.total == store.count_daily(start, end, submitter=by)
            assert (nav.before, nav.last_in, nav.after) == store.daily_dates_around(start, end)
            assert (nav.first, nav.last) == ("2026-02-10", "2026-02-11")
    assert store.daily_nav("2026-02-10", "2026-02-11").total == 5
    assert store.daily_nav("2026-02-10", "2026-02-11", submitter="hf1").total == 1


def test_hit_papers_equal_the_separate_reads(store):
    _fill(store)
    asked = [IDS[2], "2602.99999", IDS[0], IDS[2], IDS[5], "2602.9\x00"]
    papers, votes = store.hit_papers(asked)
    assert papers == store.get_papers(asked) and votes == store.upvotes_for(asked)
    assert set(papers) == {IDS[0], IDS[2], IDS[5]} and votes[IDS[0]] == 10  # max imported
    assert store.hit_papers([]) == ({}, {})


def test_hit_cards_equal_the_separate_reads(store):
    _fill(store)
    asked = [IDS[2], "2602.99999", IDS[0], IDS[2], IDS[5], "2602.9\x00"]
    cards, votes = store.hit_cards(asked)
    assert cards == store.paper_cards(asked) and votes == store.upvotes_for(asked)
    assert list(cards) == [IDS[2], IDS[0], IDS[5]] and votes[IDS[0]] == 10
    assert cards[IDS[0]].paper == store.get_paper(IDS[0])
    assert store.hit_cards([]) == ({}, {})
