"""The polite HTTP client: Retry-After parsing, backoff, rate limiter (injected clock), and
retries against a real server on 127.0.0.1."""

from __future__ import annotations

import random
import socket
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperradar.ingest.errors import FetchError
from paperradar.ingest.http import PoliteClient, RateLimiter, backoff_delay, parse_retry_after

from .helpers import FakeClock
from .replay import Canned


NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize("value, expected", [
    ("10", 10.0), (" 0 ", 0.0), ("1.5", 1.5), ("-3", 0.0),
    ("Fri, 02 Jan 2026 03:04:35 GMT", 30.0),  # an HTTP date 30 s ahead
    ("Fri, 02 Jan 2026 03:00:00 GMT", 0.0),  # already past
    ("Friday, 02-Jan-26 03:05:05 GMT", 60.0),  # obsolete RFC 850 form
    (None, None), ("", None), ("soon", None), ("nan", None), ("inf", None),
    ("²", None), ("1²", None),  # str.isdigit() accepts superscripts that int() refuses
])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_backoff_grows_exponentially_with_bounded_jitter():
    rng = random.Random(7)
    for attempt in range(8):
        full = min(120.0, 2.0 ** attempt)
        delays = [backoff_delay(attempt, rng) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)
        assert max(delays) - min(delays) > full / 4  # jittered, not constant
    assert backoff_delay(50, rng) <= 120.0  # capped, no overflow


def test_rate_limiter_spaces_requests_per_host():
    clock = FakeClock()
    limiter = RateLimiter(3.0, clock=clock, sleep=clock.sleep)
    assert limiter.wait("a.org") == 0.0  # first request: no wait
    clock.now += 1.0
    assert limiter.wait("a.org") == pytest.approx(2.0)  # 1 s elapsed of 3
    assert limiter.wait("b.org") == 0.0  # other host, independent
    clock.now += 5.0
    assert limiter.wait("a.org") == 0.0  # interval already elapsed
    assert limiter.wait("a.org") == pytest.approx(3.0)
    assert clock.sleeps == [pytest.approx(2.0), pytest.approx(3.0)]


def test_rate_limiter_disabled_with_zero_interval():
    clock = FakeClock()
    limiter = RateLimiter(0.0, clock=clock, sleep=clock.sleep)
    assert [limiter.wait("h") for _ in range(5)] == [0.0] * 5
    assert clock.sleeps == []


def _client(settings, clock=None, **over):
    clock = clock or FakeClock()
    s = settings.model_copy(update=over)
    return PoliteClient(s, clock=clock, sleep=clock.sleep, rng=random.Random(1), now=lambda: NOW), clock


def test_retry_after_honoured_then_success(hsettings, replay):
    """The recorded arXiv 503 with Retry-After: 10, then its 200: one wait of exactly 10 s."""
    client, clock = _client(hsettings)
    with client:
        r = client.get(hsettings.arxiv_oai_url, params={
            "verb": "ListRecords", "metadataPrefix": "arXiv", "from": "2015-01-01", "until": "2015-01-03"})
    assert r.status_code == 200 and b"1412.8544" in r.content
    assert client.stats.waits == [10.0] and clock.sleeps == [10.0]
    assert [h.status for h in replay.hits()] == [503, 200]


def test_retry_after_capped(hsettings, replay):
    client, clock = _client(hsettings, http_max_retry_after=2.5)
    with client:
        client.get(hsettings.arxiv_oai_url, params={
            "verb": "ListRecords", "metadataPrefix": "arXiv", "from": "2015-01-01", "until": "2015-01-03"})
    assert clock.sleeps == [2.5]


def test_5xx_retries_with_backoff_then_fetch_error(hsettings, replay):
    replay.add("/boom", {}, [Canned(500, {}, b"oops")])
    client, clock = _client(hsettings, http_max_retries=3)
    with client, pytest.raises(FetchError, match=r"after 4 attempts: HTTP 500"):
        client.get(replay.url + "/boom")
    assert len(replay.hits("/boom")) == 4
    assert len(clock.sleeps) == 3
    for attempt, wait in enumerate(clock.sleeps):  # 1 s, 2 s, 4 s, each jittered down to half
        assert 2 ** attempt / 2 <= wait <= 2 ** attempt


