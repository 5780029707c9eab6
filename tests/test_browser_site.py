"""The built site in real headless Chromium: no console error, no foreign request, accessible."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import PageWatch, serious_violations
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PAGES = {
    "home": "",
    "case-study-preston": "case-studies/preston/",
    "pillar-procurement": "pillars/procurement/",
    "case-studies": "case-studies/",
    "places": "places/",
    "glossary": "glossary/",
    "news": "news/",
    "search-filtered": "search/?q=procurement&pillar=Procurement",
}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_page_is_clean_and_accessible(
    browser: Browser, site_url: str, name: str, scheme: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    watch = PageWatch(site_url).attach(page)
    page.goto(f"{site_url}/{PAGES[name]}", wait_until="networkidle")
    if name.startswith("search"):
        page.wait_for_selector(".cwb-result")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{scheme}.png"), full_page=True)
    serious = serious_violations(page)
    context.close()
    assert watch.console_errors == []
    assert watch.foreign_requests == []
    assert serious == []


def test_keyboard_reaches_content_and_shows_focus(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/case-studies/preston/")
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent.trim()")
    assert skip.lower().startswith("skip to content")
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('article')"):
            break
    assert page.evaluate("!!document.activeElement.closest('article')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_case_study_table_sorts_and_filters(page: Page, site_url: str) -> None:
    watch = PageWatch(site_url).attach(page)
    page.goto(f"{site_url}/case-studies/")
    first_cells = (
        "Array.from(document.querySelectorAll('#case-study-table tbody tr:not([hidden]) th'))"
        ".map(cell => cell.textContent.trim())"
    )
    page.get_by_role("button", name="Place", exact=True).click()
    places = page.evaluate(
        "Array.from(document.querySelectorAll('#case-study-table tbody tr td:nth-child(2)'))"
        ".map(cell => cell.textContent.trim())"
    )
    assert places == sorted(places, key=str.lower)
    expected = page.evaluate(
        "Array.from(document.querySelectorAll('#case-study-table tbody tr'))"
        ".filter(row => row.children[3].textContent.split(', ').includes('Land and property'))"
        ".map(row => row.children[0].textContent.trim())"
    )
    total = page.locator("#case-study-table tbody tr").count()
    page.get_by_label("Pillar", exact=True).select_option("Land and property")
    assert page.evaluate(first_cells) == expected
    assert "Bologna's regulation on the urban commons" in expected
    assert f"{len(expected)} of {total} case studies shown" in (
        page.locator("[data-cwb-count]").text_content() or ""
    )
    assert watch.console_errors == []


def test_chart_has_an_accessible_name_and_a_table(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/case-studies/preston/")
    chart = page.get_by_role("img").filter(has=page.locator("title")).first
    assert "spend" in (chart.get_attribute("aria-labelledby") or "") or chart.is_visible()
    page.get_by_text("Show the figures as a table").first.click()
    assert page.locator("details[open] table th[scope=row]").count() >= 2
