"""Limits that must hold across processes (several web nodes and workers on one database),
on each backend: a rate-limit key lets exactly ``limit`` attempts through however many
processes hit it at once, and the global mail rate hands out distinct, spaced slots."""

from __future__ import annotations

import subprocess
import sys

from paperradar.store import open_store

PROCS = 4
HITS = 10

_HIT = """
import sys, time
from paperradar.store import open_store
s = open_store(sys.argv[1])
ok = sum(s.rate_limit_hit("login:ip", 7, 3600.0, time.time()) == 0.0 for _ in range({hits}))
slots = [s.reserve_mail_slot(0.5, 1000.0) for _ in range({hits})]
print(ok, *slots)
s.close()
"""


def test_rate_limit_and_mail_slots_hold_across_processes(settings):
    url = settings.resolved_database_url
    open_store(url).close()  # created and migrated before the processes race
    code = _HIT.format(hits=HITS)
    procs = [subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(PROCS)]
    allowed, slots = 0, []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        first, *rest = out.split()
        allowed += int(first)
        slots += [float(x) for x in rest]
    assert allowed == 7  # exactly the limit, not one per process
    slots.sort()
    assert slots == [1000.0 + 0.5 * i for i in range(PROCS * HITS)]  # no slot given twice
