"""CPU seconds of a process tree, for the benchmarks that time servers they did not write
(uvicorn nodes, the PostgreSQL postmaster and its backends)."""

from __future__ import annotations


def tree_cpu_s(pid: int, reaped: bool = False) -> float:
    """CPU seconds used so far by process ``pid`` and its live descendants; with ``reaped``
    also by the children it has already waited for (PostgreSQL's ended backends)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
        if reaped and p is root:
            total += t.children_user + t.children_system
    return total
