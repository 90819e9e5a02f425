"""Storage protocol for papers, daily-papers entries and harvest checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Protocol, Sequence

from paperradar.models import DailyEntry, IndexFields, Paper, Record


@dataclass(slots=True)
class UpsertStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    daily_added: int = 0
    daily_updated: int = 0

    def __iadd__(self, other: "UpsertStats") -> "UpsertStats":
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.daily_added += other.daily_added
        self.daily_updated += other.daily_updated
        return self

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.unchanged


class PaperStore(Protocol):
    def upsert_records(
        self, records: Sequence[Record], checkpoint: tuple[str, str | None] | None = None
    ) -> UpsertStats:
        """Merge a batch into the store in one transaction, with an optional checkpoint
        (key, value) written atomically with it (resumable harvests); a value of None
        clears that checkpoint in the same transaction."""

    def get_paper(self, paper_id: str) -> Paper | None: ...

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]: ...

    def iter_changed_papers(self, after_seq: int, batch: int = 1000) -> Iterator[tuple[int, Paper]]:
        """Papers whose change counter is above ``after_seq``, in counter order."""

    def iter_changed_index_fields(self, after_seq: int, batch: int = 1000
                                  ) -> Iterator[tuple[int, IndexFields]]:
        """``iter_changed_papers`` read for the full-text index: the same papers in the same
        order (one snapshot), each as ``IndexFields.of(paper)``, decoded without the paper."""

    def max_seq(self) -> int: ...

    def daily_entries_for(self, paper_id: str) -> list[DailyEntry]: ...

    def list_daily(
        self, date_from: str, date_to: str, *, submitter: str | None = None,
        sort: str = "upvotes", limit: int = 50, offset: int = 0,
    ) -> list[tuple[DailyEntry, Paper]]:
        """Entries featured between the two dates (inclusive)."""

    def daily_dates(self) -> list[str]:
        """Every date with at least one entry, ascending."""

    def get_checkpoint(self, key: str) -> str | None: ...

    def set_checkpoint(self, key: str, value: str | None) -> None: ...

    def stats(self) -> dict[str, Any]: ...

    def dump(self) -> list[tuple]:
        """Canonical content (no change counters): equal dumps mean equal databases."""
