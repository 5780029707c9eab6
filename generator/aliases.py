"""Search aliases: the other names readers search by, indexed on the pages that use one.

The registry (schema/abbreviations.yaml) lists names for one thing ("community land trust",
"CLT"). A page using any of them carries all of them as Pagefind metadata, which Pagefind
searches, so "CLT" finds what "community land trust" finds (issue 18: 6 results against 33).
A guide may name more in its front matter (`search_aliases:`, e.g. what-is-cwb.md's "local
wealth building", CLES's name for the approach in 2017-18): those find that page alone.
"""

from __future__ import annotations

import re
from functools import cache

import yaml
from markupsafe import Markup

from generator.paths import ABBREVIATIONS_FILE

# One Pagefind metadata field for all of a page's aliases (pillar synonyms have their own).
META_KEY = "aliases"


@cache
def _registry() -> tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]:
    """Return each entry's names with one pattern that finds any of them in a text."""
    entries = yaml.safe_load(ABBREVIATIONS_FILE.read_text("utf-8"))
    registry = []
    for entry in entries:
        names = tuple(entry["names"])
        # Capitals (CLT) match as written, so "clt" in a web address does not; others in any
        # case. A trailing s covers plurals; no letter, digit or hyphen may touch either end.
        alternatives = [
            re.escape(name) if name.isupper() else f"(?i:{re.escape(name)})" for name in names
        ]
        pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})s?(?![\w-])")
        registry.append((names, pattern))
    return tuple(registry)


def page_aliases(text: str) -> list[str]:
    """Return every name of every registry entry that the text uses under any of its names."""
    return [name for names, pattern in _registry() if pattern.search(text) for name in names]


def alias_marker(text: str, extra: tuple[str, ...] = ()) -> str:
    """Return the hidden Pagefind metadata element for a page's text ("" if it has none)."""
    names = list(dict.fromkeys([*page_aliases(text), *extra]))
    if not names:
        return ""
    value = f"{META_KEY}:{', '.join(names)}"
    # A block element: a Markdown paragraph would wrap an inline one (and the builder's
    # headings-only fast path would refuse the page).
    return str(Markup('\n<div hidden data-pagefind-meta="{}"></div>\n').format(value))
