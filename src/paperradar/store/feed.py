"""Walking the change feed in batches, for the steps that process papers changed since
their checkpoint (enrichment, embeddings): where to start, and ``(last_seq, batch)`` pairs
to process and checkpoint, each in one transaction of the caller's."""

from __future__ import annotations

from collections.abc import Iterator

from paperradar.models import Paper


def start_seq(store, checkpoint: str) -> int:
    """The counter to walk from: the checkpoint, or 0 when the papers table was recreated
    (the checkpoint is then above every counter)."""
    after = int(store.get_checkpoint(checkpoint) or 0)
    return 0 if after > store.max_seq() else after


def changed_batches(store, after: int, batch_size: int, *,
                    flush_moved: bool = False) -> Iterator[tuple[int, list[Paper]]]:
    """Papers changed since ``after`` in batches of at most ``batch_size``, each with the
    counter of its last paper. ``flush_moved``: when the walk ends on a full batch, also
    yield an empty batch with the last counter (so a checkpoint-only write still happens)."""
    batch: list[Paper] = []
    last = after
    for seq, paper in store.iter_changed_papers(after, batch=batch_size):
        batch.append(paper)
        last = seq
        if len(batch) >= batch_size:
            yield last, batch
            batch = []
    if batch or (flush_moved and last != after):
        yield last, batch
