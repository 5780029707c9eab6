"""Check that the links the case studies cite still answer.

    case-study files → every sources[].url and actors[].url, with its line → one check per
    distinct URL (HEAD, GET when HEAD is refused, one retry) → LinkReport → Markdown or text

Only clear failures count as dead: no connection, no answer in time, a redirect loop, or
HTTP 404, 410 or 5xx, twice. Sites that refuse robots (401, 403, 429) are listed apart as
"could not check", so that a scheduled run never files an issue that a person cannot confirm.
A site that asks us to wait (429 or 503 with Retry-After) is left alone for as long as it
asks. The HTTP client and its politeness are generator/http.py's, shared with `cwb news`; the
command line is in generator/cli.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from generator.http import (
    USER_AGENT,
    FailureKind,
    HostGate,
    HttpPolicy,
    asked_to_wait,
    describe_failure,
    open_stream,
    polite_client,
)
from generator.load import load_document

log = logging.getLogger(__name__)

# Politeness: several sources often sit on one council's site; never hit one host harder.
PER_HOST = 2
# A site that asks us to wait longer than this (429 / Retry-After) is not checked this run.
MAX_WAIT = 10.0
# The fields whose values are checked, in each case study.
LINK_FIELDS = (("sources", "url"), ("actors", "url"))

EXIT_OK, EXIT_DEAD = 0, 1

# Servers that do not implement HEAD, or forbid it to robots, often answer GET.
_HEAD_REFUSED = frozenset({403, 405, 501})
_GONE = frozenset({404, 410})
_REFUSED_ROBOTS = frozenset({401, 403, 429})
_ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"


class Outcome(enum.Enum):
    """What a link check concluded."""

    OK = "ok"
    DEAD = "dead"
    UNCHECKED = "could not check"


@dataclass(frozen=True, order=True)
class Usage:
    """One place where a link is used: a case-study file, a line, and the field."""

    path: Path
    line: int
    field: str  # e.g. sources[2].url

    def display(self) -> str:
        """Return `path:line`, the path relative to the working folder when it lies below it."""
        return f"{_display_path(self.path)}:{self.line}"


@dataclass(frozen=True)
class LinkResult:
    """The check of one distinct URL, and every place that uses it."""

    url: str
    outcome: Outcome
    status: int | None = None  # the last HTTP status received, if any
    error: str = ""  # what happened, in words; empty when the link is fine
    final_url: str = ""  # where redirects led, when they led somewhere else
    used_in: tuple[Usage, ...] = ()


@dataclass
class LinkReport:
    """The outcome of a link check: one result per distinct URL, and the files skipped."""

    results: list[LinkResult] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # files that do not load: see cwb validate
    elapsed: float = 0.0

    @property
    def dead(self) -> list[LinkResult]:
        """Return the links that are dead."""
        return [result for result in self.results if result.outcome is Outcome.DEAD]

    @property
    def unchecked(self) -> list[LinkResult]:
        """Return the links whose sites refused the check."""
        return [result for result in self.results if result.outcome is Outcome.UNCHECKED]

    @property
    def exit_code(self) -> int:
        """Return 0 when no link is dead, 1 otherwise."""
        return EXIT_DEAD if self.dead else EXIT_OK

    def summary(self) -> str:
        """Return one line: how many links were checked and how they fared."""
        files = len({usage.path for result in self.results for usage in result.used_in})
        fine = len(self.results) - len(self.dead) - len(self.unchecked)
        studies = _plural(files, "case study", "case studies")
        return (
            f"{_plural(len(self.results), 'link')} in {studies}: {len(self.dead)} dead, "
            f"{len(self.unchecked)} could not be checked, {fine} fine"
        )

    def format_text(self) -> str:
        """Return one `path:line: dead: URL (what happened)` line per problem, then a summary."""
        lines = [
            f"{usage.display()}: {result.outcome.value}: {result.url} ({result.error})"
            for usage, result in _by_place([*self.dead, *self.unchecked])
        ]
        lines += [
            f"{_display_path(path)}: skipped: the file has problems (run cwb validate)"
            for path in self.skipped
        ]
        lines.append(f"{self.summary()} ({self.elapsed:.1f} s)")
        return "\n".join(lines)

    def format_markdown(self) -> str:
        """Return the report as Markdown: a summary, then tables of dead and unchecked links."""
        lines = ["## Source links", "", self.summary() + "."]
        if self.dead:
            lines += [
                "",
                "### Dead links",
                "",
                "These sites could not be reached, did not answer in time, or answered "
                "404, 410 or a server error, twice. Find where each document lives now (the "
                "publisher's site, or a copy in a web archive), change its `url` in the case "
                "study and update `last_reviewed`.",
                "",
                *_table(self.dead),
            ]
        if self.unchecked:
            lines += [
                "",
                "### Could not check",
                "",
                "These sites refuse automated checks. Open each link in a browser to confirm "
                "it still works.",
                "",
                *_table(self.unchecked),
            ]
        if self.skipped:
            lines += [
                "",
                "### Skipped files",
                "",
                "These files have problems, so their links were not checked: run "
                "`cwb validate` to see them.",
                "",
            ]
            lines += [f"- `{_display_path(path)}`" for path in self.skipped]
        if not self.dead and not self.unchecked:
            lines += ["", "Every link answered. :white_check_mark:"]
        return "\n".join(lines) + "\n"


def check_source_links(
    files: list[Path],
    *,
    timeout: float = 15.0,
    concurrency: int = 8,
    user_agent: str = USER_AGENT,
    retry_delay: float = 1.0,
    allow_private_addresses: bool = False,
) -> LinkReport:
    """Check every source and actor link of the given case-study files; never raise on a link.

    Links whose host resolves to a loopback, private or link-local address are not requested
    (the scheduled workflow runs this on a cloud runner) unless allow_private_addresses.
    """
    if concurrency < 1 or timeout <= 0:
        raise ValueError("concurrency must be at least 1 and timeout more than 0")
    policy = HttpPolicy(
        connect_timeout=timeout,
        total_timeout=timeout,
        concurrency=concurrency,
        per_host=PER_HOST,
        user_agent=user_agent,
        max_wait=MAX_WAIT,
        allow_private_addresses=allow_private_addresses,
    )
    started = time.perf_counter()
    links, skipped = collect_links(files)
    log.info(
        "Checking %s from %s…",
        _plural(len(links), "link"),
        _plural(len(files) - len(skipped), "case study", "case studies"),
    )
    checked: dict[str, _Checked] = {}
    if links:
        checked = asyncio.run(_check_all(list(links), policy, retry_delay))
    results = [
        LinkResult(
            url,
            outcome=checked[url].outcome,
            status=checked[url].status,
            error=checked[url].error,
            final_url=checked[url].final_url,
            used_in=tuple(sorted(usages)),
        )
        for url, usages in links.items()
    ]
    results.sort(key=lambda result: result.used_in[0])
    return LinkReport(results, skipped, time.perf_counter() - started)


def collect_links(files: Iterable[Path]) -> tuple[dict[str, list[Usage]], list[Path]]:
    """Return each distinct http(s) link with the places that use it, and the files skipped."""
    links: dict[str, list[Usage]] = {}
    skipped: list[Path] = []
    for path in files:
        document = load_document(path)
        if not document.ok or document.problems:
            skipped.append(path)
            continue
        for section, key in LINK_FIELDS:
            items = document.data.get(section)
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                url = item.get(key) if isinstance(item, dict) else None
                if not isinstance(url, str) or not url.strip().startswith(("http://", "https://")):
                    continue  # cwb validate reports it; there is nothing to fetch
                line, _ = document.locate((section, index, key))
                links.setdefault(url.strip(), []).append(
                    Usage(path, line, f"{section}[{index}].{key}")
                )
    return links, skipped


# --- checking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    outcome: Outcome
    status: int | None = None
    error: str = ""
    final_url: str = ""


async def _check_all(
    urls: list[str], policy: HttpPolicy, retry_delay: float
) -> dict[str, _Checked]:
    gate = HostGate(policy)
    async with polite_client(policy, accept=_ACCEPT) as client:

        async def check(url: str) -> _Checked:
            first = await _attempt(client, gate, url, policy)
            if first.outcome is not Outcome.DEAD:
                return first
            # One retry: a server restarting or a network hiccup must not file an issue.
            await asyncio.sleep(retry_delay)
            return await _attempt(client, gate, url, policy)

        checked = await asyncio.gather(*(check(url) for url in urls))
    return dict(zip(urls, checked, strict=True))


async def _attempt(
    client: httpx.AsyncClient, gate: HostGate, url: str, policy: HttpPolicy
) -> _Checked:
    """Check a URL once; every failure becomes a record."""
    try:
        async with gate.slot(url):
            # Checked in the slot: an answer that came while we queued may ask us to wait.
            until = await gate.wait_turn(url, dt.datetime.now(dt.UTC))
            if until is not None:
                return _Checked(
                    Outcome.UNCHECKED,
                    error=f"not checked: the site asked us to wait until {until:%H:%M} UTC",
                )
            async with open_stream(client, "HEAD", url, policy) as response:
                pass  # the status is all we need: the body is never read
            if response.status_code in _HEAD_REFUSED:
                async with open_stream(client, "GET", url, policy) as response:
                    pass
    except Exception as error:  # one odd link must never end the whole run
        failure = describe_failure(error, policy)
        if failure is None:
            log.exception("unexpected error checking %s", url)
            return _Checked(Outcome.UNCHECKED, error=f"{type(error).__name__}: {error}")
        if failure.kind is FailureKind.REFUSED_ADDRESS:
            return _Checked(Outcome.UNCHECKED, error=failure.text)
        return _Checked(Outcome.DEAD, error=failure.text)
    wait = asked_to_wait(response, dt.datetime.now(dt.UTC), policy)
    if wait is not None:
        gate.pause(url, wait)  # the site's other links wait too
    return _classify(url, response, asked_to_wait=wait is not None)


def _classify(url: str, response: httpx.Response, *, asked_to_wait: bool) -> _Checked:
    code = response.status_code
    final = str(response.url)
    final_url = final if final != url else ""
    said = f"HTTP {code} {response.reason_phrase}".strip()
    if final_url:
        said += f" at {final_url}"
    if code < 400:
        return _Checked(Outcome.OK, code, final_url=final_url)
    if code in _REFUSED_ROBOTS:
        return _Checked(Outcome.UNCHECKED, code, f"{said}: the site refused the checker", final_url)
    if asked_to_wait:  # e.g. 503 with Retry-After: down for a while, not gone
        return _Checked(
            Outcome.UNCHECKED, code, f"{said}: the site asked us to come back later", final_url
        )
    if code in _GONE or code >= 500:
        return _Checked(Outcome.DEAD, code, said, final_url)
    # Other 4xx (400, 406, 451 …) are more often a robot filter than a missing page.
    return _Checked(Outcome.UNCHECKED, code, said, final_url)


# --- printing ---------------------------------------------------------------------------------


def _table(results: list[LinkResult]) -> list[str]:
    rows = ["| Case study | URL | What happened |", "| --- | --- | --- |"]
    rows += [
        f"| {_cell(usage.display())} | {_link(result.url)} | {_cell(result.error)} |"
        for usage, result in _by_place(results)
    ]
    return rows


def _by_place(results: list[LinkResult]) -> list[tuple[Usage, LinkResult]]:
    """Return one (usage, result) pair per use of each link, in file and line order."""
    pairs = [(usage, result) for result in results for usage in result.used_in]
    return sorted(pairs, key=lambda pair: pair[0])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _link(url: str) -> str:
    # A code span shows the address exactly; the target is encoded so that no character of it
    # (spaces, brackets, pipes, angle brackets) can end the link or the table cell early.
    target = urllib.parse.quote(url, safe=":/?#@!$&'*+,;=%~-._")
    shown = url.replace("`", "%60").replace("|", "\\|")
    return f"[`{shown}`]({target})"


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _plural(count: int, one: str, many: str = "") -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"
