"""The news pipeline: feeds.yaml → fetch → parse and clean → tag → merge into the archive."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import httpx

from generator.http import HostGate
from generator.news import archive
from generator.news.clean import SeenItems, drop_duplicates, parse_feed
from generator.news.feeds import load_feeds
from generator.news.fetch import Fetched, FetchOptions, fetch_feed, new_client, skip_reason
from generator.news.model import Feed, FeedResult, FeedState, NewsItem, Status, format_utc
from generator.news.report import NewsReport, progress_line
from generator.news.tagging import Tagger, tag_items

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

OFFLINE = "No feed could be reached — is this machine offline?"
# Failures that mean no answer came back at all (as opposed to an answer we did not like).
_UNREACHED = frozenset({Status.NETWORK_ERROR, Status.TIMEOUT})


def run_news(
    feeds_file: Path,
    news_dir: Path,
    *,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    options: FetchOptions | None = None,
) -> NewsReport:
    """Fetch every feed and merge new items into the archive; report, never raise.

    Ctrl+C (KeyboardInterrupt) passes through, and leaves the archive as it was: nothing is
    written until every feed has been fetched, and once writing has begun it finishes first.
    """
    started = time.monotonic()
    options = options or FetchOptions()
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    registry = load_feeds(feeds_file)
    if not registry.ok:
        return NewsReport(problems=registry.problems, error=f"{feeds_file} has problems")
    # The feeds file alone decides: tests and local labs say so there, in plain sight.
    options = dataclasses.replace(options, allow_private_addresses=registry.allow_private_addresses)
    try:
        with archive.locked(news_dir, options.lock_wait):
            results = _run_locked(registry.feeds, news_dir, progress, now, options)
    except _Offline as offline:
        return NewsReport(
            results=offline.results, error=OFFLINE, elapsed=time.monotonic() - started
        )
    except archive.ArchiveError as error:
        return NewsReport(error=str(error), elapsed=time.monotonic() - started)
    except OSError as error:
        return NewsReport(
            error=f"cannot write the news archive: {error}", elapsed=time.monotonic() - started
        )
    return NewsReport(results=results, elapsed=time.monotonic() - started)


def _run_locked(
    feeds: list[Feed],
    news_dir: Path,
    progress: Progress | None,
    now: dt.datetime,
    options: FetchOptions,
) -> list[FeedResult]:
    # Read the archive first: a broken archive file stops the run before any request is made.
    # Only what deciding needs is kept (key digests, counts), one month in memory at a time.
    seen = SeenItems()
    held: Counter[tuple[str, str]] = Counter()  # (month, feed address) → items archived
    for month, items in archive.iter_months(news_dir):
        for item in items:
            seen.add(item)
            held[month, item.source_url] += 1
    states = archive.load_state(news_dir)
    outcomes = asyncio.run(_fetch_all(feeds, states, seen, now, options, progress))
    if _unreached(result for result, _ in outcomes):
        # Offline, most likely: counting this against every feed would rest them all.
        raise _Offline([result for result, _ in outcomes])
    fresh: list[NewsItem] = []
    for result, _ in outcomes:  # feeds.yaml order: the feed listed first keeps a duplicate
        kept = apply_caps(result, drop_duplicates(result.items, seen), held)
        result.new_items = len(kept)
        fresh.extend(kept)
    with _interrupt_deferred():
        archive.add_items(news_dir, fresh)
        # Feeds no longer listed lose their state; their archived items stay.
        archive.save_state(news_dir, {result.feed.url: state for result, state in outcomes})
    return [result for result, _ in outcomes]


def newest_in_order(items: list[NewsItem], limit: int) -> list[NewsItem]:
    """Return the newest limit items, in the feed's order (its first of two duplicates wins)."""
    if len(items) <= limit:
        return items
    newest = {id(item) for item in archive.sort_items(items)[:limit]}
    return [item for item in items if id(item) in newest]


def apply_caps(
    result: FeedResult, items: list[NewsItem], held: Counter[tuple[str, str]]
) -> list[NewsItem]:
    """Keep a feed's newest new items within its limits per run and per month; count the rest."""
    feed = result.feed
    kept: list[NewsItem] = []
    for item in archive.sort_items(items):
        if held[item.month, feed.url] >= feed.max_items_per_month:
            result.capped_month += 1
        elif len(kept) >= feed.max_new_items_per_run:
            result.capped_run += 1
        else:
            held[item.month, feed.url] += 1
            kept.append(item)
    return kept


class _Offline(Exception):
    """No feed that was tried answered at all."""

    def __init__(self, results: list[FeedResult]) -> None:
        super().__init__(OFFLINE)
        self.results = results


