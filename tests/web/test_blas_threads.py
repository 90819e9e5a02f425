"""A serving process computes query-time vector products on one BLAS thread
(``paperradar.blas``): the web app caps numpy's BLAS when it is created. Checked in a fresh
interpreter, where nothing else has capped it."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from threadpoolctl import threadpool_info
import numpy
def blas():
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
before = blas()
from paperradar.config import Settings
from paperradar.web.app import create_app
create_app(Settings(env="test", data_dir=sys.argv[1]))
print(json.dumps({"before": before, "after": blas()}))
"""


def test_the_web_app_runs_numpy_on_one_blas_thread(tmp_path):
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True,
                         text=True, timeout=120, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["before"], "numpy's BLAS is visible to threadpoolctl"
    assert got["after"] == [1] * len(got["after"])
