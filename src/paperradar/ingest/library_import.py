"""Match a parsed library against the store and import it into an account as a private
collection (the recommender reads collections as positives). Nothing is written unless at
least one paper is found; the papers are then added in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperradar.ingest.library import Library, LibraryEntry

MAX_NAME = 80


@dataclass(slots=True)
class LibraryReport:
    """Per-entry outcome: ``found`` (in the store), ``missing`` (arXiv id not stored),
    ``unusable`` (no arXiv id, or a broken entry)."""

    format: str
    found: list[LibraryEntry] = field(default_factory=list)
    missing: list[LibraryEntry] = field(default_factory=list)
    unusable: list[LibraryEntry] = field(default_factory=list)
    left_out: int = 0
    collection_id: int | None = None
    added: int = 0

    @property
    def found_ids(self) -> list[str]:
        return list(dict.fromkeys(e.arxiv_id for e in self.found if e.arxiv_id))

    @property
    def missing_ids(self) -> list[str]:
        return list(dict.fromkeys(e.arxiv_id for e in self.missing if e.arxiv_id))

    def summary(self) -> str:
        text = (f"{len(self.found)} of {len(self.found) + len(self.missing) + len(self.unusable)} "
                f"entries found in the store, {len(self.missing)} not stored yet, "
                f"{len(self.unusable)} without a usable arXiv id")
        if self.left_out:
            text += f"; {self.left_out:,} entries beyond the limit were not read"
        return text


def match_library(store, lib: Library) -> LibraryReport:
    """Sort the entries of ``lib`` by whether the store has their paper."""
    report = LibraryReport(lib.format, left_out=lib.left_out)
    known = store.get_papers(lib.arxiv_ids)
    for e in lib.entries:
        if e.arxiv_id is None:
            report.unusable.append(e)
        elif e.arxiv_id in known:
            report.found.append(e)
        else:
            report.missing.append(e)
    return report


def import_library(store, user_id: int, lib: Library, name: str) -> LibraryReport:
    """A private collection ``name`` (created, or added to when it exists) with the library's
    stored papers. Raises ``ValueError`` when nothing in the library is stored."""
    report = match_library(store, lib)
    if not report.found:
        raise ValueError("none of the library's papers is in this paperradar yet "
                         f"({report.summary()})")
    name = " ".join(name.split())[:MAX_NAME] or "Imported library"
    existing = next((c for c in store.list_collections(user_id) if c.name == name), None)
    coll = existing or store.create_collection(user_id, name, is_public=False)
    report.collection_id = coll.id
    report.added = store.add_many_to_collection(coll.id, report.found_ids)
    return report
