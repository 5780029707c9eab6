"""Benchmark `cwb news`: 50 local feeds that each answer after 200 ms (goal: under 3 s).

Run: python benchmarks/news_bench.py [--feeds 50] [--latency 0.2] [--items 20]
Everything is served from 127.0.0.1: no network is needed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.news.run import run_news

GOAL_SECONDS = 3.0


def feed_document(number: int, items: int) -> bytes:
    """Return an RSS document with distinct items."""
    entries = "".join(
        f"<item><title>Feed {number} item {n}: co-operatives and local spending</title>"
        f"<link>https://feed{number}.example.org/posts/{n}?utm_source=rss</link>"
        f"<guid>https://feed{number}.example.org/?p={n}</guid>"
        f"<pubDate>Fri, {1 + n % 28:02d} May 2026 10:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Summary of item {n} with a "
        f"&lt;a href='/more/{n}'&gt;relative link&lt;/a&gt;.&lt;/p&gt;</description></item>"
        for n in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {number}</title>'
        f"<link>https://feed{number}.example.org/</link>{entries}</channel></rss>"
    ).encode()


class SlowServer(ThreadingHTTPServer):
    """Serves /feed/N after a fixed latency."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, latency: float, documents: dict[str, bytes]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.latency = latency
        self.documents = documents


class Handler(BaseHTTPRequestHandler):
    """Answer every feed after the server's latency."""

    server: SlowServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        time.sleep(self.server.latency)
        body = self.server.documents.get(self.path, b"")
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


def main() -> int:
    """Run the benchmark; return 0 when it meets the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()

    documents = {f"/feed/{n}": feed_document(n, args.items) for n in range(args.feeds)}
    server = SlowServer(args.latency, documents)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    with tempfile.TemporaryDirectory() as folder:
        feeds = Path(folder) / "feeds.yaml"
        feeds.write_text(
            "allow_private_addresses: true\nfeeds:\n"
            + "".join(
                f"  - name: Benchmark feed {n}\n    url: http://127.0.0.1:{port}/feed/{n}\n"
                f"    homepage: https://feed{n}.example.org/\n    verified: true\n"
                for n in range(args.feeds)
            ),
            "utf-8",
        )
        started = time.perf_counter()
        report = run_news(feeds, Path(folder) / "news")
        wall = time.perf_counter() - started
    server.shutdown()
    print(report.summary())
    print(
        f"cwb news over {args.feeds} feeds at {args.latency * 1000:.0f} ms each: "
        f"{wall:.2f} s wall (goal < {GOAL_SECONDS:.0f} s)"
    )
    return 0 if wall < GOAL_SECONDS and not report.failed else 1


if __name__ == "__main__":
    sys.exit(main())
