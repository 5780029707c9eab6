"""Live preview: build, serve the site on 127.0.0.1, rebuild on a change and reload the browser.

The server injects a small EventSource script (live_reload.js) into each HTML page it serves
(never into the built files) and tells open pages to reload after each successful rebuild. A
rebuild that fails validation prints the problems, keeps serving the last good site, and sends
the same problems to every open page, which shows them over the page until the next good build
(issue 21). A missing page is answered with the site's own 404 page, as a static host would.

The server is local, but any program on the machine (or a page in the browser) can reach it,
so it is bounded and quiet (issue 16): a path that cannot name a file is answered 400, a
request line longer than any path 414; a client that leaves early is no error; an idle
connection is closed after IDLE_TIMEOUT seconds; at most MAX_CONNECTIONS are answered at once
(one thread each), and a connection beyond that is told 503 at once rather than queued.
"""

from __future__ import annotations

import errno
import functools
import http.server
import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

import watchfiles

from generator.build import BuildResult, LiveState, build_site
from generator.news.archive import LOCK_FILE, TEMP_SUFFIX
from generator.paths import PACKAGE_DIR, ProjectPaths
from generator.problems import BuildError, CwbError, Problem, printable
from generator.search import index_site

log = logging.getLogger(__name__)
logging.getLogger("watchfiles").setLevel(logging.WARNING)  # its per-change lines are noise here

RELOAD_PATH = "/__cwb_reload"
RELOAD_SCRIPT = (
    "<script>"
    + (PACKAGE_DIR / "live_reload.js").read_text("utf-8").replace("__RELOAD_PATH__", RELOAD_PATH)
    + "</script>"
).encode()


NOT_FOUND_PAGE = "404.html"

# Seconds a connection may stay silent (before its request, or while a page is sent) before it
# is closed: a browser sends its request at once, so only stuck or hostile clients wait this long.
IDLE_TIMEOUT = 10.0
# Connections answered at once, one thread each; every open page holds one for its reload stream.
MAX_CONNECTIONS = 64
# The longest request line answered: no file path is longer (Linux's PATH_MAX is 4,096 bytes).
MAX_REQUEST_LINE = 4096
BUSY_ANSWER = (
    b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
    b"Connection: close\r\n\r\n"
)


class BadPath(ValueError):
    """The request's path cannot name a file (a NUL byte, text no file name can hold)."""


class ServeError(CwbError):
    """The preview cannot start, e.g. because its port is taken."""


class Stopped(Exception):
    """Ctrl+C stopped the preview; the message says in what state it left the site."""


