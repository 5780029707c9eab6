"""Key figures, /compare/, citations, headings and print, in the built site and real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from markupsafe import escape
from playwright.sync_api import Browser, Page

from generator.build import BuildResult
from generator.model import CaseStudy
from tests.browser import PageWatch, serious_violations
from tests.test_charts import shipped

Site = tuple[Path, BuildResult]
PRESTON_HEADLINE = "£38m → £111m, nearly three times, 2012/13 → 2016/17"
MAX_PRINTED_PAGES = 6


class _Outline(HTMLParser):
    """The heading levels of a page's article, and every element's id and link."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self._in_article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "article":
            self._in_article += 1
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if self._in_article and re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article -= 1


def html_text(text: str) -> str:
    """Return text as the templates escape it."""
    return str(escape(text))


def outline(site: Path, url: str) -> _Outline:
    parser = _Outline()
    parser.feed((site / url / "index.html").read_text("utf-8"))
    return parser


def pages_with_headings(site: Path) -> list[str]:
    cases = [f"case-studies/{case.slug}" for case in shipped()]
    pillars = [
        path.parent.relative_to(site).as_posix() for path in site.glob("pillars/*/index.html")
    ]
    return [*cases, *pillars, "compare"]


def shared(case_studies: tuple[CaseStudy, ...]) -> dict[str, list[tuple[CaseStudy, str]]]:
    """Return {indicator: [(case study, metric label)]} for indicators two places measure."""
    tagged: dict[str, list[tuple[CaseStudy, str]]] = {}
    for case in case_studies:
        for metric in case.metrics:
            if metric.indicator:
                tagged.setdefault(metric.indicator, []).append((case, metric.label))
    return {
        key: entries
        for key, entries in tagged.items()
        if len({case.place.name for case, _ in entries}) >= 2
    }


# --- in the built HTML ------------------------------------------------------------------------


def test_headings_never_skip_a_level(built_site: Site) -> None:
    site, _ = built_site
    every_page = [
        path.parent.relative_to(site).as_posix()
        for path in site.rglob("index.html")
        if "pagefind" not in path.parts and path.parent != site
    ]
    assert set(pages_with_headings(site)) <= set(every_page)
    for url in ["", *every_page]:
        levels = outline(site, url).levels
        assert levels[0] == 1, url
        jumps = [(a, b) for a, b in pairwise(levels) if b > a + 1]
        assert jumps == [], f"{url}: heading levels {levels}"


def test_story_headings_sit_under_the_story(built_site: Site) -> None:
    site, _ = built_site
    html = (site / "case-studies" / "preston" / "index.html").read_text("utf-8")
    story = html[html.index('id="the-story"') : html.index('id="what-was-done-pillar-by-pillar"')]
    assert "<h3>" in story and "<h4" not in story


def test_the_first_citation_on_every_case_study_is_one(built_site: Site) -> None:
    site, _ = built_site
    for case in shipped():
        html = (site / "case-studies" / case.slug / "index.html").read_text("utf-8")
        article = html[html.index("<article") :]
        numbers = re.findall(r'class="cwb-cite"><a href="#source-([^"]+)"[^>]*>\[(\d+)\]', article)
        assert numbers, case.slug
        assert numbers[0][1] == "1", case.slug
        listed = re.findall(r'<li id="source-([^"]+)">', article)
        assert listed[0] == numbers[0][0], case.slug
        # Numbers appear in order of first citation: each new one is the next.
        seen: list[str] = []
        for _, number in numbers:
            if number not in seen:
                seen.append(number)
        assert seen == [str(n) for n in range(1, len(seen) + 1)], case.slug


def test_compare_lists_every_shared_indicator_with_each_value_sourced(built_site: Site) -> None:
    site, _ = built_site
    page = outline(site, "compare")
    html = (site / "compare" / "index.html").read_text("utf-8")
    expected = shared(shipped())
    assert expected
    for indicator, entries in expected.items():
        assert f"indicator-{indicator}" in page.ids
        start = html.index(f'id="indicator-{indicator}"')
        following = html.find('<h2 id="', start + 1)
        section = html[start : following if following > 0 else len(html)]
        assert "How to read it." in section
        for case, label in entries:
            assert f"../case-studies/{case.slug}/" in section
            metric = next(m for m in case.metrics if m.label == label)
            assert metric.area and html_text(metric.area) in section
            for value in metric.values:
                # The source where the reader is: its title, linked to it, not a number.
                source = case.source_by_id[value.source or metric.source]
                link = f'<a href="{html_text(source.url)}">{html_text(source.title)}</a>'
                assert link in section, (indicator, case.slug, source.id)
        assert "#source-" not in section  # no number into another page's list


