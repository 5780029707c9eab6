"""A case study with script in every text field of the schema: it validates, it builds by both
builder routes, no built file holds markup that would run, and every text reads as written.

The payloads: tests/hostile.py. The same site in real Chromium: tests/test_browser_untrusted.py.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from pathlib import Path
from typing import Any

import jinja2
import pytest

from generator.paths import collect_files
from generator.validate import validate_files
from tests.hostile import (
    MARKUP,
    REFUSED_URLS,
    SLUG,
    TEMPLATE_SYNTAX,
    URL,
    HostileSite,
    HtmlElements,
    hostile_document,
    html_problems,
    is_free_text,
    text_fields,
    xml_problems,
)

SITE_NAME = "Community Wealth Building knowledge base"


def _validate(tmp_path: Path, document: dict[str, Any]) -> list[str]:
    folder = tmp_path / "case_studies"
    folder.mkdir(exist_ok=True)
    (folder / f"{SLUG}.yaml").write_text(json.dumps(document, indent=1), "utf-8")
    result = validate_files(collect_files([folder]))
    return [problem.format_text() for problem in result.problems]


def test_every_free_text_field_holds_a_payload_and_validates(tmp_path: Path) -> None:
    document, placed = hostile_document()
    free = {field.dotted for field in text_fields() if is_free_text(field)}
    assert free and free <= placed.keys()
    for name in free:
        assert any(markup in placed[name] for markup in MARKUP), name
    assert _validate(tmp_path, document) == []


@pytest.mark.parametrize(
    "text_field",
    [field for field in text_fields() if not is_free_text(field)],
    ids=lambda field: field.dotted,
)
def test_fields_that_take_no_free_text_cannot_hold_markup(text_field: Any) -> None:
    schema = text_field.schema
    if "enum" in schema:
        # Words and hyphens only ("more than" for a qualifier): nothing that could be markup.
        assert all(
            re.fullmatch(r"[A-Za-z0-9-]+( [A-Za-z0-9-]+)*", value) for value in schema["enum"]
        )
    elif "pattern" in schema and schema.get("format") != "uri":
        for payload in (*MARKUP, *TEMPLATE_SYNTAX, URL):
            assert re.search(schema["pattern"], payload) is None
    else:
        assert schema["format"] == "uri" and re.search(schema["pattern"], URL)


@pytest.mark.parametrize("url", REFUSED_URLS)
@pytest.mark.parametrize("where", ["sources", "actors"])
def test_script_addresses_are_refused(tmp_path: Path, where: str, url: str) -> None:
    document, _ = hostile_document()
    document[where][0]["url"] = url
    [problem] = _validate(tmp_path, document)
    assert "https://" in problem and url[:16] in problem


def _built_files(site: Path) -> list[Path]:
    return sorted(path for path in site.rglob("*") if path.is_file())


def test_no_built_file_holds_markup_that_runs(hostile_site: HostileSite) -> None:
    found: dict[str, list[str]] = {}
    checked = {".html": 0, ".xml": 0, ".svg": 0}
    for path in _built_files(hostile_site.site):
        if path.suffix == ".html":
            problems = list(html_problems(path.read_text("utf-8")))
        elif path.suffix in {".svg", ".xml", ".opml"}:
            problems = list(xml_problems(path.read_text("utf-8")))
        else:
            continue
        checked[path.suffix] = checked.get(path.suffix, 0) + 1
        if problems:
            found[path.relative_to(hostile_site.site).as_posix()] = problems
    assert found == {}
    # Pages, the sitemap, the Atom feed and the icons and map were all read.
    assert checked[".html"] > 20 and checked[".xml"] >= 2 and checked[".svg"] >= 2, checked


def _pagefind_records(site: Path) -> dict[str, dict[str, Any]]:
    records = {}
    for path in site.glob("pagefind*/fragment/*.pf_fragment"):
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        record = json.loads(data)
        records[record["url"]] = record
    return records


def test_search_records_hold_the_text_as_written(hostile_site: HostileSite) -> None:
    records = _pagefind_records(hostile_site.site)
    [record] = [record for url, record in records.items() if url.endswith(f"/{SLUG}/")]
    placed = hostile_site.placed
    assert record["meta"]["title"] == _collapse(placed["title"])
    assert record["meta"]["place"] == _collapse(placed["place.name"])  # Pagefind joins lines
    assert record["filters"]["place"] == [_collapse(placed["place.name"])]
    assert _collapse(placed["summary"]) in record["content"]


def _collapse(text: str) -> str:
    return " ".join(text.split())


class _Head:
    """The texts of a built page that come from its front matter, as a browser reads them."""

    def __init__(self, page: str) -> None:
        parser = HtmlElements()
        parser.feed(page)
        self.meta = {
            str(attributes.get("name") or attributes.get("property")): attributes.get("content")
            for tag, attributes in ((tag, dict(attrs)) for tag, attrs in parser.tags)
            if tag == "meta"
        }
        [self.json_ld] = [
            json.loads(text)
            for attributes, text in parser.scripts
            if attributes.get("type") == "application/ld+json"
        ]
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        self.title = html.unescape(title[1]) if title else None
        topic = re.search(
            r'data-md-component="header-topic">\s*<span class="md-ellipsis">(.*?)</span>',
            page,
            re.S,
        )
        self.header = html.unescape(topic[1].strip()) if topic else None


def test_head_and_header_show_the_text_as_written(hostile_site: HostileSite) -> None:
    page = (hostile_site.site / "case-studies" / SLUG / "index.html").read_text("utf-8")
    head = _Head(page)
    placed = hostile_site.placed
    title = placed["title"]
    description = jinja2.Environment().from_string("{{ text | truncate(200) }}")
    summary = description.render(text=placed["summary"])
    assert head.title == f"{title} - {SITE_NAME}"
    assert head.header == title
    assert head.meta["description"] == summary
    assert head.meta["og:title"] == head.meta["twitter:title"] == title
    assert head.meta["og:description"] == head.meta["twitter:description"] == summary
    assert head.json_ld["headline"] == _collapse(title)
    assert head.json_ld["description"] == _collapse(summary)
    place = head.json_ld["about"]
    assert place["name"] == _collapse(f"{placed['place.name']}, {placed['place.region']}")
    assert place["address"]["addressRegion"] == _collapse(placed["place.region"])
