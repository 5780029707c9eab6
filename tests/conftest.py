"""Fixtures shared by the site tests: one real build of the shipped site, served on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import BuildResult, build_site
from tests.project import make_project

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """Build the shipped case studies once, with the real MkDocs and Pagefind."""
    paths = make_project(tmp_path_factory.mktemp("shipped"))
    site = paths.site
    result = build_site(paths, progress=lambda message: None)
    assert result.ok, [problem.format_text() for problem in result.problems]
    return site, result


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(built_site: tuple[Path, BuildResult]) -> Iterator[str]:
    """Serve the built site on a free port of 127.0.0.1 and return its base URL."""
    site, _ = built_site
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