def _unreached(results: Iterable[FeedResult]) -> bool:
    """Return whether feeds were tried and not one of them answered."""
    tried = [result for result in results if result.status is not Status.SKIPPED]
    return bool(tried) and all(result.status in _UNREACHED for result in tried)


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Let Ctrl+C wait until the block is done: the archive's files change together or not."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        log.info("Ctrl+C came while the archive was being written: the run finished first.")


@dataclasses.dataclass
class _Shared:
    """What every feed's processing in one run shares."""

    client: httpx.AsyncClient
    gate: HostGate
    tagger: Tagger
    archived: SeenItems  # the archive's items, as key digests
    # One feed document is parsed at a time: feedparser holds a whole document's entries, and
    # ten large feeds parsed at once would hold ten (threads do not parse faster: the GIL).
    parsing: asyncio.Semaphore


async def _fetch_all(
    feeds: list[Feed],
    states: dict[str, FeedState],
    archived: SeenItems,
    now: dt.datetime,
    options: FetchOptions,
    progress: Progress | None,
) -> list[tuple[FeedResult, FeedState]]:
    async with new_client(options) as client:
        shared = _Shared(client, HostGate(options), Tagger(), archived, asyncio.Semaphore(1))

        async def one(feed: Feed) -> tuple[FeedResult, FeedState]:
            outcome = await _process(shared, feed, states.get(feed.url, FeedState()), now, options)
            if progress is not None:
                progress(progress_line(outcome[0]))
            return outcome

        return list(await asyncio.gather(*(one(feed) for feed in feeds)))


async def _process(
    shared: _Shared, feed: Feed, state: FeedState, now: dt.datetime, options: FetchOptions
) -> tuple[FeedResult, FeedState]:
    """Fetch, parse, clean and tag one feed; return its result and its next state.

    Of the items not archived yet, only the newest max_new_items_per_run are kept: a feed of
    100,000 items costs the run the memory of its cap, not of its size.
    """
    gate = shared.gate
    reason = skip_reason(state, now)
    if reason:
        return FeedResult(feed, Status.SKIPPED, error=reason), state
    async with gate.slot(feed.url):
        until = await gate.wait_turn(feed.url, now)
        if until is not None:  # another feed on this host was just told to wait
            reason = f"the server asked us to wait until {format_utc(until)}"
            return FeedResult(feed, Status.SKIPPED, error=reason), state
        fetched = await fetch_feed(shared.client, feed, state, options, now)
    if fetched.retry_after is not None:
        gate.pause(feed.url, fetched.retry_after)
    result = FeedResult(feed, fetched.status, fetched.elapsed, fetched.http_status, fetched.error)
    if fetched.status is Status.OK:
        # feedparser is synchronous: parse in a thread so that other feeds keep downloading.
        async with shared.parsing:
            parsed = await asyncio.to_thread(
                parse_feed,
                fetched.body,
                feed=feed,
                base_url=fetched.url,
                content_type=fetched.content_type,
                fetched_at=now,
            )
        if parsed.not_a_feed:
            result.status, result.error = Status.NOT_A_FEED, parsed.warning
        else:
            tagged = tag_items(parsed.items, feed, shared.tagger)
            new = [item for item in tagged if item not in shared.archived]
            result.items = newest_in_order(new, feed.max_new_items_per_run)
            result.capped_run = len(new) - len(result.items)
            result.warning = parsed.warning
            result.shared_guids = parsed.shared_guids
    return result, next_state(state, result, fetched, now, options)


def next_state(
    state: FeedState,
    result: FeedResult,
    fetched: Fetched,
    now: dt.datetime,
    options: FetchOptions,
) -> FeedState:
    """Return the feed's state after this run's outcome."""
    status = result.status
    if status in (Status.OK, Status.NOT_MODIFIED):
        return FeedState(
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            failures=0,
            retry_after=None,
            last_status=status.value,
            last_success=format_utc(now),
        )
    failures = state.failures + 1
    resume = fetched.retry_after
    if failures >= options.failure_threshold:
        # Exponential backoff: a dead feed is tried less and less often, up to the cap.
        doublings = min(failures - options.failure_threshold, 30)  # 2**30 h is past any cap
        rest = min(options.backoff_base * 2**doublings, options.backoff_cap)
        resume = max(resume or now, now + rest)
    return dataclasses.replace(
        state,
        failures=failures,
        retry_after=format_utc(resume) if resume else None,
        last_status=status.value,
        last_error=result.error or status.value,
    )
