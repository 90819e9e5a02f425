"""One BLAS thread for a serving process: query-time vector products do not wait for a core.

numpy hands a matrix-vector product of a few thousand rows (the exact vector set, a
rescore, a reader's similarities) to OpenBLAS, which splits it over its thread pool, one
thread per core, and waits for every part. On a busy machine the helper thread is often not
scheduled for a whole time slice: at load 4.5 on this 2-core machine a 1,400 x 384 product
took 0.02 ms at the median but 16 ms at p90 (bimodal), and a search with a query embedding
waited 12-16 ms on it; with one BLAS thread the same product took 0.05 ms median, 0.07 ms
p90 (README, Search, Quality). A server answers requests in parallel and has no idle core to
lend a product anyway. The web app calls ``one_blas_thread()`` when it is created, and the
query benchmarks do too (to time what the server runs); bulk commands (import, index build,
embedding) keep every core.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_capped = False


def one_blas_thread() -> None:
    """Cap numpy's BLAS (and any other BLAS loaded so far) at one thread, for the whole
    process; idempotent."""
    global _capped
    with _lock:
        if _capped:
            return
        import numpy  # noqa: F401  (loads numpy's BLAS: only loaded libraries are capped)
        from threadpoolctl import threadpool_limits

        threadpool_limits(1, user_api="blas")
        _capped = True