def test_figures_and_pillars_link_to_their_comparison(built_site: Site) -> None:
    site, _ = built_site
    expected = shared(shipped())
    for indicator, entries in expected.items():
        for case, _ in entries:
            links = outline(site, f"case-studies/{case.slug}").links
            assert f"../../compare/#indicator-{indicator}" in links, (case.slug, indicator)
    procurement = outline(site, "pillars/procurement").links
    assert any(link.startswith("../../compare/#indicator-") for link in procurement)
    preston = outline(site, "case-studies/preston").links
    assert "../../compare/#indicator-living-wage-uplift" not in preston  # one place only


def test_key_figures_are_valid_figures(built_site: Site) -> None:
    site, _ = built_site
    html = (site / "case-studies" / "preston" / "index.html").read_text("utf-8")
    figures = re.findall(r"<figure[^>]*>(.*?)</figure>", html, re.S)
    assert len(figures) == len(next(c for c in shipped() if c.slug == "preston").metrics)
    for figure in figures:
        # The Nu checker allows a figcaption only as a figure's first or last child.
        assert figure.lstrip().startswith("<figcaption>")
        assert figure.count("<figcaption>") == 1


# --- in Chromium ------------------------------------------------------------------------------


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_key_figures_read_at_a_glance_on_a_phone(
    browser: Browser, site_url: str, scheme: str
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    watch = PageWatch(site_url).attach(page)
    page.goto(f"{site_url}/case-studies/preston/", wait_until="networkidle")
    figures = page.locator(".cwb-keyfigures figure")
    first = figures.first
    assert PRESTON_HEADLINE in " ".join(first.locator("figcaption").inner_text().split())
    title_box = first.locator(".cwb-kf-title").bounding_box()
    chart_box = first.locator("svg").bounding_box()
    assert title_box and chart_box and title_box["y"] + title_box["height"] <= chart_box["y"]
    assert chart_box["height"] <= 80  # compact: no 400 px bars
    # A single value is a figure, not a one-bar chart.
    single = page.locator("figure.cwb-kf--single").first
    assert single.locator("svg").count() == 0
    assert single.locator(".cwb-kf-value strong").inner_text() == "1,600 jobs"
    value = " ".join(single.locator(".cwb-kf-value").inner_text().split())
    assert value == "more than 1,600 jobs February 2018"  # the qualifier before the number
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.cwb-keyfigures *')]
            .filter(el => el.offsetParent && [...el.childNodes].some(
                n => n.nodeType === 3 && n.textContent.trim()))
            .map(el => [el.textContent.trim().slice(0, 30),
                        parseFloat(getComputedStyle(el).fontSize)])"""
    )
    assert sizes and [text for text, size in sizes if size < 12] == []
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0
    context.close()
    assert watch.console_errors == []


@pytest.mark.browser
# /compare/'s charts are lists of rows whose words are text (names, figures, sources); only
# their tracks are drawings, hidden from screen readers: see the compare-rows test below.
@pytest.mark.parametrize("url", ["case-studies/preston/", "case-studies/mondragon/"])
def test_every_chart_has_a_name_and_a_table(phone: Page, site_url: str, url: str) -> None:
    phone.goto(f"{site_url}/{url}")
    charts = phone.locator(".cwb-chart")
    assert charts.count() > 0
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.get_attribute("role") == "img"
        name = phone.evaluate(
            "el => (el.getAttribute('aria-labelledby') || '').split(' ')"
            ".map(id => document.getElementById(id)?.textContent.trim()).join(' ')",
            chart.element_handle(),
        )
        assert name.strip(), f"chart {index} on {url} has no accessible name"
        described = phone.evaluate(
            "el => document.getElementById(el.getAttribute('aria-describedby'))?.textContent",
            chart.element_handle(),
        )
        assert described and ":" in described
        # The same figures as a table, next to the chart.
        rows = phone.evaluate(
            "el => el.closest('figure.cwb-kf, .cwb-compare-group')"
            ".querySelectorAll('table th[scope=row]').length",
            chart.element_handle(),
        )
        assert rows >= 1, f"chart {index} on {url} has no table beside it"
    # The accessibility tree agrees: the first chart is an image with its title as name.
    first_name = phone.evaluate(
        "el => document.getElementById(el.getAttribute('aria-labelledby').split(' ')[0])"
        ".textContent.trim()",
        charts.first.element_handle(),
    )
    assert phone.get_by_role("img", name=first_name).count() >= 1


@pytest.mark.browser
def test_the_table_fallback_is_not_an_admonition(phone: Page, site_url: str) -> None:
    phone.goto(f"{site_url}/case-studies/preston/")
    details = phone.locator("details.cwb-figure-table").first
    style = phone.evaluate(
        "el => { const s = getComputedStyle(el); return [s.borderLeftWidth, s.boxShadow,"
        " getComputedStyle(el.querySelector('summary'), '::before').display] }",
        details.element_handle(),
    )
    assert style == ["0px", "none", "none"]
    details.locator("summary").click()
    assert details.locator("tbody tr").count() == 3


# How many citation groups start a line of their own (their previous character sits higher).
CITES_ALONE = """() => [...document.querySelectorAll('article .cwb-cites')].filter(group => {
    let node = group.previousSibling;
    while (node && !(node.textContent || '').trim()) node = node.previousSibling;
    if (!node) return false;
    const text = node.nodeType === 3 ? node : node.lastChild || node;
    const before = document.createRange();
    if (text.nodeType === 3) {
        const end = text.textContent.trimEnd().length;
        before.setStart(text, Math.max(end - 1, 0)); before.setEnd(text, end);
    } else { before.selectNode(text); }
    const last = [...before.getClientRects()].pop();
    const first = group.getClientRects()[0];
    return last && first && Math.abs(last.bottom - first.bottom) > 6;
}).length"""


@pytest.mark.browser
def test_citation_markers_never_start_a_line(phone: Page, site_url: str) -> None:
    phone.goto(f"{site_url}/pillars/procurement/")
    assert phone.locator("article .cwb-cites").count() > 0
    # Narrow the initiatives' first lines pixel by pixel, so every marker meets a line end.
    worst = 0
    for width in range(180, 340, 2):
        phone.evaluate(
            "w => document.querySelectorAll('article .cwb-initiatives li > p:first-child')"
            ".forEach(p => { p.style.width = w + 'px'; })",
            width,
        )
        worst = max(worst, phone.evaluate(CITES_ALONE))
    assert worst == 0


@pytest.mark.browser
def test_a_case_study_prints_as_a_short_brief_with_source_urls(
    browser: Browser, site_url: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_url}/case-studies/preston/", wait_until="networkidle")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.md-header', '.md-sidebar--primary', '.md-footer', '.cwb-edit',
                  '.cwb-header-search'].filter(s => document.querySelector(s))
                  .map(s => getComputedStyle(document.querySelector(s)).display)"""
    )
    assert set(hidden) == {"none"}
    printed = page.evaluate(
        """() => [...document.querySelectorAll('.cwb-sources a[href^="http"]')]
            .map(a => [a.href, getComputedStyle(a, '::after').content])"""
    )
    assert printed and all(href in after for href, after in printed)
    assert page.locator(".cwb-keyfigures svg").first.is_visible()
    pdf = page.pdf(format="A4")
    context.close()
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert 1 <= pages <= MAX_PRINTED_PAGES
    # Every source is laid out on paper: Chromium writes each printed link as an annotation.
    for href, _ in printed:
        assert f"/URI ({href})".encode() in pdf.replace(b"\\", b""), href


