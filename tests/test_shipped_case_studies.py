"""The case studies we ship are valid and meet the bar the project sets for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.paths import collect_files
from generator.validate import validate_files

CASE_STUDIES = Path(__file__).parent.parent / "case_studies"
SCHEMA_LINE = "# yaml-language-server: $schema=../generator/schema/case-study.schema.json"
FIRST_FIVE = ("preston", "cleveland-evergreen", "barcelona", "bologna", "wales-psb-clusters")


def test_shipped_case_studies_validate() -> None:
    result = validate_files(collect_files([CASE_STUDIES]))
    assert result.problems == []
    assert {case.slug for case in result.case_studies} >= set(FIRST_FIVE)


@pytest.mark.parametrize("slug", FIRST_FIVE)
def test_each_first_case_study_is_well_sourced(slug: str) -> None:
    path = CASE_STUDIES / f"{slug}.yaml"
    assert path.read_text("utf-8").splitlines()[0] == SCHEMA_LINE
    [case] = validate_files([path]).case_studies
    assert len(case.sources) >= 3
    assert len(case.metrics) >= 2
    assert all(len(metric.values) >= 1 for metric in case.metrics)
    assert len(case.pillars) >= 2
    assert case.actors and case.lessons and case.related


@pytest.mark.parametrize(
    ("slug", "about"),
    [
        ("preston", "anchor"),
        ("preston", "most improved"),
        ("cleveland-evergreen", "owner"),
    ],
)
def test_known_disagreements_are_recorded_with_both_sources(slug: str, about: str) -> None:
    [case] = validate_files([CASE_STUDIES / f"{slug}.yaml"]).case_studies
    matching = [item for item in case.disagreements if about in item.about.lower()]
    assert matching, f"{slug} records no disagreement about {about!r}"
    assert len({account.source for account in matching[0].accounts}) >= 2
