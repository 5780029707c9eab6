"""Search in real headless Chromium against the real Pagefind index of the shipped site."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from generator.model import CaseStudy
from generator.paths import collect_files
from generator.validate import validate_files
from tests.browser import PageWatch
from tests.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, site_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    watch = PageWatch(site_url).attach(opened)
    yield opened
    context.close()
    assert watch.console_errors == []
    assert watch.foreign_requests == []


def shipped_case_studies() -> list[CaseStudy]:
    return validate_files(collect_files([ROOT / "case_studies"])).case_studies


def result_urls(page: Page) -> list[str]:
    return page.eval_on_selector_all(".cwb-result h2 a", "links => links.map(a => a.pathname)")


def facet(page: Page, legend: str) -> Locator:
    return page.locator(".cwb-facets fieldset").filter(
        has=page.locator("legend", has_text=re.compile(f"^{legend}$"))
    )


def test_typed_search_finds_evergreen(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/search/")
    page.get_by_label("Search case studies, pillars and news").fill("Evergreen")
    expect(page.locator("#cwb-search-status")).to_contain_text("for “Evergreen”")
    assert result_urls(page)[0] == "/case-studies/cleveland-evergreen/"
    assert "q=Evergreen" in page.url


def test_procurement_filtered_to_its_pillar_includes_preston(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/search/")
    page.get_by_label("Search case studies, pillars and news").fill("procurement")
    expect(page.locator("#cwb-search-status")).to_contain_text("for “procurement”")
    page.locator(".cwb-facets").get_by_label("Procurement").check()
    expect(page.locator("#cwb-search-status")).to_contain_text("in Procurement")
    assert "/case-studies/preston/" in result_urls(page)
    assert "pillar=Procurement" in page.url
    page.screenshot(path=str(ARTIFACTS / "search-procurement-filtered.png"), full_page=True)


def test_url_preset_with_or_within_a_facet_and_and_across(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/search/?pillar=Finance&pillar=Land%20and%20property&type=case%20study")
    expect(page.locator("#cwb-search-status")).to_contain_text("Finance or Land and property")
    urls = result_urls(page)
    either = {
        f"/case-studies/{case.slug}/"
        for case in shipped_case_studies()
        if {"finance", "land-and-property"} & set(case.pillar_slugs)
    }
    assert urls and set(urls) <= either  # every result works on one pillar or the other
    expect(page.locator("#cwb-search-status")).to_contain_text(f"{len(either)} results")
    assert "/case-studies/bologna/" in either and "/case-studies/preston/" in either
    assert page.locator(".cwb-facets").get_by_label("Finance").is_checked()
    country = facet(page, "Country")
    assert re.search(r"United Kingdom \(\d+\)", country.inner_text())


def test_browse_without_a_query_by_filter(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/search/")
    expect(page.locator("#cwb-search-status")).to_contain_text("choose filters to browse")
    pillar = facet(page, "Pillar")
    assert pillar.locator("input[type=checkbox]").count() == 5
    page.locator(".cwb-facets").get_by_label("Spain").check()
    expect(page.locator("#cwb-search-status")).to_contain_text("in Spain")
    assert set(result_urls(page)) == {"/case-studies/barcelona/", "/case-studies/mondragon/"}


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("spending", "/pillars/procurement/"),
        ("commissioning", "/pillars/procurement/"),
        ("co-operatives", "/pillars/plural-ownership/"),
        ("employee ownership", "/pillars/plural-ownership/"),
    ],
)
def test_pillar_synonyms_find_the_pillar(
    page: Page, site_url: str, words: str, expected: str
) -> None:
    page.goto(f"{site_url}/search/?q={words}")
    expect(page.locator("#cwb-search-status")).to_contain_text("result")
    # The pillar's own page is on the first page of results, and what ranks above it is
    # material from the same pillar (its case studies), never something unrelated.
    urls = result_urls(page)
    assert expected in urls
    pillar = expected.split("/")[2]
    under_pillar = {
        f"/case-studies/{case.slug}/"
        for case in shipped_case_studies()
        if pillar in case.pillar_slugs
    }
    assert set(urls[: urls.index(expected)]) <= under_pillar


def test_keyboard_only_from_the_header(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/pillars/finance/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "cwb-header-search-input"
    page.keyboard.type("credit union")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=credit+union")
    expect(page.locator("#cwb-search-status")).to_contain_text("for “credit union”")
    # Tab from the search box into the filters and tick one with the space bar.
    page.locator("#cwb-search-input").focus()
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "pillar":
            break
    assert page.evaluate("document.activeElement.name") == "pillar"
    page.keyboard.press("Space")
    expect(page.locator("#cwb-search-status")).to_contain_text(" in ")
    assert page.evaluate("document.activeElement.name") == "pillar"
    assert page.locator("#cwb-search-status").get_attribute("aria-live") == "polite"


def test_search_results_show_place_and_pillars(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/search/?q=Preston&type=case%20study")
    expect(page.locator("#cwb-search-status")).to_contain_text("result")
    first = page.locator(".cwb-result").first
    assert "Preston" in first.locator(".cwb-result-meta").inner_text()
    assert "Procurement" in first.locator(".cwb-result-meta").inner_text()
    assert first.locator(".cwb-subresults li").count() >= 1
