"""Collection notes (migration 0009) on a real SQLite file: a note per saved paper, replaced
in place, only for papers in the collection; the saved time comes with it."""

from __future__ import annotations

from paperradar.models import Author, Paper, Record
from paperradar.store import open_store


def test_collection_notes(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'p.db'}") as store:
        store.upsert_records([Record(Paper(id=f"2611.0000{i}", title=f"P{i}", abstract="a",
                                           authors=[Author("A")], published="2026-11-01"))
                              for i in (1, 2)])
        user = store.create_user("n@example.org", "noter", None, verified=True)
        c = store.default_collection(user.id)
        assert store.add_to_collection(c.id, "2611.00001")
        assert store.collection_notes(c.id, ["2611.00001"])["2611.00001"][1] == ""
        assert store.set_collection_note(c.id, "2611.00001", "read §3 first")
        assert store.set_collection_note(c.id, "2611.00001", "now §4")
        assert not store.set_collection_note(c.id, "2611.00002", "not saved")
        notes = store.collection_notes(c.id, ["2611.00001", "2611.00002"])
        assert set(notes) == {"2611.00001"} and notes["2611.00001"][1] == "now §4"
        assert notes["2611.00001"][0].startswith("20")  # the time it was saved
        store.remove_from_collection(c.id, "2611.00001")
        assert store.add_to_collection(c.id, "2611.00001")  # saved again: a fresh, empty note
        assert store.collection_notes(c.id, ["2611.00001"])["2611.00001"][1] == ""
