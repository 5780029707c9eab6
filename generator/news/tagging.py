"""Tag news items with pillars, and keep only matching items of general news feeds."""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence

from generator.model import Pillar, load_pillars
from generator.news.clean import plain_text
from generator.news.model import Feed, NewsItem

log = logging.getLogger(__name__)


def fold(text: str) -> str:
    """Return text without case or accents, so that 'Economía' matches 'economia'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def compile_terms(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Return a pattern matching any term as whole words; a trailing * matches any ending."""
    alternatives = []
    for term in terms:
        folded = fold(term.strip())
        core = folded.rstrip("*").strip()
        if not core:
            continue
        pattern = r"\s+".join(re.escape(word) for word in core.split())
        alternatives.append(pattern + (r"\w*" if folded.endswith("*") else ""))
    if not alternatives:
        return None
    # Longest first, so that "credit unions" wins over "credit union" in the alternation.
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


class Tagger:
    """Finds the pillars an item's words speak of, from the pillar registry's synonyms."""

    def __init__(self, pillars: Sequence[Pillar] | None = None) -> None:
        self.pillars = tuple(pillars if pillars is not None else load_pillars())
        self.patterns = [
            (pillar.slug, compile_terms((pillar.short_title, *pillar.synonyms)))
            for pillar in self.pillars
        ]

    def match(self, folded_text: str) -> set[str]:
        """Return the slugs of the pillars whose terms occur in already folded text."""
        return {
            slug
            for slug, pattern in self.patterns
            if pattern is not None and pattern.search(folded_text)
        }

    def order(self, slugs: Iterable[str]) -> tuple[str, ...]:
        """Return slugs in the registry's order; unknown slugs are dropped."""
        wanted = set(slugs)
        return tuple(pillar.slug for pillar in self.pillars if pillar.slug in wanted)


def tag_items(items: Iterable[NewsItem], feed: Feed, tagger: Tagger) -> list[NewsItem]:
    """Return the feed's items with pillars set; a keyword feed keeps matching items only."""
    keywords = compile_terms(feed.keywords)
    tagged: list[NewsItem] = []
    for item in items:
        text = fold(f"{item.title} {plain_text(item.summary, len(item.summary) + 1)}")
        if keywords is not None and not keywords.search(text):
            continue
        pillars = tagger.order({*feed.pillars, *item.pillars, *tagger.match(text)})
        tagged.append(dataclasses.replace(item, pillars=pillars))
    return tagged
