"""Fetch feeds over HTTP, politely and within bounds; every outcome is a record."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import time
import zlib
from dataclasses import dataclass

import httpx

from generator import __version__
from generator.news.model import Feed, FeedState, Status, format_utc, parse_utc

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/community-wealth-building/knowledge-base"
USER_AGENT = f"cwb-knowledge-base/{__version__} (+{PROJECT_URL})"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)


@dataclass(frozen=True)
class FetchOptions:
    """Limits and politeness settings of one run."""

    connect_timeout: float = 5.0
    total_timeout: float = 20.0  # per feed, from the first byte sent to the last byte read
    max_bytes: int = 5 * 1024 * 1024  # after decompression
    max_redirects: int = 5
    concurrency: int = 20
    user_agent: str = USER_AGENT
    failure_threshold: int = 3  # consecutive failures before the feed is rested
    backoff_base: dt.timedelta = dt.timedelta(hours=1)
    backoff_cap: dt.timedelta = dt.timedelta(days=7)
    retry_after_cap: dt.timedelta = dt.timedelta(days=7)
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


class _TooLarge(Exception):
    """The body grew past the cap."""


class _BadEncoding(Exception):
    """The body's Content-Encoding is unknown or its bytes do not decode."""


def new_client(options: FetchOptions) -> httpx.AsyncClient:
    """Return an HTTP client with the run's timeouts, redirect limit and identity."""
    timeout = httpx.Timeout(
        connect=options.connect_timeout,
        read=options.total_timeout,
        write=options.total_timeout,
        pool=options.total_timeout,
    )
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=options.max_redirects,
        limits=httpx.Limits(max_connections=options.concurrency),
        headers={"User-Agent": options.user_agent, "Accept": ACCEPT},
        trust_env=False,  # a proxy from the environment must not reroute a scheduled run
    )


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

    def failed(status: Status, error: str, http_status: int | None = None) -> Fetched:
        return Fetched(status, time.monotonic() - start, http_status, error=error)

    try:
        # The client's read timeout is per read: a server trickling bytes would never trip it.
        async with asyncio.timeout(options.total_timeout):
            return await _get(client, feed, state, options, now, start)
    except TimeoutError:
        return failed(Status.TIMEOUT, f"no complete answer within {options.total_timeout:g} s")
    except httpx.TimeoutException as error:
        return failed(Status.TIMEOUT, f"{type(error).__name__}: timed out")
    except httpx.TooManyRedirects:
        return failed(
            Status.TOO_MANY_REDIRECTS,
            f"more than {options.max_redirects} redirects (a redirect loop?)",
        )
    except _TooLarge:
        return failed(Status.TOO_LARGE, f"the feed is larger than {options.max_bytes // 1024} KB")
    except _BadEncoding as error:
        return failed(Status.NETWORK_ERROR, str(error))
    except httpx.HTTPError as error:
        return failed(Status.NETWORK_ERROR, f"{type(error).__name__}: {error}".rstrip(": "))
    except Exception as error:  # one broken feed must never end the whole run
        log.exception("unexpected error fetching %s", feed.url)
        return failed(Status.NETWORK_ERROR, f"{type(error).__name__}: {error}")


async def _get(
    client: httpx.AsyncClient,
    feed: Feed,
    state: FeedState,
    options: FetchOptions,
    now: dt.datetime,
    start: float,
) -> Fetched:
    headers = {"Accept-Encoding": "gzip, deflate"}  # only what _Decoder can bound
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    async with client.stream("GET", feed.url, headers=headers) as response:
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
        if code in (429, 503):
            return Fetched(
                Status.RATE_LIMITED,
                time.monotonic() - start,
                code,
                retry_after=retry_after(
                    response.headers.get("Retry-After"), now, options.retry_after_cap
                ),
                error=f"HTTP {code} {response.reason_phrase}".strip(),
            )
        if not 200 <= code < 300:
            return Fetched(
                Status.HTTP_ERROR,
                time.monotonic() - start,
                code,
                error=f"HTTP {code} {response.reason_phrase}".strip(),
            )
        body = await _read_body(response, options.max_bytes)
        return Fetched(
            Status.OK,
            time.monotonic() - start,
            code,
            body=body,
            url=str(response.url),
            content_type=response.headers.get("Content-Type", ""),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


async def _read_body(response: httpx.Response, limit: int) -> bytes:
    """Read the body, decompressing it ourselves so that its decoded size stays bounded."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    decoder = _Decoder(response.headers.get("Content-Encoding", ""), limit)
    async for chunk in response.aiter_raw():
        decoder.feed(chunk)
    return decoder.finish()


class _Decoder:
    """Decode gzip or deflate incrementally, never producing more than limit bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.encoding = encoding.strip().lower()
        self.inflater: zlib._Decompress | None
        if self.encoding in ("", "identity"):
            self.inflater = None
        elif self.encoding in ("gzip", "x-gzip"):
            self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self.inflater = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise _BadEncoding(f"unsupported Content-Encoding '{encoding}'")
        self.raw_deflate_tried = False

    def feed(self, data: bytes) -> None:
        """Take the next raw chunk; raise _TooLarge once the decoded size passes the limit."""
        if self.inflater is None:
            self._keep(data)
            return
        try:
            # max_length bounds each step's output: a small gzip bomb cannot balloon here.
            self._keep(self.inflater.decompress(data, self.limit - self.size + 1))
            while self.inflater.unconsumed_tail:
                tail = self.inflater.unconsumed_tail
                self._keep(self.inflater.decompress(tail, self.limit - self.size + 1))
        except zlib.error as error:
            if self._retry_as_raw_deflate(data):
                return
            raise _BadEncoding(f"the {self.encoding} body does not decode: {error}") from error

    def _retry_as_raw_deflate(self, data: bytes) -> bool:
        # Some servers send "deflate" without the zlib header (raw RFC 1951 data).
        if self.encoding != "deflate" or self.raw_deflate_tried or self.size:
            return False
        self.raw_deflate_tried = True
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self.feed(data)
        return True

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        if data:
            self.parts.append(data)

    def finish(self) -> bytes:
        """Return the decoded body."""
        if self.inflater is not None:
            self._keep(self.inflater.flush())
        return b"".join(self.parts)


def retry_after(value: str | None, now: dt.datetime, cap: dt.timedelta) -> dt.datetime | None:
    """Parse a Retry-After header (seconds or an HTTP date) into a moment, capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        moment = now + dt.timedelta(seconds=int(value))
    else:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
    return min(max(moment, now), now + cap)
