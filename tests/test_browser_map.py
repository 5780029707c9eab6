"""The map and /places/ in real Chromium, on a synthetic corpus spread over five continents.

Each marker is a link whose accessible name contains the number it shows; key entries are
distinct; national programmes are squares in their own key group; the panels of a row share one
height, so no gap opens under a shorter one; the map pages pass axe at 1366 and 390 px, light
and dark.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page

from generator.build import build_site
from tests.browser import assert_no_gaps, panel_rows, serious_violations
from tests.conftest import ARTIFACTS, ROOT
from tests.project import make_project
from tests.servers import LocalServer

pytestmark = pytest.mark.browser

SAMPLE = ROOT / "tests" / "fixtures" / "valid" / "riverton.yaml"
# slug: (place, country, lat, lon, scale)
PLACES = {
    "riverton": ("Riverton", "GB", 53.5, -2.25, "town"),
    "lochside-act": ("Lochside", "GB", 56.49, -4.2, "nation"),
    "lochside-land": ("Lochside", "GB", 56.49, -4.2, "nation"),
    "spreeburg": ("Spreeburg", "DE", 52.52, 13.4, "city"),
    "lakeview": ("Lakeview", "US", 41.5, -81.7, "city"),
    "hillsdale": ("Hillsdale", "US", 46.8, -100.8, "region"),
    "riviere": ("Rivière", "CA", 45.5, -73.6, "region"),
    "praia": ("Praia", "BR", -22.9, -42.8, "city"),
    "palmeiras": ("Palmeiras", "BR", -3.7, -38.5, "neighbourhood"),
    "kayal": ("Kayal", "IN", 8.5, 76.9, "region"),
    "hangang": ("Hangang", "KR", 37.6, 127.0, "city"),
    "aotearoa": ("Aotearoa", "NZ", -41.3, 174.8, "nation"),
    "southland": ("Southland", "AU", -37.8, 145.0, "nation"),
}
NATIONAL = {slug for slug, place in PLACES.items() if place[4] == "nation"}
PANELS = {
    "Canada and United States",
    "Brazil",
    "Germany and United Kingdom",
    "India",
    "South Korea",
    "Australia and New Zealand",
}
MAP_PAGES = {"case-studies": "case-studies/", "places": "places/", "home": ""}
WIDTHS = [1366, 390]


def _corpus(folder: Path) -> Path:
    sample = yaml.safe_load(SAMPLE.read_text("utf-8"))
    folder.mkdir()
    for slug, (name, country, lat, lon, scale) in PLACES.items():
        data = dict(sample, slug=slug, scale=scale, title=f"{name}: a fictional {slug}")
        data["place"] = {
            "name": name,
            "country": country,
            "coordinates": {"lat": lat, "lon": lon},
        }
        (folder / f"{slug}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return folder


@pytest.fixture(scope="module")
def map_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    where = tmp_path_factory.mktemp("continents")
    paths = make_project(where, case_studies=_corpus(where / "case_studies"))
    result = build_site(paths, progress=lambda message: None)
    assert result.ok, [problem.format_text() for problem in result.problems]
    with LocalServer(paths.site) as server:
        yield server.url("")


def _open(browser: Browser, url: str, width: int, scheme: str = "light") -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url)
    return page


def marker_names(page: Page) -> list[tuple[str, str, str]]:
    """Return each map marker's href, accessible name and visible label."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('svg.cwb-map a')).map(a => "
        "[a.getAttribute('href'), a.getAttribute('aria-label') || '', "
        "(a.querySelector('text') || {textContent: ''}).textContent.trim()])"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_markers_are_links_named_with_their_number(
    browser: Browser, map_site: str, width: int
) -> None:
    page = _open(browser, f"{map_site}/case-studies/", width)
    markers = marker_names(page)
    assert {href.split("/")[-2] for href, _, _ in markers} == set(PLACES)
    for href, name, label in markers:
        assert label.isdigit(), f"{href} shows no number"
        assert name.startswith(f"{label}. "), f"{name!r} does not contain its label {label!r}"
        assert page.get_by_role("link", name=name, exact=True).count() == 1
    panels = page.eval_on_selector_all(
        "svg.cwb-map", "svgs => svgs.map(s => s.getAttribute('aria-label').split(':')[0])"
    )
    assert set(panels) == PANELS
    page.context.close()


def test_key_is_distinct_and_national_programmes_are_apart(browser: Browser, map_site: str) -> None:
    page = _open(browser, f"{map_site}/places/", 1366)
    entries = page.locator(".cwb-map-keys a").all_inner_texts()
    assert len(entries) == len(PLACES)
    assert [entry for entry, n in Counter(entries).items() if n > 1] == []
    national = page.locator("ol.cwb-map-key--national a")
    assert {
        href.split("/")[-2] for href in national.evaluate_all("as => as.map(a => a.href)")
    } == NATIONAL
    squares = page.locator("svg.cwb-map a:has(rect.cwb-map-nation)")
    assert squares.count() == len(NATIONAL)
    assert all(
        "national programme" in (name or "")
        for name in [squares.nth(i).get_attribute("aria-label") for i in range(squares.count())]
    )
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_panels_leave_no_gaps(browser: Browser, map_site: str, width: int) -> None:
    page = _open(browser, f"{map_site}/case-studies/", width)
    assert len(panel_rows(page)) >= 2
    assert_no_gaps(page)
    page.context.close()


def test_places_are_grouped_by_continent_then_country(browser: Browser, map_site: str) -> None:
    page = _open(browser, f"{map_site}/places/", 1366)
    continents = page.locator("article h2").all_inner_texts()
    assert [c.strip("¶ \n") for c in continents] == [
        "Asia",
        "Europe",
        "North America",
        "Oceania",
        "South America",
    ]
    countries = page.locator("#continent-south-america ~ h3").first.inner_text()
    assert countries.strip("¶ \n") == "Brazil"
    assert page.locator("nav.cwb-continents a").count() == 5
    page.context.close()


@pytest.mark.parametrize("name", sorted(MAP_PAGES))
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_map_pages_pass_axe(
    browser: Browser, map_site: str, name: str, width: int, scheme: str
) -> None:
    page = _open(browser, f"{map_site}/{MAP_PAGES[name]}", width, scheme)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"map-{name}-{width}-{scheme}.png"), full_page=True)
    serious = serious_violations(page)
    page.context.close()
    assert serious == []
