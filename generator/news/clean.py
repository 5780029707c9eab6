"""Parse fetched feed bytes with feedparser and turn entries into clean, safe NewsItems."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import io
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

import feedparser
import nh3

from generator.news.model import DateSource, Feed, NewsItem, format_utc

log = logging.getLogger(__name__)

SUMMARY_CHARS = 600  # of text, not markup: enough for a teaser, short enough for a list page
TITLE_CHARS = 300
AUTHOR_CHARS = 120
MAX_URL_CHARS = 2000
# A date more than this far ahead is a publisher's clock or typo: it would pin the item on top.
FUTURE_SLACK = dt.timedelta(days=1)
# No web feed was published before the web: an earlier date is a typo or a placeholder
# ("0001-01-01"), and would file the item in a month nobody looks at (issue 17).
EARLIEST = dt.datetime(1991, 1, 1, tzinfo=dt.UTC)

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "em",
    "i",
    "li",
    "ol",
    "p",
    "q",
    "strong",
    "sub",
    "sup",
    "ul",
}  # no img, video or iframe: the site makes no request to third-party hosts
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
LINK_REL = "noopener noreferrer nofollow"
TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "igshid",
}


@dataclass
class ParsedFeed:
    """The clean items of one feed document, and what was odd about it."""

    items: list[NewsItem] = field(default_factory=list)
    not_a_feed: bool = False
    warning: str = ""
    shared_guids: int = 0  # items whose GUID repeats an earlier one's, kept for their own link


def parse_feed(
    body: bytes, *, feed: Feed, base_url: str, content_type: str, fetched_at: dt.datetime
) -> ParsedFeed:
    """Parse a feed document; a malformed one is a warning, an HTML page is 'not a feed'."""
    parsed = feedparser.parse(
        io.BytesIO(body),  # bytes that name a local file would otherwise be opened as one
        response_headers={"content-location": base_url, "content-type": content_type},
        # Relative links in content are resolved by sanitize_html, after its scheme checks.
        resolve_relative_uris=False,
        sanitize_html=True,
    )
    entries: list[Any] = list(parsed.get("entries") or [])
    if not parsed.get("version") and not entries:
        kind = "an HTML page" if "html" in content_type.lower() else "not RSS or Atom"
        return ParsedFeed(not_a_feed=True, warning=f"the address returns {kind}")
    warning = ""
    if parsed.get("bozo"):
        warning = f"not well-formed: {_first_line(parsed.get('bozo_exception'))}"
    items = [
        item
        for entry in entries
        if (item := clean_entry(entry, feed=feed, base_url=base_url, fetched_at=fetched_at))
    ]
    items, shared = separate_shared_guids(items)
    return ParsedFeed(items=items, warning=warning, shared_guids=shared)


def separate_shared_guids(items: list[NewsItem]) -> tuple[list[NewsItem], int]:
    """Give items whose GUID repeats an earlier one's, but with another link, an id of their own.

    A publisher that reuses one GUID for different stories must not lose all but the first; an
    item repeated with the same link is a true duplicate and is dropped later. The new id adds
    the link's digest, so the same item gets the same id on every run.
    """
    links_of: dict[str, set[str | None]] = {}
    kept: list[NewsItem] = []
    shared = 0
    for item in items:
        links = links_of.setdefault(item.id, set())
        if links and item.link not in links:
            digest = hashlib.sha256((item.link or "").encode()).hexdigest()[:16]
            links.add(item.link)
            item = dataclasses.replace(item, id=f"{item.id}#link-{digest}")
            shared += 1
        links.add(item.link)
        kept.append(item)
    return kept, shared


def _first_line(error: object) -> str:
    text = str(error or "unknown problem").strip()
    return text.splitlines()[0][:200] if text else "unknown problem"


def clean_entry(
    entry: Any, *, feed: Feed, base_url: str, fetched_at: dt.datetime
) -> NewsItem | None:
    """Return a safe NewsItem for one feedparser entry, or None when nothing usable is left."""
    entry_base = _detail(entry, "summary_detail").get("base") or base_url
    link = clean_url(str(entry.get("link") or ""), entry_base)
    title = plain_text(str(entry.get("title") or ""), TITLE_CHARS)
    summary = _summary(entry, base_url)
    if not title:
        title = plain_text(summary, 80)
    if not title:
        return None
    published, date_source = _published(entry, fetched_at)
    return NewsItem(
        id=_item_id(entry, feed, link, title, summary),
        title=title,
        link=link,
        summary=summary,
        published=published,
        date_source=date_source,
        source=feed.name,
        source_url=feed.url,
        fetched=format_utc(fetched_at),
        pillars=feed.pillars,
        author=plain_text(str(entry.get("author") or ""), AUTHOR_CHARS) or None,
        language=feed.language,
    )


def _detail(entry: Any, key: str) -> dict[str, Any]:
    detail = entry.get(key)
    return detail if isinstance(detail, dict) else {}


def _summary(entry: Any, base_url: str) -> str:
    detail = _detail(entry, "summary_detail")
    if not detail.get("value"):
        contents = entry.get("content") or []
        detail = contents[0] if contents and isinstance(contents[0], dict) else {}
    value = str(detail.get("value") or "")
    if detail.get("type") == "text/plain":
        # feedparser does not sanitise what it believes is plain text: it must not become markup.
        value = html.escape(value)
    return summarise(value, base=str(detail.get("base") or base_url))


def _published(entry: Any, fetched_at: dt.datetime) -> tuple[str, DateSource]:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: feedparser's own get() maps a missing published date to the updated one,
        # with a DeprecationWarning; the order here says the same without the warning.
        parsed = dict.get(entry, key)
        if isinstance(parsed, time.struct_time):
            moment = plausible_date(parsed, fetched_at)
            if moment is not None:
                return format_utc(moment), "feed"
            break
    return format_utc(fetched_at), "fetch"


def plausible_date(parsed: time.struct_time, fetched_at: dt.datetime) -> dt.datetime | None:
    """Return feedparser's UTC date as a moment, or None outside 1991 to a day after fetching."""
    try:
        year, month, day, hour, minute, second = parsed[:6]
        moment = dt.datetime(year, month, day, hour, minute, min(second, 59), tzinfo=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return moment if EARLIEST <= moment <= fetched_at + FUTURE_SLACK else None


def _item_id(entry: Any, feed: Feed, link: str | None, title: str, summary: str) -> str:
    guid = " ".join(str(entry.get("id") or "").split())[:MAX_URL_CHARS]
    if guid:
        # A bare guid such as "123" is unique only within its feed.
        return guid if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S", guid) else f"{feed.url}#{guid}"
    if link:
        return link
    digest = hashlib.sha256("\n".join((feed.url, title, summary)).encode()).hexdigest()
    return f"sha256:{digest[:32]}"


# --- text, HTML and URLs ------------------------------------------------------------------------


def plain_text(fragment: str, limit: int) -> str:
    """Return a fragment as plain text: no tags, entities decoded, spaces collapsed."""
    text = html.unescape(nh3.clean(fragment, tags=set(), attributes={}))
    return shorten(" ".join(text.split()), limit)


def shorten(text: str, limit: int) -> str:
    """Cut text to at most limit characters on a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-—") + "…"


def sanitize_html(fragment: str, *, base: str = "") -> str:
    """Keep only allow-listed tags and attributes; make links absolute http(s) without trackers."""

    def filter_attribute(element: str, attribute: str, value: str) -> str | None:
        if attribute == "href":
            return clean_url(value, base)
        return value

    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=filter_attribute,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
        strip_comments=True,
    )
    if "<a" in cleaned:
        cleaned = _unwrap_dead_links(cleaned)
    return " ".join(cleaned.split())


def _unwrap_dead_links(cleaned: str) -> str:
    """Replace each <a> left without an href (its URL was refused) by its text and markup."""
    unwrapper = _DeadLinkUnwrapper()
    unwrapper.feed(cleaned)
    unwrapper.close()
    return "".join(unwrapper.out)


class _DeadLinkUnwrapper(HTMLParser):
    """Copy ammonia's output as it is, leaving out the tags of links that lost their href.

    The sanitiser drops a javascript: or other refused URL but keeps the <a>, with its rel:
    a link that goes nowhere. Ammonia's output is well-formed and links do not nest, so each
    </a> closes the innermost open <a>.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)  # copy text and entities exactly as escaped
        self.out: list[str] = []
        self.open_links: list[bool] = []  # for each open <a>: whether its tags are kept

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            kept = any(name == "href" and value for name, value in attrs)
            self.open_links.append(kept)
            if not kept:
                return
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.open_links and not self.open_links.pop():
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")


