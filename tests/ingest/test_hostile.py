"""Hostile input: entity attacks, truncation, wrong encodings, huge fields, odd shapes,
invalid ids. Each gives a clear error or a safely stored value, never a crash mid-write."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from paperradar.ingest import arxiv_api, arxiv_oai, arxiv_rss, hf_daily, snapshot
from paperradar.ingest.errors import IngestError, ParseError
from paperradar.ingest.fields import MAX_TITLE, RecordError
from paperradar.ingest.files import import_paths
from paperradar.ingest.xmlsafe import parse_xml
from paperradar.store import open_store

F = Path(__file__).parents[1] / "fixtures" / "ingest"
XML_PARSERS = [arxiv_api.parse_feed, arxiv_oai.parse_oai, arxiv_rss.parse_listing]

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>
<title>&lol9;</title></entry></feed>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>
<title>&xxe;</title></entry></feed>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]><feed/>"""


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE, PARAMETER_ENTITY])
@pytest.mark.parametrize("parse", XML_PARSERS)
def test_entity_attacks_refused(parse, doc):
    with pytest.raises(ParseError, match="refused unsafe XML"):
        parse(doc)


def test_entity_attack_file_writes_nothing(store, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "laughs.xml").write_bytes(BILLION_LAUGHS)
    report = import_paths(store, [tmp_path / "in"])
    assert len(report.errors) == 1 and "refused unsafe XML" in report.errors[0]
    assert store.count_papers() == 0


def test_wrong_encodings():
    oai = (F / "oai/sample_arxiv_response_with_namespace.xml").read_text(encoding="utf-8")
    # latin-1 bytes in a document that does not declare it: a clear error
    latin = oai.replace("Lagoze", "L\u00e4goze").encode("latin-1")
    with pytest.raises(ParseError, match="malformed XML"):
        arxiv_oai.parse_oai(latin)
    # declared latin-1: decoded correctly
    declared = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + latin
    assert arxiv_oai.parse_oai(declared).records[0].paper.authors[0].name == "Carl L\u00e4goze"
    # UTF-16 with a BOM: decoded correctly
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?>\n' + oai).encode("utf-16")
    assert arxiv_oai.parse_oai(utf16).records[0].paper.id == "0804.2273"
    # an unknown declared encoding: a clear error
    with pytest.raises(ParseError):
        arxiv_oai.parse_oai(b'<?xml version="1.0" encoding="klingon"?><OAI-PMH/>')
    hf = (F / "hf/2025-06-30.json").read_text(encoding="utf-8")
    assert hf_daily.parse_daily(hf.encode("utf-16"), "2025-06-30")[0].paper.id == "2506.17450"
    with pytest.raises(ParseError, match="malformed JSON"):
        hf_daily.parse_daily(b'[{"paper": {"id": "2401.00001", "title": "\xff\xfe"}}]', None)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_truncated_xml_is_a_clear_error(data):
    name = data.draw(st.sampled_from(["oai/listrecords_list-identifiers-from-arxiv_1_200.xml",
                                      "api/q_testing_s0_m10_bc5a6c384fe9.xml",
                                      "rss/arxiv_rss_example_cs.AI_2025-08-20.xml"]))
    doc = (F / name).read_bytes().rstrip()
    cut = data.draw(st.integers(min_value=0, max_value=len(doc) - 1))
    parse = {"oai": arxiv_oai.parse_oai, "api": arxiv_api.parse_feed,
             "rss": arxiv_rss.parse_listing}[name.split("/")[0]]
    with pytest.raises(ParseError):
        parse(doc[:cut])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_documents_never_crash(data):
    """Random byte edits of real files: a result or an IngestError, nothing else."""
    name = data.draw(st.sampled_from(["oai/arxivraw_constructed.xml", "hf/2025-06-30.json",
                                      "api/id_astro-ph_0601001_s0_m100_3150dca9dc76.xml",
                                      "rss/rss2_constructed.xml"]))
    doc = bytearray((F / name).read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(doc) - 1))
        doc[pos:pos + data.draw(st.integers(0, 4))] = data.draw(st.binary(max_size=6))
    parse = {"oai": arxiv_oai.parse_oai, "hf": lambda d: hf_daily.parse_daily(d, "2025-06-30"),
             "api": arxiv_api.parse_feed, "rss": arxiv_rss.parse_listing}[name.split("/")[0]]
    try:
        parse(bytes(doc))
    except IngestError:
        pass


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                     | st.text(max_size=30),
                     lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
                         st.text(max_size=8), kids, max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paper=st.fixed_dictionaries({}, optional={
    k: _json | st.text(max_size=40) for k in
    ("id", "title", "summary", "authors", "upvotes", "publishedAt", "githubRepo", "projectPage",
     "ai_keywords", "githubStars", "submittedOnDailyBy", "submittedOnDailyAt")}),
    generic=st.dictionaries(st.sampled_from(
        ["id", "title", "abstract", "authors", "categories", "date", "version", "doi",
         "comments", "venue", "versions", "authors_parsed"]), _json | st.text(max_size=40),
        max_size=10))
