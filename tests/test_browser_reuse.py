"""Citations and figure downloads in the built site and real Chromium (issue 20): a reader
downloads a case study's reference and a figure's CSV and SVG, and every download the pages and
/data/ link to is served with its content."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest
from playwright.sync_api import Browser, Page

from tests.test_citation import read_ris

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()


def download(page: Page, selector: str) -> tuple[str, str]:
    """Click a link as a reader does; return the saved file's suggested name and text."""
    with page.expect_download() as started:
        page.locator(selector).click()
    saved = started.value
    return saved.suggested_filename, Path(saved.path()).read_text("utf-8")


@pytest.mark.browser
def test_a_reader_downloads_a_case_studys_reference(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/case-studies/preston/")
    block = page.locator(".cwb-cite-block")
    heading = page.locator("h2#how-to-cite")
    assert heading.inner_text().strip().removesuffix("¶") == "How to cite"
    text = block.locator(".cwb-cite-as").inner_text()
    assert text.startswith("Community Wealth Building knowledge base contributors. (")
    assert text.endswith("/case-studies/preston/")
    title = page.locator("h1").inner_text().removesuffix("¶")  # the permalink
    assert block.locator(".cwb-cite-as em").inner_text() == title

    name, bib = download(page, ".cwb-cite-block a:text-is('BibTeX')")
    [entry] = bibtexparser.parse_string(bib).entries
    assert (name, entry.key) == ("citation.bib", "cwb-preston")
    assert entry["url"].endswith("/case-studies/preston/")

    name, ris_text = download(page, ".cwb-cite-block a:text-is('RIS')")
    [record] = read_ris(ris_text)
    assert name == "citation.ris" and record["TI"] == [title]

    name, csl = download(page, ".cwb-cite-block a:text-is('CSL-JSON')")
    [item] = json.loads(csl)
    assert name == "citation.json" and item["id"] == "cwb-preston"


@pytest.mark.browser
def test_a_reader_downloads_a_key_figures_data_and_chart(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/case-studies/preston/")
    figure = page.locator("figure#figure-1")
    title = figure.locator(".cwb-kf-title").inner_text()

    name, table = download(page, "figure#figure-1 .cwb-kf-downloads a[href$='.csv']")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert name == "figure-1.csv" and rows and {row["figure"] for row in rows} == {title}
    assert all(row["source_url"].startswith("http") and row["year"] for row in rows)

    name, chart = download(page, "figure#figure-1 .cwb-kf-downloads a[href$='.svg']")
    svg = ET.fromstring(chart.encode("utf-8"))
    assert name == "figure-1.svg" and title in (svg.findtext(f"{SVG}title") or "")
    words = " ".join(element.text or "" for element in svg.iter(f"{SVG}text"))
    assert "Source" in words and "/case-studies/preston/" in words


def linked_downloads(page: Page) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "article a[download]", "links => links.map(link => link.href)"
    )
    return hrefs


MEDIA = {
    "csv": "text/csv",
    "svg": "image/svg+xml",
    "json": "application/json",
    "bib": "",  # no registered media type: hosts differ, the file is what counts
    "ris": "",
}


@pytest.mark.browser
@pytest.mark.parametrize("url", ["case-studies/preston/", "compare/", "data/"])
def test_every_linked_download_is_served(page: Page, site_url: str, url: str) -> None:
    page.goto(f"{site_url}/{url}")
    hrefs = linked_downloads(page)
    assert len(hrefs) >= {"case-studies/preston/": 3 + 2, "compare/": 3 + 2, "data/": 20}[url]
    for href in hrefs:
        response = page.request.get(href)
        assert response.status == 200, href
        body = response.text()
        suffix = href.rsplit(".", 1)[1]
        assert MEDIA.get(suffix, "") in response.headers["content-type"], href
        if suffix == "svg":
            ET.fromstring(body.encode("utf-8"))
        elif suffix == "bib":
            assert len(bibtexparser.parse_string(body).entries) == 1, href
        elif suffix == "ris":
            assert len(read_ris(body)) == 1, href
        elif suffix == "csv":
            assert body.startswith(("case_study,", "slug,")), href
        elif suffix == "json":
            json.loads(body)
