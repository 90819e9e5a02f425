"""The import's writer thread (``BatchWriter``): batches written in order while the next is
parsed, at most one waiting, a write's error raised to the caller with nothing written after
it; a read error mid-file still keeps the batches before it (as a serial import did); and
``clean_text``'s fast path gives exactly what the full clean-up gives."""

from __future__ import annotations

import gzip
import json
import random
import re
import threading

import pytest
from hypothesis import given, strategies as st

from paperradar.ingest.fields import clean_text
from paperradar.ingest.files import import_paths
from paperradar.ingest.pipeline import BatchWriter
from paperradar.models import Paper, Record


def _chunks(n: int) -> list[list[Record]]:
    return [[Record(Paper(id=f"2401.{i:05d}", title=f"t{i}"))] for i in range(n)]


def test_batches_are_written_in_order_and_reported_once_committed():
    written: list[str] = []
    with BatchWriter(lambda chunk: written.append(chunk[0].paper.id) or len(written)) as w:
        done = [r for c in _chunks(20) for _, r in w.submit(c)] + [r for _, r in w.drain()]
    assert written == [f"2401.{i:05d}" for i in range(20)]
    assert done == list(range(1, 21))  # each batch's result, oldest first, exactly once


def test_at_most_one_batch_waits_behind_the_write_in_progress():
    gate, started = threading.Event(), threading.Event()

    def write(chunk):
        started.set()
        gate.wait(10)
        return chunk

    a, b, c = _chunks(3)
    finished: list = []
    with BatchWriter(write) as w:
        assert w.submit(a) == []  # handed over; the caller goes on parsing
        started.wait(5)
        third = threading.Thread(target=lambda: finished.extend(w.submit(b) + w.submit(c)))
        third.start()
        third.join(0.5)
        assert third.is_alive()  # the queue is full: the caller waits instead of buffering
        gate.set()
        third.join(5)
        assert not third.is_alive()
        assert [chunk for chunk, _ in finished + w.drain()] == [a, b, c]


def test_a_failed_write_is_raised_and_nothing_after_it_is_written():
    written: list[str] = []
    second_running = threading.Event()

    def write(chunk):
        if chunk[0].paper.id == "2401.00001":
            second_running.set()
            raise RuntimeError("disk full")
        written.append(chunk[0].paper.id)

    with pytest.raises(RuntimeError, match="disk full"):
        with BatchWriter(write, depth=3) as w:
            chunks = _chunks(5)
            for chunk in chunks:
                w.submit(chunk)
            w.drain()
    assert second_running.is_set() and written == ["2401.00000"]


def test_a_read_error_mid_file_keeps_the_batches_before_it(store, tmp_path):
    rng = random.Random(9)  # incompressible text: the cut falls past the format sniffing
    lines = "".join(json.dumps({"id": f"2401.{i:05d}", "title": f"Paper {i}",
                                "abstract": rng.randbytes(200).hex()}) + "\n" for i in range(5000))
    raw = gzip.compress(lines.encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(raw[: len(raw) * 3 // 4])  # truncated gzip stream
    report = import_paths(store, [tmp_path / "cut.jsonl.gz"], batch_size=1000)
    assert len(report.errors) == 1 and "cut.jsonl.gz" in report.errors[0]
    kept = store.count_papers()
    assert kept >= 2000 and kept % 1000 == 0  # whole batches, every one before the error
    assert [p.id for p in store.get_papers([f"2401.{i:05d}" for i in range(kept)]).values()
            ] == [f"2401.{i:05d}" for i in range(kept)]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _full_clean(value: str) -> str:  # clean_text without its fast path
    return " ".join(_CONTROL.sub("", " ".join(value.split())).split())


@given(st.text(alphabet=st.sampled_from(
    list("ab  é\t\n\r\x0b\x0c\x1c\x1f\x00\x7f\x85\xa0\u2028\u3000\u200b\ufeff")), max_size=12)
    | st.text(max_size=30))
def test_clean_text_fast_path_equals_the_full_clean_up(value):
    assert clean_text(value) == _full_clean(value)
