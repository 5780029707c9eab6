"""The news aggregator: fetch the movement's feeds into a durable archive, render its pages."""

from __future__ import annotations

from generator.news.fetch import FetchOptions
from generator.news.model import Feed, FeedResult, NewsItem, Status
from generator.news.pages import latest_items, news_pages
from generator.news.report import NewsReport
from generator.news.run import run_news

__all__ = [
    "Feed",
    "FeedResult",
    "FetchOptions",
    "NewsItem",
    "NewsReport",
    "Status",
    "latest_items",
    "news_pages",
    "run_news",
]