def summarise(fragment: str, *, base: str = "", limit: int = SUMMARY_CHARS) -> str:
    """Sanitise an HTML fragment and shorten its text, keeping the markup well-formed."""
    cleaned = sanitize_html(fragment, base=base)
    if not plain_text(cleaned, limit + 1):
        return ""
    truncator = _Truncator(limit)
    truncator.feed(cleaned)
    truncator.close()
    if not truncator.cut:
        return cleaned
    # ammonia re-parses the cut fragment and closes whatever the cut left open.
    return sanitize_html("".join(truncator.out), base=base)


class _Truncator(HTMLParser):
    """Copy sanitised HTML until limit characters of text, cutting on a word boundary."""

    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self.limit = limit
        self.count = 0
        self.out: list[str] = []
        self.last_text: int | None = None  # where the last text went, to trim before "…"
        self.cut = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.cut:
            self.out.append(_start_tag(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.cut:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.cut:
            return
        if self.count + len(data) <= self.limit:
            self.count += len(data)
            self.last_text = len(self.out)
            self.out.append(html.escape(data, quote=False))
            return
        room = max(self.limit - self.count, 0)
        kept = data[:room]
        if not data[room : room + 1].isspace():
            # Never end on half a word: drop back to the last space (or keep nothing of it).
            kept = kept.rsplit(" ", 1)[0] if " " in kept else ("" if self.count else kept)
        kept = kept.rstrip(" ,;:.-—")
        if not kept and self.last_text is not None:
            self.out[self.last_text] = self.out[self.last_text].rstrip(" ,;:.-—")
        self.out.append(html.escape(kept + "…", quote=False))
        self.cut = True


def _start_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    rendered = "".join(f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs)
    return f"<{tag}{rendered}>"


def clean_url(value: str, base: str = "") -> str | None:
    """Return value as an absolute http(s) URL without tracking parameters, or None."""
    value = value.strip()
    if not value or len(value) > MAX_URL_CHARS:
        return None
    try:
        parts = urlsplit(urljoin(base, value) if base else value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, query, parts.fragment))


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.split("=", 1)[0]).lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


