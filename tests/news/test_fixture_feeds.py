"""Every file in fixtures/feeds/ is served over real HTTP and checked against what it expects.

A fixture states its expectation as JSON in an `<!-- expect: {...} -->` comment, or in a
sidecar `<name>.expect.json` when the body must stay exactly as it is. Add a case = add a file.
Keys: status, items, titles, links, published (sorted lists), date_source, warning (bool),
present / absent (text that must / must not occur in the archive), max_archive_bytes.
"{base}" in an expectation stands for the test server's address.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.news.run import run_news
from tests.news.conftest import (
    FIXTURES,
    NOW,
    TEST_OPTIONS,
    FeedServer,
    Reply,
    archived,
    write_feeds,
)

FEED_FILES = sorted(
    path for path in (FIXTURES / "feeds").iterdir() if not path.name.endswith(".expect.json")
)
CONTENT_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain",
}
EXPECT = re.compile(r"<!--\s*expect:\s*(\{.*?\})\s*-->", re.DOTALL)


def expectation(path: Path) -> dict[str, Any]:
    """Return the expectation a fixture states, as data."""
    sidecar = path.with_name(path.stem + ".expect.json")
    if sidecar.exists():
        data: dict[str, Any] = json.loads(sidecar.read_text("utf-8"))
        return data
    found = EXPECT.search(path.read_text("utf-8"))
    assert found, f"{path.name} states no expectation"
    data = json.loads(found.group(1))
    return data


@pytest.mark.parametrize("path", FEED_FILES, ids=[path.name for path in FEED_FILES])
def test_fixture_feed(path: Path, server: FeedServer, tmp_path: Path) -> None:
    expected = json.loads(
        json.dumps(expectation(path)).replace("{base}", server.url("").rstrip("/"))
    )
    route = f"/feeds/{path.name}"
    server.routes[route] = Reply(
        path.read_bytes(), headers={"Content-Type": CONTENT_TYPES[path.suffix]}
    )
    feeds = write_feeds(tmp_path / "feeds.yaml", [{"name": "Fixture", "url": server.url(route)}])
    news = tmp_path / "news"

    report = run_news(feeds, news, now=NOW, options=TEST_OPTIONS)

    assert report.exit_code == 0
    [result] = report.results
    assert result.status.value == expected["status"], result.error
    items = archived(news)
    archive_bytes = sum(len(p.read_bytes()) for p in news.glob("archive/*.json"))
    archive_text = "\n".join(str(value) for item in items for value in item.values())
    if "items" in expected:
        assert len(items) == result.new_items == expected["items"]
    if "titles" in expected:
        assert sorted(item["title"] for item in items) == sorted(expected["titles"])
    if "links" in expected:
        assert items_links(items) == sorted(expected["links"], key=str)
    if "published" in expected:
        assert sorted(item["published"] for item in items) == expected["published"]
    if "date_source" in expected:
        assert {item["date_source"] for item in items} == {expected["date_source"]}
    if "warning" in expected:
        assert bool(result.warning) is expected["warning"], result.warning
    for text in expected.get("present", []):
        assert text in archive_text
    for text in expected.get("absent", []):
        assert text.lower() not in archive_text.lower()
    if "max_archive_bytes" in expected:
        assert archive_bytes <= expected["max_archive_bytes"]


def items_links(items: list[dict[str, Any]]) -> list[Any]:
    """Return the items' links sorted with None first."""
    return sorted((item["link"] for item in items), key=str)


def test_every_fixture_states_an_expectation() -> None:
    for path in FEED_FILES:
        assert expectation(path).get("status"), path.name
