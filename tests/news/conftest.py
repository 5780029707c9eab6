"""Shared fixtures of the news tests: a real HTTP server on 127.0.0.1 and feeds files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.news.fetch import FetchOptions
from tests.servers import Handler, LocalServer, Reply, Seen

# The news tests call the shared server a feed server.
FeedServer = LocalServer
__all__ = ["FeedServer", "Handler", "Reply", "Seen"]

FIXTURES = Path(__file__).parent / "fixtures"
NOW = dt.datetime(2026, 5, 20, 12, 0, tzinfo=dt.UTC)

# Short limits keep the slow cases fast; the defaults are tested on their own.
TEST_OPTIONS = FetchOptions(
    connect_timeout=1.0,
    total_timeout=1.0,
    max_bytes=256 * 1024,
    lock_wait=0.3,
)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """Start a feed server on a free port of 127.0.0.1; stop it after the test."""
    with FeedServer() as feed_server:
        yield feed_server


def write_feeds(
    path: Path, feeds: list[dict[str, Any]], *, allow_private: bool = True, **settings: Any
) -> Path:
    """Write a feeds registry with the schema line, as a contributor would.

    The test server lives on 127.0.0.1, which feeds may reach only when the file allows it.
    """
    entries = [{"homepage": "https://example.org/", "verified": True, **feed} for feed in feeds]
    data: dict[str, Any] = {"feeds": entries, **settings}
    if allow_private:
        data["allow_private_addresses"] = True
    text = "# yaml-language-server: $schema=generator/schema/feeds.schema.json\n"
    path.write_text(text + yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


def rss(*items: str, title: str = "Test feed") -> bytes:
    """Return an RSS 2.0 document around item elements."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def rss_item(title: str, link: str = "", guid: str = "", date: str = "", summary: str = "") -> str:
    """Return one RSS item element (arguments are inserted as given: escape them yourself)."""
    parts = [f"<title>{title}</title>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if guid:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    if summary:
        parts.append(f"<description>{summary}</description>")
    return "<item>" + "".join(parts) + "</item>"


def archived(news_dir: Path) -> list[dict[str, Any]]:
    """Return every archived item's data, from every month file."""
    items: list[dict[str, Any]] = []
    for path in sorted((news_dir / "archive").glob("*.json")):
        items.extend(json.loads(path.read_text("utf-8"))["items"])
    return items


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return the bytes of every file below a folder, by relative path."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