# --- duplicates ---------------------------------------------------------------------------------


class SeenItems:
    """Remembers items by id, by link and by title and day, to spot duplicates across feeds.

    Only an 8-byte digest of each key is kept: a run remembers the whole archive's keys, and
    100,000 items' keys cost a few MB this way instead of the items themselves.
    """

    def __init__(self, items: Iterable[NewsItem] = ()) -> None:
        self.keys: set[bytes] = set()
        for item in items:
            self.add(item)

    @staticmethod
    def _keys(item: NewsItem) -> list[bytes]:
        keys = [f"id\n{item.id}"]
        if item.link:
            keys.append(f"link\n{item.link}")
        keys.append(f"title\n{item.title.casefold()}|{item.published[:10]}")
        return [hashlib.blake2b(key.encode(), digest_size=8).digest() for key in keys]

    def __contains__(self, item: NewsItem) -> bool:
        return any(key in self.keys for key in self._keys(item))

    def add(self, item: NewsItem) -> None:
        """Remember an item."""
        self.keys.update(self._keys(item))


def drop_duplicates(items: Iterable[NewsItem], seen: SeenItems) -> list[NewsItem]:
    """Return the items not seen before (first one wins), remembering them in seen."""
    fresh: list[NewsItem] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            fresh.append(item)
    return fresh
