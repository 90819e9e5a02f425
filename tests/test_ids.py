"""Identifier parsing: new and old arXiv styles, URLs, versions, source prefixes."""

import pytest

from paperradar.ids import InvalidId, canonical_id, parse_arxiv_id


@pytest.mark.parametrize("raw, expected", [
    ("2401.01234", ("2401.01234", None)),
    ("2401.01234v3", ("2401.01234", 3)),
    ("arXiv:0704.0001v1", ("0704.0001", 1)),
    ("https://arxiv.org/abs/2401.01234v2", ("2401.01234", 2)),
    ("https://arxiv.org/pdf/2401.01234.pdf", ("2401.01234", None)),
    ("hep-th/9901001", ("hep-th/9901001", None)),
    ("math.GT/0309136v2", ("math.GT/0309136", 2)),
    ("oai:arXiv.org:astro-ph/0601001", ("astro-ph/0601001", None)),
    ("http://arxiv.org/abs/quant-ph/0201082v1", ("quant-ph/0201082", 1)),
])
def test_arxiv_ids(raw, expected):
    assert parse_arxiv_id(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "2401.1", "12345.67890", "hep-th/99", "2401.01234v0",
                                 "<script>", "2401.01234 OR 1=1"])
def test_invalid(raw):
    with pytest.raises(InvalidId):
        parse_arxiv_id(raw)


def test_source_prefix():
    assert canonical_id("184", source="cranfield") == ("cranfield:184", None)
    assert canonical_id("2401.01234v2", source="jsonl") == ("2401.01234", 2)
    with pytest.raises(InvalidId):
        canonical_id("has space", source="jsonl")


def test_arxiv_id_with_bad_version_is_refused_not_prefixed():
    with pytest.raises(InvalidId):
        canonical_id("2401.01234v0", source="jsonl")
