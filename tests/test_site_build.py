"""The real build of the shipped site: every URL of SPEC's table, exports, escaping, safety."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.build import BuildResult, build_site
from generator.problems import BuildError
from tests.conftest import ROOT
from tests.project import make_project

SLUGS = ("preston", "cleveland-evergreen", "barcelona", "bologna", "wales-psb-clusters")
PILLARS = ("procurement", "workforce", "land-and-property", "finance", "plural-ownership")
URLS = [
    "",
    "case-studies/",
    *(f"case-studies/{slug}/" for slug in SLUGS),
    "pillars/",
    *(f"pillars/{slug}/" for slug in PILLARS),
    "places/",
    "news/",
    "search/",
    "what-is-cwb/",
    "five-pillars/",
    "glossary/",
    "contributing/",
    "about/",
]
SAMPLE = ROOT / "tests" / "fixtures" / "valid" / "riverton.yaml"


@pytest.mark.parametrize("url", URLS)
def test_every_url_of_the_table_exists(built_site: tuple[Path, BuildResult], url: str) -> None:
    site, _ = built_site
    page = site / url / "index.html"
    assert page.is_file(), url
    assert "<title>" in page.read_text("utf-8")


def test_open_data_exports(built_site: tuple[Path, BuildResult]) -> None:
    site, _ = built_site
    document = json.loads((site / "data" / "case-studies.json").read_text("utf-8"))
    assert document["count"] == len(document["case_studies"]) >= len(SLUGS)
    assert {record["slug"] for record in document["case_studies"]} >= set(SLUGS)
    rows = list(csv.DictReader(io.StringIO((site / "data" / "case-studies.csv").read_text())))
    preston = next(row for row in rows if row["slug"] == "preston")
    assert preston["country"] == "GB"
    assert "procurement" in preston["pillars"].split(";")


def test_case_study_page_content(built_site: tuple[Path, BuildResult]) -> None:
    site, _ = built_site
    html = (site / "case-studies" / "preston" / "index.html").read_text("utf-8")
    for heading in (
        "Key figures",
        "The story",
        "What was done, pillar by pillar",
        "Where sources disagree",
        "Who was involved",
        "Lessons",
        "Sources",
        "Related case studies",
    ):
        assert f">{heading}<" in html, heading
    assert html.count('class="cwb-chart"') >= 2
    assert 'role="img"' in html and "<desc id=" in html
    assert "Show the figures as a table" in html
    assert "/edit/main/case_studies/preston.yaml" in html
    assert len(html.encode()) < 100_000


def test_case_studies_stay_out_of_the_navigation(built_site: tuple[Path, BuildResult]) -> None:
    site, _ = built_site
    home = (site / "index.html").read_text("utf-8")
    nav = home[home.index('class="md-nav md-nav--primary') :]
    assert "case-studies/preston/" not in nav.split("</nav>")[0]


def test_pillar_page_gathers_every_case_study_under_it(
    built_site: tuple[Path, BuildResult],
) -> None:
    site, _ = built_site
    html = (site / "pillars" / "procurement" / "index.html").read_text("utf-8")
    assert 'id="preston"' in html and 'id="cleveland-evergreen"' in html
    assert "Every initiative, by place" in html


def test_no_third_party_urls_are_loaded(built_site: tuple[Path, BuildResult]) -> None:
    site, _ = built_site
    loaded = re.compile(
        r'<(?:script|img|iframe|source)\b[^>]*\bsrc="(https?:)?//'
        r'|<link\b[^>]*rel="(?:stylesheet|preload|modulepreload|icon)"[^>]*'
        r'href="(https?:)?//',
        re.I,
    )
    for page in site.rglob("*.html"):
        assert not loaded.search(page.read_text("utf-8")), page


def _corpus(tmp_path: Path, *texts: tuple[str, str]) -> Path:
    folder = tmp_path / "case_studies"
    folder.mkdir()
    for name, text in texts:
        (folder / f"{name}.yaml").write_text(text, "utf-8")
    return folder


def test_invalid_case_study_writes_nothing(tmp_path: Path) -> None:
    broken = SAMPLE.read_text().replace("title:", "titel:", 1)
    paths = make_project(tmp_path, case_studies=_corpus(tmp_path, ("riverton", broken)))
    site = paths.site
    site.mkdir()
    (site / "marker.txt").write_text("previous site")
    before = {path: path.stat().st_mtime_ns for path in paths.generated.rglob("*")}
    result = build_site(paths, progress=lambda message: None)
    assert not result.ok
    assert [problem.message for problem in result.problems] == ["unknown field 'titel'"]
    assert [path.name for path in site.iterdir()] == ["marker.txt"]
    assert {path: path.stat().st_mtime_ns for path in paths.generated.rglob("*")} == before


def test_failed_builder_leaves_the_previous_site(tmp_path: Path) -> None:
    paths = make_project(tmp_path, case_studies=_corpus(tmp_path, ("riverton", SAMPLE.read_text())))
    site = paths.site
    site.mkdir()
    (site / "index.html").write_text("previous site")
    config = paths.mkdocs_config
    config.write_text(config.read_text() + "\ntheme: {name: no-such-theme}\n")
    with pytest.raises(BuildError, match="MkDocs failed"):
        build_site(paths, progress=lambda message: None)
    assert (site / "index.html").read_text() == "previous site"
    assert not list(tmp_path.glob(".site-*"))


HOSTILE = (
    SAMPLE.read_text()
    .replace(
        "title: Riverton anchors buy local (fictional)",
        'title: "Riverton <img src=x onerror=alert(1)> {: onclick=\\"alert(2)\\"}"',
    )
    .replace("  A fictional town whose", "  <script>alert(3)</script> A fictional town whose")
    .replace("[links](https://example.org/)", "[links](javascript:alert(4)) <iframe src=x>")
    .replace("name: Riverton General Hospital", "name: '<b onmouseover=alert(5)>Hospital</b>'")
    .replace("Twelve workers own", '<a href="javascript:alert(6)">Twelve</a> workers own')
)


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_text_from_yaml_never_injects_markup(tmp_path: Path) -> None:
    paths = make_project(tmp_path, case_studies=_corpus(tmp_path, ("riverton", HOSTILE)))
    site = paths.site
    result = build_site(paths, progress=lambda message: None, index=False)
    assert result.ok, result.problems
    for page in [
        site / "case-studies" / "riverton" / "index.html",
        site / "pillars" / "plural-ownership" / "index.html",
        site / "case-studies" / "index.html",
        site / "index.html",
    ]:
        html = page.read_text("utf-8")
        article = html[html.index("<article") : html.index("</article>")]
        elements = _elements(article)
        assert not [tag for tag, _ in elements if tag in ("script", "iframe", "img", "object")]
        for tag, attributes in elements:
            for name, value in attributes:
                assert not name.startswith("on"), (page, tag, name)
                assert not (value or "").strip().lower().startswith("javascript:"), (page, tag)
    html = (site / "case-studies" / "riverton" / "index.html").read_text("utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown as text, not dropped