@pytest.mark.browser
@pytest.mark.parametrize("url", ["compare/", "case-studies/preston/", "pillars/procurement/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1366])
def test_figures_and_compare_pass_axe(
    browser: Browser, site_url: str, url: str, scheme: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    watch = PageWatch(site_url).attach(page)
    page.goto(f"{site_url}/{url}", wait_until="networkidle")
    serious = serious_violations(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    context.close()
    assert serious == []
    assert overflow <= 0
    assert watch.console_errors == [] and watch.foreign_requests == []


# --- /compare/ rows, chart axes and figure strings in Chromium (issue 18) ----------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1366])
def test_compare_rows_name_the_area_and_carry_their_sources(
    browser: Browser, site_url: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{site_url}/compare/", wait_until="networkidle")
    section = page.locator("#indicator-anchor-spend-local-share ~ .cwb-compare-group").first
    rows = section.locator(".cwb-compare-chart .cwb-compare-row")
    names = [
        " ".join(text.split()) for text in rows.locator(".cwb-compare-label b").all_inner_texts()
    ]
    assert "Lancashire (Preston's anchors)" in names
    assert "Manchester City Council (top 300 suppliers)" in names
    assert "Preston" not in names  # every row says which area and body it measures
    groups = section.locator(".cwb-compare-group-title").all_inner_texts()
    assert len(groups) >= 2  # rows counted differently are drawn apart
    lancashire = rows.filter(has_text="Lancashire (Preston's anchors)")
    assert "retained in Lancashire" in lancashire.locator(".cwb-compare-detail").inner_text()
    source = lancashire.locator(".cwb-compare-source a").first
    assert source.is_visible()
    assert (source.get_attribute("href") or "").startswith("https://")
    assert "Community Wealth Building in Preston" in source.inner_text()
    assert section.locator(".cwb-compare-track").evaluate_all(
        "els => els.every(e => e.getAttribute('aria-hidden') === 'true')"
    )
    # A visible scale: round values from zero under the rows, not overlapping.
    assert section.locator(".cwb-compare-scale").count() == 2  # above and under the rows
    ticks = section.locator(".cwb-compare-scale").last.locator("span")
    labels = ticks.all_inner_texts()
    assert labels[0] == "0%" and len(labels) >= 3
    boxes = [ticks.nth(index).bounding_box() for index in range(ticks.count())]
    assert all(box and box["width"] > 0 for box in boxes)
    for left, right in pairwise(boxes):
        assert left and right and left["x"] + left["width"] <= right["x"]
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    context.close()
    assert overflow <= 0


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_chart_has_a_visible_value_axis(browser: Browser, site_url: str, scheme: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    for url in ("case-studies/mondragon/", "case-studies/preston/", "compare/"):
        page.goto(f"{site_url}/{url}", wait_until="networkidle")
        charts = page.locator(".cwb-chart-plot, .cwb-compare-chart")
        assert charts.count() > 0, url
        for index in range(charts.count()):
            chart = charts.nth(index)
            axis = chart.locator(".cwb-chart-scale span, .cwb-compare-scale span")
            assert axis.count() >= 2, (url, index)
            for tick in range(axis.count()):
                box = axis.nth(tick).bounding_box()
                chart_box = chart.bounding_box()
                assert box and chart_box and box["width"] > 0
                assert box["x"] >= 0  # never cut off at the screen's edge
    context.close()


@pytest.mark.browser
def test_mondragon_shows_its_scale_extremes_and_breaks(phone: Page, site_url: str) -> None:
    phone.goto(f"{site_url}/case-studies/mondragon/", wait_until="networkidle")
    jobs = phone.locator("figure.cwb-kf").filter(has_text="People working in the Mondragon group")
    text = " ".join(jobs.inner_text().split())
    assert "The scale starts at 65,000, not zero." in text
    assert jobs.locator(".cwb-chart-scale span").all_inner_texts() == ["85,000", "65,000"]
    extremes = [" ".join(t.split()) for t in jobs.locator(".cwb-chart-extreme").all_inner_texts()]
    assert extremes == ["81,837 2018, highest", "68,879 2022, lowest"]
    assert jobs.locator(".cwb-chart-break").count() == 2
    assert "Counted differently from 2017." in text
    assert "part-time retail staff" in text
    # The line really uses its height: the plot's dots span most of the 64 px.
    ys = [
        float(y)
        for y in jobs.locator("circle").evaluate_all("els => els.map(e => e.getAttribute('cy'))")
    ]
    assert max(ys) - min(ys) > 30  # drawn from zero, the same values spanned about 9 px


@pytest.mark.browser
def test_figure_strings_read_as_a_reader_says_them(phone: Page, site_url: str) -> None:
    bare = re.compile(r"\((?:[^)]*, )?(more than|over|about|almost|nearly)\b|, (more than|about)\)")
    for url, expected in (
        ("case-studies/bologna/", "more than 90 → 280, 2015 (first year) → 2014–2016"),
        ("case-studies/cooperation-jackson/", "30 → more than 40, October 2016 → February 2022"),
        ("case-studies/rochester/", "$34,500 → more than $1,000,000, nearly 29 times"),
        ("case-studies/mondragon/", "€11,138m → €11,213m, little changed (up 0.7%), 2013 → 2024"),
        ("pillars/procurement/", "£38m → £111m, nearly three times, 2012/13 → 2016/17"),
        ("compare/", "more than 1,600 jobs, February 2018"),
    ):
        phone.goto(f"{site_url}/{url}", wait_until="networkidle")
        text = " ".join(phone.locator("article").inner_text().split())
        assert expected in text, url
        figures = phone.locator(".cwb-kf figcaption, .cwb-kf-value, .cwb-figure-list li")
        for figure in figures.all_inner_texts():
            assert not bare.search(figure), (url, figure)
            assert not re.search(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", figure)
