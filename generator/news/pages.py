"""Render the news archive into the generated docs tree: pages, an Atom feed and an OPML list.

The build never needs the network: these pages show whatever the archive holds.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from generator import PROJECT_URL
from generator.dates import long_date, month_title
from generator.markup import template_environment
from generator.model import load_pillars
from generator.news.archive import load_archive, month_files, read_month, sort_items
from generator.news.clean import sanitize_html
from generator.news.feeds import load_feeds
from generator.news.model import Feed, NewsItem, format_utc
from generator.news.tagging import fold
from generator.paths import TEMPLATES_DIR

log = logging.getLogger(__name__)

INDEX_ITEMS = 50
FEED_ITEMS = 50
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


def news_pages(
    news_dir: Path,
    feeds_file: Path,
    *,
    site_url: str,
    built_at: dt.datetime,
    months: dict[str, list[NewsItem]] | None = None,
) -> dict[str, str]:
    """Return the news pages' text keyed by their path in the docs tree (news/index.md, ...).

    built_at (aware) dates the Atom feed while the archive holds no item. `months` is the
    archive if the caller already read it (load_archive), so a build reads it once.
    """
    months = load_archive(news_dir, strict=False) if months is None else months
    registry = load_feeds(feeds_file)
    if not registry.ok:
        log.warning("%s has problems: the list of sources is left empty", feeds_file)
    everything = sort_items(item for items in months.values() for item in items)
    context = _Context(registry.feeds, site_url)
    index = [Month(key, len(items)) for key, items in sorted(months.items(), reverse=True) if items]
    pages = {
        "news/index.md": context.render(
            "index.md.j2", items=everything[:INDEX_ITEMS], months=index, root="../"
        ),
        "news/feed.xml": context.render(
            "feed.xml.j2", items=everything[:FEED_ITEMS], updated=_updated(everything, built_at)
        ),
        "news/feeds.opml": context.render("feeds.opml.j2"),
    }
    for position, month in enumerate(index):
        pages[f"news/{month.key}.md"] = context.render(
            "month.md.j2",
            items=sort_items(months[month.key]),
            month=month,
            root="../../",
            newer=index[position - 1] if position else None,
            older=index[position + 1] if position + 1 < len(index) else None,
        )
    return pages


def latest_items(
    news_dir: Path,
    limit: int,
    pillar: str | None = None,
    *,
    months: dict[str, list[NewsItem]] | None = None,
) -> list[NewsItem]:
    """Return the newest archived items, optionally only those tagged with a pillar.

    `months` is the archive if the caller already read it (load_archive).
    """
    found: list[NewsItem] = []
    newest_first = (
        (read_month(path, strict=False) for path in month_files(news_dir).values())
        if months is None
        else (months[key] for key in sorted(months, reverse=True))
    )
    for items in newest_first:  # stop once enough
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
