"""Fetching against a real HTTP server: status codes, limits, politeness, backoff."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import gzip
import json
import time
import zlib
from pathlib import Path

import pytest

from generator.http import USER_AGENT, BadEncoding, Decoder, TooLarge, retry_after
from generator.news.fetch import Fetched, FetchOptions
from generator.news.model import Feed, FeedResult, FeedState, Status
from generator.news.run import next_state, run_news
from tests.news.conftest import (
    NOW,
    TEST_OPTIONS,
    FeedServer,
    Handler,
    Reply,
    archived,
    rss,
    rss_item,
    write_feeds,
)

ITEM = rss_item(
    "Credit unions in Preston", "https://example.org/cu", "cu-1", "Fri, 01 May 2026 10:00:00 GMT"
)
FEED = rss(ITEM)


def one_feed(server: FeedServer, tmp_path: Path, route: str, reply: Reply | None = None) -> Path:
    """Serve one route and write a feeds file listing it."""
    if reply is not None:
        server.routes[route] = reply
    return write_feeds(tmp_path / "feeds.yaml", [{"name": "Only feed", "url": server.url(route)}])


def state_of(news: Path) -> dict[str, object]:
    """Return the single feed's stored state."""
    [state] = json.loads((news / "state.json").read_text("utf-8"))["feeds"].values()
    assert isinstance(state, dict)
    return state


def test_ok_sends_user_agent_and_stores_validators(server: FeedServer, tmp_path: Path) -> None:
    feeds = one_feed(
        server,
        tmp_path,
        "/feed",
        Reply(FEED, headers={"ETag": '"abc"', "Last-Modified": "Fri, 01 May 2026 10:00:00 GMT"}),
    )
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.exit_code == 0
    assert [r.status for r in report.results] == [Status.OK]
    assert report.results[0].new_items == 1
    [request] = server.hits("/feed")
    assert request.headers["User-Agent"] == USER_AGENT
    assert "cwb-knowledge-base/" in USER_AGENT and "+https://" in USER_AGENT
    assert "If-None-Match" not in request.headers
    state = state_of(tmp_path / "news")
    assert state["etag"] == '"abc"'
    assert state["last_modified"] == "Fri, 01 May 2026 10:00:00 GMT"
    assert state["failures"] == 0 and state["last_success"] == "2026-05-20T12:00:00Z"


def test_conditional_get_is_sent_and_304_honoured(server: FeedServer, tmp_path: Path) -> None:
    def conditional(handler: Handler) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.reply(Reply(status=304, headers={"ETag": '"v1"'}))
        else:
            handler.reply(
                Reply(
                    FEED, headers={"ETag": '"v1"', "Last-Modified": "Fri, 01 May 2026 10:00:00 GMT"}
                )
            )

    server.routes["/feed"] = conditional
    feeds = one_feed(server, tmp_path, "/feed")
    news = tmp_path / "news"
    assert run_news(feeds, news, now=NOW, options=TEST_OPTIONS).results[0].status is Status.OK
    before = (news / "archive" / "2026-05.json").read_bytes()

    second = run_news(feeds, news, now=NOW + dt.timedelta(hours=1), options=TEST_OPTIONS)

    assert second.results[0].status is Status.NOT_MODIFIED
    assert second.results[0].new_items == 0
    again = server.hits("/feed")[1].headers
    assert again["If-None-Match"] == '"v1"'
    assert again["If-Modified-Since"] == "Fri, 01 May 2026 10:00:00 GMT"
    assert (news / "archive" / "2026-05.json").read_bytes() == before
    assert state_of(news)["etag"] == '"v1"'  # kept for the next run


