"""The test suite's one HTTP server: a real server on 127.0.0.1 in a thread."""

from __future__ import annotations

import mimetypes
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


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
    method: str = "GET"


class Handler(BaseHTTPRequestHandler):
    """Answers from the server's routes; records every request."""

    server: LocalServer._Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def _answer(self) -> None:
        self.server.owner.requests.append(Seen(self.path, dict(self.headers.items()), self.command))
        route = self.server.owner.routes.get(self.path.split("?")[0])
        try:
            if route is None:
                self.reply(self.server.owner.static_reply(self.path))
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
        if self.command == "HEAD":
            return
        if not reply.trickle:
            self.wfile.write(reply.body)
            return
        for index in range(len(reply.body)):
            self.wfile.write(reply.body[index : index + 1])
            self.wfile.flush()
            time.sleep(reply.trickle)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


class LocalServer:
    """A real HTTP server on 127.0.0.1 in a thread: the routes a test sets, then a folder's files.

    The one server of the test suite: news tests program its routes (slow replies, redirects,
    304s); site tests serve a built site from its folder, with the site's own 404 page.
    """

    class _Server(ThreadingHTTPServer):
        daemon_threads = True
        block_on_close = False
        request_queue_size = 64  # the default 5 drops concurrent connects into SYN retries
        owner: LocalServer

    def __init__(self, folder: Path | None = None, host: str = "127.0.0.1") -> None:
        self.folder = folder
        self.host = host  # any 127.x.y.z answers on Linux: a second "host" for redirect tests
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.httpd = self._Server((host, 0), Handler)
        self.httpd.owner = self
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        """Return the full address of a path on this server."""
        return f"http://{self.host}:{self.httpd.server_address[1]}{path}"

    def hits(self, path: str) -> list[Seen]:
        """Return the requests made for a path."""
        return [seen for seen in self.requests if seen.path.split("?")[0] == path]

    def static_reply(self, path: str) -> Reply:
        """Answer from the folder: index.html for folders, the site's 404.html when missing."""
        if self.folder is None:
            return Reply(b"not here", 404)
        relative = urllib.parse.unquote(path.split("?")[0].split("#")[0]).lstrip("/")
        target = (self.folder / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if self.folder.resolve() not in target.parents or not target.is_file():
            missing = self.folder / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"not here"
            return Reply(body, 404, {"Content-Type": "text/html; charset=utf-8"})
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return Reply(target.read_bytes(), 200, {"Content-Type": kind})

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
