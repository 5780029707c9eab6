"""Live preview: build, serve the site on 127.0.0.1, rebuild on a change and reload the browser.

The server injects a one-line EventSource script into each HTML page it serves (never into the
built files) and tells open pages to reload after each successful rebuild. A rebuild that
fails validation prints the problems and keeps serving the last good site.
"""

from __future__ import annotations

import functools
import http.server
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import watchfiles

from generator.build import BuildResult, LiveState, build_site
from generator.paths import PACKAGE_DIR, ProjectPaths
from generator.problems import BuildError
from generator.search import index_site

log = logging.getLogger(__name__)
logging.getLogger("watchfiles").setLevel(logging.WARNING)  # its per-change lines are noise here

RELOAD_PATH = "/__cwb_reload"
RELOAD_SCRIPT = (
    f'<script>new EventSource("{RELOAD_PATH}").addEventListener("reload",'
    "function(){location.reload()})</script>"
).encode()


class ReloadSignal:
    """A build counter that waiting browsers watch."""

    def __init__(self) -> None:
        self.version = 0
        self._changed = threading.Condition()

    def bump(self) -> None:
        """Announce a new build to every waiting page."""
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def wait_past(self, version: int, timeout: float) -> int:
        """Wait until the version moves past the given one, or the timeout; return it."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > version, timeout=timeout)
            return self.version


class _Handler(http.server.SimpleHTTPRequestHandler):
    signal: ReloadSignal

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("serve: " + format, *args)

    def do_GET(self) -> None:
        if self.path == RELOAD_PATH:
            self._stream_reloads()
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                super().do_GET()  # redirects to the slash-terminated URL
                return
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            self._send_html(path)
        else:
            super().do_GET()

    def _send_html(self, path: Path) -> None:
        body = path.read_bytes()
        marker = body.rfind(b"</body>")
        body = (
            body[:marker] + RELOAD_SCRIPT + body[marker:] if marker >= 0 else body + RELOAD_SCRIPT
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _stream_reloads(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        version = self.signal.version
        try:
            while True:
                latest = self.signal.wait_past(version, timeout=15)
                if latest > version:
                    self.wfile.write(b"event: reload\ndata: %d\n\n" % latest)
                    version = latest
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def make_server(site: Path, host: str, port: int, signal: ReloadSignal) -> http.server.HTTPServer:
    """Return a threading HTTP server for the site folder, with the reload endpoint."""
    handler = type("Handler", (_Handler,), {"signal": signal})
    server = http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(site))
    )
    server.daemon_threads = True
    return server


def watched_paths(paths: ProjectPaths) -> list[Path]:
    """Return what a change to should rebuild the site."""
    candidates = [
        paths.case_studies,
        paths.content,
        PACKAGE_DIR / "templates",
        PACKAGE_DIR / "assets",
        paths.mkdocs_config,
        paths.news,
    ]
    return [path for path in candidates if path.exists()]


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
    """Build, then serve and rebuild on every change until interrupted (or `stop` is set)."""
    signal = ReloadSignal()
    live = LiveState()
    indexer = BackgroundIndexer(paths.site)
    first = _try_build(paths, live)
    report(first)
    if isinstance(first, BuildResult) and first.ok:
        indexer.request()
    server = make_server(paths.site, host, port, signal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://{host}:{server.server_address[1]}/"
    log.info("Serving the site at %s — edit a case study or page to rebuild; Ctrl+C stops.", url)
    if on_ready is not None:
        on_ready(url)
    try:
        for changes in watchfiles.watch(
            *watched_paths(paths), stop_event=stop, debounce=200, step=50
        ):
            names = sorted({Path(name).name for _, name in changes})
            log.info("Changed: %s — rebuilding …", ", ".join(names[:5]))
            outcome = _try_build(paths, live)
            report(outcome)
            if isinstance(outcome, BuildResult) and outcome.ok:
                signal.bump()
                indexer.request()
    except KeyboardInterrupt:
        log.info("Stopped.")
    finally:
        server.shutdown()
        server.server_close()


def _try_build(paths: ProjectPaths, live: LiveState) -> BuildResult | BuildError:
    try:
        return build_site(paths, progress=log.debug, live=live)
    except BuildError as error:
        return error
