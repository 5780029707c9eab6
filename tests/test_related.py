"""Related case studies: named once on either side, at most six shown, each with its reason."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from pathlib import Path

from markupsafe import escape

from generator.build import BuildResult
from generator.model import CaseStudy, Relation, load_indicators, load_pillars
from generator.paths import collect_files
from generator.related import MAX_SHOWN, RelatedCase, related_lists
from generator.validate import validate_files
from tests.conftest import ROOT


@cache
def shipped() -> dict[str, CaseStudy]:
    cases = validate_files(collect_files([ROOT / "case_studies"])).case_studies
    return {case.slug: case for case in cases}


def lists_for(*cases: CaseStudy) -> dict[str, tuple[RelatedCase, ...]]:
    return related_lists(cases, load_pillars(), load_indicators())


def alone(slug: str, *related: Relation) -> CaseStudy:
    return replace(shipped()[slug], related=related)


def test_a_relation_named_on_one_side_shows_on_both_with_the_written_reason() -> None:
    reason = "Both councils learned from each other's anchor networks."
    lists = lists_for(
        alone("preston", Relation("manchester", reason)), alone("manchester"), alone("fife")
    )
    assert [(e.case.slug, e.reason, e.written) for e in lists["preston"]] == [
        ("manchester", reason, True)
    ]
    assert [(e.case.slug, e.reason, e.written) for e in lists["manchester"]] == [
        ("preston", reason, True)
    ]
    assert lists["fife"] == ()


def test_a_relation_without_a_reason_is_explained_by_shared_figures_or_pillars() -> None:
    lists = lists_for(
        alone("preston", Relation("manchester"), Relation("bank-of-north-dakota")),
        alone("manchester"),
        alone("bank-of-north-dakota"),
    )
    reasons = {e.case.slug: e.reason for e in lists["preston"]}
    # Both tag "share of anchor spend kept in the place" (an indicator) on their figures.
    assert reasons["manchester"].startswith(
        "Both measure share of anchor institutions' spend kept in the place"
    )
    assert reasons["bank-of-north-dakota"] == "Both work on finance and plural ownership."
    # Sharing figures ranks above sharing a pillar.
    assert [e.case.slug for e in lists["preston"]] == ["manchester", "bank-of-north-dakota"]


def test_at_most_six_shown_written_reasons_first() -> None:
    others = [slug for slug in sorted(shipped()) if slug != "preston"][:10]
    preston = alone(
        "preston",
        *(Relation(slug) for slug in others[:-1]),
        Relation(others[-1], "A reason written by the contributors, about both places."),
    )
    lists = lists_for(preston, *(alone(slug) for slug in others))
    shown = lists["preston"]
    assert len(shown) == MAX_SHOWN
    assert shown[0].case.slug == others[-1] and shown[0].written
    assert not any(entry.written for entry in shown[1:])


def test_pages_show_the_reasons_and_each_country_once(built_site: tuple[Path, BuildResult]) -> None:
    site, _ = built_site
    lists = related_lists(shipped().values(), load_pillars(), load_indicators())
    for slug, shown in lists.items():
        html = (site / "case-studies" / slug / "index.html").read_text("utf-8")
        section = html.split('<div class="cwb-related" data-pagefind-ignore>', 1)[1]
        items = re.findall(r"<li>(.*?)</li>", section.split("</ul>", 1)[0], re.S)
        assert len(items) == len(shown) <= MAX_SHOWN, slug
        for item, entry in zip(items, shown, strict=True):
            assert f'case-studies/{entry.case.slug}/"' in item, slug
            assert escape(entry.reason) in item, slug
            assert "United Kingdom, United Kingdom" not in item, slug
    preston = (site / "case-studies" / "preston" / "index.html").read_text("utf-8")
    assert "New Start reports that the Preston model is based on Cleveland" in preston
