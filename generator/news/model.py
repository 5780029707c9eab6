"""Typed records of the news aggregator: feeds, items, per-feed state and outcomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

DateSource = Literal["feed", "fetch"]

# What one feed may add per run and hold per month, unless feeds.yaml says otherwise. Planet
# takes a fixed number of items from a new feed; FreshRSS keeps at most so many articles per
# feed; Miniflux cleans up by age. Our archive is permanent and public, so it bounds growth at
# the door instead: a blog's feed carries about 10 items, a busy publisher writes a few a day.
MAX_NEW_ITEMS_PER_RUN = 100
MAX_ITEMS_PER_MONTH = 300


@dataclass(frozen=True)
class Feed:
    """One entry of feeds.yaml."""

    name: str
    url: str
    homepage: str
    verified: bool
    pillars: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    language: str = "en"
    note: str = ""
    max_new_items_per_run: int = MAX_NEW_ITEMS_PER_RUN
    max_items_per_month: int = MAX_ITEMS_PER_MONTH


@dataclass(frozen=True)
class NewsItem:
    """One archived news item; every text field is already sanitised."""

    id: str
    title: str
    link: str | None
    summary: str  # sanitised HTML fragment, may be empty
    published: str  # UTC, ISO 8601 with a trailing Z
    date_source: DateSource  # "fetch" when the feed gave no date and the fetch time stands in
    source: str  # the feed's name
    source_url: str  # the feed's address: it identifies the feed across renames
    fetched: str
    pillars: tuple[str, ...] = ()
    author: str | None = None
    language: str = "en"

    @property
    def month(self) -> str:
        """Return the month of publication as YYYY-MM."""
        return self.published[:7]

    def to_json(self) -> dict[str, Any]:
        """Return the item as JSON-ready data for the archive."""
        return {
            "id": self.id,
            "title": self.title,
            "link": self.link,
            "summary": self.summary,
            "published": self.published,
            "date_source": self.date_source,
            "source": self.source,
            "source_url": self.source_url,
            "fetched": self.fetched,
            "pillars": list(self.pillars),
            "author": self.author,
            "language": self.language,
        }

    @classmethod
    def from_json(cls, data: Any) -> NewsItem:
        """Build an item from archive data; raise ValueError when it is malformed."""
        if not isinstance(data, dict):
            raise ValueError("an archived item must be an object")
        try:
            item = cls(
                id=_text(data, "id"),
                title=_text(data, "title"),
                link=_optional_text(data, "link"),
                summary=_text(data, "summary"),
                published=format_utc(parse_utc(_text(data, "published"))),
                date_source="fetch" if data.get("date_source") == "fetch" else "feed",
                source=_text(data, "source"),
                source_url=_text(data, "source_url"),
                fetched=_text(data, "fetched"),
                pillars=tuple(str(slug) for slug in data.get("pillars") or ()),
                author=_optional_text(data, "author"),
                language=str(data.get("language") or "en"),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"malformed archived item: {error}") from error
        return item


def _text(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} must be text")
    return value


def _optional_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


@dataclass
class FeedState:
    """What the archive remembers about one feed between runs."""

    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0  # consecutive failed runs
    retry_after: str | None = None  # skip the feed until this UTC time (Retry-After or backoff)
    last_status: str | None = None
    last_success: str | None = None
    last_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON-ready data."""
        return {
            "etag": self.etag,
            "last_modified": self.last_modified,
            "failures": self.failures,
            "retry_after": self.retry_after,
            "last_status": self.last_status,
            "last_success": self.last_success,
            "last_error": self.last_error,
        }

    @classmethod
    def from_json(cls, data: Any) -> FeedState:
        """Build a state from stored data, ignoring anything malformed."""
        if not isinstance(data, dict):
            return cls()
        failures = data.get("failures")
        return cls(
            etag=_optional_text(data, "etag"),
            last_modified=_optional_text(data, "last_modified"),
            failures=failures if isinstance(failures, int) and failures >= 0 else 0,
            retry_after=_optional_text(data, "retry_after"),
            last_status=_optional_text(data, "last_status"),
            last_success=_optional_text(data, "last_success"),
            last_error=_optional_text(data, "last_error"),
        )


class Status(StrEnum):
    """How fetching one feed ended."""

    OK = "ok"
    NOT_MODIFIED = "not modified"
    SKIPPED = "skipped"
    RATE_LIMITED = "rate limited"
    HTTP_ERROR = "http error"
    TIMEOUT = "timeout"
    TOO_LARGE = "too large"
    TOO_MANY_REDIRECTS = "too many redirects"
    NETWORK_ERROR = "network error"
    NOT_A_FEED = "not a feed"
    REFUSED_ADDRESS = "refused address"

    @property
    def failed(self) -> bool:
        """Return whether this outcome counts as a failure of the feed."""
        return self not in (Status.OK, Status.NOT_MODIFIED, Status.SKIPPED)


@dataclass
class FeedResult:
    """The outcome of one feed in one run."""

    feed: Feed
    status: Status
    elapsed: float = 0.0
    http_status: int | None = None
    error: str = ""
    warning: str = ""  # e.g. the feed parsed, but was not well-formed XML
    items: list[NewsItem] = field(default_factory=list)  # parsed, cleaned and filtered
    new_items: int = 0
    capped_run: int = 0  # new items left out: past the feed's limit per run
    capped_month: int = 0  # new items left out: their month already holds the feed's limit
    shared_guids: int = 0  # items kept although their GUID repeats an earlier item's (new link)


def format_utc(moment: dt.datetime) -> str:
    """Return an aware datetime as UTC ISO 8601 with a Z, to the second."""
    # Not strftime: its %Y does not zero-pad years before 1000 (999-01-… names no month file).
    return moment.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def parse_utc(text: str) -> dt.datetime:
    """Parse ISO 8601 text; naive times are taken as UTC."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
