"""One polite HTTP client for everything that leaves this machine: news feeds and link checks.

One policy, so that the two callers cannot drift apart: who we say we are (User-Agent), how
long we wait (a connect timeout and a total deadline per request), how much we read (a size
cap after decompression), how many redirects we follow, how hard we press on one host, and
how we honour 429 / 503 with Retry-After. Only the commands that use the network import this
module (and httpx with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import enum
import ipaddress
import re
import socket
import ssl
import urllib.parse
import zlib
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass

import anyio
import httpcore
import httpx

from generator import PROJECT_URL, __version__

USER_AGENT = f"cwb-knowledge-base/{__version__} (+{PROJECT_URL})"
# The answers that mean "not now, come back later"; Retry-After says when.
RATE_LIMITED = frozenset({429, 503})


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts, limits and politeness, shared by every request a command makes."""

    connect_timeout: float = 5.0
    total_timeout: float = 20.0  # per request, from the first byte sent to the last byte read
    max_bytes: int = 5 * 1024 * 1024  # of a body, after decompression
    max_redirects: int = 5
    concurrency: int = 20  # requests in flight at once
    per_host: int | None = None  # requests in flight per host (None: only `concurrency`)
    user_agent: str = USER_AGENT
    retry_after_cap: dt.timedelta = dt.timedelta(days=7)  # never believe a longer wait
    # Within one run: how long to wait for a host that asked us to (longer: skip its requests).
    max_wait: float = 0.0
    # Loopback, private, link-local … addresses are refused unless a local lab or a test says
    # so: a scheduled run must never reach a cloud metadata endpoint or an internal service.
    allow_private_addresses: bool = False
    # Single addresses allowed all the same (a lab's one internal feed; the redirect tests).
    allowed_addresses: frozenset[str] = frozenset()


class TooLarge(Exception):
    """The body grew past the size cap."""


class BadEncoding(Exception):
    """The body's Content-Encoding is unknown or its bytes do not decode."""


def polite_client(policy: HttpPolicy, *, accept: str) -> httpx.AsyncClient:
    """Return an HTTP client with the policy's timeouts, redirect limit and identity."""
    timeout = httpx.Timeout(
        connect=min(policy.connect_timeout, policy.total_timeout),
        read=policy.total_timeout,
        write=policy.total_timeout,
        pool=policy.total_timeout,
    )
    limits = httpx.Limits(max_connections=policy.concurrency)
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=policy.max_redirects,
        limits=limits,
        headers={"User-Agent": policy.user_agent, "Accept": accept},
        trust_env=False,  # a proxy from the environment must not reroute a scheduled run
        transport=None
        if policy.allow_private_addresses
        else GuardedTransport(limits=limits, allowed=policy.allowed_addresses),
    )


@contextlib.asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    policy: HttpPolicy,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[httpx.Response]:
    """Open a streamed request that must finish, body included, within the total timeout."""
    # httpx's timeouts are per read: a server trickling bytes would never trip them alone.
    async with (
        asyncio.timeout(policy.total_timeout),
        client.stream(method, url, headers=headers) as response,
    ):
        yield response


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """Read the body, decompressing it here so that its decoded size stays bounded."""
    declared = header_number(response.headers.get("Content-Length"))
    if declared is not None and declared > limit:
        raise TooLarge
    decoder = Decoder(response.headers.get("Content-Encoding", ""), limit)
    async for chunk in response.aiter_raw():
        decoder.feed(chunk)
    return decoder.finish()


# What callers send as Accept-Encoding: only what Decoder can bound.
ACCEPT_ENCODING = "gzip, deflate"


class Decoder:
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
            raise BadEncoding(f"unsupported Content-Encoding '{encoding}'")
        self.raw_deflate_tried = False

    def feed(self, data: bytes) -> None:
        """Take the next raw chunk; raise TooLarge once the decoded size passes the limit."""
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
            raise BadEncoding(f"the {self.encoding} body does not decode: {error}") from error

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
            raise TooLarge
        if data:
            self.parts.append(data)

    def finish(self) -> bytes:
        """Return the decoded body."""
        if self.inflater is not None:
            self._keep(self.inflater.flush())
        return b"".join(self.parts)


