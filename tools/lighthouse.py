"""Lighthouse on the built site, served compressed as a static host serves it.

    make lighthouse            (builds first; run from the project folder)

Desktop: all four categories on the home page, the case-study index, a case study, a pillar page
and a search; phone: performance. Fails below 95 (desktop) or 90 (phone performance). Lighthouse
is installed with npm into /tmp/cwb-tools (never into the repository); Chromium is Debian's.
"""

from __future__ import annotations

import gzip
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from npm_tools import npm_tool

CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = {
    "home": "",
    "index": "case-studies/",
    "case study": "case-studies/preston/",
    "pillar": "pillars/procurement/",
    "search": "search/?q=co-operatives",
}
COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".pf_meta", ".pagefind")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when the browser accepts it (as GitHub Pages does)."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSED):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def lighthouse() -> Path:
    """Return the lighthouse command, installing it on first use."""
    return npm_tool("lighthouse", "node_modules/.bin/lighthouse")


def score(report: Path, category: str) -> int:
    data = json.loads(report.read_text("utf-8"))
    return round((data["categories"][category]["score"] or 0) * 100)


def main(site: Path) -> int:
    """Serve the site, run Lighthouse on each page, print the scores; return 1 below target."""
    command = lighthouse()
    handler = lambda *args: _Handler(*args, directory=str(site))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    flags = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
    env = {**os.environ, "CHROME_PATH": CHROME}
    failed = False
    categories = ("performance", "accessibility", "best-practices", "seo")
    with tempfile.TemporaryDirectory() as folder:
        for name, path in PAGES.items():
            desktop, phone = Path(folder, "desktop.json"), Path(folder, "phone.json")
            for output, extra in (
                (desktop, ["--preset=desktop"]),
                (phone, ["--only-categories=performance"]),
            ):
                subprocess.run(
                    [
                        str(command),
                        base + path,
                        "--quiet",
                        f"--chrome-flags={flags}",
                        "--output=json",
                        f"--output-path={output}",
                        *extra,
                    ],
                    check=True,
                    env=env,
                    stdout=subprocess.DEVNULL,
                )
            scores = {category: score(desktop, category) for category in categories}
            mobile = score(phone, "performance")
            failed |= min(scores.values()) < 95 or mobile < 90
            shown = ", ".join(f"{category} {value}" for category, value in scores.items())
            print(f"{name:11} desktop: {shown} | phone performance {mobile}")
    server.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "site")))
