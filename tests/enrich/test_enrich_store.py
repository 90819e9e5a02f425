"""The enrichment and claim store methods on each backend, with the same expected values:
batch rewrites (repeated keys and papers), orders (upvotes, undated papers last, names in
byte order), co-authors, categories, the daily rank with local votes, claims, and
concurrent writers of the same papers."""

from __future__ import annotations

import threading

from paperradar.models import Author, DailyEntry, Paper, Record
from paperradar.store.base.enrich import Enrichment


def _papers(store, n: int, **daily_upvotes: int) -> list[str]:
    """Papers p0..p{n-1}, the last undated; ``p3=5``: p3 on the 2026-01-02 list, 5 upvotes."""
    recs = []
    for i in range(n):
        pid = f"p{i}"
        p = Paper(id=pid, title=f"T{i}", abstract="", authors=[Author("X")], sources=["test"],
                  categories=["cs.LG", "cs.CL"][: 1 + i % 2],
                  published=None if i == n - 1 else f"2026-01-{1 + i:02d}T00:00:00Z")
        up = daily_upvotes.get(pid)
        recs.append(Record(p, DailyEntry(pid, "2026-01-02", upvotes=up, source="test")
                           if up is not None else None))
    store.upsert_records(recs)
    return [f"p{i}" for i in range(n)]


def _row(pid: str, topics=(), authors=(), published="2026-01-01", h="h", summary=None):
    return Enrichment(pid, h, [t.title() for t in topics], summary, list(topics),
                      list(authors), published)


def test_batch_rewrite_keeps_first_rows_and_last_enrichment(store):
    _papers(store, 2)
    store.put_enrichments([_row("p0", ["x", "y", "x"], [("ada", "Ada"), ("ada", "ADA")]),
                           _row("p1", ["x"])], checkpoint=("enrich:seq", "7"))
    assert store.get_checkpoint("enrich:seq") == "7"
    assert (store.count_topic("x"), store.count_topic("y")) == (2, 1)
    assert store.author_names("ada") == ["Ada"]  # the first row of a repeated key is kept
    store.put_enrichments([_row("p0", ["z"], h="h2", summary="S."), _row("p0", ["w"], h="h3")])
    got = store.get_enrichments(["p0", "p1", "p0", "nope"])
    assert set(got) == {"p0", "p1"} and got["p0"].text_hash == "h3"
    assert got["p0"].keyphrases == ["W"] and got["p0"].summary is None
    assert (store.count_topic("x"), store.count_topic("y"), store.count_topic("z"),
            store.count_topic("w")) == (1, 0, 1, 1)
    assert store.count_author_papers("ada") == 0
    assert store.enrichment_hashes(["p1", "p0"]) == {"p0": "h3", "p1": "h"}
    assert store.enrichment_hashes([]) == {} and store.get_enrichments([]) == {}
    store.put_enrichments([], checkpoint=("enrich:seq", "9"))
    assert store.get_checkpoint("enrich:seq") == "9"


def test_orders_votes_dates_names(store):
    ids = _papers(store, 5, p1=3, p2=3, p3=9)
    u = store.create_user("u@example.org", "u", None, verified=True)
    store.set_vote(u.id, "p1", True)  # p1: 3 imported + 1 local
    names = ["ada lovelace", "Ada Lovelace", "ADA LOVELACE", "Ada Lovelace", "Zoë"]
    store.put_enrichments([
        _row(pid, ["graph kernels"], [("ada lovelace", names[i]), (f"co{i % 2}", f"Co {i % 2}")],
             published=None if i == 4 else f"2026-01-{1 + i:02d}") for i, pid in enumerate(ids)])
    assert store.topic_paper_ids("graph kernels", limit=10) == ["p3", "p1", "p2", "p0", "p4"]
    assert store.topic_paper_ids("graph kernels", limit=2, offset=1) == ["p1", "p2"]
    assert store.author_paper_ids("ada lovelace", limit=10) == ["p3", "p2", "p1", "p0", "p4"]
    assert store.author_paper_ids("ada lovelace", limit=2, offset=3) == ["p0", "p4"]
    assert store.count_author_papers("ada lovelace") == 5
    # most used first, then byte order (upper case before lower, as SQLite compares)
    assert store.author_names("ada lovelace") == ["Ada Lovelace", "ADA LOVELACE", "Zoë",
                                                  "ada lovelace"]
    assert store.coauthors("ada lovelace") == [("co0", "Co 0", 3), ("co1", "Co 1", 2)]
    assert store.coauthors("co0", limit=1) == [("ada lovelace", "ADA LOVELACE", 3)]
    assert store.author_categories("ada lovelace") == [("cs.LG", 5), ("cs.CL", 2)]
    assert store.topic_paper_ids("nothing", limit=5) == [] and store.count_topic("no") == 0


