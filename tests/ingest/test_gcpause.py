"""``fewer_collections``: the raised threshold holds inside (nested and from two threads),
the caller's threshold is back after, also when the body raises."""

from __future__ import annotations

import gc
import threading

import pytest

from paperradar.gcpause import BULK_THRESHOLD, fewer_collections


def test_threshold_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    gc.set_threshold(321, 7, 9)
    try:
        inside: list[tuple] = []
        started, release = threading.Event(), threading.Event()

        def other() -> None:
            with fewer_collections():
                started.set()
                release.wait(5)

        t = threading.Thread(target=other)
        with fewer_collections():
            t.start()
            started.wait(5)
            with fewer_collections():
                inside.append(gc.get_threshold())
        inside.append(gc.get_threshold())  # the other thread is still inside
        release.set()
        t.join()
        assert inside == [BULK_THRESHOLD, BULK_THRESHOLD]
        assert gc.get_threshold() == (321, 7, 9)
        with pytest.raises(RuntimeError), fewer_collections():
            raise RuntimeError("boom")
        assert gc.get_threshold() == (321, 7, 9)
    finally:
        gc.set_threshold(*before)
