"""Choose each case study's related case studies and say why, in words.

A relation is named once, on either case study (`related:`), and both pages show it: the page
named reads the relation backwards. Each page shows at most MAX_SHOWN, ranked: the ones with a
reason the contributors wrote, then those sharing the most indicators (figures measured the same
way), then the most pillars. A relation without a written reason is explained by what the two
share: the figures both measure, or else the pillars both work on (issue 18: Preston listed
nearly every place, with no reason).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator.markup import country_name
from generator.model import CaseStudy, Indicator, Pillar

MAX_SHOWN = 6


@dataclass(frozen=True)
class RelatedCase:
    """Another case study shown as related to one, with the reason in words."""

    case: CaseStudy
    reason: str
    written: bool  # the contributors' own reason, not one computed from shared data


def related_lists(
    case_studies: Iterable[CaseStudy],
    pillars: Iterable[Pillar],
    indicators: Mapping[str, Indicator],
) -> dict[str, tuple[RelatedCase, ...]]:
    """Return each case study's related case studies by slug: at most MAX_SHOWN, ranked."""
    by_slug = {case.slug: case for case in case_studies}
    # slug -> {other slug: the written reason or None}, whichever side named the relation;
    # a reason written on either side explains it on both (the case study's own first).
    named: dict[str, dict[str, str | None]] = defaultdict(dict)
    for case in by_slug.values():
        for relation in case.related:
            if relation.slug in by_slug and relation.slug != case.slug:
                named[case.slug][relation.slug] = relation.reason
    for case in by_slug.values():
        for relation in case.related:
            if relation.slug in by_slug and relation.slug != case.slug:
                backwards = named[relation.slug]
                backwards[case.slug] = backwards.get(case.slug) or relation.reason
    short = {pillar.slug: pillar.short_title.lower() for pillar in pillars}
    lists = {}
    for slug, case in by_slug.items():
        ranked = []
        for other_slug, reason in named[slug].items():
            other = by_slug[other_slug]
            pillars_shared = [p for p in case.pillar_slugs if p in other.pillar_slugs]
            measured = _indicators(case)
            indicators_shared = [i for i in _indicators(other) if i in measured]
            computed = _reason(
                [short[p] for p in pillars_shared if p in short],
                [_lower_first(indicators[i].label) for i in indicators_shared if i in indicators],
            ) or _where(case, other)
            entry = RelatedCase(other, reason or computed, reason is not None)
            key = (
                reason is None,
                -len(indicators_shared),
                -len(pillars_shared),
                other.title.lower(),
                other.slug,
            )
            ranked.append((key, entry))
        ranked.sort(key=lambda pair: pair[0])
        lists[slug] = tuple(entry for _, entry in ranked[:MAX_SHOWN])
    return lists


def _indicators(case: CaseStudy) -> list[str]:
    """Return the shared indicators a case study's figures measure, each once, in order."""
    return list(dict.fromkeys(m.indicator for m in case.metrics if m.indicator is not None))


def _reason(pillars: list[str], indicators: list[str]) -> str:
    """Say what two case studies share: the figures both measure, else the pillars."""
    if indicators:
        more = len(indicators) - 2
        also = f" (and {more} more figure{'s' if more > 1 else ''})" if more > 0 else ""
        return f"Both measure {_and(indicators[:2])}{also}."
    if pillars:
        return f"Both work on {_and(pillars)}."
    return ""


def _where(case: CaseStudy, other: CaseStudy) -> str:
    """Say where two case studies that share no pillar meet: the same area, or country."""
    for inner, outer in ((case, other), (other, case)):
        if any(inner.place.name in text for text in (outer.place.name, outer.place.region or "")):
            return f"Both in {inner.place.name}."
    if case.place.country == other.place.country:
        return f"Both in {country_name(case.place.country)}."
    return "Another place working on community wealth building."


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _lower_first(label: str) -> str:
    # "Share of anchor …" reads "share of anchor …" mid-sentence; "Co-operatives" stays a noun.
    return label[:1].lower() + label[1:]
