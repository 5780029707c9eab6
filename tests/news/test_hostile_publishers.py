"""A hostile or broken publisher on 127.0.0.1 (issue 17): addresses, headers, dates, GUIDs, caps."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.http import HttpPolicy, RefusedAddress, address_kind, polite_client
from generator.news.fetch import FetchOptions
from generator.news.model import Status
from generator.news.run import run_news
from tests.news.conftest import (
    NOW,
    TEST_OPTIONS,
    FeedServer,
    Reply,
    archived,
    rss,
    rss_item,
    write_feeds,
)

FEED = rss(
    rss_item("Credit unions", "https://example.org/cu", "cu-1", "Fri, 01 May 2026 10:00 GMT")
)


def state_of(news: Path) -> dict[str, object]:
    [state] = json.loads((news / "state.json").read_text("utf-8"))["feeds"].values()
    assert isinstance(state, dict)
    return state


# --- loopback, private and link-local addresses ---------------------------------------------------


@pytest.fixture
def other_host() -> Iterator[FeedServer]:
    """A second server on 127.0.0.2: a "public" host once the test allows that one address."""
    with FeedServer(host="127.0.0.2") as server:
        yield server


def test_a_loopback_feed_is_refused_without_allow_private_addresses(
    server: FeedServer, tmp_path: Path
) -> None:
    server.routes["/feed"] = Reply(FEED)
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {"name": "Literal address", "url": server.url("/feed")},
            # The check is on what the name resolves to, not on how the URL is spelled.
            {"name": "Spelled short", "url": server.url("/feed").replace("127.0.0.1", "127.1")},
            {
                "name": "Mapped IPv6",
                "url": server.url("/feed").replace("127.0.0.1", "[::ffff:127.0.0.1]"),
            },
        ],
        allow_private=False,
    )
    news = tmp_path / "news"
    report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert [r.status for r in report.results] == [Status.REFUSED_ADDRESS] * 3, report.format_table()
    assert server.requests == []  # not one byte reached the server
    assert "127.0.0.1, a loopback address" in report.results[0].error
    assert "127.1 resolves to 127.0.0.1, a loopback address" in report.results[1].error
    table = report.format_table()
    assert table.count("refused address") == 3  # one line per refused feed
    assert "allow_private_addresses: true" in report.results[0].error
    assert archived(news) == [] if (news / "archive").exists() else True
    assert report.exit_code == 0  # a refused feed is a failed feed, not a failed run


def test_a_name_is_judged_by_the_address_it_resolves_to(server: FeedServer) -> None:
    server.routes["/page"] = Reply(b"internal")
    url = server.url("/page").replace("127.0.0.1", "localhost")

    async def get(policy: HttpPolicy) -> int:
        async with polite_client(policy, accept="*/*") as client:
            return (await client.get(url)).status_code

    with pytest.raises(RefusedAddress, match=r"localhost resolves to 127\.0\.0\.1, a loopback"):
        asyncio.run(get(HttpPolicy()))
    assert server.requests == []
    assert asyncio.run(get(HttpPolicy(allow_private_addresses=True))) == 200


def test_allow_private_addresses_lets_a_local_lab_fetch(server: FeedServer, tmp_path: Path) -> None:
    server.routes["/feed"] = Reply(FEED)
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Lab", "url": server.url("/feed")}])
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.results[0].status is Status.OK


def test_a_redirect_to_loopback_is_refused_at_the_hop(
    server: FeedServer, other_host: FeedServer, tmp_path: Path
) -> None:
    # 127.0.0.2 plays a public host; it redirects to an "internal" service on 127.0.0.1.
    server.routes["/internal"] = Reply(rss(rss_item("Internal secret", "https://x.org/s", "s")))
    other_host.routes["/feed"] = Reply(status=302, headers={"Location": server.url("/internal")})
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [{"name": "Redirector", "url": other_host.url("/feed")}],
        allow_private=False,
    )
    options = dataclasses.replace(TEST_OPTIONS, allowed_addresses=frozenset({"127.0.0.2"}))
    report = run_news(feeds, tmp_path / "news", now=NOW, options=options)
    [result] = report.results
    assert result.status is Status.REFUSED_ADDRESS
    assert "127.0.0.1, a loopback address" in result.error
    assert len(other_host.hits("/feed")) == 1
    assert server.requests == []  # the internal service was never asked
    assert not (tmp_path / "news" / "archive").exists()


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
        ("::ffff:169.254.169.254", "link-local"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "unique-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),  # reserved (Python files it under private too)
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 around 169.254.169.254
        ("93.184.215.14", ""),
        ("2606:4700::1111", ""),
        ("::ffff:8.8.8.8", ""),
    ],
)
def test_address_kinds(address: str, kind: str) -> None:
    assert address_kind(address) == kind


# --- header values ------------------------------------------------------------------------------


def test_an_absurd_retry_after_is_rate_limited_and_capped(
    server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/feed"] = Reply(
        b"slow down", 429, headers={"Retry-After": "99999999999999999999"}
    )
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Busy", "url": server.url("/feed")}])
    with caplog.at_level(logging.WARNING):
        report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.results[0].status is Status.RATE_LIMITED
    assert state_of(tmp_path / "news")["retry_after"] == "2026-05-27T12:00:00Z"  # the 7-day cap
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "\u00b2\u00b3"},  # superscript digits: str.isdigit() says yes, int() no
        {"Retry-After": "Fri, 31 Dec 99999 23:59:59 GMT"},
        {"Retry-After": "x" * 5000},
    ],
)
def test_odd_retry_after_values_never_raise(
    server: FeedServer, tmp_path: Path, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/feed"] = Reply(b"busy", 503, headers=headers)
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Busy", "url": server.url("/feed")}])
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.results[0].status is Status.RATE_LIMITED
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    "headers",
    [
        {"ETag": '"caf\xe9"', "Last-Modified": "Fri, 01 May 2026 10:00:00 GMT\x7f"},
        {"ETag": "W/" + "x" * 5000, "Last-Modified": "yesterday-ish"},
        {"Content-Type": "application/rss+xml; charset=no-such-charset"},
        {"Content-Type": "application/rss+xml; charset=" + "u" * 300},
        {"Content-Type": "\u00e9/\u00e9; charset=utf-8"},
    ],
)
def test_odd_header_values_are_ignored_not_fatal(
    server: FeedServer, tmp_path: Path, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/feed"] = Reply(FEED, headers=headers)
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Odd", "url": server.url("/feed")}])
    news = tmp_path / "news"
    first = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert first.results[0].status is Status.OK
    assert [item["title"] for item in archived(news)] == ["Credit unions"]
    # Validators that cannot be sent back are not kept (a second run must not trip on them).
    state = state_of(news)
    assert state["etag"] in (None, headers.get("ETag"))
    second = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert second.results[0].status is Status.OK
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_a_hand_edited_validator_in_state_json_is_not_sent(
    server: FeedServer, tmp_path: Path
) -> None:
    server.routes["/feed"] = Reply(FEED)
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Feed", "url": server.url("/feed")}])
    news = tmp_path / "news"
    news.mkdir()
    state = {
        "feeds": {server.url("/feed"): {"etag": "\u00e9t\u00e9\n", "last_modified": "x" * 900}}
    }
    (news / "state.json").write_text(json.dumps(state), "utf-8")
    report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert report.results[0].status is Status.OK
    [request] = server.hits("/feed")
    assert "If-None-Match" not in request.headers and "If-Modified-Since" not in request.headers


@pytest.mark.parametrize(
    "location", ["http://[::1", "javascript:alert(1)", "", "http://", "//" + "a" * 300]
)
def test_odd_redirect_locations_are_records(
    server: FeedServer, tmp_path: Path, location: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/feed"] = Reply(status=302, headers={"Location": location})
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Odd", "url": server.url("/feed")}])
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.results[0].status.failed
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


# --- dates --------------------------------------------------------------------------------------


def test_implausible_dates_fall_back_to_the_fetch_time(server: FeedServer, tmp_path: Path) -> None:
    server.routes["/feed"] = Reply(
        rss(
            rss_item("Year one", "https://e.org/1", "g1", "Mon, 01 Jan 0001 00:00:00 GMT"),
            rss_item("Year 999", "https://e.org/2", "g2", "Tue, 01 Jan 0999 00:00:00 GMT"),
            rss_item("Year 1900", "https://e.org/3", "g3", "Mon, 01 Jan 1900 00:00:00 GMT"),
            rss_item("Far future", "https://e.org/4", "g4", "Fri, 01 Jan 2100 00:00:00 GMT"),
            rss_item("Plausible", "https://e.org/5", "g5", "Fri, 01 May 2026 10:00:00 GMT"),
        )
    )
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Dates", "url": server.url("/feed")}])
    news = tmp_path / "news"
    run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert sorted(path.name for path in (news / "archive").iterdir()) == ["2026-05.json"]
    dated = {item["title"]: (item["published"], item["date_source"]) for item in archived(news)}
    fetched = ("2026-05-20T12:00:00Z", "fetch")
    assert dated == {
        "Year one": fetched,
        "Year 999": fetched,
        "Year 1900": fetched,
        "Far future": fetched,
        "Plausible": ("2026-05-01T10:00:00Z", "feed"),
    }
    # Filed in a real month, they are seen as archived and not added again.
    again = run_news(feeds, news, now=NOW + dt.timedelta(hours=1), options=TEST_OPTIONS)
    assert again.results[0].new_items == 0


# --- GUIDs --------------------------------------------------------------------------------------


def test_a_guid_shared_by_two_links_keeps_both(server: FeedServer, tmp_path: Path) -> None:
    date = "Fri, 01 May 2026 10:00:00 GMT"
    server.routes["/feed"] = Reply(
        rss(
            rss_item("First story", "https://e.org/first", "same", date),
            rss_item("Second story", "https://e.org/second", "same", date),
            rss_item("First story, repeated", "https://e.org/first", "same", date),
        )
    )
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Reuser", "url": server.url("/feed")}])
    news = tmp_path / "news"
    report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    [result] = report.results
    assert sorted(item["title"] for item in archived(news)) == ["First story", "Second story"]
    assert (result.new_items, result.shared_guids) == (2, 1)
    assert "1 shared a GUID" in report.format_table()
    ids = {item["id"] for item in archived(news)}
    again = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert again.results[0].new_items == 0  # the told-apart id is the same on every run
    assert {item["id"] for item in archived(news)} == ids


# --- caps ---------------------------------------------------------------------------------------


def many_items(count: int, prefix: str, month: str = "05") -> bytes:
    return rss(
        *(
            rss_item(
                f"{prefix} {n}",
                f"https://e.org/{prefix}/{n}",
                f"{prefix}-{n}",
                f"Fri, {1 + n % 28:02d} {'May' if month == '05' else 'Apr'} 2026 "
                f"{n % 24:02d}:{n % 60:02d}:00 GMT",
            )
            for n in range(count)
        )
    )


def test_a_flood_is_capped_per_run_and_the_report_says_so(
    server: FeedServer, tmp_path: Path
) -> None:
    server.routes["/flood"] = Reply(many_items(40, "flood"))
    server.routes["/calm"] = Reply(many_items(3, "calm"))
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {"name": "Flood", "url": server.url("/flood")},
            {"name": "Calm", "url": server.url("/calm"), "max_new_items_per_run": 2},
        ],
        max_new_items_per_run=10,
    )
    news = tmp_path / "news"
    report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    flood, calm = report.results
    assert (flood.new_items, flood.capped_run) == (10, 30)
    assert (calm.new_items, calm.capped_run) == (2, 1)  # its own limit wins over the default
    table = report.format_table()
    assert "Flood hit its cap: new items left out: 30 past max_new_items_per_run (10)" in table
    assert "Calm hit its cap" in table
    # The newest were taken; the rest come in later runs.
    titles = [item["title"] for item in archived(news) if item["title"].startswith("flood")]
    assert len(titles) == 10
    second = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert second.results[0].new_items == 10


def test_a_feed_that_renames_everything_each_run_is_capped_per_month(
    server: FeedServer, tmp_path: Path
) -> None:
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [{"name": "Churn", "url": server.url("/feed"), "max_items_per_month": 25}],
    )
    news = tmp_path / "news"
    added = []
    for run in range(4):  # new GUIDs, links and titles every time
        server.routes["/feed"] = Reply(many_items(10, f"run{run}"))
        report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
        added.append((report.results[0].new_items, report.results[0].capped_month))
    assert added == [(10, 0), (10, 0), (5, 5), (0, 10)]
    assert len(archived(news)) == 25
    assert "of months that hold max_items_per_month (25) already" in report.format_table()


def test_default_caps_are_in_the_schema_and_the_registry(tmp_path: Path) -> None:
    from generator.news.feeds import feeds_schema, load_feeds
    from generator.news.model import MAX_ITEMS_PER_MONTH, MAX_NEW_ITEMS_PER_RUN

    properties = feeds_schema()["properties"]
    assert {"allow_private_addresses", "max_new_items_per_run", "max_items_per_month"} <= set(
        properties
    )
    assert (
        f"Defaults to {MAX_NEW_ITEMS_PER_RUN}" in properties["max_new_items_per_run"]["description"]
    )
    assert f"Defaults to {MAX_ITEMS_PER_MONTH}" in properties["max_items_per_month"]["description"]
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Ab", "url": "https://a.example.org/f"}])
    [feed] = load_feeds(feeds).feeds
    assert (feed.max_new_items_per_run, feed.max_items_per_month) == (
        MAX_NEW_ITEMS_PER_RUN,
        MAX_ITEMS_PER_MONTH,
    )
    bad = write_feeds(
        tmp_path / "bad.yaml",
        [{"name": "Ab", "url": "https://a.example.org/f"}],
        max_items_per_month=0,
    )
    [problem] = load_feeds(bad).problems
    assert problem.line > 0 and "max_items_per_month" in problem.message


def test_fetch_options_leave_addresses_to_the_feeds_file() -> None:
    assert FetchOptions().allow_private_addresses is False
