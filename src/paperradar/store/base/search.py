"""Storage protocol for the search area: stored embeddings and the figures search sorts by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence


@dataclass(slots=True)
class StoredEmbedding:
    paper_id: str
    key: int
    text_hash: str
    dim: int
    dtype: str  # "f16" | "f32"
    vec: bytes
    eseq: int = 0


class SearchStore(Protocol):
    def embedding_hashes(self, model: str, paper_ids: Sequence[str]) -> dict[str, str]:
        """``paper_id -> text_hash`` of the stored embeddings of these papers."""

    def put_embeddings(self, model: str, rows: Sequence[StoredEmbedding],
                       checkpoint: tuple[str, str] | None = None) -> None:
        """Insert or replace in one transaction (with an optional checkpoint, atomically);
        each written row gets a new change counter ``eseq``."""

    def iter_embeddings(self, model: str, after_eseq: int = 0,
                        batch: int = 5000) -> Iterator[StoredEmbedding]:
        """Stored embeddings changed after ``after_eseq``, in ``eseq`` order."""

    def get_embeddings(self, model: str, paper_ids: Sequence[str]) -> dict[str, StoredEmbedding]: ...

    def embedding_count(self, model: str) -> int: ...

    def max_embedding_seq(self, model: str) -> int: ...

    def ids_for_keys(self, keys: Sequence[int]) -> dict[int, str]:
        """Paper ids of index keys (from stored embeddings)."""

    def upvotes_for(self, paper_ids: Sequence[str]) -> dict[str, int]:
        """Highest imported daily upvote count of each paper (papers without entries absent)."""
