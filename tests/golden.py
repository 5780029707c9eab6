"""Golden generated Markdown and open-data exports for the sample corpus in tests/fixtures/valid/.

Compare:     pytest tests/test_golden.py tests/test_export.py
Regenerate:  make golden   (python -m tests.golden --update), then review the diff.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from generator.export import export_files
from generator.history import Release
from generator.news.archive import merge, write_months
from generator.news.clean import parse_feed
from generator.news.feeds import load_feeds
from generator.news.model import NewsItem
from generator.news.pages import news_pages
from generator.paths import collect_files
from generator.render import Renderer, SiteSettings
from generator.validate import validate_files

HERE = Path(__file__).parent
SAMPLE = HERE / "fixtures" / "valid"
NEWS_FEEDS = HERE / "fixtures" / "news" / "feeds.yaml"
FEED_FIXTURES = HERE / "news" / "fixtures" / "feeds"
GOLDEN = HERE / "golden"
SETTINGS = SiteSettings(
    repository="https://github.com/example/cwb", branch="main", site_url="https://example.org/"
)
# The version and date the data states: fixed, so a release of the package moves no golden file.
RELEASE = Release(version="1.2.3", date="2026-11-02")


def render_sample() -> dict[str, str]:
    """Return the generated pages and fragments of the sample corpus."""
    result = validate_files(collect_files([SAMPLE]))
    if result.problems:
        raise SystemExit("\n".join(problem.format_text() for problem in result.problems))
    renderer = Renderer(result.case_studies, SETTINGS, release=RELEASE)
    pages = dict(renderer.pages())
    pages.update({f"fragments/{name}": text for name, text in renderer.fragments().items()})
    return pages


def export_sample() -> dict[str, str]:
    """Return the open-data files of the sample corpus (data/...)."""
    return export_files(
        validate_files(collect_files([SAMPLE])).case_studies, SETTINGS, release=RELEASE
    )


def news_sample() -> dict[str, str]:
    """Return the news pages (index, months, Atom, OPML) of two fixture feeds' items."""
    fetched_at = dt.datetime(2026, 5, 20, 12, 0, tzinfo=dt.UTC)
    feeds = load_feeds(NEWS_FEEDS).feeds
    archive: dict[str, list[NewsItem]] = {}
    for feed, name in zip(feeds, ("rss2-basic.xml", "hostile-rss.xml"), strict=True):
        parsed = parse_feed(
            (FEED_FIXTURES / name).read_bytes(),
            feed=feed,
            base_url=feed.url,
            content_type="application/rss+xml",
            fetched_at=fetched_at,
        )
        merge(archive, parsed.items)
    with tempfile.TemporaryDirectory() as folder:
        news = Path(folder)
        write_months(news, archive, set(archive))
        pages = news_pages(news, NEWS_FEEDS, site_url=SETTINGS.site_url, built_at=fetched_at)
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden/")
    if not parser.parse_args().update:
        parser.error("pass --update to rewrite the golden files")
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, text in {**render_sample(), **export_sample(), **news_sample()}.items():
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    print(f"wrote {len(list(GOLDEN.rglob('*.md')))} golden files into {GOLDEN}")


if __name__ == "__main__":
    main()
