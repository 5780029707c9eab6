"""Pillar tagging from the pillar registry's synonyms, and keyword filtering."""

from __future__ import annotations

import pytest

from generator.model import PILLAR_SLUGS
from generator.news.model import Feed, NewsItem
from generator.news.tagging import Tagger, compile_terms, fold, tag_items

TAGGER = Tagger()


def news(title: str, summary: str = "", pillars: tuple[str, ...] = ()) -> NewsItem:
    """Return an item with a title and summary."""
    return NewsItem(
        "id",
        title,
        None,
        summary,
        "2026-05-01T00:00:00Z",
        "feed",
        "Feed",
        "https://example.org/feed",
        "2026-05-01T00:00:00Z",
        pillars,
    )


def feed(pillars: tuple[str, ...] = (), keywords: tuple[str, ...] = ()) -> Feed:
    """Return a feed with the given pillars and keywords."""
    return Feed("Feed", "https://example.org/feed", "https://example.org/", True, pillars, keywords)


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        ("Council boosts local spending", "", ("procurement",)),
        ("New SUPPLY CHAIN rules", "", ("procurement",)),
        ("Worker co-operatives on the rise", "", ("plural-ownership",)),
        (
            "A credit union opens",
            "<p>With a <b>community land trust</b> next door</p>",
            ("land-and-property", "finance"),
        ),
        ("Real Living Wage for nurses", "", ("workforce",)),
        ("Landmark ruling on landlords", "", ()),  # 'land' only as a whole word
        ("Spendthrift habits", "", ()),  # 'spend' only as a whole word
        ("Procurement reform", "", ("procurement",)),  # the short title counts too
        ("Nothing relevant at all", "", ()),
    ],
)
def test_pillars_from_synonyms(title: str, summary: str, expected: tuple[str, ...]) -> None:
    [tagged] = tag_items([news(title, summary)], feed(), TAGGER)
    assert tagged.pillars == expected


def test_feed_pillars_are_added_in_registry_order() -> None:
    [tagged] = tag_items(
        [news("Co-operatives grow")], feed(pillars=("finance", "workforce")), TAGGER
    )
    assert tagged.pillars == ("workforce", "finance", "plural-ownership")
    assert set(tagged.pillars) <= set(PILLAR_SLUGS)


def test_keywords_keep_only_matching_items() -> None:
    items = [
        news("Community wealth building in Fife"),
        news("Weather warning"),
        news("Nova cooperativa d'habitatge"),
        news("Economía social en Sants"),
        news("Cooperation agreement"),
    ]  # 'cooperativ*' must not match 'cooperation'
    kept = tag_items(
        items, feed(keywords=("community wealth", "cooperativ*", "economia social")), TAGGER
    )
    assert [item.title for item in kept] == [
        "Community wealth building in Fife",
        "Nova cooperativa d'habitatge",
        "Economía social en Sants",
    ]


def test_keywords_match_the_summary_text_not_its_markup() -> None:
    kept = tag_items(
        [
            news("Budget", '<a href="https://e.org/procurement">link</a>'),
            news("Budget 2", "<p>Public <em>procurement</em> changes</p>"),
        ],
        feed(keywords=("procurement",)),
        TAGGER,
    )
    assert [item.title for item in kept] == ["Budget 2"]


def test_terms_ignore_case_accents_and_spacing() -> None:
    pattern = compile_terms(["compra pública", "co-op"])
    assert pattern is not None
    assert pattern.search(fold("La COMPRA   PUBLICA de Barcelona"))
    assert pattern.search(fold("a Co-op shop"))
    assert not pattern.search(fold("co-operation"))
    assert compile_terms([]) is None
