"""How contributed text becomes HTML, and the one Jinja environment every page is made with.

Text from case studies never reaches a page as markup: plain-text fields are escaped by
Jinja's autoescape (and, in Markdown headings, by `mdtext`; in a page's front matter, by
`front_matter`); Markdown fields are rendered here and sanitised with an allow-list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
import nh3
import pycountry
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from generator.charts import UNIT_NAMES, format_value
from generator.dates import long_date
from generator.languages import language_name

# Python-Markdown's backslash-escapable characters (with `|` from the tables extension);
# `<`, `>` and `&` are left to HTML escaping, which runs after.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
# Characters that YAML reads as line breaks or refuses even inside a quoted string, and that
# JSON leaves as they are: written as JSON's \uXXXX escapes, which YAML reads the same way.
_YAML_RAW_UNSAFE = {
    code: f"\\u{code:04x}" for code in (*range(0x7F, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
}


def template_environment(
    templates: Path, *, finalize: Callable[[Any], Any] | None = None, **globals: Any
) -> jinja2.Environment:
    """Return a Jinja environment for the site's templates, with the shared filters.

    Autoescaping is on and undefined names fail loudly; every template in the project is
    rendered through an environment made here, so escaping and formatting cannot drift apart.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters.update(
        mdtext=mdtext,
        markdown=markdown_html,
        country=country_name,
        language=lambda tag: language_name(tag) or tag,
        long_date=long_date,
        value=format_value,
        unit_name=lambda unit: UNIT_NAMES.get(unit, unit),
    )
    env.globals.update(globals, front_matter=front_matter)
    return env


# --- text filters ---


def front_matter(**values: object) -> Markup:
    """Return a generated page's front matter, every text in it escaped as HTML.

    MkDocs and Material print `page.meta` into the page as it is, with no autoescaping, in
    both builder routes: the title into <title>, the header and the navigation, the
    description into meta tags (issue 16). So every string is escaped here, once; the theme's
    main.html prints them as they are and turns them back into text (`striptags`) only for
    JSON-LD. Each value is written as JSON, which YAML reads, on one line.
    """
    lines = ["---"]
    for key, value in values.items():
        data = json.dumps(_escape_strings(value), ensure_ascii=False)
        lines.append(f"{key}: {data.translate(_YAML_RAW_UNSAFE)}")
    lines.append("---")
    return Markup("\n".join(lines))


def _escape_strings(value: object) -> object:
    """Return value with every string in it (in lists and mappings too) escaped as HTML."""
    if isinstance(value, str):
        return str(escape(value))
    if isinstance(value, dict):
        return {key: _escape_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escape_strings(item) for item in value]
    return value


def mdtext(text: object) -> Markup:
    """Escape plain text for a Markdown context (headings): HTML and Markdown syntax both."""
    return escape(_MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(str(text).split())))


@cache
def _markdown_converter() -> MarkdownIt:
    # CommonMark as GitHub writes it, with raw HTML switched off: tags in a case study come out
    # as text. markdown-it also refuses javascript: and data: links; nh3 below is the backstop.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


@lru_cache(maxsize=65536)  # initiatives appear on their case study and on pillar pages
def markdown_html(text: str, top: int = 3) -> Markup:
    """Render a contributor's Markdown field to sanitised HTML (no raw HTML survives).

    The field sits under a heading of the page: its own headings start at level `top` (3 under
    an h2 such as "The story", 4 inside an h3 section), so the page's outline never skips one.
    """
    html = _shift_headings(_markdown_converter().render(text), top)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
    )
    return Markup(clean)


def _shift_headings(html: str, top: int) -> str:
    """Move a field's headings so its highest becomes `top`, and none skips a level.

    Contributors write `##` (as on GitHub) or `#` for a section; both become `top`. A heading
    deeper than one below the previous is raised to it (`##` then `####` reads as 3 then 4).
    """
    levels = [int(match[2]) for match in _HEADING_TAG.finditer(html) if not match[1]]
    if not levels:
        return html
    shift = top - min(levels)
    previous = top - 1
    placed: list[int] = []
    for level in levels:
        previous = min(level + shift, previous + 1, 6)
        placed.append(previous)
    opened = iter(placed)
    stack: list[int] = []

    def replace(match: re.Match[str]) -> str:
        if match[1]:
            return f"</h{stack.pop()}"
        stack.append(next(opened))
        return f"<h{stack[-1]}"

    return _HEADING_TAG.sub(replace, html)


def country_name(code: str) -> str:
    """Return a country's common name for an ISO 3166-1 alpha-2 code."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


# --- URLs ---


def page_url(doc_path: str) -> str:
    """Return the site URL path (from the root, no leading slash) of a docs-tree Markdown file."""
    stem = doc_path[: -len(".md")]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def root_prefix(doc_path: str) -> str:
    """Return the relative prefix from a page back to the site root, e.g. '../../'."""
    depth = page_url(doc_path).count("/")
    return "../" * depth
