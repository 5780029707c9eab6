"""Fixtures shared by the site tests: one real build of the shipped site, served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from generator.build import BuildResult, build_site
from tests.browser import chromium
from tests.hostile import ROUTES, HostileSite, build_hostile_site
from tests.project import make_project
from tests.servers import LocalServer

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


@pytest.fixture(scope="session")
def site_url(built_site: tuple[Path, BuildResult]) -> Iterator[str]:
    """Serve the built site on a free port of 127.0.0.1 and return its base URL."""
    site, _ = built_site
    with LocalServer(site) as server:
        yield server.url("")


@pytest.fixture(scope="session", params=ROUTES)
def hostile_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> HostileSite:
    """Build, by each builder route, a case study with script in every text field."""
    return build_hostile_site(tmp_path_factory.mktemp(f"hostile-{request.param}"), request.param)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Launch Debian's headless Chromium for a module's browser tests.

    Per module, not per session: Playwright's sync API keeps an event loop running in this
    thread while the browser is open, and later tests (cwb news, cwb links) run their own.
    """
    with chromium() as launched:
        yield launched