def test_slow_server_is_bounded_by_the_total_timeout(server: FeedServer, tmp_path: Path) -> None:
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {"name": "Never answers", "url": server.url("/silent")},
            {"name": "Trickles bytes", "url": server.url("/trickle")},
            {"name": "Fast feed", "url": server.url("/fast")},
        ],
    )
    server.routes["/silent"] = Reply(FEED, delay=5)
    # One byte every 0.2 s: each read is quick, so only a total deadline stops it.
    server.routes["/trickle"] = Reply(FEED, trickle=0.2)
    server.routes["/fast"] = Reply(FEED)
    started = time.monotonic()
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    wall = time.monotonic() - started
    statuses = {r.feed.name: r.status for r in report.results}
    assert statuses == {
        "Never answers": Status.TIMEOUT,
        "Trickles bytes": Status.TIMEOUT,
        "Fast feed": Status.OK,
    }
    # Bounded by the timeout, not by the feeds: unbounded, the trickle alone takes minutes.
    # The margin is wide so that a slow CI machine never fails this.
    assert wall < TEST_OPTIONS.total_timeout + 10
    assert all(r.elapsed < TEST_OPTIONS.total_timeout + 10 for r in report.results)
    assert report.exit_code == 0  # failed feeds are reported, not fatal


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (500, Status.HTTP_ERROR),
        (404, Status.HTTP_ERROR),
        (410, Status.HTTP_ERROR),
        (403, Status.HTTP_ERROR),
    ],
)
def test_http_errors_are_records(
    server: FeedServer, tmp_path: Path, code: int, status: Status
) -> None:
    feeds = one_feed(server, tmp_path, "/feed", Reply(b"oops", code))
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    [result] = report.results
    assert (result.status, result.http_status) == (status, code)
    assert str(code) in result.error
    assert report.exit_code == 0
    assert state_of(tmp_path / "news")["failures"] == 1


def test_failed_feed_keeps_what_it_had(server: FeedServer, tmp_path: Path) -> None:
    feeds = one_feed(server, tmp_path, "/feed", Reply(FEED))
    news = tmp_path / "news"
    run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    server.routes["/feed"] = Reply(b"down", 500)
    report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert report.results[0].status is Status.HTTP_ERROR
    assert [item["title"] for item in archived(news)] == ["Credit unions in Preston"]


@pytest.mark.parametrize("header", ["120", "HTTP-DATE"])
@pytest.mark.parametrize("code", [429, 503])
def test_retry_after_is_honoured(
    server: FeedServer, tmp_path: Path, code: int, header: str
) -> None:
    if header == "HTTP-DATE":
        header = email.utils.format_datetime(NOW + dt.timedelta(seconds=120), usegmt=True)
    feeds = one_feed(
        server, tmp_path, "/feed", Reply(b"slow down", code, headers={"Retry-After": header})
    )
    news = tmp_path / "news"
    first = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert first.results[0].status is Status.RATE_LIMITED
    assert state_of(news)["retry_after"] == "2026-05-20T12:02:00Z"

    server.routes["/feed"] = Reply(FEED)
    second = run_news(feeds, news, now=NOW + dt.timedelta(seconds=60), options=TEST_OPTIONS)
    assert second.results[0].status is Status.SKIPPED
    assert "2026-05-20T12:02:00Z" in second.results[0].error
    assert len(server.hits("/feed")) == 1  # the skipped run sent nothing

    third = run_news(feeds, news, now=NOW + dt.timedelta(seconds=121), options=TEST_OPTIONS)
    assert third.results[0].status is Status.OK
    assert state_of(news)["retry_after"] is None


def test_redirects_followed_and_loops_stopped(server: FeedServer, tmp_path: Path) -> None:
    server.routes["/old"] = Reply(status=301, headers={"Location": "/moved/"})
    server.routes["/moved/"] = Reply(status=302, headers={"Location": "/final/feed.xml"})
    server.routes["/final/feed.xml"] = Reply(rss(rss_item("Moved", "post/1", "m-1")))
    server.routes["/loop"] = Reply(status=302, headers={"Location": "/loop"})
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {"name": "Moved feed", "url": server.url("/old")},
            {"name": "Looping feed", "url": server.url("/loop")},
        ],
    )
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    moved, looping = report.results
    assert moved.status is Status.OK
    # Relative links resolve against the address the feed finally came from.
    assert moved.items[0].link == server.url("/final/post/1")
    assert looping.status is Status.TOO_MANY_REDIRECTS
    assert len(server.hits("/loop")) == TEST_OPTIONS.max_redirects + 1


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "no-length"])
def test_oversize_body_is_refused(server: FeedServer, tmp_path: Path, declared: bool) -> None:
    body = FEED + b"<!--" + b"x" * TEST_OPTIONS.max_bytes + b"-->"
    feeds = one_feed(server, tmp_path, "/big", Reply(body, content_length=declared))
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.results[0].status is Status.TOO_LARGE
    assert not (tmp_path / "news" / "archive").exists() or not archived(tmp_path / "news")


