"""A schema-valid case study with script in every text field, and what a built file may hold.

Shared by tests/test_untrusted_text.py (every built file, both builder routes) and
tests/test_browser_untrusted.py (real Chromium on the pages the text reaches).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from generator.build import BUILDER_VARIABLE, build_site
from generator.model import PILLAR_SLUGS
from generator.paths import CASE_STUDY_SCHEMA
from generator.schema_walk import Field, resolve, walk
from tests.golden import SAMPLE
from tests.project import make_project

SLUG = "riverton"
NEIGHBOUR = "plainton"  # a plain case study that names the hostile one as related
ROUTES = ("in-process", "mkdocs")  # the builder routes (generator/build.py: build_pages)
# Each breaks out of one context if it lands there unescaped: element text and attributes,
# <title>, a <script> element (JSON-LD), CDATA (SVG, Atom), Markdown links, Jinja and snippets.
MARKUP = (
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(2)>",
    "</title><script>alert(3)</script>",
    "'><svg onload=alert(4)>",
    "]]><script>alert(5)</script>",
    "</script><script>alert(6)</script>",
    "[a](javascript:alert(7))",
    '<a href="javascript:alert(8)">b</a>',
    "<javascript:alert(9)>",
)
TEMPLATE_SYNTAX = ("{{ 7*7 }}", "<!--")
# A web address that the schema accepts (`format: uri`) with everything it lets through.
URL = (
    "https://evil.example/?q=%22%3E%3Cscript%3Ealert(10)%3C/script%3E"
    "&j=javascript:alert(11)#'onmouseover=alert(12)"
)
# Where an address is allowed, these are not: the schema's pattern and checks.py refuse them.
REFUSED_URLS = ("javascript:alert(13)", "data:text/html,<script>alert(14)</script>")
PAD = " and more words"


def text_fields() -> list[Field]:
    """Return every field of the case-study schema that holds text (or a list of texts)."""
    schema = json.loads(CASE_STUDY_SCHEMA.read_text("utf-8"))
    fields = []
    for found in walk(schema):
        kind = found.schema.get("type")
        if kind == "array":
            items = resolve(found.schema.get("items", {}), schema)
            if items.get("type") == "string":
                fields.append(Field(found.path, items, found.required))
        elif kind == "string":
            fields.append(found)
    return fields


def is_free_text(text_field: Field) -> bool:
    """Return whether a text field takes any text (no pattern, list of values or format)."""
    return not {"pattern", "enum", "format"} & text_field.schema.keys()


def payload(text_field: Field, turn: int) -> str:
    """Return as many payloads as the field holds (a different first one each turn), padded
    to its shortest length; every other field has them in paragraphs (blank lines between),
    which must not end the HTML block the text sits in and let Markdown read them."""
    longest = int(text_field.schema.get("maxLength", 2000))
    shortest = int(text_field.schema.get("minLength", 0))
    separator = "\n\n" if turn % 2 == 0 else " "
    text = ""
    start = turn % len(MARKUP)
    for atom in MARKUP[start:] + MARKUP[:start] + TEMPLATE_SYNTAX:
        if len(text) + len(separator) + len(atom) <= longest:
            text = f"{text}{separator}{atom}" if text else atom
    while len(text) < shortest:
        text += PAD
    assert text and len(text) <= longest, text_field.dotted
    return text


def complete_document() -> dict[str, Any]:
    """Return the sample case study with every optional part the schema has filled in."""
    document: dict[str, Any] = yaml.safe_load((SAMPLE / f"{SLUG}.yaml").read_text("utf-8"))
    work = document["pillars"]["plural-ownership"]  # it has an initiative that ended
    document["pillars"] = {slug: copy.deepcopy(work) for slug in PILLAR_SLUGS}
    document["status"] = "discontinued"
    document["period"]["end"] = 2022
    document["ended"] = {
        "year": 2022,
        "date": "2022-05",
        "how": "closed",
        "note": "Closed when the funding ended.",
        "source": "riverton-news",
    }
    for actor in document["actors"]:
        actor.setdefault("note", "What it did.")
        actor.setdefault("url", "https://example.org/actor")
    for metric in document["metrics"]:
        metric.setdefault("note", "How it was counted.")
        metric.setdefault("area", "Riverton (its anchors)")
        metric.setdefault("measures", "A council's own spending")
        for value in metric["values"]:
            value.setdefault("note", "first offer")
        if len(metric["values"]) > 1:  # a break is never on the first value
            metric["values"][1].setdefault("definition_changed", "Counted another way from here.")
    return document


def hostile_document() -> tuple[dict[str, Any], dict[str, str]]:
    """Return the complete document with a payload in every free-text field and URL in every
    address, and {field: the text put there}."""
    document = complete_document()
    placed: dict[str, str] = {}
    for turn, text_field in enumerate(text_fields()):
        if text_field.schema.get("format") == "uri":
            text = URL
        elif text_field.dotted == "metrics[].values[].label":
            # A value's label is a period: cwb validate wants a year in it (issue 18).
            shorter = dataclasses.replace(text_field, schema={**text_field.schema, "maxLength": 25})
            text = f"2019 {payload(shorter, turn)}"
        elif is_free_text(text_field):
            text = payload(text_field, turn)
        else:
            continue
        count = _set_all(document, text_field.path, text)
        if count == 0:
            raise AssertionError(f"complete_document() lacks {text_field.dotted}: add it there")
        placed[text_field.dotted] = text
    return document, placed


def _set_all(value: Any, path: tuple[str, ...], text: str) -> int:
    """Set every value at path ("[]": each item of a list) to text; return how many."""
    if not path:
        return 0
    head, rest = path[0], path[1:]
    if isinstance(value, list) and head == "[]":
        return sum(_set_all(item, rest, text) for item in value)
    if not isinstance(value, dict) or head not in value:
        return 0
    if not rest:
        if isinstance(value[head], list):  # a list of texts
            value[head] = [text for _ in value[head]]
            return len(value[head])
        value[head] = text
        return 1
    return _set_all(value[head], rest, text)


@dataclass(frozen=True)
class HostileSite:
    """A site built from the hostile case study and its plain neighbour."""

    site: Path
    route: str
    document: dict[str, Any]  # the hostile case study as written
    placed: dict[str, str]  # {field: the text put in it}


def build_hostile_site(where: Path, route: str) -> HostileSite:
    """Build (and index) the hostile case study and a neighbour by one builder route."""
    document, placed = hostile_document()
    document["related"] = [NEIGHBOUR]
    neighbour: dict[str, Any] = yaml.safe_load((SAMPLE / f"{SLUG}.yaml").read_text("utf-8"))
    neighbour.update(slug=NEIGHBOUR, related=[SLUG], featured=False)
    neighbour["place"]["name"] = "Plainton"
    folder = where / "case_studies"
    folder.mkdir(parents=True)
    for data in (document, neighbour):  # JSON is YAML
        (folder / f"{data['slug']}.yaml").write_text(json.dumps(data, indent=1), "utf-8")
    paths = make_project(where, case_studies=folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(BUILDER_VARIABLE, "mkdocs" if route == "mkdocs" else "")
        result = build_site(paths, progress=lambda message: None)
    assert result.ok, [problem.format_text() for problem in result.problems]
    return HostileSite(paths.site, route, document, placed)


# --- what a built file may hold ---------------------------------------------------------------

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
_FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "frame", "frameset", "applet"}


class HtmlElements(HTMLParser):
    """Every start tag of an HTML document, and the text of each <script> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script, self._text = dict(attrs), []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None


