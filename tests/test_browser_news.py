"""From `cwb news` to the news page: real feeds on 127.0.0.1, the real build, real Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from generator.build import build_site
from generator.cli import main
from generator.paths import ProjectPaths
from tests.browser import PageWatch, serious_violations
from tests.conftest import ARTIFACTS, ROOT
from tests.news.conftest import FIXTURES, FeedServer, Reply, write_feeds
from tests.news.conftest import server as server
from tests.servers import LocalServer

pytestmark = pytest.mark.browser


@pytest.fixture
def news_site(tmp_path: Path, server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Fetch two fixture feeds with `cwb news`, build the site, serve it; return its URL."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("mkdocs.yml",):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copytree(ROOT / "case_studies", root / "case_studies")
    for name in ("rss2-basic.xml", "hostile-rss.xml"):
        server.routes[f"/{name}"] = Reply(
            (FIXTURES / "feeds" / name).read_bytes(),
            headers={"Content-Type": "application/rss+xml"},
        )
    write_feeds(
        root / "feeds.yaml",
        [
            {
                "name": "Basic News",
                "url": server.url("/rss2-basic.xml"),
                "pillars": ["procurement"],
            },
            {"name": "Hostile News", "url": server.url("/hostile-rss.xml")},
        ],
    )
    monkeypatch.chdir(root)
    # The session's Chromium runs Playwright's event loop in this thread; `cwb news` runs its
    # own, so it gets a thread of its own, as it would be a process of its own in real use.
    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(main, ["news"]).result() == 0
    result = build_site(ProjectPaths.at(root), progress=lambda message: None)
    assert result.ok
    with LocalServer(root / "site") as site_server:
        yield site_server.url("")


def test_news_page_shows_filters_and_is_safe(news_site: str, browser: Browser) -> None:
    page = browser.new_page()
    try:
        watch = PageWatch(news_site).attach(page)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{news_site}/news/", wait_until="networkidle")
        items = page.locator("article.news-item")
        assert items.count() >= 3
        assert (
            page.get_by_role("link", name="Preston’s anchors buy local").get_attribute("rel")
            == "noopener"
        )
        page.get_by_label("Source").select_option(label="Basic News")
        visible = [item for item in items.all() if item.is_visible()]
        assert len(visible) == 2
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "news-filtered.png"), full_page=True)
        serious = serious_violations(page)
        page.goto(f"{news_site}/", wait_until="networkidle")
        assert page.get_by_role("link", name="Preston’s anchors buy local").count() == 1
        page.goto(f"{news_site}/pillars/procurement/", wait_until="networkidle")
        assert page.get_by_role("link", name="Preston’s anchors buy local").count() == 1
    finally:
        page.close()
    assert serious == []
    assert dialogs == []  # no script from a feed ever ran
    assert watch.console_errors == []
    assert watch.foreign_requests == []
