"""Library files: BibTeX, RIS, Zotero CSV and id lists; bounded sizes; per-entry reports."""

from __future__ import annotations

import bibtexparser
import pytest

from paperradar.ingest.library import MAX_BYTES, MAX_ENTRIES, LibraryError, parse_library
from paperradar.models import Paper
from paperradar.web.render.exports import bibtex_list, ris_list

BIB = rb"""
@comment{exported by hand}
@article{vaswani, title = {Attention {Is} All You Need}, eprint = {1706.03762},
  archivePrefix = {arXiv}, primaryClass = {cs.CL}}
@misc{url, title = "From a URL", url = {https://arxiv.org/abs/2401.01234v2}}
@inproceedings{doi, title={From a DOI}, doi={10.48550/arXiv.2312.00001}}
@article{note, title={From a journal field}, journal={arXiv preprint arXiv:2305.12345}}
@article{nature, title={Published elsewhere}, journal={Nature}, doi={10.1038/xyz}}
@article{broken, title={Broken {brace}, year=2020
@article{old, title={Old style}, eprint={hep-th/9901001}}
"""


def test_bibtex_entries_and_report():
    lib = parse_library(BIB, "refs.bib")
    assert lib.format == "bibtex"
    got = [(e.number, e.arxiv_id, e.problem is None) for e in lib.entries]
    assert got == [(1, "1706.03762", True), (2, "2401.01234", True), (3, "2312.00001", True),
                   (4, "2305.12345", True), (5, None, False), (6, None, False),
                   (7, "hep-th/9901001", True)]
    assert lib.entries[0].title == "Attention Is All You Need"
    assert "broken" in lib.entries[5].problem


def test_our_own_exports_round_trip_and_agree_with_bibtexparser():
    papers = [Paper(id="2401.01234", title="A {tricky} title", published="2024-01-02"),
              Paper(id="hep-th/9901001", title="Old", published="1999-01-04")]
    text = bibtex_list(papers)
    ours = parse_library(text.encode(), "x.bib")
    theirs = bibtexparser.parse_string(text).entries
    assert len(theirs) == len(ours.entries) == 2
    assert ours.arxiv_ids == ["2401.01234", "hep-th/9901001"]
    assert parse_library(ris_list(papers).encode(), "x.ris").arxiv_ids == ours.arxiv_ids


def test_ris_csv_and_id_lists():
    ris = (b"TY  - JOUR\nTI  - Hello\nUR  - http://arxiv.org/abs/hep-th/9901001\nER  - \n"
           b"TY  - JOUR\nTI  - No link\nER  - \n")
    lib = parse_library(ris)
    assert lib.format == "ris" and [e.arxiv_id for e in lib.entries] == ["hep-th/9901001", None]
    csv_text = ('\ufeff"Key","Item Type","Publication Year","Author","Title","Url","DOI","Extra"\n'
                '"K1","preprint","2024","A","One, with a comma","https://arxiv.org/abs/2401.00002","",""\n'
                '"K2","journalArticle","2023","B","Two","","10.1/x","arXiv: 2301.00003"\n'
                '"K3","book","2020","C","Three","","",""\n').encode()
    lib = parse_library(csv_text, "My Library.csv")
    assert lib.format == "csv" and lib.arxiv_ids == ["2401.00002", "2301.00003"]
    assert lib.entries[0].title == "One, with a comma" and lib.entries[2].problem
    ids = b"2401.00001\n\n# a comment\nhttps://arxiv.org/pdf/2401.00003v1\narXiv:2402.00004\nnonsense\n"
    lib = parse_library(ids, "list.txt")
    assert lib.format == "ids"
    assert lib.arxiv_ids == ["2401.00001", "2401.00003", "2402.00004"]
    assert lib.entries[-1].problem == "not an arXiv id or arXiv URL"


def test_bounds_are_clear_errors_or_reported_partial_reads():
    with pytest.raises(LibraryError, match="limit"):
        parse_library(b"2401.00001\n" * (MAX_BYTES // 11 + 1))
    with pytest.raises(LibraryError, match="not a text file"):
        parse_library(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(LibraryError, match="no entries"):
        parse_library(b"\n\n# only comments\n")
    with pytest.raises(LibraryError, match="Title"):
        parse_library(b"a,b\n1,2\n", "x.csv")
    many = b"".join(b"@misc{k%d, eprint={2401.%05d}}\n" % (i, i % 99999 + 1)
                    for i in range(100_000))
    assert len(many) < MAX_BYTES
    lib = parse_library(many, "big.bib")
    assert len(lib.entries) == MAX_ENTRIES and lib.left_out == 100_000 - MAX_ENTRIES