def gzip_bomb(size: int) -> bytes:
    """Return gzip data that inflates to size zero bytes, built without holding them."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*parts, compressor.flush()])


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A 200 MB gzip bomb, about 200 KB on the wire."""
    return gzip_bomb(200 * 1024 * 1024)


def test_gzip_bomb_is_stopped(server: FeedServer, tmp_path: Path, bomb: bytes) -> None:
    assert len(bomb) < 300 * 1024
    feeds = one_feed(server, tmp_path, "/bomb", Reply(bomb, headers={"Content-Encoding": "gzip"}))
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.results[0].status is Status.TOO_LARGE


def test_decoder_never_holds_more_than_the_cap(bomb: bytes) -> None:
    limit = 1024 * 1024
    decoder = Decoder("gzip", limit)
    with pytest.raises(TooLarge):
        for start in range(0, len(bomb), 65536):
            decoder.feed(bomb[start : start + 65536])
            assert decoder.size <= limit
    assert sum(len(part) for part in decoder.parts) <= limit


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate", "identity"])
def test_decoder_decodes_what_it_announces(encoding: str) -> None:
    data = FEED * 50
    if encoding == "gzip":
        wire = gzip.compress(data)
    elif encoding == "deflate":
        wire = zlib.compress(data)
    elif encoding == "raw-deflate":
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        wire = compressor.compress(data) + compressor.flush()
        encoding = "deflate"  # what such servers announce
    else:
        wire = data
    decoder = Decoder(encoding, len(data))
    for start in range(0, len(wire), 100):
        decoder.feed(wire[start : start + 100])
    assert decoder.finish() == data


def test_decoder_refuses_unknown_encoding() -> None:
    with pytest.raises(BadEncoding):
        Decoder("br", 100)


def test_gzip_feed_is_read(server: FeedServer, tmp_path: Path) -> None:
    feeds = one_feed(
        server, tmp_path, "/gz", Reply(gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    )
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.results[0].status is Status.OK
    assert server.hits("/gz")[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_no_feed_reached_is_said_once_and_changes_nothing(tmp_path: Path) -> None:
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {"name": "Closed port", "url": "http://127.0.0.1:9/feed"},
            {"name": "Another closed port", "url": "http://127.0.0.1:1/feed"},
        ],
    )
    news = tmp_path / "news"
    report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert [r.status for r in report.results] == [Status.NETWORK_ERROR] * 2
    assert report.exit_code == 1
    table = report.format_table()
    assert table.splitlines()[-1] == (
        "cwb news: No feed could be reached — is this machine offline? "
        "The news archive was not changed."
    )
    assert table.count("the connection was refused") == 2  # once per feed
    # Offline is no fault of the feeds: they are not counted as failing, nor rested.
    assert not (news / "state.json").exists() and not (news / "archive").exists()


def test_one_reachable_feed_makes_it_a_run(server: FeedServer, tmp_path: Path) -> None:
    server.routes["/feed"] = Reply(FEED)
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {"name": "Closed port", "url": "http://127.0.0.1:9/feed"},
            {"name": "Working feed", "url": server.url("/feed")},
        ],
    )
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.exit_code == 0
    assert "2 feeds: 1 ok, 1 failed" in report.format_table()
    assert state_of_feed(tmp_path / "news", "http://127.0.0.1:9/feed")["failures"] == 1


