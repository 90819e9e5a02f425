"""The real ``huggingface_hub`` client against a real server on loopback."""

from __future__ import annotations

import httpx
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from .conftest import LATEST


@pytest.fixture(scope="module")
def hf(live_url):
    return HfApi(endpoint=live_url, token=False)


def test_list_daily_papers_by_date(hf):
    papers = list(hf.list_daily_papers(date=LATEST))
    assert len(papers) >= 5
    ids = [p.id for p in papers]
    assert "2506.99902" in ids
    votes = [p.upvotes for p in papers]
    assert votes == sorted(votes, reverse=True)
    mine = papers[ids.index("2506.99902")]
    assert mine.title.startswith("Bounds on") and mine.upvotes == 7 and mine.comments == 2
    assert [a.name for a in mine.authors] == ["Ada Lovelace", "Alan Turing"]
    assert mine.github_repo == "https://github.com/example/sorting" and mine.github_stars == 42
    assert mine.ai_summary == "A summary." and mine.ai_keywords == ["sorting", "oracles"]
    assert mine.submitted_at is not None and mine.submitted_at.tzinfo is not None
    assert mine.submitted_by is not None and mine.summary.startswith("We prove")


def test_list_daily_papers_periods_paging_sort_submitter(hf):
    week = list(hf.list_daily_papers(week="2025-W26"))
    month = list(hf.list_daily_papers(month="2025-06", limit=100))
    assert len(month) >= len(week) > 9
    page0 = [p.id for p in hf.list_daily_papers(week="2025-W26", limit=5, p=0)]
    page1 = [p.id for p in hf.list_daily_papers(week="2025-W26", limit=5, p=1)]
    assert len(page0) == 5 and len(page1) == 5 and not set(page0) & set(page1)
    by_date = list(hf.list_daily_papers(week="2025-W26", sort="publishedAt", limit=100))
    stamps = [p.submitted_at for p in by_date]
    assert stamps == sorted(stamps, reverse=True)
    assert [p.id for p in hf.list_daily_papers(submitter="ada")] == ["2506.99902"]


def test_paper_info(hf):
    info = hf.paper_info("2506.99902")
    assert info.id == "2506.99902" and info.title.startswith("Bounds") and info.upvotes == 7
    assert info.published_at.year == 2025 and len(info.authors) == 2
    assert hf.paper_info("hep-th/9901001").title == "Strings on old-style identifiers"
    with pytest.raises(HfHubHTTPError):
        hf.paper_info("2506.00000")


def test_list_papers_search(hf):
    found = list(hf.list_papers(query="sorting oracles"))
    assert found and found[0].id == "2506.99902"
    assert list(hf.list_papers(query="zzqqxxnonexistentword")) == []


def test_raw_shapes(live_url):
    items = httpx.get(f"{live_url}/api/daily_papers", params={"date": LATEST}).json()
    for item in items:
        assert "authors" not in item and "comments" not in item
        for key in ("upvotes", "title", "numComments", "paper", "publishedAt", "summary"):
            assert key in item
        assert item["publishedAt"].endswith("Z") and item["paper"]["publishedAt"].endswith("Z")
        assert item["upvotes"] == item["paper"]["upvotes"]
    assert httpx.get(f"{live_url}/api/daily_papers", params={"date": "2025-02-30"}).status_code == 400
    assert httpx.get(f"{live_url}/api/daily_papers", params={"sort": "nope"}).status_code == 400
    r = httpx.get(f"{live_url}/api/daily_papers", params={"limit": 1000})
    assert r.status_code == 422 and r.json()["status"] == 422