def test_odd_json_shapes_give_record_or_clear_error(paper, generic):
    """Whatever shapes the fields have: a storable Record, or a RecordError."""
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/db.sqlite")
        try:
            records = []
            try:
                records.append(hf_daily.parse_item({"paper": paper, "numComments": 1}, "2024-01-01"))
            except RecordError:
                pass
            line = json.dumps(generic).encode() + b"\n"
            records += [r for _, r in snapshot.iter_records(io.BytesIO(line))
                        if not isinstance(r, RecordError)]
            store.upsert_records(records)
            for r in records:
                assert store.get_paper(r.paper.id).title == r.paper.title
        finally:
            store.close()


def test_script_titles_are_stored_verbatim(store, tmp_path):
    (tmp_path / "in").mkdir()
    title = '<script>alert("x")</script> & <b>bold</b>'
    line = json.dumps({"id": "2401.00042", "title": title, "abstract": "<img src=x onerror=1>"})
    (tmp_path / "in" / "x.jsonl").write_text(line + "\n")
    assert import_paths(store, [tmp_path / "in"]).errors == []
    p = store.get_paper("2401.00042")
    assert p.title == title and p.abstract == "<img src=x onerror=1>"


def test_ten_megabyte_fields_are_rejected_per_record(store, tmp_path):
    (tmp_path / "in").mkdir()
    big = "x" * (10 * 1024 * 1024)
    lines = [{"id": "2401.00001", "title": "fine"}, {"id": "2401.00002", "title": big},
             {"id": "2401.00003", "title": "t", "abstract": big},
             {"id": "2401.00004", "title": "also fine", "comments": "c" * 10_000},
             {"id": "2401.00005", "title": "big extra", "venue": {"name": big}}]
    (tmp_path / "in" / "big.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    report = import_paths(store, [tmp_path / "in"])
    assert report.stats.added == 2
    assert len(report.errors) == 1 and "3 skipped" in report.errors[0]
    assert "extra key 'venue' too large" in report.errors[0]
    assert f"title too long (10,485,760 characters; the limit is {MAX_TITLE:,})" in report.errors[0]
    assert "abstract too long" in report.errors[0]
    assert store.get_paper("2401.00002") is None
    assert store.get_paper("2401.00004").comments == "c" * 10_000


def test_ten_megabyte_xml_field_skips_that_entry_only():
    doc = (F / "api/q_testing_s0_m10_bc5a6c384fe9.xml").read_text()
    start = doc.index("<summary>") + len("<summary>")
    doc = doc[:start] + "y" * (10 * 1024 * 1024) + doc[start:]
    page = arxiv_api.parse_feed(doc.encode())
    assert len(page.records) == 9 and "abstract too long" in page.errors[0]


@pytest.mark.parametrize("raw,expected", [
    ("2401.01234v2", "2401.01234"), ("hep-th/9901001", "hep-th/9901001"),
    ("abc-1", "jsonl:abc-1"), (12345, "jsonl:12345"), ("doi:10.1/x", "doi:10.1/x"),
    ("../../etc/passwd", "jsonl:../../etc/passwd"),
])
def test_ids_canonical_or_safely_prefixed(raw, expected):
    rec = snapshot.generic_record({"id": raw, "title": "t"})
    assert rec.paper.id == expected


@pytest.mark.parametrize("raw", ["", "has space", "x" * 300, {"a": 1}, None, ["2401.01234"]])
def test_invalid_ids_are_clear_errors(raw):
    with pytest.raises(RecordError):
        snapshot.generic_record({"id": raw, "title": "t"})


def test_deep_nesting_and_garbage_files(store, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    (tmp_path / "in" / "2024-01-01.json").write_text('[{"paper": ' + "[" * 100_000)
    (tmp_path / "in" / "trunc.json").write_text('{"status": "ok", "data": [{"paper": {"id": "24')
    (tmp_path / "in" / "binary.bin").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "in" / "empty.jsonl").write_bytes(b"")
    report = import_paths(store, [tmp_path / "in"])
    assert report.files == 5 and len(report.errors) == 5
    assert store.count_papers() == 0
    assert all(": " in e for e in report.errors)


def test_parse_xml_rejects_non_bytes_and_empty():
    with pytest.raises(ParseError, match="empty"):
        parse_xml(b"  ")
    with pytest.raises(TypeError):
        parse_xml("<a/>")  # type: ignore[arg-type]


@given(st.text(max_size=40) | st.from_regex(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?", fullmatch=True))
def test_iso_date_never_raises(text):
    from paperradar.ingest.fields import iso_date

    out = iso_date(text)
    assert out is None or len(out) in (10, 20)


def test_iso_date_examples():
    from paperradar.ingest.fields import iso_date

    assert iso_date("2025-08-20T00:00:00-04:00") == "2025-08-20T04:00:00Z"
    assert iso_date("2024-05-24T17:34:15.000Z") == "2024-05-24T17:34:15Z"
    assert iso_date("Wed, 31 Dec 2008 21:00:04 GMT") == "2008-12-31T21:00:04Z"
    assert iso_date("0001-01-01T00:00:00+01:00") is None
    assert iso_date("2024-02-30") is None and iso_date("soon") is None


def test_lone_surrogates_are_replaced_not_fatal(store, tmp_path):
    (tmp_path / "in").mkdir()
    lines = ['{"id": "2401.00001", "title": "ok \\ud800 lone", "authors": ["A \\udfff"], '
             '"venue": "\\ud834"}', '{"id": "2401.00002", "title": "pair \\ud83d\\ude00"}']
    (tmp_path / "in" / "s.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "in" / "a.json").write_text("[" + ",".join(lines) + "]")
    hf = [{"paper": {"id": "2401.00003", "title": "hf \ud800", "upvotes": 1}}]
    (tmp_path / "in" / "2024-01-02.json").write_text(json.dumps(hf))
    report = import_paths(store, [tmp_path / "in"])
    assert report.errors == []
    assert store.get_paper("2401.00001").title == "ok \ufffd lone"
    assert store.get_paper("2401.00001").extra == {"venue": "\ufffd"}
    assert store.get_paper("2401.00002").title == "pair \U0001f600"
    assert store.get_paper("2401.00003").title == "hf \ufffd"


def test_huge_integer_is_a_record_error(store, tmp_path):
    path = tmp_path / "ints.jsonl"
    path.write_text('{"id": "2401.00001", "title": "t", "n": ' + "9" * 5000 + '}\n'
                    '{"id": "2401.00002", "title": "fine"}\n')
    report = import_paths(store, [path])
    assert report.stats.added == 1 and "line 1: " not in report.errors[0]
    assert "unreadable JSON" in report.errors[0] and "(line 1)" in report.errors[0]


def test_unstorable_record_is_isolated_from_its_batch(store):
    from paperradar.ingest.files import _write
    from paperradar.models import Paper, Record

    records = [Record(Paper(id=f"2401.0000{i}", title=f"t{i}")) for i in range(5)]
    records[2].paper.title = "cannot be UTF-8 \ud800"  # bypasses the parsers' scrubbing
    errors: list[str] = []
    skipped = [0]
    stats = _write(store, records, errors, skipped, batch_size=4)
    assert stats.added == 4 and skipped == [1]
    assert errors[0].startswith("2401.00002: could not be stored (UnicodeEncodeError")
    assert store.get_paper("2401.00002") is None and store.get_paper("2401.00003") is not None
