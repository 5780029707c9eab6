"""Render the news archive into the generated docs tree: pages, an Atom feed and an OPML list.

The build never needs the network: these pages show whatever the archive holds.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from generator import PROJECT_URL
from generator.dates import long_date, month_title
from generator.markup import template_environment
from generator.model import load_pillars
from generator.news.archive import archive_files, month_files, read_month, sort_items
from generator.news.archive_check import read_month_checked
from generator.news.clean import sanitize_html
from generator.news.feeds import load_feeds
from generator.news.model import Feed, NewsItem, format_utc
from generator.news.tagging import fold
from generator.paths import TEMPLATES_DIR
from generator.problems import Problem

log = logging.getLogger(__name__)

INDEX_ITEMS = 50
FEED_ITEMS = 50
# Items per page of a month: a runaway month (or a hand-made one) stays a row of light pages.
PAGE_ITEMS = 100
# The newest items kept for the home and pillar pages' lists (they show 5).
LATEST_KEPT = 20
# Characters XML 1.0 forbids; a feed's text could carry them into feed.xml and break it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Stable namespace for Atom entry ids: the same item keeps the same id in every build.
_ENTRY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROJECT_URL + "/news")


@dataclass(frozen=True)
class Month:
    """One month of the archive, as the pages link to it."""

    key: str  # YYYY-MM
    count: int

    @property
    def label(self) -> str:
        """Return the month as readers say it, e.g. May 2026."""
        return month_title(self.key)

    @property
    def pages(self) -> int:
        """Return how many pages the month's items fill."""
        return max(1, -(-self.count // PAGE_ITEMS))


@dataclass
class NewsSite:
    """The news pages, the problems of the archive, and the newest items for other pages."""

    pages: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    newest: list[NewsItem] = field(default_factory=list)
    by_pillar: dict[str, list[NewsItem]] = field(default_factory=dict)

    def latest(self, limit: int, pillar: str | None = None) -> list[NewsItem]:
        """Return the newest items (of a pillar), at most limit, and at most LATEST_KEPT."""
        found = self.newest if pillar is None else self.by_pillar.get(pillar, [])
        return found[: max(limit, 0)]


def render_news(
    news_dir: Path, feeds_file: Path, *, site_url: str, built_at: dt.datetime
) -> NewsSite:
    """Render the news pages from the archive, reading one month file at a time.

    Memory holds two months (one rendered, the next read to know its link) and the newest
    items, however large the archive grows. Items with problems are left out and reported.
    """
    registry = load_feeds(feeds_file)
    if not registry.ok:
        log.warning("%s has problems: the list of sources is left empty", feeds_file)
    context = _Context(registry.feeds, site_url)
    site = NewsSite()
    keep = max(INDEX_ITEMS, FEED_ITEMS, LATEST_KEPT)
    index: list[Month] = []
    held: tuple[Month, list[NewsItem]] | None = None
    months = month_files(news_dir)
    for path in archive_files(news_dir):
        if path not in months.values():  # e.g. 999-01-.json, written before issue 17
            site.problems.extend(read_month_checked(path).problems)
    for key, path in months.items():  # newest month first
        checked = read_month_checked(path)
        site.problems.extend(checked.problems)
        if not checked.items:
            continue
        items = sort_items(checked.items)
        month = Month(key, len(items))
        if len(site.newest) < keep:
            site.newest.extend(items[: keep - len(site.newest)])
        for item in items:
            for slug in item.pillars:
                listed = site.by_pillar.setdefault(slug, [])
                if len(listed) < LATEST_KEPT:
                    listed.append(item)
        if held is not None:
            _render_month(
                context, site.pages, *held, newer=index[-2] if len(index) > 1 else None, older=month
            )
        index.append(month)
        held = (month, items)
    if held is not None:
        _render_month(
            context, site.pages, *held, newer=index[-2] if len(index) > 1 else None, older=None
        )
    site.pages["news/index.md"] = context.render(
        "index.md.j2", items=site.newest[:INDEX_ITEMS], months=index, root="../"
    )
    site.pages["news/feed.xml"] = context.render(
        "feed.xml.j2",
        items=site.newest[:FEED_ITEMS],
        updated=_updated(site.newest, built_at),
    )
    site.pages["news/feeds.opml"] = context.render("feeds.opml.j2")
    return site


def _render_month(
    context: _Context,
    pages: dict[str, str],
    month: Month,
    items: list[NewsItem],
    *,
    newer: Month | None,
    older: Month | None,
) -> None:
    """Render a month as pages of PAGE_ITEMS: news/YYYY-MM.md, then news/YYYY-MM/2.md …"""
    for number in range(1, month.pages + 1):
        up = "" if number == 1 else "../"
        links = [
            (
                page,
                f"{up}{month.key}.md" if page == 1 else f"{'' if up else month.key + '/'}{page}.md",
            )
            for page in range(1, month.pages + 1)
        ]
        name = f"news/{month.key}.md" if number == 1 else f"news/{month.key}/{number}.md"
        pages[name] = context.render(
            "month.md.j2",
            items=items[(number - 1) * PAGE_ITEMS : number * PAGE_ITEMS],
            month=month,
            page=number,
            page_links=links,
            up=up,
            root="../../" + up,
            newer=newer,
            older=older,
        )


def news_pages(
    news_dir: Path, feeds_file: Path, *, site_url: str, built_at: dt.datetime
) -> dict[str, str]:
    """Return the news pages' text keyed by their path in the docs tree (news/index.md, ...)."""
    return render_news(news_dir, feeds_file, site_url=site_url, built_at=built_at).pages


def latest_items(news_dir: Path, limit: int, pillar: str | None = None) -> list[NewsItem]:
    """Return the newest archived items, optionally only those tagged with a pillar."""
    found: list[NewsItem] = []
    for path in month_files(news_dir).values():  # newest month first; stop once enough
        items = read_month(path, strict=False)
        found.extend(item for item in items if pillar is None or pillar in item.pillars)
        if len(found) >= limit:
            break
    return sort_items(found)[: max(limit, 0)]


def _updated(items: list[NewsItem], built_at: dt.datetime) -> str:
    # The newest item's date, not the build time: an unchanged archive gives an unchanged feed.
    # An empty feed has no such date; the build's time is the truth, not 1970.
    return items[0].published if items else format_utc(built_at)


class _Context:
    """What every news template sees: the sources, the pillars, the site's addresses."""

    def __init__(self, feeds: list[Feed], site_url: str) -> None:
        self.feeds = feeds
        self.site_url = site_url.rstrip("/") + "/"
        self.pillar_titles = {pillar.slug: pillar.short_title for pillar in load_pillars()}

    def render(self, template: str, **values: Any) -> str:
        items: list[NewsItem] = values.get("items", [])
        root = values.get("root", "")
        return (
            _environment()
            .get_template(template)
            .render(
                feeds=self.feeds,
                feed_count=len(self.feeds),
                feed_url=self.site_url + "news/feed.xml",
                page_url=self.site_url + "news/",
                project_url=PROJECT_URL,
                pillar_titles=self.pillar_titles,
                pillar_link=lambda slug: f"{root}pillars/{slug}/",
                month_url=lambda key: f"{self.site_url}news/{key}/",
                sources=sorted({item.source for item in items}, key=fold),
                page_pillars=[
                    slug
                    for slug in self.pillar_titles
                    if any(slug in item.pillars for item in items)
                ],
                **values,
            )
        )


@cache
def _environment() -> Environment:
    # Every value from a feed is autoescaped unless marked safe below.
    environment = template_environment(TEMPLATES_DIR / "news", finalize=_finalize)
    environment.filters.update(
        slug=_slug,
        long_date=long_date,
        summary_html=_summary_html,
        entry_id=_entry_id,
    )
    return environment


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return Markup(_NOT_XML.sub("", str(value)))
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "source"


def _summary_html(summary: str) -> Markup:
    # Sanitised when fetched; sanitised again because the archive is text anyone can edit.
    return Markup(sanitize_html(summary))


def _entry_id(item: NewsItem) -> str:
    return f"urn:uuid:{uuid.uuid5(_ENTRY_NAMESPACE, item.id)}"