def state_of_feed(news: Path, url: str) -> dict[str, object]:
    """Return one feed's stored state."""
    state = json.loads((news / "state.json").read_text("utf-8"))["feeds"][url]
    assert isinstance(state, dict)
    return state


def test_a_host_that_asks_to_wait_is_not_asked_again_in_the_run(
    server: FeedServer, tmp_path: Path
) -> None:
    server.routes["/busy"] = Reply(b"slow down", 429, headers={"Retry-After": "600"})
    server.routes["/other"] = Reply(FEED)
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {"name": "Busy feed", "url": server.url("/busy")},
            {"name": "Same host", "url": server.url("/other")},
        ],
    )
    one_at_a_time = dataclasses.replace(TEST_OPTIONS, concurrency=1)
    report = run_news(feeds, tmp_path / "news", now=NOW, options=one_at_a_time)
    busy, other = report.results
    assert busy.status is Status.RATE_LIMITED
    assert (other.status, other.error) == (
        Status.SKIPPED,
        "the server asked us to wait until 2026-05-20T12:10:00Z",
    )
    assert server.hits("/other") == []


def test_repeated_failures_back_off(server: FeedServer, tmp_path: Path) -> None:
    feeds = one_feed(server, tmp_path, "/feed", Reply(b"broken", 500))
    news = tmp_path / "news"
    moment = NOW
    for _ in range(TEST_OPTIONS.failure_threshold):
        assert (
            run_news(feeds, news, now=moment, options=TEST_OPTIONS).results[0].status
            is Status.HTTP_ERROR
        )
        moment += dt.timedelta(minutes=1)
    state = state_of(news)
    assert state["failures"] == TEST_OPTIONS.failure_threshold
    assert state["retry_after"] == "2026-05-20T13:02:00Z"  # the third failure + 1 hour
    skipped = run_news(feeds, news, now=moment, options=TEST_OPTIONS)
    assert skipped.results[0].status is Status.SKIPPED
    assert len(server.hits("/feed")) == TEST_OPTIONS.failure_threshold


def test_backoff_doubles_up_to_the_cap() -> None:
    options = FetchOptions(
        failure_threshold=3, backoff_base=dt.timedelta(hours=1), backoff_cap=dt.timedelta(hours=6)
    )
    feed = Feed("Broken", "https://example.org/feed", "https://example.org/", True)
    result = FeedResult(feed, Status.HTTP_ERROR, error="HTTP 500")
    fetched = Fetched(Status.HTTP_ERROR, 0.1)
    state = FeedState()
    rests = []
    for _ in range(7):
        state = next_state(state, result, fetched, NOW, options)
        rests.append(state.retry_after)
    assert rests == [
        None,
        None,
        "2026-05-20T13:00:00Z",
        "2026-05-20T14:00:00Z",
        "2026-05-20T16:00:00Z",
        "2026-05-20T18:00:00Z",
        "2026-05-20T18:00:00Z",
    ]
    recovered = next_state(
        state,
        dataclasses.replace(result, status=Status.OK, error=""),
        Fetched(Status.OK, 0.1),
        NOW,
        options,
    )
    assert (recovered.failures, recovered.retry_after) == (0, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", NOW + dt.timedelta(seconds=30)),
        ("Wed, 20 May 2026 12:10:00 GMT", NOW + dt.timedelta(minutes=10)),
        ("Wed, 20 May 2026 11:00:00 GMT", NOW),  # in the past: retry now
        ("99999999", NOW + dt.timedelta(days=7)),  # capped
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_parsing(value: str, expected: dt.datetime | None) -> None:
    assert retry_after(value, NOW, dt.timedelta(days=7)) == expected


def test_default_options_are_polite() -> None:
    options = FetchOptions()
    assert options.max_redirects == 5
    assert 0 < options.connect_timeout <= options.total_timeout <= 30
    assert options.max_bytes <= 10 * 1024 * 1024
