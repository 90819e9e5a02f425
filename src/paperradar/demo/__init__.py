"""The bundled demo dataset (60 real days of Hugging Face daily papers, and two days of real
arXiv listings that carry categories) and its extraction."""

from __future__ import annotations

import gzip
import tarfile
from importlib import resources
from pathlib import Path

ARCHIVE = "hf_daily_papers.tar.gz"
LISTINGS = "arxiv_listings_2026-04-29_30.jsonl.gz"


def extract_demo(dest: Path, last_days: int | None = None) -> list[Path]:
    """Unpack the bundled daily files into ``dest``; return their paths, oldest first.

    ``last_days`` keeps only the most recent N days (handy for small test databases).
    """
    dest.mkdir(parents=True, exist_ok=True)
    archive = resources.files("paperradar.demo") / ARCHIVE
    paths: list[Path] = []
    with resources.as_file(archive) as path, tarfile.open(path, "r:gz") as tar:
        members = sorted((m for m in tar.getmembers()
                          if m.isfile() and m.name.endswith(".json") and "/" not in m.name),
                         key=lambda m: m.name)
        if last_days is not None:
            members = members[-last_days:]
        for m in members:
            target = dest / m.name
            with tar.extractfile(m) as src:  # type: ignore[union-attr]
                target.write_bytes(src.read())
            paths.append(target)
    return paths


def extract_listings(dest: Path) -> Path:
    """Unpack the bundled arXiv listing slice (JSON lines with categories) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / LISTINGS.removesuffix(".gz")
    with resources.as_file(resources.files("paperradar.demo") / LISTINGS) as path:
        target.write_bytes(gzip.decompress(path.read_bytes()))
    return target
