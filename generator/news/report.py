"""The outcome of a news run: one record per feed, and how it is shown."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.news.model import FeedResult, Status
from generator.problems import Problem

NAME_WIDTH = 36
DETAIL_WIDTH = 70


@dataclass
class NewsReport:
    """What `cwb news` did: per-feed results, or why nothing could run."""

    results: list[FeedResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the feeds file's, if invalid
    # Why nothing was written: invalid feeds file, lock held, unwritable archive, no feed reached.
    error: str = ""
    elapsed: float = 0.0

    @property
    def exit_code(self) -> int:
        """Return 0 when the run happened (even if feeds failed), 1 when nothing could run."""
        return 1 if self.error or self.problems else 0

    @property
    def new_items(self) -> int:
        """Return how many items entered the archive."""
        return sum(result.new_items for result in self.results)

    @property
    def failed(self) -> list[FeedResult]:
        """Return the results of the feeds that failed."""
        return [result for result in self.results if result.status.failed]

    def format_table(self) -> str:
        """Return a plain-text table: per feed its name, status, new items and time.

        The feeds file's problems are not repeated here: the caller prints them (once).
        """
        if self.exit_code and not self.results:
            return f"cwb news: nothing was fetched: {self.error}"
        header = f"{'feed':<{NAME_WIDTH}}  {'status':<18}  {'new':>4}  {'time':>7}  detail"
        lines = [header, "-" * len(header)]
        lines.extend(_row(result) for result in self.results)
        lines.extend(line for result in self.results if (line := cap_line(result)))
        if self.exit_code:
            lines.append(f"cwb news: {self.error} The news archive was not changed.")
        else:
            lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        """Return one line: how many feeds ran, failed and were skipped; new items; time."""
        skipped = sum(result.status is Status.SKIPPED for result in self.results)
        failed = len(self.failed)
        fine = len(self.results) - skipped - failed
        return (
            f"{len(self.results)} feeds: {fine} ok, {failed} failed, {skipped} skipped; "
            f"{self.new_items} new items in {self.elapsed:.1f} s"
        )


def cap_line(result: FeedResult) -> str:
    """Return the line saying that a feed hit a cap (and what was left out), or ''."""
    feed, parts = result.feed, []
    if result.capped_run:
        parts.append(
            f"{result.capped_run} past max_new_items_per_run ({feed.max_new_items_per_run}),"
            " left for later runs"
        )
    if result.capped_month:
        parts.append(
            f"{result.capped_month} of months that hold max_items_per_month "
            f"({feed.max_items_per_month}) already"
        )
    if not parts:
        return ""
    return f"{_clip(feed.name, NAME_WIDTH)} hit its cap: new items left out: {'; '.join(parts)}"


def _notes(result: FeedResult) -> str:
    notes = [result.error or result.warning]
    if result.capped_run or result.capped_month:
        notes.append(f"cap hit: {result.capped_run + result.capped_month} left out")
    if result.shared_guids:
        notes.append(f"{result.shared_guids} shared a GUID (told apart by link)")
    return "; ".join(note for note in notes if note)


def _row(result: FeedResult) -> str:
    name = _clip(result.feed.name, NAME_WIDTH)
    detail = _clip(_notes(result), DETAIL_WIDTH)
    return (
        f"{name:<{NAME_WIDTH}}  {result.status.value:<18}  {result.new_items:>4}  "
        f"{result.elapsed:>5.1f} s  {detail}"
    ).rstrip()


def progress_line(result: FeedResult) -> str:
    """Return the one line shown when a feed has finished (what went wrong is in the table)."""
    counted = f", {len(result.items)} items" if result.status is Status.OK else ""
    return f"{result.feed.name}: {result.status.value}{counted} ({result.elapsed:.1f} s)"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
