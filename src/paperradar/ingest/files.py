"""Import files and directories: sniff each file's format, parse it, write it in batches.

``detect(path)`` looks at the content (not the extension): HF daily-papers JSON, arXiv
Atom API feeds, OAI-PMH responses, arXiv listing feeds (RSS/Atom), the Kaggle snapshot
and generic JSON Lines (plain or gzip-compressed). ``import_paths`` imports every file
(directories recursively); each file's problems become one ``"path: problem"`` line in
``IngestReport.errors`` and the other files still import. A file that cannot be parsed
as a whole writes nothing; a bad record in a good file is skipped and counted.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from paperradar.gcpause import fewer_collections
from paperradar.ingest import arxiv_api, arxiv_oai, arxiv_rss, hf_daily, snapshot
from paperradar.ingest.errors import IngestError, ParseError
from paperradar.ingest.fields import RecordError
from paperradar.ingest.pipeline import DEFAULT_BATCH, IngestReport, batched, upsert_retrying
from paperradar.models import Record
from paperradar.store import Store, UpsertStats

KINDS = ("hf-daily", "arxiv-api", "arxiv-oai", "arxiv-listing", "kaggle", "jsonl")
STREAMED = ("kaggle", "jsonl")
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024  # whole-document formats (XML, HF JSON)
_SNIFF = 1 << 20
_ROOT = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")
_SHOWN_ERRORS = 3
_UNSTORABLE = (ValueError, TypeError, OverflowError)  # e.g. text that cannot be encoded
MAX_KEPT_ERRORS = 1000  # per streamed file: memory stays flat on a file of bad lines
_POSITION = re.compile(r"^((?:item|record|entry|line|element) \d+): (.*)$", re.S)

# progress(path, bytes of this file done, records written so far in this file)
Progress = Callable[[Path, int, int], None]


@dataclass
class FileResult:
    records: int = 0
    problems: list[str] | None = None  # the first few, "position: message"
    skipped: int = 0


@contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    with open(path, "rb") as fp:
        if fp.peek(2)[:2] == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=fp, mode="rb") as gz:
                yield gz  # type: ignore[misc]
        else:
            yield fp


def _head_text(head: bytes) -> str:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def _xml_kind(text: str) -> str:
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S)
    m = _ROOT.search(body)
    root = m.group(2) if m else ""
    if root == "OAI-PMH":
        return "arxiv-oai"
    if root in ("rss", "RDF"):
        return "arxiv-listing"
    if root == "feed":
        if "announce_type" in text or "rss.arxiv.org" in text:
            return "arxiv-listing"
        return "arxiv-api"
    raise ParseError(f"unrecognised XML document (root element <{root or '?'}>)")


def _first_line_object(text: str) -> dict | None:
    """The first of the opening lines that is a whole JSON object (JSON Lines), if any."""
    lines = text.split("\n", 21)[:20]
    for line in lines:
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(obj, dict):
            return obj
    return None


def _json_kind(text: str, name: str) -> str:
    first = text.lstrip()
    if first.startswith("{"):
        obj = _first_line_object(first)
        if obj is None:  # a pretty-printed object: a daily-papers wrapper, or nothing we know
            if re.search(r'"data"\s*:\s*\[', first) or '"paper"' in first:
                return "hf-daily"
            raise ParseError("unrecognised JSON document (an object that is not JSON Lines)")
        if "paper" in obj or isinstance(obj.get("data"), list):
            return "hf-daily"
        return "kaggle" if snapshot.is_kaggle(obj) else "jsonl"
    body = first[1:].lstrip()
    if body.startswith("]") or not body:
        return "hf-daily" if _DAY.search(name) else "jsonl"
    try:
        obj, _ = json.JSONDecoder().raw_decode(body)
    except RecursionError:
        raise ParseError("malformed JSON: nested too deeply") from None
    except ValueError:
        return "hf-daily" if '"paper"' in body[:5000] or "'paper'" in body[:5000] else "jsonl"
    if isinstance(obj, str):
        if "'paper'" in obj or '"paper"' in obj:
            return "hf-daily"
        raise ParseError("unrecognised JSON document (an array of strings)")
    if isinstance(obj, dict) and "paper" in obj:
        return "hf-daily"
    return "kaggle" if isinstance(obj, dict) and snapshot.is_kaggle(obj) else "jsonl"


def detect(path: str | Path) -> str:
    """The format of a file, by content: one of ``KINDS``. Raises ``ParseError``."""
    path = Path(path)
    with _open(path) as fp:
        head = fp.read(_SNIFF)
    text = _head_text(head).lstrip()
    if not text:
        raise ParseError("empty file")
    if text.startswith("<"):
        return _xml_kind(text)
    if text.startswith(("{", "[")):
        return _json_kind(text, path.name)
    raise ParseError("unrecognised format (expected JSON, JSON Lines or XML)")


def _read_document(path: Path) -> bytes:
    with _open(path) as fp:
        data = fp.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ParseError(f"document larger than {MAX_DOCUMENT_BYTES:,} bytes; split it, or use "
                         "JSON Lines, which is streamed")
    return data


def parse_document(path: Path, kind: str, errors: list[str]) -> list[Record]:
    """Parse a whole-document file (XML or HF JSON); record problems go to ``errors``."""
    data = _read_document(path)
    if kind == "hf-daily":
        m = _DAY.search(path.name)
        return hf_daily.parse_daily(data, m.group(1) if m else None, errors)
    if kind == "arxiv-api":
        page = arxiv_api.parse_feed(data)
        errors.extend(page.errors)
        return page.records
    if kind == "arxiv-oai":
        page = arxiv_oai.parse_oai(data)
        errors.extend(page.errors)
        return page.records
    if kind == "arxiv-listing":
        return arxiv_rss.parse_listing(data, errors)
    raise ValueError(f"not a document kind: {kind}")


def _streamed(fp: BinaryIO, source: str | None, errors: list[str],
              skipped: list[int]) -> Iterator[Record]:
    """Valid records; problems counted in ``skipped[0]``, the first ``MAX_KEPT_ERRORS`` kept."""
    for pos, item in snapshot.iter_records(fp, source):
        if isinstance(item, RecordError):
            skipped[0] += 1
            if len(errors) < MAX_KEPT_ERRORS:
                errors.append(f"{pos}: {item}")
        else:
            yield item


def _write(store: Store, records: Iterable[Record], errors: list[str], skipped: list[int],
           batch_size: int, on_batch: Callable[[int], None] | None = None) -> UpsertStats:
    """Upsert in batches; a batch the store refuses is retried record by record, so one
    unstorable record is skipped (and reported) instead of failing the rest of the file."""
    total = UpsertStats()
    for chunk in batched(records, batch_size):
        try:
            total += upsert_retrying(store, chunk)
        except _UNSTORABLE:
            for r in chunk:
                try:
                    total += upsert_retrying(store, [r])
                except _UNSTORABLE as exc:
                    skipped[0] += 1
                    if len(errors) < MAX_KEPT_ERRORS:
                        errors.append(f"{r.paper.id[:80]}: could not be stored "
                                      f"({type(exc).__name__}: {str(exc)[:100]})")
        if on_batch:
            on_batch(len(chunk))
    return total


def _position(fp: BinaryIO) -> int:
    raw = getattr(fp, "fileobj", None) or fp  # gzip: bytes of the compressed file read
    try:
        return raw.tell()
    except (OSError, ValueError):
        return 0


def import_file(store: Store, path: Path, report: IngestReport, *, source: str | None = None,
                progress: Progress | None = None, batch_size: int | None = None) -> FileResult:
    """Import one file into ``store``; raise ``IngestError``/``OSError`` for a failed file."""
    kind = detect(path)
    errors: list[str] = []
    skipped = [0]
    done = 0
    size = batch_size or DEFAULT_BATCH
    if kind in STREAMED:
        with _open(path) as fp:
            def on_batch(n: int) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(path, _position(fp), done)
            report.stats += _write(store, _streamed(fp, source, errors, skipped), errors,
                                   skipped, size, on_batch)
    else:
        records = parse_document(path, kind, errors)
        skipped[0] = len(errors)
        if source:
            for r in records:
                r.paper.sources = [source]
        report.stats += _write(store, records, errors, skipped, size)
        done = len(records)
    if progress:
        progress(path, path.stat().st_size, done)
    if errors and not done:
        raise ParseError(f"no valid records ({_describe(errors, skipped[0])})")
    return FileResult(done, errors or None, skipped[0])


def _describe(errors: list[str], total: int | None = None) -> str:
    """``"26 skipped: item is a string... (items 1, 2, 3, ...)"``: same messages grouped."""
    groups: dict[str, list[str]] = {}
    for e in errors:
        m = _POSITION.match(e)
        where, message = (m.group(1), m.group(2)) if m else ("", e)
        groups.setdefault(message, []).append(where)
    parts = []
    for message, where in list(groups.items())[:_SHOWN_ERRORS]:
        places = [w for w in where if w]
        at = ", ".join(places[:_SHOWN_ERRORS]) + (", ..." if len(places) > _SHOWN_ERRORS else "")
        parts.append(f"{message} ({at})" if at else message)
    more = len(groups) - _SHOWN_ERRORS
    return f"{total or len(errors):,} skipped: " + "; ".join(parts) + (
        f"; and {more:,} other problems" if more > 0 else "")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, and every non-hidden file under named directories (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not any(
                part.startswith(".") for part in f.relative_to(p).parts)
                and f.suffix.lower() not in (".md", ".txt", ".py")))
        else:
            out.append(p)
    return out


def import_paths(store: Store, paths: Iterable[str | Path], *, source: str | None = None,
                 progress: Progress | None = None, batch_size: int | None = None) -> IngestReport:
    """Import files and directories; per-file problems are collected, never fatal."""
    with fewer_collections():
        return _import_paths(store, paths, source, progress, batch_size)


def _import_paths(store: Store, paths: Iterable[str | Path], source: str | None,
                  progress: Progress | None, batch_size: int | None) -> IngestReport:
    report = IngestReport()
    for path in expand_paths(paths):
        report.files += 1
        try:
            result = import_file(store, path, report, source=source, progress=progress,
                                 batch_size=batch_size)
        except (IngestError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            report.errors.append(f"{path}: {reason}")
            continue
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError, EOFError,
                zlib.error) as exc:
            report.errors.append(f"{path}: unreadable ({type(exc).__name__}: {str(exc)[:200]})")
            continue
        if result.problems:
            report.errors.append(f"{path}: {_describe(result.problems, result.skipped)}")
    return report
