"""The news archive in the repository: one JSON file per month, per-feed state, one lock.

Layout below the news folder:

    archive/YYYY-MM.json   items published that month, newest first
    state.json             per feed: validators, failures, when to retry
    .lock                  held by the run that is writing (an OS lock, via filelock)

Every file is replaced atomically, so a run killed at any moment leaves each file either as
it was or as the run meant to write it. A killed run's lock dies with it: the operating
system releases it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import filelock

from generator.news.archive_check import read_month_checked
from generator.news.model import FeedState, NewsItem

log = logging.getLogger(__name__)

ARCHIVE_DIR = "archive"
STATE_FILE = "state.json"
LOCK_FILE = ".lock"
MONTH_FILE = re.compile(r"^(\d{4}-\d{2})\.json$")
ANY_JSON = "*.json"
TEMP_SUFFIX = ".tmp"


class ArchiveError(Exception):
    """The archive cannot be read or written; the message says which file and why."""


class LockHeld(ArchiveError):
    """Another run holds the archive's lock."""


@contextlib.contextmanager
def locked(news_dir: Path, wait: float) -> Iterator[None]:
    """Hold the archive's exclusive lock, waiting up to wait seconds; raise LockHeld."""
    news_dir.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(news_dir / LOCK_FILE, timeout=wait)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockHeld("another run holds the lock") from None
    try:
        _remove_stale_temp_files(news_dir)
        yield
    finally:
        lock.release()


def _remove_stale_temp_files(news_dir: Path) -> None:
    # Only a run that died between writing a temp file and renaming it leaves one behind.
    for folder in (news_dir, news_dir / ARCHIVE_DIR):
        for stale in folder.glob(f".*{TEMP_SUFFIX}"):
            stale.unlink(missing_ok=True)


def atomic_write(path: Path, text: str) -> None:
    """Replace path with text: temp file in the same folder, fsync, rename, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; the archive is public text
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_folder(path.parent)  # make the rename itself durable


def _fsync_folder(folder: Path) -> None:
    # POSIX makes a rename durable by syncing its folder. Windows cannot open a folder as a
    # file, so there os.replace is as durable as it gets.
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def to_json_text(data: Any) -> str:
    """Return data as the archive's stable JSON text (diff-friendly, ends with a newline)."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def sort_items(items: Iterable[NewsItem]) -> list[NewsItem]:
    """Return items newest first; ties broken by id, so the order never depends on input."""
    return sorted(
        sorted(items, key=lambda item: item.id), key=lambda item: item.published, reverse=True
    )


# --- items ------------------------------------------------------------------------------------


def archive_files(news_dir: Path) -> list[Path]:
    """Return every .json file of the archive folder, month files or not (for cwb validate)."""
    folder = news_dir / ARCHIVE_DIR
    return sorted(folder.glob(ANY_JSON)) if folder.is_dir() else []


def month_files(news_dir: Path) -> dict[str, Path]:
    """Return the archive's month files keyed by YYYY-MM, newest month first."""
    folder = news_dir / ARCHIVE_DIR
    found = (
        {
            match.group(1): path
            for path in folder.glob("*.json")
            if (match := MONTH_FILE.match(path.name))
        }
        if folder.is_dir()
        else {}
    )
    return dict(sorted(found.items(), reverse=True))


def read_month(path: Path, *, strict: bool = True) -> list[NewsItem]:
    """Read one month file's valid items; any problem raises ArchiveError when strict.

    Not strict (the site build), items with problems are left out and the problems logged:
    cwb validate and cwb build report them with their lines (archive_check.py).
    """
    checked = read_month_checked(path)
    if checked.problems:
        first = checked.problems[0]
        if strict:
            more = len(checked.problems) - 1
            raise ArchiveError(
                f"{first.display_path()}:{first.line}: {first.message}"
                + (f" (and {more} more)" if more else "")
                + ": fix or remove it (cwb validate lists every problem), then run again"
            )
        for problem in checked.problems:
            log.warning("%s", problem.format_text())
    return checked.items


def iter_months(news_dir: Path, *, strict: bool = True) -> Iterator[tuple[str, list[NewsItem]]]:
    """Yield (YYYY-MM, items) newest month first, one month in memory at a time."""
    for month, path in month_files(news_dir).items():
        yield month, read_month(path, strict=strict)


def load_archive(news_dir: Path, *, strict: bool = True) -> dict[str, list[NewsItem]]:
    """Return every archived item, by month (all in memory: for small archives and tests)."""
    return dict(iter_months(news_dir, strict=strict))


def add_items(news_dir: Path, new_items: Iterable[NewsItem]) -> set[str]:
    """Add items to their month files, reading and writing one month at a time; return months."""
    by_month: dict[str, list[NewsItem]] = {}
    for item in new_items:
        by_month.setdefault(item.month, []).append(item)
    for month, items in sorted(by_month.items()):
        path = news_dir / ARCHIVE_DIR / f"{month}.json"
        held = read_month(path) if path.exists() else []
        write_months(news_dir, {month: held + items}, {month})
    return set(by_month)


def merge(archive: dict[str, list[NewsItem]], new_items: Iterable[NewsItem]) -> set[str]:
    """Add new items to their months; return the months that changed."""
    changed: set[str] = set()
    for item in new_items:
        archive.setdefault(item.month, []).append(item)
        changed.add(item.month)
    return changed


def write_months(news_dir: Path, archive: dict[str, list[NewsItem]], months: set[str]) -> None:
    """Write the given months' files, each atomically."""
    for month in sorted(months):
        data = {"month": month, "items": [item.to_json() for item in sort_items(archive[month])]}
        atomic_write(news_dir / ARCHIVE_DIR / f"{month}.json", to_json_text(data))


# --- per-feed state ---------------------------------------------------------------------------


def load_state(news_dir: Path) -> dict[str, FeedState]:
    """Return each feed's stored state, keyed by feed address; a broken file starts afresh."""
    path = news_dir / STATE_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
        feeds = data.get("feeds", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError) as error:
        # Losing validators and failure counts costs one full fetch, never an item.
        log.warning("%s: unreadable, starting with fresh feed state: %s", path, error)
        return {}
    return (
        {url: FeedState.from_json(value) for url, value in feeds.items() if isinstance(url, str)}
        if isinstance(feeds, dict)
        else {}
    )


def save_state(news_dir: Path, states: dict[str, FeedState]) -> None:
    """Write every feed's state atomically."""
    data = {"feeds": {url: state.to_json() for url, state in states.items()}}
    atomic_write(news_dir / STATE_FILE, to_json_text(data))