def test_429_then_ok_and_4xx_not_retried(hsettings, replay):
    replay.add("/busy", {}, [Canned(429, {"Retry-After": "1"}, b""), Canned(200, {}, b"fine")])
    replay.add("/gone", {}, [Canned(404, {}, b"nope")])
    client, clock = _client(hsettings)
    with client:
        assert client.get(replay.url + "/busy").content == b"fine"
        assert client.get(replay.url + "/gone").status_code == 404
    assert clock.sleeps == [1.0]
    assert len(replay.hits("/gone")) == 1


def test_connection_refused_is_retried_then_one_clear_error(settings):
    s = socket.socket()  # find a port nobody listens on
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    client, clock = _client(settings, http_max_retries=2, http_timeout=2.0)
    with client, pytest.raises(FetchError) as err:
        client.get(f"http://127.0.0.1:{port}/api/query", params={"id_list": "2401.01234"})
    assert "after 3 attempts" in str(err.value) and "ConnectError" in str(err.value)
    assert "\n" not in str(err.value)
    assert len(clock.sleeps) == 2


def test_user_agent_and_real_rate_limit(hsettings, replay):
    """With a real clock and 0.2 s between requests, 5 requests span >= 0.8 s."""
    s = hsettings.model_copy(update={"http_min_interval": 0.2, "user_agent": "paperradar-test/1"})
    seen = []
    replay.add("/ua", {}, [Canned(200, {}, b"ok")])
    with PoliteClient(s) as client:
        for _ in range(5):
            seen.append(client.get(replay.url + "/ua").request_headers["User-Agent"])
    hits = replay.hits("/ua")
    assert len(hits) == 5 and set(seen) == {"paperradar-test/1"}
    assert hits[-1].at - hits[0].at >= 4 * 0.2 - 0.03


def test_oversized_body_refused(hsettings, replay):
    replay.add("/big", {}, [Canned(200, {}, b"x" * 5000)])
    client = PoliteClient(hsettings, max_bytes=4096)
    with client, pytest.raises(FetchError, match="too large"):
        client.get(replay.url + "/big")
    assert len(replay.hits("/big")) == 1  # not retried


def test_gzip_body_decoded_and_corrupt_gzip_retried(hsettings, replay):
    import gzip

    replay.add("/gz", {}, [Canned(200, {"Content-Encoding": "gzip"}, gzip.compress(b"<feed/>"))])
    replay.add("/badgz", {}, [Canned(200, {"Content-Encoding": "gzip"}, b"not gzip at all")])
    client, clock = _client(hsettings, http_max_retries=1)
    with client:
        assert client.get(replay.url + "/gz").content == b"<feed/>"
        with pytest.raises(FetchError, match="DecodingError"):
            client.get(replay.url + "/badgz")
    assert len(replay.hits("/badgz")) == 2


def test_invalid_url_is_one_clear_error(settings):
    client, clock = _client(settings)
    with client, pytest.raises(FetchError, match="invalid URL|UnsupportedProtocol"):
        client.get("notaurl://x")


@given(st.integers(min_value=0, max_value=10**9))
def test_retry_after_seconds_property(n):
    assert parse_retry_after(str(n), now=NOW) == float(n)


@given(st.integers(min_value=-10**6, max_value=10**7))
def test_retry_after_http_date_property(delta):
    from datetime import timedelta
    from email.utils import format_datetime

    header = format_datetime(NOW + timedelta(seconds=delta), usegmt=True)
    assert parse_retry_after(header, now=NOW) == max(float(delta), 0.0)


@given(st.text(max_size=40))
def test_retry_after_never_raises(text):
    value = parse_retry_after(text, now=NOW)
    assert value is None or value >= 0