# --- 429 / Retry-After --------------------------------------------------------------------------


# Header values are a server's text: parse each one here, never let one raise elsewhere.
_DIGITS = re.compile(r"[0-9]{1,30}")  # ASCII only: str.isdigit() also takes '²' and '٣'
# What a validator (ETag, Last-Modified) may hold to be sent back: visible ASCII and spaces.
_VALIDATOR = re.compile(r"[\x20-\x7e]{1,512}")


def header_number(value: str | None) -> int | None:
    """Return a header's non-negative whole number (Content-Length), or None if it is not one."""
    value = (value or "").strip()
    return int(value) if _DIGITS.fullmatch(value) else None


def header_validator(value: str | None) -> str | None:
    """Return an ETag or Last-Modified value fit to send back, or None (then it is not kept)."""
    value = (value or "").strip()
    return value if _VALIDATOR.fullmatch(value) else None


def retry_after(value: str | None, now: dt.datetime, cap: dt.timedelta) -> dt.datetime | None:
    """Parse a Retry-After header (seconds or an HTTP date) into a moment, capped."""
    value = (value or "").strip()
    if not value:
        return None
    if _DIGITS.fullmatch(value):
        # Capped before it becomes a timedelta: 10**20 seconds would overflow it.
        return now + dt.timedelta(seconds=min(int(value), cap.total_seconds()))
    if len(value) > 64:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return min(max(moment, now), now + cap)


def asked_to_wait(
    response: httpx.Response, now: dt.datetime, policy: HttpPolicy
) -> dt.datetime | None:
    """Return until when a 429 or 503 answer asks us to stay away (None: it does not say)."""
    if response.status_code not in RATE_LIMITED:
        return None
    return retry_after(response.headers.get("Retry-After"), now, policy.retry_after_cap)


def host_of(url: str) -> str:
    """Return the host (and port) a URL is served from: the unit of politeness."""
    return urllib.parse.urlsplit(url).netloc.lower()


class HostGate:
    """Bound the requests in flight per host, and keep away from hosts that asked us to wait."""

    def __init__(self, policy: HttpPolicy) -> None:
        self.policy = policy
        self._all = asyncio.Semaphore(policy.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(policy.per_host or policy.concurrency)
        )
        self._paused: dict[str, dt.datetime] = {}

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold one of the host's request slots (and one of the run's)."""
        async with self._hosts[host_of(url)], self._all:
            yield

    def pause(self, url: str, until: dt.datetime) -> None:
        """Remember that the URL's host asked us to wait until a moment."""
        host = host_of(url)
        self._paused[host] = max(until, self._paused.get(host, until))

    async def wait_turn(self, url: str, now: dt.datetime) -> dt.datetime | None:
        """Wait out a short pause of the URL's host; return the moment of a longer one."""
        until = self._paused.get(host_of(url))
        if until is None:
            return None
        seconds = (until - now).total_seconds()
        if seconds <= 0:
            return None
        if seconds > self.policy.max_wait:
            return until
        await asyncio.sleep(seconds)
        return None


# --- failures in words ------------------------------------------------------------------------


class FailureKind(enum.Enum):
    """How a request failed without an HTTP answer (or with an unreadable one)."""

    TIMEOUT = "timeout"
    TOO_MANY_REDIRECTS = "too many redirects"
    TOO_LARGE = "too large"
    REFUSED_ADDRESS = "refused address"
    NETWORK = "network"


@dataclass(frozen=True)
class Failure:
    """A request that failed: its kind, and what happened in words a person can act on."""

    kind: FailureKind
    text: str


