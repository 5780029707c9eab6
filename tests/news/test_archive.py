"""The archive: merging, durability, stable text, locking, and crashes at the worst moment."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import filelock
import pytest

from generator.news.archive import sort_items
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
    snapshot,
    write_feeds,
)

REPO = Path(__file__).resolve().parents[2]


def item(number: int, title: str = "", day: int = 1) -> str:
    """Return an RSS item with a stable guid, link and date."""
    return rss_item(
        title or f"Item {number}",
        f"https://example.org/{number}",
        f"guid-{number}",
        f"Fri, {day:02d} May 2026 {number % 24:02d}:00:00 GMT",
    )


def serve(server: FeedServer, *items: str, route: str = "/feed", **reply: object) -> None:
    """Serve an RSS document of the given items."""
    server.routes[route] = Reply(rss(*items), **reply)  # type: ignore[arg-type]


@pytest.fixture
def feeds(server: FeedServer, tmp_path: Path) -> Path:
    """A registry with one feed at /feed."""
    return write_feeds(tmp_path / "feeds.yaml", [{"name": "Feed", "url": server.url("/feed")}])


def titles(news: Path) -> list[str]:
    """Return the archived titles, sorted."""
    return sorted(entry["title"] for entry in archived(news))


def test_item_that_falls_off_its_feed_stays(
    server: FeedServer, feeds: Path, tmp_path: Path
) -> None:
    news = tmp_path / "news"
    serve(server, item(1), item(2))
    assert run_news(feeds, news, now=NOW, options=TEST_OPTIONS).results[0].new_items == 2
    serve(server, item(2), item(3))
    second = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert second.results[0].new_items == 1
    assert titles(news) == ["Item 1", "Item 2", "Item 3"]


def test_items_are_filed_by_month_in_stable_text(
    server: FeedServer, feeds: Path, tmp_path: Path
) -> None:
    news = tmp_path / "news"
    serve(
        server,
        item(1, "Économie sociale à Barcelone", day=2),
        item(2, day=3),
        rss_item(
            "April item", "https://example.org/april", "a-1", "Thu, 30 Apr 2026 23:30:00 -0100"
        ),
    )  # 1 May in UTC
    serve(
        server,
        rss_item("March item", "https://example.org/march", "m-1", "Tue, 31 Mar 2026 12:00:00 GMT"),
        route="/other",
    )
    write_feeds(
        feeds,
        [
            {"name": "Feed", "url": server.url("/feed")},
            {"name": "Other", "url": server.url("/other")},
        ],
    )
    run_news(feeds, news, now=NOW, options=TEST_OPTIONS)

    assert sorted(path.name for path in (news / "archive").iterdir()) == [
        "2026-03.json",
        "2026-05.json",
    ]
    text = (news / "archive" / "2026-05.json").read_text("utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "Économie sociale à Barcelone" in text  # not \u00c9conomie
    assert [entry["published"] for entry in data["items"]] == [
        "2026-05-03T02:00:00Z",
        "2026-05-02T01:00:00Z",
        "2026-05-01T00:30:00Z",
    ]
    assert data["month"] == "2026-05"

    stamp = (news / "archive" / "2026-05.json").stat().st_mtime_ns
    run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert (news / "archive" / "2026-05.json").stat().st_mtime_ns == stamp  # nothing new


def test_sort_is_deterministic_whatever_the_input_order() -> None:
    from generator.news.model import NewsItem

    def make(identifier: str, published: str) -> NewsItem:
        return NewsItem(identifier, "t", None, "", published, "feed", "s", "u", published)

    items = [
        make("b", "2026-05-01T00:00:00Z"),
        make("a", "2026-05-01T00:00:00Z"),
        make("c", "2026-05-02T00:00:00Z"),
    ]
    expected = ["c", "a", "b"]
    assert [i.id for i in sort_items(items)] == expected
    assert [i.id for i in sort_items(reversed(items))] == expected


def test_duplicates_across_feeds_keep_the_first_listed(server: FeedServer, tmp_path: Path) -> None:
    serve(
        server,
        rss_item(
            "Shared story",
            "https://example.org/shared?utm_source=a",
            "a-1",
            "Fri, 01 May 2026 10:00:00 GMT",
        ),
        route="/a",
    )
    serve(
        server,
        rss_item(
            "Shared story (syndicated)",
            "https://example.org/shared",
            "b-1",
            "Fri, 01 May 2026 12:00:00 GMT",
        ),
        rss_item("Shared story", "https://other.example/x", "b-2", "Fri, 01 May 2026 18:00:00 GMT"),
        route="/b",
    )
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [{"name": "First", "url": server.url("/a")}, {"name": "Second", "url": server.url("/b")}],
    )
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert [r.new_items for r in report.results] == [1, 0]
    [entry] = archived(tmp_path / "news")
    assert (entry["source"], entry["link"]) == ("First", "https://example.org/shared")


def test_keyword_feed_keeps_matching_items_only(server: FeedServer, tmp_path: Path) -> None:
    serve(
        server,
        rss_item(
            "Minister backs community wealth building",
            "https://gov.example/1",
            "g1",
            "Fri, 01 May 2026 10:00:00 GMT",
        ),
        rss_item(
            "Road closures this weekend",
            "https://gov.example/2",
            "g2",
            "Fri, 01 May 2026 11:00:00 GMT",
        ),
        rss_item(
            "Nova llei",
            "https://gov.example/3",
            "g3",
            "Fri, 01 May 2026 12:00:00 GMT",
            "Suport a les cooperatives d&#8217;habitatge",
        ),
    )
    feeds = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {
                "name": "Government",
                "url": server.url("/feed"),
                "keywords": ["community wealth", "cooperativ*"],
            }
        ],
    )
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.results[0].new_items == 2
    assert titles(tmp_path / "news") == ["Minister backs community wealth building", "Nova llei"]


def test_removed_feed_loses_state_but_keeps_items(server: FeedServer, tmp_path: Path) -> None:
    serve(server, item(1), route="/a")
    serve(server, item(2), route="/b")
    both = [
        {"name": "A feed", "url": server.url("/a")},
        {"name": "B feed", "url": server.url("/b")},
    ]
    feeds = write_feeds(tmp_path / "feeds.yaml", both)
    news = tmp_path / "news"
    run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    write_feeds(feeds, both[:1])
    run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    state = json.loads((news / "state.json").read_text("utf-8"))["feeds"]
    assert list(state) == [server.url("/a")]
    assert titles(news) == ["Item 1", "Item 2"]


def test_broken_archive_file_stops_the_run_before_fetching(
    server: FeedServer, feeds: Path, tmp_path: Path
) -> None:
    news = tmp_path / "news"
    (news / "archive").mkdir(parents=True)
    broken = news / "archive" / "2026-05.json"
    broken.write_text("{ not json", "utf-8")
    serve(server, item(1))
    report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert report.exit_code == 1
    assert "2026-05.json" in report.error and "fix or remove" in report.error
    assert broken.read_text("utf-8") == "{ not json"
    assert server.requests == []


def test_invalid_feeds_file_is_reported_with_lines(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        textwrap.dedent("""\
        feeds:
          - name: Good feed
            url: https://example.org/feed
            homepage: https://example.org/
            verified: true
          - name: Bad feed
            url: ftp://example.org/feed
            homepage: https://example.org/
            verified: maybe
            pilars: [finance]
        """),
        "utf-8",
    )
    report = run_news(feeds, tmp_path / "news", now=NOW, options=TEST_OPTIONS)
    assert report.exit_code == 1
    assert report.results == []
    where = sorted((problem.line, problem.message.split(" ")[0]) for problem in report.problems)
    assert [line for line, _ in where] == [7, 9, 10]
    assert "did you mean 'pillars'" in report.problems[-1].hint
    # The problems are printed once, by the caller (see tests/test_cli_commands.py).
    assert report.format_table() == f"cwb news: nothing was fetched: {feeds} has problems"
    assert not (tmp_path / "news").exists()


# --- locking ------------------------------------------------------------------------------------


def test_lock_held_by_another_run(server: FeedServer, feeds: Path, tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    serve(server, item(1))
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""\
            import filelock, time
            lock = filelock.FileLock({str(news / ".lock")!r})
            lock.acquire()
            print("locked", flush=True)
            time.sleep(30)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
            report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
        finally:
            holder.kill()
    assert report.exit_code == 1
    assert report.error == "another run holds the lock"
    assert "another run holds the lock" in report.format_table()
    assert server.requests == []
    assert not (news / "archive").exists()
    # Once the holder is gone (even killed), the next run gets the lock.
    assert run_news(feeds, news, now=NOW, options=TEST_OPTIONS).exit_code == 0


def test_concurrent_runs_take_turns(server: FeedServer, feeds: Path, tmp_path: Path) -> None:
    news = tmp_path / "news"
    serve(server, item(1), item(2), delay=0.3)
    options = TEST_OPTIONS.__class__(**{**TEST_OPTIONS.__dict__, "lock_wait": 5.0})
    codes: list[int] = []

    def run() -> None:
        codes.append(run_news(feeds, news, now=NOW, options=options).exit_code)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [0, 0, 0]
    assert titles(news) == ["Item 1", "Item 2"]


def test_lock_is_released_after_a_run(server: FeedServer, feeds: Path, tmp_path: Path) -> None:
    news = tmp_path / "news"
    serve(server, item(1))
    run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    lock = filelock.FileLock(news / ".lock")
    lock.acquire(timeout=0)  # would raise filelock.Timeout if still held
    lock.release()


# --- crashes --------------------------------------------------------------------------------------

CHILD = """\
import os, signal, sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from generator.news.fetch import FetchOptions
from generator.news.run import run_news

