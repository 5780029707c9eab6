"""Search in real headless Chromium against the real Pagefind index of the shipped site."""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from generator.build import BuildResult
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
    country.locator(".cwb-facet-toggle").click()  # alphabetical: the UK comes after the first 8
    expect(country).to_contain_text(re.compile(r"United Kingdom \(\d+\)"))


def test_browse_without_a_query_by_filter(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/search/")
    expect(page.locator("#cwb-search-status")).to_contain_text("choose filters to browse")
    pillar = facet(page, "Pillar")
    assert pillar.locator("input[type=checkbox]").count() == 5
    facet(page, "Country").locator(".cwb-facet-toggle").click()  # Spain is after the first 8
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


def all_result_urls(page: Page) -> list[str]:
    """Return every result's path, pressing "More results" until all are shown."""
    more = page.locator(".cwb-more-results")
    while more.is_visible():
        count = page.locator(".cwb-result").count()
        more.click()
        expect(page.locator(".cwb-result")).not_to_have_count(count)
    return result_urls(page)


def search(page: Page, site_url: str, words: str) -> list[str]:
    page.goto(f"{site_url}/search/?q={quote(words)}")
    expect(page.locator("#cwb-search-status")).to_contain_text(f"for “{words}”")
    return all_result_urls(page)


def fragments(site: Path) -> dict[str, str]:
    """Return the text Pagefind indexed for each page, by URL, from the built index."""
    texts = {}
    for path in site.glob("pagefind*/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        texts[data["url"]] = data["content"]
    return texts


def words_of(text: str) -> set[str]:
    return {word.strip('.,;:()[]"“”‘’!?') for word in text.split()} - {""}


def run_together(word: str, seen: set[str]) -> bool:
    """Whether a word is two or more of the page's words with no space between."""
    if word in seen:
        return False
    ends = [0]  # positions where a split into seen words can end
    for stop in range(1, len(word) + 1):
        if any(word[start:stop] in seen for start in ends if (start, stop) != (0, len(word))):
            ends.append(stop)
    return ends[-1] == len(word)


def test_indexed_text_has_no_leftovers_or_run_together_words(
    page: Page, site_url: str, built_site: tuple[Path, BuildResult]
) -> None:
    site, _ = built_site
    texts = fragments(site)
    assert "/case-studies/preston/" in texts and "/compare/" in texts
    leftovers = {
        url: re.findall(r".{0,30}(?:Sources?: *[.,]|\[\s*\]|\(\s*\)).{0,30}", text)
        for url, text in texts.items()
    }
    assert {url: found for url, found in leftovers.items() if found} == {}
    joined = {}
    for url, text in sorted(texts.items()):
        page.goto(f"{site_url}{url}")
        # What a reader sees, with table and block boundaries: the words Pagefind must keep apart.
        shown = page.evaluate(
            "() => { const a = document.querySelector('article.md-content__inner');"
            " a.querySelectorAll('details').forEach(d => { d.open = true; });"
            " return a.innerText; }"
        )
        shown = re.sub(r"\[\d+\]|[\u00b6\u2060]", " ", shown)
        seen = words_of(shown)
        found = sorted(word for word in words_of(text) if run_together(word, seen))
        if found:
            joined[url] = found
    assert joined == {}


def test_excerpts_read_as_sentences(page: Page, site_url: str) -> None:
    # A key figure's note, once introduced by "Source: ." in the excerpt.
    search(page, site_url, "vacant parcels")
    excerpts = page.locator(".cwb-result-excerpt").all_inner_texts()
    assert excerpts and not any(re.search(r"Sources?: *\.", text) for text in excerpts)
    # A pillar page's excerpt is what a place did, not a list of case-study titles.
    page.goto(f"{site_url}/search/?q=Preston&type=pillar")
    expect(page.locator("#cwb-search-status")).to_contain_text("result")
    titles = words_of(" ".join(case.title for case in shipped_case_studies()))
    excerpts = page.locator(".cwb-result-excerpt").all_inner_texts()
    preston = next(case for case in shipped_case_studies() if case.slug == "preston")
    assert len(excerpts) == len(preston.pillars)  # one pillar page for each it works on
    for text in excerpts:
        assert "Preston" in text and len(words_of(text) - titles) >= 6, text


def plain(name: str) -> str:
    """Return a name as the alphabet sorts it: no accents, no case."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def test_facet_values_in_a_natural_order(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/search/?type=case%20study")
    expect(page.locator("#cwb-search-status")).to_contain_text("result")
    for legend in ("Year", "Place", "Country"):
        toggle = facet(page, legend).locator(".cwb-facet-toggle")
        if toggle.count():
            toggle.click()
            expect(facet(page, legend).locator(".cwb-facet-toggle")).to_have_text("Show fewer")

    def values(legend: str) -> list[str]:
        names = (
            facet(page, legend)
            .locator(".cwb-facet-option input")
            .evaluate_all("boxes => boxes.map(box => box.value)")
        )
        return names

    years = values("Year")
    assert len(years) > 10 and years == sorted(years, key=int, reverse=True)
    for legend in ("Place", "Country"):
        names = values(legend)
        assert len(names) > 10 and names == sorted(names, key=plain), legend


def test_a_phrase_ranks_pages_with_the_phrase_first(page: Page, site_url: str) -> None:
    urls = search(page, site_url, "credit union")
    # Hamburg's "church and union groups" and Québec's trade unions match both words apart.
    apart = [
        urls.index(f"/case-studies/{slug}/")
        for slug in ("hamburg-energy-grids", "quebec-social-economy")
    ]
    together = [
        urls.index(url)
        for url in (
            "/case-studies/preston/",
            "/case-studies/bank-of-north-dakota/",
            "/pillars/finance/",
        )
    ]
    assert max(together) < min(apart)


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("CLT", "community land trust"),
        ("co-op", "co-operative"),
        ("CWB", "community wealth building"),
    ],
)
def test_an_abbreviation_finds_what_the_full_name_finds(
    page: Page, site_url: str, short: str, full: str
) -> None:
    naming = {
        f"/case-studies/{case.slug}/"
        for case in shipped_case_studies()
        if full.lower() in case.path.read_text("utf-8").lower()
    }
    assert len(naming) >= 3
    assert naming <= set(search(page, site_url, short))


def test_local_wealth_building_leads_to_what_cwb_is(page: Page, site_url: str) -> None:
    assert search(page, site_url, "local wealth building")[0] == "/what-is-cwb/"
