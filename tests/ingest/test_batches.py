"""The import's batches: a read error mid-file keeps the whole batches before it; and
``clean_text``'s fast path gives exactly what the full clean-up gives."""

from __future__ import annotations

import gzip
import json
import random
import re

from hypothesis import given, strategies as st

from paperradar.ingest.fields import clean_text
from paperradar.ingest.files import import_paths


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