def describe_failure(error: BaseException, policy: HttpPolicy) -> Failure | None:
    """Return what a request's exception means; None when it is not a network failure."""
    if isinstance(error, TimeoutError | httpx.TimeoutException):
        return Failure(FailureKind.TIMEOUT, f"no answer within {policy.total_timeout:g} s")
    if isinstance(error, httpx.TooManyRedirects):
        return Failure(
            FailureKind.TOO_MANY_REDIRECTS,
            f"more than {policy.max_redirects} redirects (a redirect loop?)",
        )
    if isinstance(error, TooLarge):
        return Failure(
            FailureKind.TOO_LARGE, f"larger than the {policy.max_bytes // 1024} KB limit"
        )
    if isinstance(error, BadEncoding):
        return Failure(FailureKind.NETWORK, str(error))
    if isinstance(error, RefusedAddress):
        return Failure(FailureKind.REFUSED_ADDRESS, str(error))
    if isinstance(error, httpx.ConnectError):
        return Failure(FailureKind.NETWORK, _connect_failure(error))
    if isinstance(error, httpx.TransportError | httpx.InvalidURL | httpx.HTTPError):
        return Failure(FailureKind.NETWORK, f"the connection failed: {_reason(error)}")
    return None


def _connect_failure(error: Exception) -> str:
    # httpx wraps the socket's error (and anyio wraps it once more): name the root cause.
    for cause in _causes(error):
        if isinstance(cause, socket.gaierror):
            return f"the site's name does not resolve (DNS): {cause.strerror or cause}"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"the site's security certificate is not valid: {cause.verify_message}"
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused"
    return f"could not connect: {_reason(error)}"


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__


def _reason(error: BaseException) -> str:
    return str(error) or type(error).__name__


# --- loopback, private and other non-public addresses -----------------------------------------


class RefusedAddress(Exception):
    """A host resolves only to addresses that the policy refuses (loopback, private …)."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        shown = host if host == address else f"{host} resolves to {address}"
        super().__init__(
            f"refused: {shown}, a {kind} address (set allow_private_addresses: true in "
            "feeds.yaml only for local tests)"
        )


# A public address can carry an IPv4 address inside it: judge the one it leads to.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")


def address_kind(text: str) -> str:
    """Return why an IP address must not be reached ('loopback', 'private' …), or '' if public."""
    address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
        text.split("%", 1)[0]  # an IPv6 zone (fe80::1%eth0) is link-local anyway
    )
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return address_kind(str(embedded))
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unique-local", address in _UNIQUE_LOCAL),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        # Shared (100.64/10), documentation and benchmark ranges are not private, not global.
        ("non-public", not address.is_global),
    )
    return next((kind for kind, hit in checks if hit), "")


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve a host, refuse non-public addresses, and connect to the address checked.

    Connecting to the very address that was checked leaves no gap for DNS rebinding (a name
    that answers a public address to the check and 127.0.0.1 to the connect). Every
    connection comes through here, so every redirect hop is checked too. TLS still verifies
    the certificate against the host name: httpcore passes it to start_tls separately.
    """

    def __init__(self, allowed: frozenset[str] = frozenset()) -> None:
        self._backend = httpcore.AnyIOBackend()
        self._allowed = allowed

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first public address of host."""
        try:
            with anyio.fail_after(timeout):
                found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(str(error)) from error
        except OSError as error:  # socket.gaierror: the name does not resolve
            raise httpcore.ConnectError(str(error)) from error
        addresses = [str(entry[4][0]) for entry in found]
        verdicts = [
            (address, "" if address in self._allowed else address_kind(address))
            for address in addresses
        ]
        public = [address for address, kind in verdicts if not kind]
        if not public:
            if not verdicts:
                raise httpcore.ConnectError(f"{host} resolves to no address")
            raise RefusedAddress(host, *verdicts[0])
        failure = httpcore.ConnectError(f"could not connect to {host}")
        for address in public:  # as the default backend does: the next address if one fails
            try:
                return await self._backend.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                failure = error
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse: a feed or a link never names a local socket."""
        raise RefusedAddress(path, path, "local socket")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the default backend does."""
        await self._backend.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, its connection pool connecting through GuardedBackend."""

    def __init__(self, *, limits: httpx.Limits, allowed: frozenset[str] = frozenset()) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx takes no network backend of its own: give its pool one (httpcore's public API).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allowed),
        )
