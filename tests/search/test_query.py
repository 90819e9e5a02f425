"""The query parser: a table of syntax cases, and any string parses without an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from paperradar.search.query import parse_date, parse_query

CASES = [
    ("attention is all you need", dict(words=["attention", "is", "all", "you", "need"])),
    ('"large language models" scaling', dict(phrases=["large language models"], words=["scaling"])),
    ('author:"Geoffrey Hinton"', dict(authors=["Geoffrey Hinton"], words=[])),
    ("author:hinton cat:cs.LG,cs.CL", dict(authors=["hinton"], categories=["cs.LG", "cs.CL"])),
    ("since:2024-05 until:2024", dict(date_from="2024-05-01", date_to="2024-12-31")),
    ("until:2024-02", dict(date_to="2024-02-29")),
    ("year:2023", dict(date_from="2023-01-01", date_to="2023-12-31")),
    ("2021..2022 gan", dict(date_from="2021-01-01", date_to="2022-12-31", words=["gan"])),
    ("..2019", dict(date_to="2019-12-31", date_from=None)),
    ("has:code diffusion", dict(has_code=True, words=["diffusion"])),
    ("-has:code diffusion", dict(has_code=False)),
    ("vision -survey", dict(words=["vision"], excluded=["survey"])),
    ("foo:bar", dict(words=["foo", "bar"])),
    ('"unterminated phrase here', dict(phrases=["unterminated phrase here"])),
    ("AND OR NOT ((( * ~ ^2", dict(words=["AND", "OR", "NOT", "2"])),
    ("http://arxiv.org/abs/1706.03762", dict(words=["http", "arxiv", "org", "abs", "1706", "03762"])),
]


@pytest.mark.parametrize("raw,expected", CASES)
def test_syntax_table(raw, expected):
    q = parse_query(raw)
    for key, value in expected.items():
        assert getattr(q, key) == value, (raw, key)


def test_bad_dates_become_warnings_not_errors():
    q = parse_query("since:2024-13 until:soon transformers")
    assert q.date_from is None and q.date_to is None
    assert len(q.warnings) == 2 and q.words == ["transformers"]


def test_empty_range_is_flagged():
    q = parse_query("since:2025 until:2024")
    assert any("empty" in w for w in q.warnings)


def test_parse_date_periods():
    assert parse_date("2024") == "2024-01-01"
    assert parse_date("2024", end=True) == "2024-12-31"
    assert parse_date("2023-02", end=True) == "2023-02-28"
    assert parse_date("2024-02-30") is None
    assert parse_date("24-01-01") is None


def test_huge_input_is_cut():
    q = parse_query("word " * 5000)
    assert len(q.words) <= 64 and q.warnings


@hsettings(max_examples=300, deadline=None)
@given(st.text())
def test_any_string_parses(raw):
    q = parse_query(raw)
    assert isinstance(q.text, str)
    q.to_dict()


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(['"', "author:", "cat:", "since:", "until:", "year:", "..",
                                 "has:", "-", "(", ")", "*", "2024", "x", " ", ":", "\x00"]),
                max_size=30))
def test_syntax_soup_parses(parts):
    parse_query("".join(parts))