def stop_after_fetch(line):
    print("fetched:", line, flush=True)
    time.sleep(60)  # the parent kills us here: everything fetched, nothing written

real_replace = os.replace

def die_while_writing(source, target):
    if str(target).endswith(".json"):
        print("writing", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # the temp file is written, the rename never happens
    real_replace(source, target)

mode = sys.argv[3]
if mode == "write":
    os.replace = die_while_writing
run_news(Path(sys.argv[1]), Path(sys.argv[2]),
         progress=stop_after_fetch if mode == "fetch" else None,
         options=FetchOptions(total_timeout=2.0, lock_wait=0.5))
print("finished", flush=True)
"""


@pytest.mark.parametrize("mode", ["fetch", "write"])
def test_killed_run_corrupts_nothing(
    server: FeedServer, feeds: Path, tmp_path: Path, mode: str
) -> None:
    news = tmp_path / "news"
    serve(server, item(1))
    run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    before = snapshot(news)
    serve(server, item(1), item(2), item(3, day=4))
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(repo=str(REPO)), "utf-8")

    with subprocess.Popen(
        [sys.executable, str(script), str(feeds), str(news), mode],
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        if mode == "fetch":
            assert line.startswith("fetched: Feed: ok"), line
            os.kill(child.pid, signal.SIGKILL)
        else:
            assert line == "writing\n"
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    after = snapshot(news)
    stray = [name for name in after if name.endswith(".tmp")]
    assert (mode == "write") == bool(stray)  # a temp file is all a crash mid-write leaves
    assert {name: data for name, data in after.items() if name not in stray} == before
    for name, data in after.items():
        if name.endswith(".json"):
            json.loads(data)

    # The next run takes the lock, clears the leftovers and merges as if nothing happened.
    report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)
    assert report.exit_code == 0 and report.results[0].status is Status.OK
    assert titles(news) == ["Item 1", "Item 2", "Item 3"]
    assert not [name for name in snapshot(news) if name.endswith(".tmp")]
