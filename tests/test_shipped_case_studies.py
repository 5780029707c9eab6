"""The case studies we ship are valid and meet the bar the project sets for them."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from generator.model import PILLAR_SLUGS, CaseStudy, load_indicators, load_pillars
from generator.paths import collect_files
from generator.related import MAX_SHOWN, related_lists
from generator.validate import validate_files

CASE_STUDIES = Path(__file__).parent.parent / "case_studies"
SCHEMA_LINE = "# yaml-language-server: $schema=../generator/schema/case-study.schema.json"
FIRST_FIVE = ("preston", "cleveland-evergreen", "barcelona", "bologna", "wales-psb-clusters")
# Remarks about a source belong in its `note`, never in its title (the title is link text).
EDITORIAL = re.compile(
    r"not recorded|not published|as far as we know|page address|headline not|the link is|slides?\b",
    re.IGNORECASE,
)


@cache
def shipped() -> tuple[CaseStudy, ...]:
    result = validate_files(collect_files([CASE_STUDIES]))
    assert result.problems == [], [problem.format_text() for problem in result.problems]
    return tuple(result.case_studies)


def by_slug(slug: str) -> CaseStudy:
    return next(case for case in shipped() if case.slug == slug)


def test_shipped_case_studies_validate() -> None:
    slugs = {case.slug for case in shipped()}
    assert slugs >= set(FIRST_FIVE)
    assert len(slugs) >= 17


def test_every_pillar_is_worked_on_by_at_least_three_places() -> None:
    counts = Counter(slug for case in shipped() for slug in case.pillar_slugs)
    assert {slug: counts[slug] for slug in PILLAR_SLUGS} == {
        slug: max(counts[slug], 3) for slug in PILLAR_SLUGS
    }


def test_each_case_study_is_well_sourced() -> None:
    for case in shipped():
        path = CASE_STUDIES / f"{case.slug}.yaml"
        assert path.read_text("utf-8").splitlines()[0] == SCHEMA_LINE, case.slug
        assert len(case.sources) >= 3, case.slug
        assert len(case.metrics) >= 2, case.slug
        assert case.actors and case.lessons and case.related, case.slug


def test_every_case_study_shows_a_short_explained_related_list() -> None:
    lists = related_lists(shipped(), load_pillars(), load_indicators())
    for case in shipped():
        shown = lists[case.slug]
        assert 1 <= len(shown) <= MAX_SHOWN, case.slug
        assert all(entry.reason.endswith(".") for entry in shown), case.slug
        assert all(entry.reason.startswith("Both ") or entry.written for entry in shown), case.slug
    preston = [entry.case.slug for entry in lists["preston"]]
    assert preston[0] == "cleveland-evergreen"  # the relation with a written reason first


def test_no_source_title_carries_an_editorial_note() -> None:
    titled = [
        (case.slug, source.id, source.title)
        for case in shipped()
        for source in case.sources
        if EDITORIAL.search(source.title)
    ]
    assert titled == []


def test_an_indicator_is_shared_by_three_places() -> None:
    places = Counter(
        indicator
        for case in shipped()
        for indicator in {metric.indicator for metric in case.metrics if metric.indicator}
    )
    assert places.most_common(1)[0][1] >= 3


def test_green_city_growers_is_shown_as_sold() -> None:
    initiatives = [
        item for work in by_slug("cleveland-evergreen").pillars for item in work.initiatives
    ]
    [growers] = [item for item in initiatives if "Green City Growers" in item.title]
    assert growers.ended is not None
    assert (growers.ended.how, growers.ended.date) == ("sold", "2022-05-19")


@pytest.mark.parametrize(
    ("slug", "about"),
    [
        ("preston", "anchor"),
        ("preston", "most improved"),
        ("cleveland-evergreen", "greenhouse"),
        ("barcelona", "barcelona energia"),
        ("wales-psb-clusters", "north wales"),
    ],
)
def test_known_disagreements_are_recorded_with_both_sources(slug: str, about: str) -> None:
    case = by_slug(slug)
    matching = [item for item in case.disagreements if about in item.about.lower()]
    assert matching, f"{slug} records no disagreement about {about!r}"
    assert len({account.source for account in matching[0].accounts}) >= 2
