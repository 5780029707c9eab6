"""Real headless Chromium (Debian's package) driven by Playwright, for the browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

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

# axe-core from npm at the version in tools/vendor_axe.py, committed so that the suite runs offline.
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# Violations in Material for MkDocs' own markup, not in what this project writes: rule id, a piece
# of the offending selector, and why it is left alone. Anything else fails the tests.
# (Material's drawer navs, named by an icon-only <label> under navigation.indexes, are named by
# cwb.js's nameSectionNavs instead of being listed here.)
MATERIAL_OWN: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Violation:
    """One element that breaks one axe-core rule."""

    rule: str
    impact: str
    target: str
    help: str

    def material_reason(self) -> str | None:
        """Return why Material's own markup is allowed this, or None when the markup is ours."""
        for (rule, selector), reason in MATERIAL_OWN.items():
            if rule == self.rule and selector in self.target:
                return reason
        return None

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}) at {self.target}: {self.help}"


_RUN_AXE = """async rules => {
  const options = {resultTypes: ['violations']};
  if (rules) options.runOnly = {type: 'rule', values: rules};
  const result = await axe.run(document, options);
  return result.violations.flatMap(rule => rule.nodes.map(node => ({
    rule: rule.id, impact: rule.impact || node.impact || 'minor',
    target: node.target.map(String).join(' >> '), help: rule.help})));
}"""


# What a change of colour scheme alone can break: the rules to run again in the other scheme.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def axe_violations(
    page: Page, rules: list[str] | None = None
) -> tuple[list[Violation], list[Violation]]:
    """Run axe-core (all rules, or these) on the settled page; return (ours, Material's own)."""
    page.add_style_tag(content=_SETTLED)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done(null)))")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = [Violation(**item) for item in page.evaluate(_RUN_AXE, rules)]
    ours = [violation for violation in found if violation.material_reason() is None]
    return ours, [violation for violation in found if violation.material_reason() is not None]


def serious_violations(page: Page) -> list[str]:
    """Run axe-core; return the serious and critical violations in our markup, described."""
    ours, _material = axe_violations(page)
    return [str(violation) for violation in ours if violation.impact in ("serious", "critical")]


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
