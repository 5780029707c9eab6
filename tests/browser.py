"""Real headless Chromium (Debian's package) driven by Playwright, for the browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("CWB_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium phones home at start and the closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Return the Chromium executable, or None when it is not installed."""
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


@contextmanager
def chromium() -> Iterator[Browser]:
    """Launch headless Chromium for one test module."""
    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Debian's chromium is not installed: run `make browser-deps`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageWatch:
    """What a page did while open: console errors and requests to other hosts."""

    base: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> PageWatch:
        """Start recording on the page; return self."""
        host = urlsplit(self.base).netloc
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on(
            "request",
            lambda request: (
                self.foreign_requests.append(request.url)
                if urlsplit(request.url).scheme in ("http", "https", "ws", "wss")
                and urlsplit(request.url).netloc != host
                else None
            ),
        )
        return self


# Material fades its tabs and colours in; axe must judge the settled page, not a frame of a fade.
_SETTLED = "*, *::before, *::after { transition: none !important; animation: none !important; }"


def serious_violations(page: Page) -> list[str]:
    """Run axe-core on the settled page; return its serious and critical violations, described."""
    page.add_style_tag(content=_SETTLED)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done(null)))")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def panel_rows(page: Page) -> list[list[dict[str, float]]]:
    """Return the map panels' boxes, grouped into the rows they are laid out in."""
    boxes = page.evaluate(
        "() => Array.from(document.querySelectorAll('svg.cwb-map')).map(s => {"
        "const r = s.getBoundingClientRect(); return {top: r.top, bottom: r.bottom,"
        " left: r.left, width: r.width}})"
    )
    rows: list[list[dict[str, float]]] = []
    for box in sorted(boxes, key=lambda b: (b["top"], b["left"])):
        if rows and abs(rows[-1][0]["top"] - box["top"]) < 2:
            rows[-1].append(box)
        else:
            rows.append([box])
    return rows


def assert_no_gaps(page: Page) -> None:
    """Panels of one row share a height; rows follow one another without an empty band."""
    gap = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.cwb-maps')).rowGap)"
    )
    rows = panel_rows(page)
    for row in rows:
        heights = [box["bottom"] - box["top"] for box in row]
        assert max(heights) - min(heights) < 3, f"panels of one row differ in height: {heights}"
    for above, below in pairwise(rows):
        space = below[0]["top"] - max(box["bottom"] for box in above)
        assert space < gap + 3, f"{space:.0f} px between two rows of panels"
