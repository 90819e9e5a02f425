"""The pure parsers on real recorded responses: field values, errors, edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperradar.ingest import arxiv_api, arxiv_oai, arxiv_rss, hf_daily, snapshot
from paperradar.ingest.errors import ArxivApiError, OaiError, ParseError

F = Path(__file__).parents[1] / "fixtures" / "ingest"


def read(name: str) -> bytes:
    return (F / name).read_bytes()


# -- arXiv API ----------------------------------------------------------------------------
def test_api_single_entry_fields():
    page = arxiv_api.parse_feed(read("api/id_2104.12255v1_s0_m100_6ae69987ffe1.xml"))
    assert (page.total_results, page.start_index, page.items_per_page) == (1, 0, 100)
    p = page.records[0].paper
    assert (p.id, p.version, p.title) == ("2104.12255", 1, "0")
    assert p.abstract.startswith("What is the funniest number in cryptography? 0.")
    assert [a.name for a in p.authors] == ["Quan Thoi Minh Nguyen"]
    assert (p.primary_category, p.categories) == ("cs.CR", ["cs.CR"])
    assert p.published == p.updated == "2021-04-20T16:07:14Z"
    assert p.sources == ["arxiv-api"]


def test_api_paged_query_and_metadata():
    page = arxiv_api.parse_feed(read("api/q_testing_s0_m10_bc5a6c384fe9.xml"))
    assert (page.total_results, page.start_index, page.items_per_page) == (214881, 0, 10)
    assert len(page.records) == 10 and not page.errors
    p = page.records[0].paper
    assert p.id == "2202.12139" and p.version == 1
    assert p.title == "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    assert p.doi == "10.1109/ICSTW55395.2022.00035"
    assert p.categories == ["cs.SE", "cs.LG"] and p.primary_category == "cs.SE"
    assert p.comments == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert p.journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022 IEEE")


def test_api_old_style_id_affiliations_and_links():
    p = arxiv_api.parse_feed(read("api/id_astro-ph_0601001_s0_m100_3150dca9dc76.xml")).records[0].paper
    assert p.id == "astro-ph/0601001"
    assert p.authors[0].name == "Andrew Gould" and p.authors[0].affiliations == ["Ohio State"]
    assert p.journal_ref == "ActaAstron.56:1-50,2006"
    assert [link.url for link in p.links] == [
        "http://www.astronomy.ohio-state.edu/~gould/ogle_hot_jupiters.ps.gz"]


def test_api_error_feed_and_empty_result():
    with pytest.raises(ArxivApiError, match="incorrect id format for abc"):
        arxiv_api.parse_feed(read("api/id_abc_s0_m100_b79c8dcf6bc3.xml"))
    page = arxiv_api.parse_feed(read("api/id_0000.0000_s0_m100_8b51d9633a68.xml"))
    assert page.records == [] and page.total_results == 0


def test_api_rejects_non_feed():
    with pytest.raises(ParseError, match="not an Atom feed"):
        arxiv_api.parse_feed(read("oai/sample_empty_response.xml"))


# -- OAI-PMH ------------------------------------------------------------------------------
def test_oai_arxiv_format_with_affiliations():
    page = arxiv_oai.parse_oai(read("oai/listrecords_list-identifiers-from-arxiv_1_200.xml"))
    assert [r.paper.id for r in page.records] == ["1412.8544", "hep-th/9504118"]
    p = page.records[0].paper
    assert p.title == "A Kochen-Specker system has at least 22 vectors (extended abstract)"
    assert [(a.name, a.affiliations) for a in p.authors] == [
        ("Sander Uijlen", ["Radboud Universiteit"]), ("Bas Westerbaan", ["Radboud Universiteit"])]
    assert (p.doi, p.journal_ref) == ("10.4204/EPTCS.172.11", "EPTCS 172, 2014, pp. 154-164")
    assert p.published == "2014-12-29" and p.categories == ["cs.DM"]
    assert p.abstract.startswith("At the heart of the Conway-Kochen") and "\n" not in p.abstract
    assert p.sources == ["arxiv-oai"] and page.resumption_token is None


@pytest.mark.parametrize("name", ["oai/sample_arxiv_response_no_namespace.xml",
                                  "oai/sample_arxiv_response_with_namespace.xml"])
def test_oai_with_and_without_namespaces(name):
    p = arxiv_oai.parse_oai(read(name)).records[0].paper
    assert p.id == "0804.2273"
    assert p.title == "Object Re-Use & Exchange: A Resource-Centric Approach"
    assert [a.name for a in p.authors][:2] == ["Carl Lagoze", "Herbert Van de Sompel"]
    assert p.categories == ["cs.DL", "cs.NI"]
    assert p.license == "http://creativecommons.org/licenses/by/3.0/"


def test_oai_dc_and_resumption_token():
    page = arxiv_oai.parse_oai(read("oai/test_arxiv_data_listrecords_oai_dc_cs.xml"))
    assert page.resumption_token == "6960524|1001"
    assert (page.complete_list_size, page.cursor) == (1162, 0)
    p = page.records[0].paper
    assert p.id == "1303.2033" and p.title == "Extended Fourier analysis of signals"
    assert [a.name for a in p.authors] == ["Vilnis Liepins"]
    assert p.extra["subjects"][0] == "Computer Science - Data Structures and Algorithms"


def test_oai_arxivraw_versions_deleted_and_bad_record():
    page = arxiv_oai.parse_oai(read("oai/arxivraw_constructed.xml"))
    assert [r.paper.id for r in page.records] == ["1101.4388"]  # deleted one skipped
    p = page.records[0].paper
    assert p.version == 2
    assert [(v.version, v.date, v.size) for v in p.versions] == [
        (1, "2011-01-23T13:04:08Z", "27kb"), (2, "2012-03-28T02:11:35Z", "29kb")]
    assert p.published == "2011-01-23T13:04:08Z" and p.updated == "2012-03-28T02:11:35Z"
    assert [a.name for a in p.authors] == ["Guohui Song", "Haizhang Zhang", "Fred J. Hickernell"]
    assert len(page.errors) == 1 and "not-an-id" in page.errors[0]


def test_oai_no_records_match_is_empty_and_other_errors_raise():
    page = arxiv_oai.parse_oai(read("oai/sample_empty_response.xml"))
    assert page.records == [] and page.resumption_token is None
    bad = (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>x</responseDate>'
           b'<error code="badResumptionToken">The token is expired</error></OAI-PMH>')
    with pytest.raises(OaiError, match="badResumptionToken: The token is expired") as info:
        arxiv_oai.parse_oai(bad)
    assert info.value.code == "badResumptionToken"


def test_oai_empty_token_is_none():
    doc = (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
           b'<resumptionToken completeListSize="3" cursor="2"/></ListRecords></OAI-PMH>')
    page = arxiv_oai.parse_oai(doc)
    assert page.resumption_token is None and page.complete_list_size == 3 and page.cursor == 2


def test_oai_503_body_and_identify_are_clear_errors():
    with pytest.raises(ParseError, match="not an OAI-PMH response"):
        arxiv_oai.parse_oai(read("oai/listrecords_list-identifiers-from-arxiv_0_503.xml"))
    with pytest.raises(ParseError, match="Identify response"):
        arxiv_oai.parse_oai(read("oai/identify_identify-arxiv_0_200.xml"))


# -- listing feeds ------------------------------------------------------------------------
def test_listing_atom():
    errors: list[str] = []
    records = arxiv_rss.parse_listing(read("rss/arxiv_rss_example_cs.AI_2025-08-20.xml"), errors)
    assert len(records) == 7 and errors == []
    p = records[0].paper
    assert (p.id, p.version) == ("2508.13426", 1)
    assert p.title.startswith("ALIGN: Word Association Learning")
    assert p.abstract.startswith("As large language models (LLMs)")  # preamble removed
    assert [a.name for a in p.authors] == ["Chunhua Liu", "Kabir Manandhar Shrestha", "Sukai Huang"]
    assert p.categories == ["cs.CL", "cs.AI"] and p.extra["announce_type"] == "cross"
    assert p.published == "2025-08-20" and p.sources == ["arxiv-rss"]


def test_listing_rss2_new_and_replace():
    records = arxiv_rss.parse_listing(read("rss/rss2_constructed.xml"))
    first, replaced = (r.paper for r in records)
    assert first.id == "2508.13426" and first.published == "2025-08-20"
    assert first.license == "http://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert (replaced.id, replaced.version, replaced.published) == ("2507.01234", 3, None)
    assert replaced.updated == "2025-08-20" and replaced.extra["announce_type"] == "replace"
    assert [a.name for a in replaced.authors] == ["Ada Lovelace", "Alan Turing"]
    assert replaced.links[0].url == "https://github.com/example/revised"


# -- Hugging Face daily papers ------------------------------------------------------------
def test_hf_new_shape():
    records = hf_daily.parse_daily(read("hf/2025-06-30.json"), "2025-06-30")
    r = records[0]
    assert r.paper.id == "2506.17450"
    assert r.paper.title == "BlenderFusion: 3D-Grounded Visual Editing and Generative Compositing"
    assert r.paper.published == "2025-06-20T19:38:34Z" and r.paper.authors[0].name == "Jiacheng Chen"
    d = r.daily
    assert (d.date, d.submitted_by, d.submitted_at) == ("2025-06-30", "cccjc", "2025-06-30T02:33:26Z")
    assert (d.upvotes, d.num_comments, d.project_page) == (24, 1, "https://blenderfusion.github.io/")
    assert d.ai_keywords == ["diffusion model", "source masking", "simulated object jittering"]
    assert d.ai_summary.startswith("A generative visual compositing framework")
    assert any(link.url == "https://blenderfusion.github.io/" for link in r.paper.links)


def test_hf_old_shape_without_day_uses_item_date():
    records = hf_daily.parse_daily(read("hf/2024-05-27.json"), None)
    assert len(records) == 13
    r = records[0]
    assert r.paper.id == "2405.15738" and r.daily.date == "2024-05-27"
    assert r.daily.upvotes == 32
    assert any(link.url == "https://github.com/alibaba/conv-llava" and link.kind == "code"
               for link in r.paper.links)


def test_hf_malformed_items_are_reported_not_guessed():
    errors: list[str] = []
    assert hf_daily.parse_daily(read("hf_malformed/2024-12-26.json"), None, errors) == []
    assert len(errors) == 4 and "Python repr" in errors[0]
    errors.clear()
    assert hf_daily.parse_daily(read("hf_malformed/2025-01-10.json"), None, errors) == []
    assert len(errors) == 9


def test_hf_rejects_non_http_urls_and_bad_counts():
    item = {"paper": {"id": "2401.00001", "title": "T", "upvotes": 3,
                      "githubRepo": "javascript:alert(1)", "projectPage": "https://ok.example/"},
            "numComments": 0}
    rec = hf_daily.parse_item(item, "2024-01-02")
    assert rec.daily.github_repo is None and rec.daily.project_page == "https://ok.example/"
    item["paper"]["upvotes"] = "many"
    with pytest.raises(ParseError, match="upvotes is not an integer"):
        hf_daily.parse_item(item, "2024-01-02")


# -- snapshot / JSON Lines ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["kaggle/snapshot_constructed.json",
                                  "kaggle/snapshot_constructed_array.json"])
def test_kaggle_lines_and_array(name):
    records = snapshot.parse_snapshot_bytes(read(name))
    assert [r.paper.id for r in records] == ["1101.4388", "hep-th/9504118", "1412.8544"]
    p = records[0].paper
    assert p.version == 2 and [v.date for v in p.versions] == [
        "2011-01-23T13:04:08Z", "2012-03-28T02:11:35Z"]
    assert [a.name for a in p.authors] == ["Guohui Song", "Haizhang Zhang", "Fred J. Hickernell"]
    assert p.categories == ["stat.ML", "cs.LG", "math.FA"] and p.primary_category == "stat.ML"
    assert p.journal_ref == "Appl. Comput. Harmon. Anal., 34:96-116, 2013"
    assert p.extra == {"submitter": "Haizhang Zhang"} and p.sources == ["arxiv-snapshot"]
    assert records[1].paper.links[0].kind == "code"


def test_generic_jsonl_real_metadata():
    records = snapshot.parse_snapshot_bytes(read("jsonl/arxiv_2026-03_sample.jsonl"))
    assert len(records) == 200
    p = records[0].paper
    assert p.id == "2602.22430"
    assert p.title == "TopoEdit: Fast Post-Optimization Editing of Topology Optimized Structures"
    assert [a.name for a in p.authors] == ["Hongrui Chen", "Josephine V. Carstensen", "Faez Ahmed"]
    assert p.categories == ["cs.GR", "cs.LG"] and p.published == "2026-03-01"
    assert p.extra == {}  # standard abs/pdf URLs are derivable from the id, not kept


def test_generic_jsonl_shapes_and_source_prefix():
    data = (b'{"id": "abc-1", "title": "One", "authors": "A. B and C. D", '
            b'"categories": "x.Y z.W", "date": "2024-02-03", "venue": "Conf"}\n'
            b'\n{"id": "2401.01234v3", "title": "Two", "authors": [{"name": "E F", '
            b'"affiliation": "Lab"}], "summary": "see https://github.com/o/r"}\n')
    one, two = (r.paper for r in snapshot.parse_snapshot_bytes(data, "mine"))
    assert one.id == "mine:abc-1" and [a.name for a in one.authors] == ["A. B", "C. D"]
    assert one.categories == ["x.Y", "z.W"] and one.extra == {"venue": "Conf"}
    assert one.sources == ["mine"] and one.published == "2024-02-03"
    assert (two.id, two.version) == ("2401.01234", 3)
    assert two.authors[0].affiliations == ["Lab"] and two.links[0].kind == "code"


def test_hf_json_lines_and_deleted_count():
    items = json.loads(read("hf/2025-06-30.json"))[:3]
    data = "\n".join(json.dumps(x) for x in items).encode()
    assert [r.paper.id for r in hf_daily.parse_daily(data, "2025-06-30")] == [
        x["paper"]["id"] for x in items]
    assert arxiv_oai.parse_oai(read("oai/arxivraw_constructed.xml")).deleted == 1