class ReloadSignal:
    """A build counter that waiting browsers watch, and the last build's problems (none: good)."""

    def __init__(self) -> None:
        self.version = 0
        self.problems: list[dict[str, object]] = []
        self._changed = threading.Condition()

    def bump(self, problems: list[dict[str, object]] | None = None) -> None:
        """Announce a new build to every waiting page: good without problems, else broken."""
        with self._changed:
            self.version += 1
            self.problems = problems or []
            self._changed.notify_all()

    def set_problems(self, problems: list[dict[str, object]]) -> None:
        """Record the problems of a build no page has seen yet (the first one)."""
        with self._changed:
            self.problems = problems

    def state(self) -> tuple[int, list[dict[str, object]]]:
        """Return the version and its problems, read together."""
        with self._changed:
            return self.version, self.problems

    def wait_past(self, version: int, timeout: float) -> tuple[int, list[dict[str, object]]]:
        """Wait until the version moves past the given one, or the timeout; return the state."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > version, timeout=timeout)
            return self.version, self.problems


def problems_payload(outcome: BuildResult | BuildError) -> list[dict[str, object]]:
    """Return what an open page shows of a build: its problems as the terminal prints them.

    Empty for a good build. Each text is made printable as in the terminal; the page sets it
    as text, never as HTML, so a value quoted from a file cannot run as script there.
    """
    if isinstance(outcome, BuildError):
        return [_problem_json(None, f"the site could not be built: {outcome}", "")]
    if outcome.ok:
        return []
    if not outcome.problems:
        return [_problem_json(None, "the site could not be built", "see the terminal")]
    return [_problem_json(problem, problem.message, problem.hint) for problem in outcome.problems]


def _problem_json(problem: Problem | None, message: str, hint: str) -> dict[str, object]:
    return {
        "file": printable(problem.display_path()) if problem else "",
        "line": problem.line if problem else 0,
        "column": problem.column if problem else 0,
        "message": printable(message),
        "hint": printable(hint),
    }


def _event(name: str, data: object) -> bytes:
    """Return one server-sent event; JSON keeps its data on one line (no raw line break)."""
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


class _Handler(http.server.SimpleHTTPRequestHandler):
    signal: ReloadSignal
    raw_requestline: bytes  # set by BaseHTTPRequestHandler.handle_one_request

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("serve: " + format, *args)

    def parse_request(self) -> bool:
        """Refuse an over-long request line with 414 before reading any further."""
        if len(self.raw_requestline) > MAX_REQUEST_LINE:
            self.requestline = self.request_version = self.command = ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return False
        return super().parse_request()

    def do_GET(self) -> None:
        if self.path == RELOAD_PATH:
            self._stream_reloads()
            return
        self._answer(super().do_GET)

    def do_HEAD(self) -> None:
        self._answer(super().do_HEAD)

    def _answer(self, static: Callable[[], None]) -> None:
        """Answer with an HTML page (reload script added), a 400 or 404, or the static route."""
        try:
            path = self._file_path()
        except BadPath:
            self.send_error(HTTPStatus.BAD_REQUEST, explain="The path cannot name a file.")
            return
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                static()  # redirects to the slash-terminated URL
                return
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            self._send_html(path)
        else:
            static()

    def _file_path(self) -> Path | None:
        """Return the file or folder the request names inside the site, or None if none.

        Raise BadPath when the path cannot name a file at all. A symbolic link that leads
        outside the site is not followed: its path is answered as missing.
        """
        name = self.translate_path(self.path)
        if "\0" in name:
            raise BadPath(name)
        try:
            os.fsencode(name)  # a lone surrogate from %ED%A0%80 has no bytes to name a file
        except UnicodeError as error:
            raise BadPath(name) from error
        path = Path(name)
        root = Path(self.directory).resolve()
        try:
            path.stat()
            inside = path.resolve()
        except OSError:  # missing, or a name too long for the file system
            return None
        if inside != root and root not in inside.parents:
            return None
        return path

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / NOT_FOUND_PAGE
        if code == 404 and page.is_file():
            self._send_html(page, status=404)  # the site's own page, as a static host answers
        else:
            super().send_error(code, message, explain)

    def _send_html(self, path: Path, status: int = 200) -> None:
        try:
            body = path.read_bytes()
        except OSError:  # gone since it was found: a rebuild is replacing the site
            super().send_error(HTTPStatus.NOT_FOUND)
            return
        marker = body.rfind(b"</body>")
        body = (
            body[:marker] + RELOAD_SCRIPT + body[marker:] if marker >= 0 else body + RELOAD_SCRIPT
        )
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _stream_reloads(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        version, problems = self.signal.state()
        try:
            if problems:  # a page opened (or reloaded) while the build is broken
                self.wfile.write(_event("problems", {"version": version, "problems": problems}))
            else:  # a page that showed problems before it reconnected reloads on this
                self.wfile.write(_event("good", version))
            self.wfile.flush()
            while True:
                latest, problems = self.signal.wait_past(version, timeout=15)
                if latest > version and problems:
                    self.wfile.write(_event("problems", {"version": latest, "problems": problems}))
                    version = latest
                elif latest > version:
                    self.wfile.write(_event("reload", latest))
                    version = latest
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except OSError:  # the page was closed or reloaded, or stopped reading
            return


class _Server(http.server.ThreadingHTTPServer):
    """A thread per connection, at most `max_connections` at once; clients leaving is no error."""

    daemon_threads = True
    request_queue_size = MAX_CONNECTIONS  # a burst waits to be accepted, not for a SYN retry

    def __init__(
        self, address: tuple[str, int], handler: Callable[..., Any], max_connections: int
    ) -> None:
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: give its slot back
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request: socket.socket) -> None:
        """Answer 503 without a thread (the accept loop must never wait), then close."""
        try:
            request.settimeout(1.0)
            request.sendall(BUSY_ANSWER)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.debug("serve: %s left or stalled: %s", client_address, error)
            return
        log.error("serve: error answering %s", client_address, exc_info=True)


def make_server(
    site: Path,
    host: str,
    port: int,
    signal: ReloadSignal,
    *,
    timeout: float = IDLE_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
) -> http.server.HTTPServer:
    """Return a threading HTTP server for the site folder, with the reload endpoint."""
    handler = type("Handler", (_Handler,), {"signal": signal, "timeout": timeout})
    return _Server((host, port), functools.partial(handler, directory=str(site)), max_connections)


def bind(site: Path, host: str, port: int, signal: ReloadSignal) -> http.server.HTTPServer:
    """Return the server listening on host:port; raise ServeError when the port cannot be had."""
    try:
        return make_server(site, host, port, signal)
    except OSError as error:
        raise ServeError(_bind_failure(host, port, error)) from None


def _bind_failure(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} is already in use (is another cwb serve running?); stop that, or "
            f"choose another port: cwb serve --port {port + 1 if port < 65535 else 8000}"
        )
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port}; choose another port: cwb serve --port 8000"
    return f"cannot listen on {host}:{port} ({error.strerror}); choose another port with --port N"


def watched_paths(paths: ProjectPaths) -> list[Path]:
    """Return the files and folders whose changes rebuild the site."""
    candidates = [
        paths.case_studies,
        paths.content,
        PACKAGE_DIR / "templates",
        PACKAGE_DIR / "assets",
        paths.mkdocs_config,
        paths.news,
    ]
    return [path for path in candidates if path.exists()]


class WatchFilter(watchfiles.DefaultFilter):
    """Ignore what editors and version control leave (the default), and the news archive's
    lock and temp files: a `cwb news` run writes them and must not set off a rebuild."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        """Return whether a change to path should rebuild the site."""
        name = os.path.basename(path)
        if name == LOCK_FILE or (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
            return False
        return bool(super().__call__(change, path))


class BackgroundIndexer:
    """Re-index the site with Pagefind after a rebuild, without holding up the reload."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self._wanted = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def request(self) -> None:
        """Ask for a fresh index; requests made while one runs fold into the next run."""
        self._wanted.set()

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                index_site(self.site)
                log.debug("search index updated")
            except BuildError as error:
                log.warning("search index not updated: %s", error)


