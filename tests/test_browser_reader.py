"""The site as a reader meets it (issue 12): the index and its maps, search, news, every head, 404.

Real headless Chromium on the real build of the shipped case studies.
"""

from __future__ import annotations

import http.server
import itertools
import json
import math
import mimetypes
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from generator.build import BuildResult
from tests.browser import PageWatch, assert_no_gaps, serious_violations
from tests.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.browser

# Layout shift measured the way Lighthouse does: every layout-shift entry without recent input.
CLS_SCRIPT = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def visible_rows(page: Page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll("
        "'#case-study-table tbody tr:not([hidden]) td:nth-child(2)'))"
        ".map(cell => cell.textContent.trim())"
    )


def test_index_shows_its_sort_order(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/case-studies/")
    headers = page.locator("#case-study-table thead th")
    assert headers.first.get_attribute("aria-sort") == "ascending"  # sorted by title as built
    place = page.locator("#case-study-table thead th", has=page.get_by_role("button", name="Place"))
    arrow = (
        "getComputedStyle(document.querySelector("
        "'#case-study-table thead th:nth-child(2) button'), '::after').maskImage"
    )
    unsorted = page.evaluate(arrow)
    page.get_by_role("button", name="Place", exact=True).click()
    assert place.get_attribute("aria-sort") == "ascending"
    assert headers.first.get_attribute("aria-sort") is None
    places = visible_rows(page)
    assert places == sorted(places, key=str.lower)
    ascending = page.evaluate(arrow)
    page.get_by_role("button", name="Place", exact=True).click()
    assert place.get_attribute("aria-sort") == "descending"
    assert visible_rows(page) == list(reversed(places))
    assert len({unsorted, ascending, page.evaluate(arrow)}) == 3  # three different arrows
    assert "sorted by place, descending" in page.locator("#case-study-table caption").inner_text()


def test_index_filters_line_up_and_count_aloud(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/case-studies/")
    total = page.locator("#case-study-table tbody tr").count()
    controls = page.locator(".cwb-table-tools .cwb-control:has(label)")
    boxes = [controls.nth(i).bounding_box() for i in range(controls.count())]
    fields = page.locator(".cwb-table-tools input, .cwb-table-tools select")
    heights = {round(fields.nth(i).bounding_box()["height"]) for i in range(fields.count())}  # type: ignore[index]
    assert len(heights) == 1, heights
    for i in range(controls.count()):
        label = controls.nth(i).locator("label").bounding_box()
        field = controls.nth(i).locator("input, select").bounding_box()
        assert label and field and label["y"] + label["height"] <= field["y"] + 1  # label above
    assert len({round(box["y"]) for box in boxes if box}) == 1  # one row at desktop width
    count = page.locator("[data-cwb-count]")
    assert count.get_attribute("aria-live") == "polite"
    page.get_by_label("Country", exact=True).select_option("Spain")
    assert sorted(visible_rows(page)) == ["Arrasate-Mondragón", "Barcelona"]
    assert count.inner_text() == f"2 of {total} case studies shown"
    page.get_by_role("button", name="Clear filters").click()
    assert len(visible_rows(page)) == total
    assert count.inner_text() == f"All {total} case studies"


def test_rules_span_every_column(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/case-studies/")
    widths = page.evaluate(
        "Array.from(document.querySelectorAll('#case-study-table tbody tr:nth-child(2) > *'))"
        ".map(cell => getComputedStyle(cell).borderTopWidth)"
    )
    assert widths and all(width != "0px" for width in widths)


def test_map_markers_are_named_links_that_do_not_overlap(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/case-studies/")
    links = page.locator("svg.cwb-map a")
    total = page.locator("#case-study-table tbody tr").count()
    assert links.count() == total
    hrefs = set()
    for i in range(links.count()):
        link = links.nth(i)
        assert re.search(r"case-studies/[a-z0-9-]+/$", link.get_attribute("href") or "")
        name = link.get_attribute("aria-label") or ""
        assert ": " in name  # "12. Preston: The Preston Model"
        shown = link.locator("text").text_content() or ""
        assert name.startswith(f"{shown}. "), "a marker's name must contain the number it shows"
        hrefs.add(link.get_attribute("href"))
    assert len(hrefs) == total
    for panel in page.locator("svg.cwb-map").all():
        dots = panel.evaluate(
            "svg => Array.from(svg.querySelectorAll('a .cwb-map-dot'))"
            ".map(c => [c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value])"
        )
        for i, (x, y, r) in enumerate(dots):
            for ox, oy, _ in dots[i + 1 :]:
                assert math.hypot(ox - x, oy - y) >= 2 * r, "two markers overlap"
    key = page.locator("ol.cwb-map-key a")
    assert key.count() == total
    entries = key.all_inner_texts()
    assert len(set(entries)) == len(entries), "two key entries read the same"
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_gaps(page)


def test_search_excerpts_read_as_text(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/search/?q=spending", wait_until="networkidle")
    page.wait_for_selector(".cwb-result")
    titles = page.locator(".cwb-result h2").all_inner_texts()
    assert any("procurement" in title.lower() for title in titles)  # a synonym finds its pillar
    excerpts = " ".join(page.locator(".cwb-result-excerpt").all_inner_texts())
    assert "Also known as" not in excerpts
    assert "purchasing, buying" not in excerpts.lower()
    page.goto(f"{site_url}/search/?q=north+ayrshire", wait_until="networkidle")
    page.wait_for_selector(".cwb-result")
    excerpts = " ".join(page.locator(".cwb-result-excerpt").all_inner_texts())
    assert not re.search(r"\b(Place|Scale|Period|Status|Pillars)[A-Z]", excerpts), excerpts


def test_search_page_is_valid_ordered_and_labelled(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/search/?q=council", wait_until="networkidle")
    page.wait_for_selector(".cwb-result")
    assert page.locator("form.cwb-search-form").get_attribute("action") is None
    levels = page.evaluate(
        "Array.from(document.querySelectorAll('article h1, article h2, article h3, article h4'))"
        ".map(h => Number(h.tagName[1]))"
    )
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    actor_types = page.locator(".cwb-facets fieldset:has(legend:text('Actor type'))")
    actor_types.locator(".cwb-facet-toggle").click()  # alphabetical: show all, not the first 8
    expect(actor_types.locator(".cwb-facet-toggle")).to_have_text("Show fewer")
    options = actor_types.locator(".cwb-facet-option")
    names = [text.split(" (")[0].strip() for text in options.all_inner_texts()]
    slug = re.compile(r"[a-z]+(-[a-z]+)+")
    assert names and all(name[0].isupper() and not slug.fullmatch(name) for name in names), names
    assert "Local government" in names
    types = page.locator(".cwb-facets fieldset:has(legend:text('Type')) .cwb-facet-option")
    assert "Case study" in " ".join(types.all_inner_texts())


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_search_results_do_not_shift_the_page(browser: Browser, site_url: str, width: str) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    page.add_init_script(CLS_SCRIPT)
    page.goto(f"{site_url}/search/?q=co-operatives", wait_until="networkidle")
    page.wait_for_selector(".cwb-result")
    page.wait_for_timeout(300)
    shift = page.evaluate("window.__cls")
    context.close()
    assert shift < 0.1


def feeds_registry() -> list[dict[str, str]]:
    data = yaml.safe_load((ROOT / "feeds.yaml").read_text("utf-8"))
    return list(data["feeds"])


def test_empty_news_page_lists_the_sources_for_readers(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/news/")
    if page.locator("article.news-item").count():
        pytest.skip("the shipped archive has items: the empty state is tested in tests/news")
    text = page.locator("article").inner_text()
    assert "cwb news" not in text and "feeds.yaml" not in text
    for feed in feeds_registry():
        link = page.locator(f'.news-sources a[href="{feed["homepage"]}"]')
        assert link.count() == 1 and link.inner_text() == feed["name"]
    assert page.locator('a[href$="news/feed.xml"]').count() >= 1
    assert page.locator('a[href$="news/feeds.opml"]').count() >= 1
    for path in ("", "pillars/finance/"):
        page.goto(f"{site_url}/{path}")
        assert "No news has been gathered" not in page.locator("article").inner_text()


def head_of(page: Page) -> dict[str, str | None]:
    return page.evaluate(
        """() => {
          const attr = (selector, name) => {
            const found = document.querySelector(selector);
            return found ? found.getAttribute(name) : null;
          };
          return {
            canonical: attr('link[rel=canonical]', 'href'),
            description: attr('meta[name=description]', 'content'),
            og_title: attr('meta[property="og:title"]', 'content'),
            og_type: attr('meta[property="og:type"]', 'content'),
            og_image: attr('meta[property="og:image"]', 'content'),
            og_url: attr('meta[property="og:url"]', 'content'),
            twitter: attr('meta[name="twitter:card"]', 'content'),
            twitter_image: attr('meta[name="twitter:image"]', 'content'),
            atom: attr('link[type="application/atom+xml"]', 'href'),
            atom_rel: attr('link[type="application/atom+xml"]', 'rel'),
            icon: attr('link[rel=icon]', 'href'),
            jsonld: (document.querySelector('script[type="application/ld+json"]') || {})
              .textContent,
          };
        }"""
    )


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("", "WebSite"),
        ("case-studies/preston/", "Article"),
        ("data/", "Dataset"),
        ("pillars/finance/", "WebPage"),
        ("news/", "WebPage"),
    ],
)
def test_every_head_carries_what_sharing_and_feeds_expect(
    page: Page, site_url: str, path: str, kind: str
) -> None:
    page.goto(f"{site_url}/{path}")
    head = head_of(page)
    for name in ("canonical", "description", "og_title", "og_image", "og_url", "twitter", "atom"):
        assert head[name], name
    assert head["canonical"] == head["og_url"] and str(head["canonical"]).endswith("/" + path)
    assert head["twitter"] == "summary_large_image"
    assert str(head["og_image"]).endswith("assets/card.png")
    assert "alternate" in str(head["atom_rel"]).split()
    assert str(head["icon"]).endswith("favicon.svg")
    data = json.loads(str(head["jsonld"]))
    assert data["@context"] == "https://schema.org" and data["@type"] == kind
    if kind == "Article":
        assert head["og_type"] == "article"
        assert data["about"]["@type"] == "Place"
        geo = data["about"]["geo"]
        assert geo["@type"] == "GeoCoordinates"
        assert abs(geo["latitude"] - 53.76) < 0.1 and abs(geo["longitude"] + 2.70) < 0.1
    if kind == "Dataset":
        formats = {d["encodingFormat"] for d in data["distribution"]}
        assert {"application/json", "text/csv"} <= formats
        for download in data["distribution"]:
            relative = download["contentUrl"].split("/data/", 1)[1]
            assert page.request.get(f"{site_url}/data/{relative}").ok
    response = page.request.get(f"{site_url}/assets/card.png")
    assert response.ok and response.body()[:8] == b"\x89PNG\r\n\x1a\n"


class _PrefixHandler(http.server.BaseHTTPRequestHandler):
    """Serve a site under a folder, and its 404.html for anything else, as a static host does."""

    site: Path
    prefix: str

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        target = None
        if path.startswith(self.prefix):
            candidate = self.site / path[len(self.prefix) :]
            if candidate.is_dir():
                candidate = candidate / "index.html"
            if candidate.is_file() and self.site.resolve() in candidate.resolve().parents:
                target = candidate
        status = 200 if target else 404
        body = (target or self.site / "404.html").read_bytes()
        kind = mimetypes.guess_type(target.name)[0] if target else "text/html"
        self.send_response(status)
        self.send_header("Content-Type", kind or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("prefix", "missing"),
    [
        ("/knowledge-base/", "/knowledge-base/no/such/page/"),
        ("/elsewhere/", "/elsewhere/gone/"),
        ("/", "/no-such-page"),
    ],
)
def test_404_page_works_wherever_the_site_is_served(
    browser: Browser, built_site: tuple[Path, BuildResult], prefix: str, missing: str
) -> None:
    site, _ = built_site
    handler = type("Handler", (_PrefixHandler,), {"site": site, "prefix": prefix})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    page = browser.new_page()
    try:
        watch = PageWatch(base).attach(page)
        failed: list[str] = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        response = page.goto(base + missing, wait_until="networkidle")
        assert response is not None and response.status == 404
        assert page.get_by_role("heading", name="Page not found").is_visible()
        header = page.evaluate(
            "getComputedStyle(document.querySelector('.md-header')).backgroundColor"
        )
        assert header == "rgb(27, 94, 32)"  # the site's stylesheet loaded
        home = page.get_by_role("link", name="Go to the home page").get_attribute("href")
        assert page.evaluate("href => new URL(href, document.baseURI).pathname", home) == prefix
        page.get_by_role("link", name="Browse all case studies").click()
        page.wait_for_load_state()
        assert page.url == f"{base}{prefix}case-studies/"
        assert watch.foreign_requests == []
        if prefix == "/knowledge-base/":  # where the site is meant to live, nothing else fails
            assert failed == [base + missing]
    finally:
        page.close()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "path", ["data/", "case-studies/", "news/", "search/?q=finance", "404.html"]
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_new_pages_are_accessible(browser: Browser, site_url: str, path: str, scheme: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site_url}/{path}", wait_until="networkidle")
    if "search" in path:
        page.wait_for_selector(".cwb-result")
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"\W+", "-", path).strip("-") or "home"
    page.screenshot(path=str(ARTIFACTS / f"reader-{name}-{scheme}.png"), full_page=True)
    serious = serious_violations(page)
    context.close()
    assert serious == []
