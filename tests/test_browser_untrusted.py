"""The case study with script in every text field (tests/hostile.py), in real Chromium: on every
page its text reaches, by both builder routes, nothing runs and the text reads as written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from generator.model import PILLAR_SLUGS
from tests.browser import PageWatch
from tests.hostile import NEIGHBOUR, SLUG, HostileSite
from tests.servers import LocalServer

pytestmark = pytest.mark.browser

# Every page that shows a text of the hostile case study (the home page features it; the data
# page names its country; search shows its title, place and an excerpt).
PAGES = [
    "",
    f"case-studies/{SLUG}/",
    f"case-studies/{NEIGHBOUR}/",
    "case-studies/",
    "places/",
    "pillars/",
    *(f"pillars/{slug}/" for slug in PILLAR_SLUGS),
    "compare/",
    "data/",
    "search/?q=riverton",
    "search/?type=case+study",
]

# What an injected payload would leave in the page: event attributes, its scripts and images,
# script links; JSON-LD that a payload broke out of.
INJECTED = """() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith("on")) found.push(`${element.tagName} ${attribute.name}`);
    }
  }
  for (const script of document.querySelectorAll("script:not([src])")) {
    if (script.type === "application/ld+json") {
      try { JSON.parse(script.textContent); } catch (error) { found.push(`JSON-LD ${error}`); }
    } else if (script.textContent.includes("alert(")) {
      found.push(`script ${script.textContent}`);
    }
  }
  for (const link of document.querySelectorAll("[href], [src]")) {
    const url = (link.getAttribute("href") || link.getAttribute("src") || "").trim();
    if (/^(javascript|data|vbscript):/i.test(url)) found.push(`${link.tagName} ${url}`);
  }
  for (const image of document.querySelectorAll("img[src='x'], svg[onload]")) {
    found.push(image.outerHTML);
  }
  return found;
}"""


@pytest.fixture
def served(hostile_site: HostileSite) -> Iterator[str]:
    with LocalServer(hostile_site.site) as server:
        yield server.url("")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_no_script_runs_where_the_text_lands(
    page: Page, served: str, hostile_site: HostileSite, path: str
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    watch = PageWatch(served).attach(page)
    page.goto(f"{served}/{path}", wait_until="networkidle")
    if path.startswith("search/"):
        page.locator(".cwb-result").first.wait_for()
        titles = page.locator(".cwb-result h2 a").all_inner_texts()
        assert " ".join(hostile_site.placed["title"].split()) in titles
    assert page.evaluate(INJECTED) == []
    assert dialogs == []
    assert watch.console_errors == []
    assert watch.foreign_requests == []


def test_the_case_study_reads_as_written(
    page: Page, served: str, hostile_site: HostileSite
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{served}/case-studies/{SLUG}/", wait_until="networkidle")
    placed = hostile_site.placed
    title = placed["title"]
    assert page.title().startswith(title + " - ")
    heading = page.locator("h1").inner_text().removesuffix("¶")  # the permalink
    assert heading == " ".join(title.split())
    assert page.locator("[data-md-component=header-topic] .md-ellipsis").inner_text() == title
    assert page.locator(".cwb-lede").inner_text() == " ".join(placed["summary"].split())
    sources = page.locator(".cwb-sources li a").all()
    assert sources and all(
        link.get_attribute("href") == placed["sources[].url"] for link in sources
    )
    assert dialogs == []
