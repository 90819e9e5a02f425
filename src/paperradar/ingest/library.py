"""Parse a reader's library: BibTeX, RIS, a Zotero CSV export, or a text list of arXiv ids
and URLs (one per line). Pure: bytes in, entries out; nothing touches the store.

Each entry reports what was found: the arXiv id (from ``eprint``, an arxiv.org URL, an arXiv
DOI ``10.48550/arXiv.*``, or ``arXiv:`` in a note or journal field) or why none was. Input is
bounded: more than ``MAX_BYTES`` is refused as a whole (``LibraryError``); entries beyond
``MAX_ENTRIES`` are not read, and the result says how many were left out.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from paperradar.ids import InvalidId, parse_arxiv_id

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 2000
FORMATS = ("bibtex", "ris", "csv", "ids")

_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv[:\s.]\s*|10\.48550/arxiv\.)"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)", re.IGNORECASE)
_BIB_START = re.compile(r"@\s*([A-Za-z]+)\s*[{(]")
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


class LibraryError(ValueError):
    """The file cannot be read as a library at all (too large, not text, unknown format)."""


@dataclass(slots=True)
class LibraryEntry:
    number: int  # 1-based position in the file
    title: str = ""
    arxiv_id: str | None = None
    problem: str | None = None  # why no arXiv id was found

    @property
    def label(self) -> str:
        return self.title[:120] or f"entry {self.number}"


@dataclass(slots=True)
class Library:
    format: str
    entries: list[LibraryEntry] = field(default_factory=list)
    left_out: int = 0  # entries beyond MAX_ENTRIES

    @property
    def arxiv_ids(self) -> list[str]:
        return list(dict.fromkeys(e.arxiv_id for e in self.entries if e.arxiv_id))


def find_arxiv_id(*values: str | None) -> str | None:
    """The first arXiv id in any of the values (bare ids, URLs, DOIs, "arXiv:" notes)."""
    for v in values:
        if not v:
            continue
        v = v.strip()
        try:
            return parse_arxiv_id(v)[0]
        except InvalidId:
            pass
        m = _ARXIV_IN_TEXT.search(v)
        if m:
            try:
                return parse_arxiv_id(m.group(1))[0]
            except InvalidId:
                continue
    return None


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise LibraryError(f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    if b"\x00" in data[:4096]:
        raise LibraryError("this is not a text file (BibTeX, RIS, CSV or a list of ids)")
    text = data.decode("utf-8-sig", errors="replace")
    return text


def detect(text: str, filename: str = "") -> str:
    name = filename.lower()
    head = text.lstrip()[:4000]
    if name.endswith((".bib", ".bibtex")) or _BIB_START.match(head):
        return "bibtex"
    if name.endswith(".ris") or any(_RIS_LINE.match(x) and x.startswith("TY")
                                    for x in head.splitlines()[:5]):
        return "ris"
    first = head.splitlines()[0] if head else ""
    if name.endswith(".csv") or ('"Item Type"' in first or "Item Type," in first):
        return "csv"
    return "ids"


def parse_library(data: bytes, filename: str = "", fmt: str | None = None) -> Library:
    """Parse ``data`` (format from ``fmt``, else detected from the name and content)."""
    text = decode(data)
    fmt = fmt or detect(text, filename)
    if fmt not in FORMATS:
        raise LibraryError(f"unknown library format {fmt!r} (one of {', '.join(FORMATS)})")
    parser = {"bibtex": _bibtex, "ris": _ris, "csv": _csv, "ids": _ids}[fmt]
    lib = Library(fmt)
    for raw in parser(text):
        if len(lib.entries) >= MAX_ENTRIES:
            lib.left_out += 1
            continue
        raw.number = len(lib.entries) + 1
        lib.entries.append(raw)
    if not lib.entries and not lib.left_out:
        raise LibraryError(f"no entries found (read as {fmt})")
    return lib


def _entry(title: str, *values: str | None) -> LibraryEntry:
    title = " ".join(title.replace("{", "").replace("}", "").split())
    pid = find_arxiv_id(*values)
    return LibraryEntry(0, title, pid, None if pid else "no arXiv id in this entry")


# -- BibTeX -----------------------------------------------------------------------------------
def _bib_fields(body: str) -> dict[str, str] | None:
    """``key = {value}`` / ``"value"`` / bare fields of one entry body (after the cite key)."""
    out: dict[str, str] = {}
    i, n = 0, len(body)
    while i < n:
        m = re.compile(r"\s*,?\s*([A-Za-z][\w\-]*)\s*=\s*").match(body, i)
        if not m:
            break
        name, i = m.group(1).lower(), m.end()
        if i < n and body[i] in "{\"":
            close = "}" if body[i] == "{" else "\""
            depth, j = 0, i
            while j < n:
                c = body[j]
                if c == "{":
                    depth += 1
                elif c == "}" and close == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif c == "\"" and close == "\"" and j > i and depth == 0:
                    break
                if c == "}" and close == "\"":
                    depth -= 1
                j += 1
            if j >= n:
                return None  # unbalanced braces
            out[name] = body[i + 1:j]
            i = j + 1
        else:
            m2 = re.compile(r"[^,}]*").match(body, i)
            out[name] = m2.group(0).strip()
            i = m2.end()
    return out


def _bibtex(text: str):
    pos = 0
    while True:
        m = _BIB_START.search(text, pos)
        if not m:
            return
        kind = m.group(1).lower()
        nxt = _BIB_START.search(text, m.end())
        end = nxt.start() if nxt else len(text)
        pos = end
        if kind in ("comment", "preamble", "string"):
            continue
        body = text[m.end():end]
        key, _, rest = body.partition(",")
        fields = _bib_fields(rest) if rest else None
        if fields is None:
            yield LibraryEntry(0, key.strip()[:80], None, "broken BibTeX entry (unbalanced "
                               "braces or quotes); skipped")
            continue
        prefix = fields.get("archiveprefix", "").lower()
        eprint = fields.get("eprint") if prefix in ("", "arxiv") else None
        yield _entry(fields.get("title", ""), eprint, fields.get("doi"), fields.get("url"),
                     fields.get("journal"), fields.get("note"), fields.get("howpublished"))


# -- RIS --------------------------------------------------------------------------------------
def _ris(text: str):
    rec: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = _RIS_LINE.match(line.rstrip())
        if not m:
            continue
        tag, value = m.group(1), m.group(2).strip()
        if tag == "ER":
            yield _ris_entry(rec)
            rec = {}
            continue
        rec.setdefault(tag, []).append(value)
    if rec:
        yield _ris_entry(rec)


def _ris_entry(rec: dict[str, list[str]]) -> LibraryEntry:
    title = (rec.get("TI") or rec.get("T1") or [""])[0]
    values = [v for tag in ("UR", "L1", "L2", "DO", "N1", "JO", "T2", "M1", "AN")
              for v in rec.get(tag, [])]
    return _entry(title, *values)


# -- Zotero CSV -------------------------------------------------------------------------------
def _csv(text: str):
    csv.field_size_limit(1 << 20)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "Title" not in reader.fieldnames:
        raise LibraryError("a CSV library needs a header with a Title column (Zotero export)")
    try:
        for row in reader:
            yield _entry(row.get("Title") or "", row.get("Url"), row.get("DOI"),
                         row.get("Extra"), row.get("Publication Title"), row.get("Archive Location"),
                         row.get("Notes"))
    except csv.Error as exc:
        raise LibraryError(f"broken CSV at line {reader.line_num}: {exc}") from exc


# -- ids / URLs -------------------------------------------------------------------------------
def _ids(text: str):
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        pid = find_arxiv_id(s)
        yield LibraryEntry(0, s[:120], pid, None if pid else "not an arXiv id or arXiv URL")
