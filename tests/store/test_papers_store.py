"""The SQLite paper store: merge-upserts, versions, idempotence, daily entries, checkpoints."""

from __future__ import annotations

from paperradar.models import Author, DailyEntry, Paper, Record, Version


def _paper(version=None, title="A title", **kw) -> Paper:
    return Paper(id="2401.01234", title=title, abstract=kw.pop("abstract", "An abstract."),
                 version=version, authors=[Author("Ada Lovelace", ["Analytical Engines"])],
                 categories=["cs.LG", "stat.ML"], published="2024-01-02T00:00:00Z",
                 sources=[kw.pop("source", "arxiv-api")], **kw)


def test_insert_then_reimport_changes_nothing(store):
    st = store.upsert_records([Record(_paper(1))])
    assert (st.added, st.updated, st.unchanged) == (1, 0, 0)
    before = store.dump()
    st = store.upsert_records([Record(_paper(1))])
    assert (st.added, st.updated, st.unchanged) == (0, 0, 1)
    assert store.dump() == before


def test_newer_version_replaces_text_and_keeps_history(store):
    store.upsert_records([Record(_paper(1, title="Old"))])
    store.upsert_records([Record(_paper(2, title="New", updated="2024-03-01T00:00:00Z",
                                        abstract="Revised."))])
    p = store.get_paper("2401.01234")
    assert (p.title, p.abstract, p.version) == ("New", "Revised.", 2)
    assert [v.version for v in p.versions] == [1, 2]
    # an older version seen later does not roll the text back
    store.upsert_records([Record(_paper(1, title="Old"))])
    assert store.get_paper("2401.01234").title == "New"


def test_unversioned_source_fills_gaps_only(store):
    store.upsert_records([Record(_paper(2, title="Arxiv title"))])
    hf = _paper(None, title="HF title", source="hf", doi="10.1/x")
    store.upsert_records([Record(hf)])
    p = store.get_paper("2401.01234")
    assert p.title == "Arxiv title" and p.doi == "10.1/x"
    assert p.sources == ["arxiv-api", "hf"]
    assert p.authors[0].affiliations == ["Analytical Engines"]


def test_daily_entries_and_checkpoint_in_one_transaction(store):
    entry = DailyEntry(paper_id="2401.01234", date="2024-01-05", submitted_by="akhaliq",
                       upvotes=12, ai_keywords=["diffusion"])
    st = store.upsert_records([Record(_paper(1), entry)], checkpoint=("oai:cs", "token-1"))
    assert st.daily_added == 1
    assert store.get_checkpoint("oai:cs") == "token-1"
    rows = store.list_daily("2024-01-01", "2024-01-31")
    assert rows[0][0].ai_keywords == ["diffusion"] and rows[0][1].title == "A title"
    assert store.daily_dates() == ["2024-01-05"]
    st = store.upsert_records([Record(_paper(1), entry)])
    assert st.daily_added == st.daily_updated == 0


def test_failed_batch_leaves_nothing(store):
    good = Record(_paper(1))
    bad = Record(Paper(id="2401.09999", title=None))  # NOT NULL title violated mid-batch
    try:
        store.upsert_records([good, bad], checkpoint=("k", "v"))
    except Exception:
        pass
    assert store.get_paper("2401.01234") is None
    assert store.get_checkpoint("k") is None


def test_changed_papers_iterate_in_seq_order(store):
    store.upsert_records([Record(Paper(id=f"2401.0000{i}", title=f"T{i}")) for i in range(5)])
    seqs = [s for s, _ in store.iter_changed_papers(0, batch=2)]
    assert seqs == sorted(seqs) and len(seqs) == 5
    assert list(store.iter_changed_papers(store.max_seq())) == []


def test_versions_history_union(store):
    p = _paper(3)
    p.versions = [Version(1, "2024-01-02"), Version(2, "2024-02-02"), Version(3, "2024-03-02")]
    store.upsert_records([Record(p)])
    assert [v.date for v in store.get_paper(p.id).versions] == ["2024-01-02", "2024-02-02", "2024-03-02"]


def test_newer_version_without_affiliations_keeps_known_ones(store):
    store.upsert_records([Record(_paper(1))])
    newer = _paper(2, title="v2")
    newer.authors = [Author("Ada Lovelace"), Author("Charles Babbage")]
    store.upsert_records([Record(newer)])
    p = store.get_paper("2401.01234")
    assert [(a.name, a.affiliations) for a in p.authors] == [
        ("Ada Lovelace", ["Analytical Engines"]), ("Charles Babbage", [])]
    before = store.dump()
    store.upsert_records([Record(newer)])
    assert store.dump() == before


def test_stats_counts_versions_sources_and_daily_entries(store):
    p = _paper(2, source="arxiv-api")
    p.versions = [Version(1, "2024-01-02"), Version(2, "2024-02-02")]
    other = Paper(id="jsonl:x", title="No versions", sources=["jsonl"], published="2023-05-01")
    store.upsert_records([Record(p, DailyEntry(paper_id=p.id, date="2024-02-03")), Record(other)])
    store.upsert_records([Record(_paper(None, source="hf"))])
    st = store.stats()
    assert (st["papers"], st["versions"]) == (2, 3)  # two of the first, one counted for the other
    assert st["sources"] == {"arxiv-api": 1, "hf": 1, "jsonl": 1}
    assert (st["published_from"], st["published_to"]) == ("2023-05-01", "2024-01-02T00:00:00Z")
    assert (st["daily_entries"], st["daily_days"], st["daily_from"]) == (1, 1, "2024-02-03")