def serve(
    paths: ProjectPaths,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    report: Callable[[BuildResult | BuildError], None],
    stop: threading.Event | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Build, then serve and rebuild on every change until `stop` is set.

    Raise ServeError when the port cannot be had (before building anything), and Stopped when
    Ctrl+C ends the preview.
    """
    signal = ReloadSignal()
    live = LiveState()
    server = bind(paths.site, host, port, signal)  # a busy port is said at once, not after a build
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    phase = "first build"
    try:
        indexer = BackgroundIndexer(paths.site)
        first = _try_build(paths, live)
        report(first)
        signal.set_problems(problems_payload(first))
        if isinstance(first, BuildResult) and first.ok:
            indexer.request()
        thread.start()
        url = f"http://{host}:{server.server_address[1]}/"
        log.info(
            "Serving the site at %s — edit a case study or page to rebuild; Ctrl+C stops.", url
        )
        if on_ready is not None:
            on_ready(url)
        phase = "watching"
        for changes in watchfiles.watch(
            *watched_paths(paths),
            watch_filter=WatchFilter(),
            stop_event=stop,
            debounce=200,
            step=50,
        ):
            phase = "rebuild"
            names = sorted({Path(name).name for _, name in changes})
            log.info("Changed: %s — rebuilding …", ", ".join(names[:5]))
            outcome = _try_build(paths, live)
            report(outcome)
            signal.bump(problems_payload(outcome))  # a good build reloads pages, a bad one warns
            if isinstance(outcome, BuildResult) and outcome.ok:
                indexer.request()
            phase = "watching"
    except KeyboardInterrupt:
        raise Stopped(_stopped_message(phase, paths.site)) from None
    finally:
        if thread.is_alive():
            server.shutdown()  # waits for serve_forever: call it only once that runs
        server.server_close()


def _stopped_message(phase: str, site: Path) -> str:
    if phase == "first build":
        return "Interrupted; the site was not changed."  # the first build is staged, then swapped
    if phase == "rebuild":
        return (
            f"Interrupted during a rebuild; {_display(site)} may be partly updated: "
            "run cwb build to rebuild it whole."
        )
    return f"Stopped; {_display(site)} holds the last good build."


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _try_build(paths: ProjectPaths, live: LiveState) -> BuildResult | BuildError:
    try:
        return build_site(paths, progress=log.debug, live=live)
    except BuildError as error:
        return error
