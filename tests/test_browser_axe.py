"""axe-core (vendored, current) over every page of the built site: two widths, two schemes.

Issue 19: one browser, the pages in a loop, width and colour scheme by emulation. Any violation
in our markup fails, whatever its impact; Material's own are listed in tests/browser.py with
the reason, and reported here so that they stay visible.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from generator.build import BuildResult
from tests.browser import COLOUR_RULES, axe_violations

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def site_pages(site: Path) -> list[str]:
    """Return the path of every page of the built site, relative to its root."""
    pages = []
    for html in sorted(site.rglob("*.html")):
        relative = html.relative_to(site).as_posix()
        if relative.startswith(("pagefind/", "assets/")):
            continue
        pages.append(relative.removesuffix("index.html"))
    return pages


def test_site_pages_lists_every_kind_of_page(built_site: tuple[Path, BuildResult]) -> None:
    site, _ = built_site
    pages = site_pages(site)
    assert "" in pages and "404.html" in pages
    assert {"case-studies/preston/", "compare/", "search/", "news/"} <= set(pages)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_page_passes_current_axe(
    browser: Browser, built_site: tuple[Path, BuildResult], site_url: str, width: str
) -> None:
    """Every rule in the light scheme; the colour rules again in the dark one."""
    site, _ = built_site
    columns, rows = WIDTHS[width]
    # One context a scheme: Material takes prefers-color-scheme as a page loads, not later.
    schemes = {
        scheme: browser.new_context(
            viewport={"width": columns, "height": rows},
            color_scheme=scheme,
            reduced_motion="reduce",
        ).new_page()
        for scheme in ("light", "dark")
    }
    ours: dict[str, list[str]] = {}
    material: dict[str, list[str]] = {}
    for path in site_pages(site):
        query = "?q=procurement" if path == "search/" else ""
        for scheme, material_scheme, rules in (
            ("light", "default", None),
            ("dark", "slate", COLOUR_RULES),
        ):
            page = schemes[scheme]
            page.goto(f"{site_url}/{path}{query}", wait_until="load")
            if query:
                page.wait_for_selector(".cwb-result")
            page.wait_for_selector(
                f"body[data-md-color-scheme={material_scheme}]", state="attached"
            )
            found, allowed = axe_violations(page, rules)
            where = f"/{path} {scheme}"
            if found:
                ours[where] = [str(item) for item in found]
            if allowed:
                material[where] = [f"{item}: {item.material_reason()}" for item in allowed]
    for page in schemes.values():
        page.context.close()
    for where, violations in material.items():
        print(f"Material's own on {where}: {violations}")
    assert ours == {}