def test_daily_rank_counts_local_votes(store):
    _papers(store, 4, p0=2, p1=3, p2=3)
    assert store.daily_rank("p1") == ("2026-01-02", 1)  # tie on 3: the lower id first
    assert store.daily_rank("p2") == ("2026-01-02", 2)
    u = store.create_user("u@example.org", "u", None, verified=True)
    v = store.create_user("v@example.org", "v", None, verified=True)
    store.set_vote(u.id, "p0", True)
    store.set_vote(v.id, "p0", True)  # p0: 2 + 2 = 4, first
    assert [store.daily_rank(p)[1] for p in ("p0", "p1", "p2")] == [1, 2, 3]
    store.update_user(u.id, banned=True)  # banned users' votes no longer count
    store.update_user(v.id, banned=True)
    assert [store.daily_rank(p)[1] for p in ("p0", "p1", "p2")] == [3, 1, 2]
    assert store.daily_rank("p3") is None and store.daily_rank("none") is None


def test_claims_lifecycle(store):
    ids = _papers(store, 4)
    store.put_enrichments([_row(pid, authors=[("ada", "Ada")],
                                published=None if pid == "p3" else f"2026-01-0{i + 1}")
                           for i, pid in enumerate(ids)])
    ada = store.create_user("ada@example.org", "ada", None, verified=True)
    bob = store.create_user("bob@example.org", "Bob", None, verified=True)
    root = store.create_user("root@example.org", "root", None, is_admin=True, verified=True)
    assert store.request_claim(ada.id, "ada") == 4
    assert store.request_claim(ada.id, "ada") == 0  # already claimed
    assert store.request_claim(bob.id, "ada") == 4
    assert store.request_claim(bob.id, "nobody") == 0
    assert store.pending_claims() == [(ada.id, "ada", "ada", 4), (bob.id, "Bob", "ada", 4)]
    assert store.pending_claims(limit=1, offset=1) == [(bob.id, "Bob", "ada", 4)]
    assert store.decide_claims(ada.id, "ada", confirm=True, admin_id=root.id) == 4
    assert store.decide_claims(ada.id, "ada", confirm=False, admin_id=root.id) == 0
    assert store.decide_claims(bob.id, "ada", confirm=False, admin_id=root.id) == 4
    assert store.decide_claims(2**64, "ada", confirm=True, admin_id=root.id) == 0  # no overflow
    assert store.pending_claims() == []
    assert store.claim_status(ada.id, "ada") == {"confirmed": 4}
    assert store.claim_status(bob.id, "ada") == {"rejected": 4}
    assert store.request_claim(bob.id, "ada") == 0  # a decided claim stays decided
    assert store.claimed_paper_ids(ada.id) == ["p2", "p1", "p0", "p3"]
    assert store.claimed_paper_ids(ada.id, limit=1) == ["p2"]
    assert store.claimed_paper_ids(bob.id) == []
    assert store.claimants("ada") == ["ada"]
    store.update_user(ada.id, banned=True)
    assert store.claimants("ada") == []


def test_concurrent_writers_of_the_same_papers(store):
    ids = _papers(store, 40)
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            for n in range(4):
                store.put_enrichments([_row(pid, [f"t{w}-{n}-{k}" for k in range(3)],
                                            [(f"a{w}", f"A{w}")], h=f"{w}-{n}")
                                       for pid in (ids if w % 2 else ids[::-1])])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    got = store.get_enrichments(ids)
    for pid in ids:  # each paper's rows are exactly those of the writer that wrote it last
        w, n = got[pid].text_hash.split("-")
        assert got[pid].keyphrases == [f"T{w}-{n}-{k}" for k in range(3)]
        assert [store.count_topic(f"t{w}-{n}-{k}") > 0 for k in range(3)] == [True] * 3
    assert sum(store.count_author_papers(f"a{w}") for w in range(4)) == len(ids)
    assert sum(store.count_topic(f"t{w}-{n}-{k}") for w in range(4) for n in range(4)
               for k in range(3)) == 3 * len(ids)
