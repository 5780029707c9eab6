"""News pages, Atom feed and OPML rendered from an archive, without any network."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import markdown
import pytest

from generator.news.archive import atomic_write, to_json_text
from generator.news.model import NewsItem
from generator.news.pages import latest_items, news_pages
from generator.write import RenderReport, sync_tree
from tests.news.conftest import write_feeds

SITE = "https://cwb.example.org/kb/"
BUILT_AT = dt.datetime(2026, 5, 21, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
ATOM = "{http://www.w3.org/2005/Atom}"


def make(number: int, month: str = "2026-05", **fields: object) -> NewsItem:
    """Return an archived item; fields override the defaults."""
    values: dict[str, object] = {
        "id": f"urn:test:{number}",
        "title": f"Item {number}",
        "link": f"https://example.org/{number}",
        "summary": f"<p>Summary {number}</p>",
        "published": f"{month}-{1 + number % 28:02d}T10:{number % 60:02d}:00Z",
        "date_source": "feed",
        "source": "Co-operative News",
        "source_url": "https://www.thenews.coop/feed/",
        "fetched": "2026-05-20T12:00:00Z",
        "pillars": ("plural-ownership",),
    }
    values.update(fields)
    return NewsItem(**values)  # type: ignore[arg-type]


def archive(news: Path, *items: NewsItem) -> Path:
    """Write items into month files as the aggregator would."""
    by_month: dict[str, list[NewsItem]] = {}
    for item in items:
        by_month.setdefault(item.month, []).append(item)
    for month, month_items in by_month.items():
        data = {"month": month, "items": [entry.to_json() for entry in month_items]}
        atomic_write(news / "archive" / f"{month}.json", to_json_text(data))
    return news


@pytest.fixture
def feeds(tmp_path: Path) -> Path:
    """A registry of two feeds."""
    return write_feeds(
        tmp_path / "feeds.yaml",
        [
            {
                "name": "Co-operative News",
                "url": "https://www.thenews.coop/feed/",
                "homepage": "https://www.thenews.coop/",
            },
            {
                "name": "Scottish Government news",
                "url": "https://www.gov.scot/feeds/news/",
                "keywords": ["community wealth"],
            },
        ],
    )


def render_news_pages(news: Path, feeds: Path, docs: Path, *, site_url: str) -> list[Path]:
    """Write the news pages the way the build does (only changed files, stale ones removed)."""
    pages = news_pages(news, feeds, site_url=site_url, built_at=BUILT_AT)
    sync_tree(docs, pages, RenderReport())
    return [docs / name for name in pages]


def render(tmp_path: Path, feeds: Path) -> dict[str, str]:
    """Render the pages; return their text by name."""
    paths = render_news_pages(tmp_path / "news", feeds, tmp_path / "docs", site_url=SITE)
    return {path.name: path.read_text("utf-8") for path in paths}


def test_empty_archive_shows_readers_the_sources_it_follows(tmp_path: Path, feeds: Path) -> None:
    pages = render(tmp_path, feeds)
    assert sorted(pages) == ["feed.xml", "feeds.opml", "index.md"]
    index = pages["index.md"]
    assert '<a href="https://www.thenews.coop/" rel="noopener">Co-operative News</a>' in index
    assert '<a href="https://example.org/" rel="noopener">Scottish Government news</a>' in index
    assert 'href="../news/feed.xml"' in index and 'href="../news/feeds.opml"' in index
    # Instructions for maintainers belong in README and CONTRIBUTING, never on a page.
    assert "cwb news" not in index and "feeds.yaml" not in index
    root = ET.fromstring(pages["feed.xml"])
    assert root.findall(f"{ATOM}entry") == []
    assert feedparser.parse(pages["feed.xml"]).bozo == 0


def test_empty_feed_is_dated_by_the_build(tmp_path: Path, feeds: Path) -> None:
    root = ET.fromstring(render(tmp_path, feeds)["feed.xml"])
    assert root.findtext(f"{ATOM}updated") == "2026-05-21T07:30:00Z"  # BUILT_AT, in UTC


def test_feed_is_dated_by_its_newest_item_not_the_build(tmp_path: Path, feeds: Path) -> None:
    archive(tmp_path / "news", make(3), make(5, "2026-04"))
    root = ET.fromstring(render(tmp_path, feeds)["feed.xml"])
    assert root.findtext(f"{ATOM}updated") == make(3).published == "2026-05-04T10:03:00Z"
    later = news_pages(
        tmp_path / "news", feeds, site_url=SITE, built_at=BUILT_AT + dt.timedelta(days=9)
    )
    assert ET.fromstring(later["news/feed.xml"]).findtext(f"{ATOM}updated") == make(3).published


def test_index_lists_newest_items_with_filters(tmp_path: Path, feeds: Path) -> None:
    items = [make(n) for n in range(1, 61)] + [
        make(
            100,
            "2026-04",
            source="Scottish Government news",
            source_url="https://www.gov.scot/feeds/news/",
            pillars=("procurement", "finance"),
        ),
    ]
    archive(tmp_path / "news", *items)
    pages = render(tmp_path, feeds)
    index = pages["index.md"]
    assert sorted(pages) == ["2026-04.md", "2026-05.md", "feed.xml", "feeds.opml", "index.md"]
    assert index.count("<article ") == 50
    published = [
        item.published for item in sorted(items, key=lambda i: i.published, reverse=True)[:50]
    ]
    shown = [line.split('datetime="')[1][:20] for line in index.splitlines() if "<time" in line]
    assert shown == published  # newest first, the newest 50
    assert "[May 2026](2026-05.md) (60 items)" in index
    assert "[April 2026](2026-04.md) (1 item)" in index
    assert '<div data-pagefind-filter="type:news" hidden></div>' in index
    assert '<div data-pagefind-filter="pillar:Plural ownership" hidden></div>' in index
    assert "pillar:Finance" not in index  # only the April item has it: not on this page
    assert '<select id="news-filter-source" name="source">' in index
    assert '<option value="co-operative-news">Co-operative News</option>' in index
    assert '<select id="news-filter-pillar" name="pillar">' in index

    april = pages["2026-04.md"]
    assert (
        '<article class="news-item" data-source="scottish-government-news" '
        'data-pillars="procurement finance">' in april
    )
    assert 'data-pagefind-filter="pillar:Procurement"' in april
    assert 'data-pagefind-filter="pillar:Finance"' in april
    assert "[May 2026](2026-05.md)" in april  # the newer month


def test_item_markup(tmp_path: Path, feeds: Path) -> None:
    archive(
        tmp_path / "news",
        make(1, author="Jane Doe", language="ca"),
        make(2, link=None, summary="", date_source="fetch"),
    )
    page = render(tmp_path, feeds)["2026-05.md"]
    first = page.split('lang="ca"')[1].split("</article>")[0]
    assert '<a href="https://example.org/1" rel="noopener">Item 1</a>' in first
    assert '<span class="news-item__source">Co-operative News</span>' in first
    assert '<span class="news-item__author">Jane Doe</span>' in first
    assert '<time datetime="2026-05-02T10:01:00Z">2 May 2026</time>' in first
    assert '<div class="news-item__summary"><p>Summary 1</p></div>' in first
    assert 'href="../../pillars/plural-ownership/"' in first
    second = page.split('data-source="co-operative-news"')[1].split("</article>")[0]
    assert "<a href" not in second.split("</h2>")[0]  # no link: the title is plain
    assert "the source gave no usable date" in second


HOSTILE = make(
    7,
    title='<script>alert("t")</script> & "quotes" \'single\'',
    summary='<p onclick="x()">Hi<script>alert(1)</script><img src=x onerror=alert(2)>'
    '<a href="javascript:alert(3)">j</a><iframe src="https://evil.example"></iframe></p>',
    source='Evil" data-x="1',
    author="<b>Mallory</b>",
    link='https://example.org/a"onmouseover="alert(4)',
    pillars=("finance",),
)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_pages_escape_hand_edited_archive(tmp_path: Path, feeds: Path) -> None:
    archive(tmp_path / "news", HOSTILE)
    pages = render(tmp_path, feeds)
    html = markdown.markdown(
        pages["index.md"].split("---", 2)[2], extensions=["attr_list", "md_in_html"]
    )
    collector = _Collector()
    collector.feed(html)
    tags = {tag for tag, _ in collector.tags}
    assert not tags & {"script", "img", "iframe", "object", "style"}
    for _tag, attrs in collector.tags:
        assert not [name for name in attrs if name.startswith("on")]
        assert "data-x" not in attrs
        assert not (attrs.get("href") or "").lower().startswith("javascript")
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in pages["index.md"]
    assert 'data-source="evil-data-x-1"' in pages["index.md"]
    # The Atom feed stays well-formed XML whatever the archive holds.
    root = ET.fromstring(pages["feed.xml"])
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == HOSTILE.title
    summary = entry.findtext(f"{ATOM}summary") or ""
    assert "<script" not in summary and "onerror" not in summary and "javascript:" not in summary


def test_markdown_keeps_each_item_as_one_html_block(tmp_path: Path, feeds: Path) -> None:
    archive(
        tmp_path / "news",
        *[make(n, summary=f"<p>One *not emphasis* {n}</p><p>Two</p>") for n in range(1, 4)],
    )
    page = render(tmp_path, feeds)["index.md"]
    html = markdown.markdown(page.split("---", 2)[2], extensions=["attr_list", "md_in_html"])
    assert html.count("<article ") == html.count("</article>") == 3
    assert "<p><article" not in html and "<em>not emphasis</em>" not in html


def test_atom_feed_is_valid(tmp_path: Path, feeds: Path) -> None:
    archive(
        tmp_path / "news",
        *[make(n) for n in range(1, 61)],
        make(99, link=None, title="No link & <odd>"),
    )
    text = render(tmp_path, feeds)["feed.xml"]
    root = ET.fromstring(text)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 50
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == 50 and all(i and i.startswith("urn:uuid:") for i in ids)
    parsed = feedparser.parse(text)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.links[0].href == SITE + "news/feed.xml"
    updated = [entry.updated for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert parsed.entries[0].tags[0].term == "plural-ownership"
    no_link = [e for e in parsed.entries if e.title == "No link & <odd>"]
    if no_link:  # it is among the newest 50 only if its date says so
        assert no_link[0].link == SITE + "news/2026-05/"
    assert parsed.entries[0].summary.startswith("<p>Summary")
    # Building again yields the same ids: readers do not see old items as new.
    assert text == render(tmp_path, feeds)["feed.xml"]


def test_opml_lists_every_feed(tmp_path: Path, feeds: Path) -> None:
    root = ET.fromstring(render(tmp_path, feeds)["feeds.opml"])
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title")
    outlines = root.findall("body/outline")
    assert [
        (o.get("text"), o.get("type"), o.get("xmlUrl"), o.get("htmlUrl")) for o in outlines
    ] == [
        ("Co-operative News", "rss", "https://www.thenews.coop/feed/", "https://www.thenews.coop/"),
        (
            "Scottish Government news",
            "rss",
            "https://www.gov.scot/feeds/news/",
            "https://example.org/",
        ),
    ]


def test_only_changed_pages_are_written(tmp_path: Path, feeds: Path) -> None:
    news = archive(tmp_path / "news", make(1), make(2, "2026-04"))
    paths = render_news_pages(news, feeds, tmp_path / "docs", site_url=SITE)
    stamps = {path: path.stat().st_mtime_ns for path in paths}
    again = render_news_pages(news, feeds, tmp_path / "docs", site_url=SITE)
    assert again == paths
    assert {path: path.stat().st_mtime_ns for path in again} == stamps

    archive(news, make(1), make(3))  # May changes, April does not
    render_news_pages(news, feeds, tmp_path / "docs", site_url=SITE)
    april = tmp_path / "docs" / "news" / "2026-04.md"
    assert april.stat().st_mtime_ns == stamps[april]
    may = tmp_path / "docs" / "news" / "2026-05.md"
    assert may.stat().st_mtime_ns != stamps[may] and "Item 3" in may.read_text("utf-8")


def test_months_no_longer_archived_lose_their_page(tmp_path: Path, feeds: Path) -> None:
    news = archive(tmp_path / "news", make(1), make(2, "2026-04"))
    render_news_pages(news, feeds, tmp_path / "docs", site_url=SITE)
    (news / "archive" / "2026-04.json").unlink()
    render_news_pages(news, feeds, tmp_path / "docs", site_url=SITE)
    assert not (tmp_path / "docs" / "news" / "2026-04.md").exists()


def test_broken_archive_file_does_not_stop_the_build(tmp_path: Path, feeds: Path) -> None:
    news = archive(tmp_path / "news", make(1))
    (news / "archive" / "2026-04.json").write_text("{broken", "utf-8")
    pages = render(tmp_path, feeds)
    assert "Item 1" in pages["index.md"]


def test_latest_items(tmp_path: Path) -> None:
    news = archive(
        tmp_path / "news",
        *[make(n) for n in range(1, 6)],
        make(10, "2026-04", pillars=("finance",)),
        make(11, "2026-03", pillars=("finance", "workforce")),
    )
    assert [item.title for item in latest_items(news, 3)] == ["Item 5", "Item 4", "Item 3"]
    assert [item.title for item in latest_items(news, 5, pillar="finance")] == [
        "Item 10",
        "Item 11",
    ]
    assert latest_items(news, 0) == []
    assert latest_items(tmp_path / "nothing", 5) == []


def test_archive_json_round_trips(tmp_path: Path) -> None:
    item = make(1, author="A", language="it")
    assert NewsItem.from_json(json.loads(json.dumps(item.to_json()))) == item
    with pytest.raises(ValueError):
        NewsItem.from_json({"id": 1})


def test_news_pages_for_a_docs_tree_sync(tmp_path: Path, feeds: Path) -> None:
    archive(tmp_path / "news", make(1), make(2, "2026-04"))
    pages = news_pages(tmp_path / "news", feeds, site_url=SITE, built_at=BUILT_AT)
    assert sorted(pages) == [
        "news/2026-04.md",
        "news/2026-05.md",
        "news/feed.xml",
        "news/feeds.opml",
        "news/index.md",
    ]
    written = render_news_pages(tmp_path / "news", feeds, tmp_path / "docs", site_url=SITE)
    assert {
        p.relative_to(tmp_path / "docs").as_posix(): p.read_text("utf-8") for p in written
    } == pages
