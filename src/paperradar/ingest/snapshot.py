"""Stream the Kaggle arXiv snapshot and generic JSON Lines files into Records.

Both JSON Lines and one big JSON array are read incrementally (memory stays flat on a
multi-gigabyte snapshot). Each object is recognised on its own: Kaggle objects carry
``versions`` / ``authors_parsed`` / ``update_date``; anything else is generic
(``id``, ``title``, ``abstract``, ``authors``, ``categories``, ``date``; known extra keys
are mapped, the rest kept in ``Paper.extra``). Ids that are not arXiv ids get a source
prefix (``jsonl:abc`` or ``NAME:abc`` with ``--source NAME``). A bad line or object
yields a ``RecordError`` (the caller reports it and goes on); the stream never stops
half-way because of one record.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from typing import Any, BinaryIO, Iterator

from paperradar.ids import InvalidId, canonical_id
from paperradar.ingest.errors import ParseError
from paperradar.ingest.fields import (MAX_TEXT, RecordError, authors_from_names, category_list,
                                      check_paper, clean_text, iso_date, may_have_surrogates,
                                      opt_text, scrub_surrogates, split_authors)
from paperradar.ingest.links import find_links
from paperradar.models import Author, Paper, Record, Version

KAGGLE_SOURCE = "arxiv-snapshot"
GENERIC_SOURCE = "jsonl"
MAX_RECORD_BYTES = 64 * 1024 * 1024
MAX_EXTRA_KEYS = 50
_CHUNK = 1 << 20
_DECODER = json.JSONDecoder()
_KAGGLE_KEYS = ("authors_parsed", "update_date", "submitter")
_MAPPED = {"id", "title", "abstract", "summary", "authors", "categories", "date", "published",
           "updated", "version", "comment", "comments", "doi", "journal_ref", "journal-ref",
           "license", "primary_category", "first_listing_date"}


# -- reading JSON objects one at a time ------------------------------------------------------
def _buffered(fp: BinaryIO) -> tuple[BinaryIO, str]:
    """The stream (positioned after any BOM) and its encoding."""
    if not hasattr(fp, "peek"):
        fp = io.BufferedReader(fp)  # type: ignore[arg-type]
    head = fp.peek(4)[:4]  # type: ignore[attr-defined]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return fp, "utf-16"  # the codec reads the BOM itself
    if head.startswith(b"\xef\xbb\xbf"):
        fp.read(3)
    return fp, "utf-8"


def _lines(fp: BinaryIO, encoding: str) -> Iterator[tuple[str, Any]]:
    """JSON Lines: one object per line; a bad line is an error for that line only."""
    if encoding != "utf-8":
        n = 0
        try:
            for n, line in enumerate(io.TextIOWrapper(fp, encoding=encoding), 1):
                yield from _line_object(n, line)
        except UnicodeError as exc:
            yield f"line {n + 1}", RecordError(f"invalid {encoding} ({exc}); the rest is skipped")
        return
    n = 0
    while raw := fp.readline(MAX_RECORD_BYTES):
        n += 1
        if len(raw) >= MAX_RECORD_BYTES and not raw.endswith(b"\n"):
            while (rest := fp.readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield f"line {n}", RecordError(f"line longer than {MAX_RECORD_BYTES:,} bytes")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield f"line {n}", RecordError(f"invalid UTF-8 at byte {exc.start}")
            continue
        yield from _line_object(n, text)


def _line_object(n: int, line: str) -> Iterator[tuple[str, Any]]:
    stripped = line.strip()
    if not stripped:
        return
    try:
        obj = json.loads(stripped)
        yield f"line {n}", scrub_surrogates(obj) if "\\u" in stripped and may_have_surrogates(
            stripped) else obj
    except json.JSONDecodeError as exc:
        yield f"line {n}", RecordError(f"malformed JSON ({exc.msg}, column {exc.colno})")
    except RecursionError:
        yield f"line {n}", RecordError("JSON nested too deeply")
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        yield f"line {n}", RecordError(f"unreadable JSON ({str(exc)[:100]})")


def _array_items(fp: BinaryIO, encoding: str) -> Iterator[tuple[str, Any]]:
    """Stream the elements of one JSON array, reading the file in chunks."""
    decoder = codecs.getincrementaldecoder(encoding)()
    buf, pos, index, eof = "", 0, 0, False

    def refill() -> bool:
        nonlocal buf, pos, eof
        chunk = fp.read(_CHUNK)
        eof = not chunk
        buf, pos = buf[pos:] + decoder.decode(chunk, final=eof), 0
        return not eof

    refill()
    pos = buf.index("[") + 1
    while True:
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buf) or eof:
                break
            refill()
        if pos >= len(buf):
            yield f"element {index + 1}", RecordError("truncated JSON array (no closing ])")
            return
        if buf[pos] == "]":
            return
        try:
            obj, end = _DECODER.raw_decode(buf, pos)
        except (ValueError, RecursionError) as exc:
            if isinstance(exc, json.JSONDecodeError) and not eof and (
                    len(buf) - pos <= MAX_RECORD_BYTES):
                refill()
                continue
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else (
                "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:100])
            yield f"element {index + 1}", RecordError(
                f"malformed or truncated JSON ({why}); the rest of the file is skipped")
            return
        if end == len(buf) and not eof:  # a number may continue in the next chunk
            refill()
            continue
        index += 1
        if "\\u" in buf[pos:end] and may_have_surrogates(buf[pos:end]):
            obj = scrub_surrogates(obj)
        pos = end
        yield f"element {index}", obj


def iter_json_objects(fp: BinaryIO) -> Iterator[tuple[str, Any]]:
    """(position, object or RecordError) for each element of a JSON array or JSON Lines file.

    The position reads ``"line N"`` (JSON Lines) or ``"element N"`` (array). Decoding
    errors inside an array stop the file (there is no safe place to resume).
    """
    fp, encoding = _buffered(fp)
    probe = fp.peek(4096)[:4096]  # type: ignore[attr-defined]
    first = probe.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")[:1]
    if first == "[":
        try:
            yield from _array_items(fp, encoding)
        except UnicodeDecodeError as exc:
            yield "element ?", RecordError(f"invalid {encoding} ({exc.reason}); the rest is skipped")
        return
    yield from _lines(fp, encoding)


# -- objects to records ----------------------------------------------------------------------
def _str(obj: dict, *keys: str) -> str | None:
    for key in keys:
        value = obj.get(key)
        if value is None:
            continue
        if type(value) is str:
            return value
        if isinstance(value, (dict, list)):
            raise RecordError(f"{key} must be text, not {type(value).__name__}")
        return str(value)
    return None


def _version(value: Any) -> int | None:
    if value is None or value == "":
        return None
    m = re.fullmatch(r"v?(\d{1,4})", str(value).strip())
    if not m or not 1 <= int(m.group(1)) <= 1000:
        raise RecordError(f"invalid version {str(value)[:20]!r}")
    return int(m.group(1))


def _generic_authors(value: Any) -> list[Author]:
    if value is None:
        return []
    if isinstance(value, str):
        return authors_from_names(split_authors(value))
    if not isinstance(value, list):
        raise RecordError(f"authors must be a list or a string, not {type(value).__name__}")
    out = []
    for a in value:
        if isinstance(a, dict):
            name = clean_text(a.get("name") or " ".join(
                str(a.get(k) or "") for k in ("forenames", "first", "keyname", "last")))
            affs = a.get("affiliations", a.get("affiliation")) or []
            affs = [affs] if isinstance(affs, str) else affs if isinstance(affs, list) else []
            if name:
                out.append(Author(name, [x for x in map(clean_text, affs) if x]))
        elif a is not None:
            name = clean_text(a)
            if name:
                out.append(Author(name))
    return out


def _paper_id(obj: dict, source: str) -> tuple[str, int | None]:
    raw = _str(obj, "id")
    try:
        return canonical_id(raw or "", source)
    except InvalidId as exc:
        raise RecordError(str(exc)) from None


def kaggle_record(obj: dict, source: str = KAGGLE_SOURCE) -> Record:
    pid, _ = _paper_id(obj, source)
    versions = []
    for v in obj.get("versions") or []:
        if isinstance(v, dict):
            versions.append(Version(_version(v.get("version")) or len(versions) + 1,
                                    iso_date(v.get("created"))))
    versions.sort(key=lambda v: v.version)
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = [" ".join(str(x) for x in (p[1:2] + p[0:1] + p[2:3]) if x)
                 for p in parsed if isinstance(p, list)]
        authors = authors_from_names(names)
    else:
        authors = _generic_authors(obj.get("authors"))
    abstract = clean_text(_str(obj, "abstract"))
    comments = opt_text(_str(obj, "comments"))
    paper = Paper(
        id=pid, title=clean_text(_str(obj, "title")), abstract=abstract, authors=authors,
        categories=(cats := category_list(obj.get("categories"))), comments=comments,
        primary_category=cats[0] if cats else None,
        journal_ref=opt_text(_str(obj, "journal-ref")), doi=opt_text(_str(obj, "doi")),
        license=opt_text(_str(obj, "license")), versions=versions,
        version=versions[-1].version if versions else None,
        published=versions[0].date if versions else None,
        updated=versions[-1].date if versions else iso_date(obj.get("update_date")),
        links=find_links(abstract, comments), sources=[source],
        extra={"submitter": s} if (s := opt_text(_str(obj, "submitter"))) else {},
    )
    return Record(check_paper(paper))


def _extra(obj: dict, pid: str) -> dict[str, Any]:
    """Unmapped keys, kept as they are (within ``MAX_EXTRA_KEYS`` and ``MAX_TEXT`` each)."""
    extra = {k: v for k, v in obj.items() if k not in _MAPPED and v not in (None, "", [], {})}
    for key, kind in (("abs_url", "abs"), ("pdf_url", "pdf")):  # derivable: drop the standard ones
        if extra.get(key) in (f"https://arxiv.org/{kind}/{pid}", f"http://arxiv.org/{kind}/{pid}"):
            del extra[key]
    if len(extra) > MAX_EXTRA_KEYS:
        raise RecordError(f"{pid}: {len(extra)} extra keys (the limit is {MAX_EXTRA_KEYS})")
    for key, value in extra.items():
        size = len(value) if isinstance(value, str) else (
            len(json.dumps(value)) if isinstance(value, (dict, list)) else 0)
        if size > MAX_TEXT or len(key) > 200:
            raise RecordError(f"{pid}: extra key {key[:40]!r} too large ({size:,} characters; "
                              f"the limit is {MAX_TEXT:,})")
    return extra


def generic_record(obj: dict, source: str = GENERIC_SOURCE) -> Record:
    pid, id_version = _paper_id(obj, source)
    abstract = clean_text(_str(obj, "abstract", "summary"))
    comments = opt_text(_str(obj, "comments", "comment"))
    cats = category_list(obj.get("categories"))
    published = iso_date(_str(obj, "date", "published", "first_listing_date"))
    paper = Paper(
        id=pid, title=clean_text(_str(obj, "title")), abstract=abstract,
        version=_version(obj.get("version")) or id_version,
        authors=_generic_authors(obj.get("authors")), categories=cats,
        primary_category=opt_text(_str(obj, "primary_category")) or (cats[0] if cats else None),
        published=published, updated=iso_date(_str(obj, "updated")) or published,
        doi=opt_text(_str(obj, "doi")), journal_ref=opt_text(_str(obj, "journal_ref", "journal-ref")),
        comments=comments, license=opt_text(_str(obj, "license")),
        links=find_links(abstract, comments), sources=[source], extra=_extra(obj, pid),
    )
    return Record(check_paper(paper))


def is_kaggle(obj: dict) -> bool:
    return isinstance(obj.get("versions"), list) and any(k in obj for k in _KAGGLE_KEYS)


def iter_records(fp: BinaryIO, source: str | None = None
                 ) -> Iterator[tuple[str, Record | RecordError]]:
    """(position, Record or RecordError) for each object of a snapshot / JSON Lines stream."""
    for pos, obj in iter_json_objects(fp):
        if isinstance(obj, RecordError):
            yield pos, obj
            continue
        if not isinstance(obj, dict):
            yield pos, RecordError(f"expected a JSON object, got {type(obj).__name__}")
            continue
        try:
            if is_kaggle(obj):
                yield pos, kaggle_record(obj, source or KAGGLE_SOURCE)
            else:
                yield pos, generic_record(obj, source or GENERIC_SOURCE)
        except RecordError as exc:
            yield pos, exc
        except (TypeError, ValueError, AttributeError) as exc:  # odd shapes inside an object
            yield pos, RecordError(f"unusable record ({type(exc).__name__}: {exc})")


def parse_snapshot_bytes(data: bytes, source: str | None = None) -> list[Record]:
    """Convenience for small inputs: every valid record (errors raise ``ParseError``)."""
    out = []
    for pos, item in iter_records(io.BytesIO(data), source):
        if isinstance(item, RecordError):
            raise ParseError(f"{pos}: {item}")
        out.append(item)
    return out
