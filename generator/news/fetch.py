"""Fetch feeds over HTTP, politely and within bounds; every outcome is a record.

The client, its limits and its politeness are generator/http.py's, shared with `cwb links`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import re
import time
from dataclasses import dataclass

import httpx

from generator.http import (
    ACCEPT_ENCODING,
    RATE_LIMITED,
    FailureKind,
    HttpPolicy,
    asked_to_wait,
    describe_failure,
    header_validator,
    open_stream,
    polite_client,
    read_body,
)
from generator.news.model import Feed, FeedState, Status, format_utc, parse_utc

log = logging.getLogger(__name__)

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)


@dataclass(frozen=True)
class FetchOptions(HttpPolicy):
    """The HTTP policy of a news run, and how it rests feeds that keep failing."""

    failure_threshold: int = 3  # consecutive failures before the feed is rested
    backoff_base: dt.timedelta = dt.timedelta(hours=1)
    backoff_cap: dt.timedelta = dt.timedelta(days=7)
    lock_wait: float = 10.0  # seconds to wait for another run to release the archive


@dataclass(frozen=True)
class Fetched:
    """What one HTTP fetch brought back."""

    status: Status
    elapsed: float
    http_status: int | None = None
    body: bytes = b""
    url: str = ""  # the final address, after redirects: the base of relative links
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    retry_after: dt.datetime | None = None
    error: str = ""


_STATUS_OF_FAILURE = {
    FailureKind.TIMEOUT: Status.TIMEOUT,
    FailureKind.TOO_MANY_REDIRECTS: Status.TOO_MANY_REDIRECTS,
    FailureKind.TOO_LARGE: Status.TOO_LARGE,
    FailureKind.REFUSED_ADDRESS: Status.REFUSED_ADDRESS,
    FailureKind.NETWORK: Status.NETWORK_ERROR,
}


def new_client(options: FetchOptions) -> httpx.AsyncClient:
    """Return the shared polite HTTP client, asking for feeds."""
    return polite_client(options, accept=ACCEPT)


def skip_reason(state: FeedState, now: dt.datetime) -> str:
    """Return why the feed must not be fetched now (Retry-After or backoff), or ''."""
    if not state.retry_after:
        return ""
    try:
        until = parse_utc(state.retry_after)
    except ValueError:
        return ""
    if now >= until:
        return ""
    if state.last_status == Status.RATE_LIMITED.value:
        return f"the server asked us to wait until {format_utc(until)}"
    return f"resting until {format_utc(until)} after {state.failures} failures in a row"


async def fetch_feed(
    client: httpx.AsyncClient,
    feed: Feed,
    state: FeedState,
    options: FetchOptions,
    now: dt.datetime,
) -> Fetched:
    """Fetch one feed; never raise: errors, timeouts and oversize bodies become records."""
    start = time.monotonic()
    try:
        return await _get(client, feed, state, options, now, start)
    except Exception as error:  # one broken feed must never end the whole run
        failure = describe_failure(error, options)
        if failure is None:
            log.exception("unexpected error fetching %s", feed.url)
            status, text = Status.NETWORK_ERROR, f"{type(error).__name__}: {error}"
        else:
            status, text = _STATUS_OF_FAILURE[failure.kind], failure.text
        return Fetched(status, time.monotonic() - start, error=text)


async def _get(
    client: httpx.AsyncClient,
    feed: Feed,
    state: FeedState,
    options: FetchOptions,
    now: dt.datetime,
    start: float,
) -> Fetched:
    headers = {"Accept-Encoding": ACCEPT_ENCODING}
    # Checked again here: state.json is text anyone can edit.
    if etag := header_validator(state.etag):
        headers["If-None-Match"] = etag
    if last_modified := header_validator(state.last_modified):
        headers["If-Modified-Since"] = last_modified
    async with open_stream(client, "GET", feed.url, options, headers) as response:
        code = response.status_code
        if code == 304:
            return Fetched(
                Status.NOT_MODIFIED,
                time.monotonic() - start,
                code,
                url=str(response.url),
                etag=state.etag,
                last_modified=state.last_modified,
            )
        said = f"HTTP {code} {response.reason_phrase}".strip()
        if code in RATE_LIMITED:
            return Fetched(
                Status.RATE_LIMITED,
                time.monotonic() - start,
                code,
                retry_after=asked_to_wait(response, now, options),
                error=said,
            )
        if not 200 <= code < 300:
            return Fetched(Status.HTTP_ERROR, time.monotonic() - start, code, error=said)
        body = await read_body(response, options.max_bytes)
        return Fetched(
            Status.OK,
            time.monotonic() - start,
            code,
            body=body,
            url=str(response.url),
            content_type=_content_type(response.headers.get("Content-Type")),
            etag=header_validator(response.headers.get("ETag")),
            last_modified=header_validator(response.headers.get("Last-Modified")),
        )


def _content_type(value: str | None) -> str:
    """Return a Content-Type fit for feedparser: a media type, and a charset it can look up."""
    media_type, _, parameters = (value or "").partition(";")
    media_type = media_type.strip().lower()
    if not re.fullmatch(r"[a-z0-9.+-]{1,64}/[a-z0-9.+-]{1,64}", media_type):
        return ""
    for parameter in parameters.split(";"):
        name, _, charset = parameter.partition("=")
        charset = charset.strip().strip('"').strip()
        if name.strip().lower() == "charset" and _known_charset(charset):
            return f"{media_type}; charset={charset}"
    return media_type


def _known_charset(name: str) -> bool:
    # An unknown or absurd charset is dropped: feedparser then reads the document's own.
    if not re.fullmatch(r"[A-Za-z0-9._:-]{1,40}", name):
        return False
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True
