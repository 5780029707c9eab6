"""Shared fixtures of the news tests: a real HTTP server on 127.0.0.1 and feeds files."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.news import FetchOptions

FIXTURES = Path(__file__).parent / "fixtures"
NOW = dt.datetime(2026, 5, 20, 12, 0, tzinfo=dt.UTC)

# Short limits keep the slow cases fast; the defaults are tested on their own.
TEST_OPTIONS = FetchOptions(
    connect_timeout=1.0,
    total_timeout=1.0,
    max_bytes=256 * 1024,
    lock_wait=0.3,
)


@dataclass
class Reply:
    """A canned answer: status, headers, body, and how slowly to give it."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before the status line
    trickle: float = 0.0  # pause between single bytes of the body
    content_length: bool = True


Route = Reply | Callable[["Handler"], None]


@dataclass
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]


class Handler(BaseHTTPRequestHandler):
    """Answers from the server's routes; records every request."""

    server: FeedServer._Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.owner.requests.append(Seen(self.path, dict(self.headers.items())))
        route = self.server.owner.routes.get(self.path.split("?")[0])
        try:
            if route is None:
                self.reply(Reply(b"not here", 404))
            elif isinstance(route, Reply):
                self.reply(route)
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout, size cap): that is what the test wanted

    def reply(self, reply: Reply) -> None:
        """Send a canned reply."""
        time.sleep(reply.delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.content_length:
            self.send_header("Content-Length", str(len(reply.body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not reply.trickle:
            self.wfile.write(reply.body)
            return
        for index in range(len(reply.body)):
            self.wfile.write(reply.body[index : index + 1])
            self.wfile.flush()
            time.sleep(reply.trickle)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


class FeedServer:
    """A real HTTP server in a thread, serving whatever routes a test sets."""

    class _Server(ThreadingHTTPServer):
        daemon_threads = True
        block_on_close = False
        request_queue_size = 64  # the default 5 drops concurrent connects into SYN retries
        owner: FeedServer

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.httpd = self._Server(("127.0.0.1", 0), Handler)
        self.httpd.owner = self
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        """Return the full address of a path on this server."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def hits(self, path: str) -> list[Seen]:
        """Return the requests made for a path."""
        return [seen for seen in self.requests if seen.path.split("?")[0] == path]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """Start a feed server on a free port of 127.0.0.1; stop it after the test."""
    feed_server = FeedServer()
    feed_server.thread.start()
    yield feed_server
    feed_server.httpd.shutdown()
    feed_server.httpd.server_close()


def write_feeds(path: Path, feeds: list[dict[str, Any]]) -> Path:
    """Write a feeds registry with the schema line, as a contributor would."""
    entries = [{"homepage": "https://example.org/", "verified": True, **feed} for feed in feeds]
    text = "# yaml-language-server: $schema=generator/schema/feeds.schema.json\n"
    path.write_text(text + yaml.safe_dump({"feeds": entries}, sort_keys=False), "utf-8")
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