def html_problems(html: str) -> Iterator[str]:
    """Yield each piece of executable markup in an HTML document that the project did not write.

    The project's own scripts are files of the site or inline scripts without an `alert(`
    (every payload calls alert); JSON-LD must be JSON from start to end.
    """
    parser = HtmlElements()
    parser.feed(html)
    parser.close()
    for tag, attributes in parser.tags:
        if tag in _FORBIDDEN_ELEMENTS:
            yield f"<{tag}> element"
        if tag == "meta" and any(
            (name, (value or "").lower()) == ("http-equiv", "refresh") for name, value in attributes
        ):
            yield "<meta http-equiv=refresh>"
        for name, value in attributes:
            if name.startswith("on"):
                yield f"<{tag} {name}=…>"
            if name in _URL_ATTRIBUTES and _runs(value or ""):
                yield f"<{tag} {name}={value!r}>"
    for script, text in parser.scripts:
        source = script.get("src")
        if script.get("type") == "application/ld+json":
            try:
                json.loads(text)
            except ValueError:
                yield f"JSON-LD that is not JSON: {text[:80]!r}"
        elif source is not None:
            if urlsplit(source).scheme or source.startswith("//"):
                yield f"<script src={source!r}> from elsewhere"
        elif "alert(" in text:
            yield f"<script> {text[:80]!r}"


def _runs(url: str) -> bool:
    """Return whether a URL attribute runs script (after the browser strips what it strips)."""
    cleaned = re.sub(r"[\x00-\x20]", "", url).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:text/html"))


def xml_problems(text: str) -> Iterator[str]:
    """Yield each script element, event attribute or script URL in an XML document (SVG,
    Atom, sitemap), and the same in any HTML that an Atom entry carries as text."""
    root = ET.fromstring(text)
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local in {"script", "foreignObject", *_FORBIDDEN_ELEMENTS}:
            yield f"<{local}> element"
        for name, value in element.attrib.items():
            attribute = name.rsplit("}", 1)[-1]
            if attribute.startswith("on"):
                yield f"<{local} {attribute}=…>"
            if attribute in _URL_ATTRIBUTES and _runs(value):
                yield f"<{local} {attribute}={value!r}>"
        if element.get("type") in {"html", "xhtml"} and element.text:
            yield from html_problems(element.text)
