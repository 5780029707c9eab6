"""Key figures: the change in words and numbers, the charts' markup, /compare/'s gathering,
sources numbered in first-citation order, and story headings under the page's own."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from generator.charts import (
    COLUMN_LIMIT,
    UNIT_NAMES,
    UNIT_WORDS,
    CompareRow,
    change,
    compare_chart,
    format_value,
    metric_chart,
    period,
)
from generator.compare import comparisons
from generator.markup import markdown_html
from generator.model import CaseStudy, Metric, MetricValue, load_indicators
from generator.paths import collect_files
from generator.validate import validate_files

CASE_STUDIES = Path(__file__).parent.parent / "case_studies"
SCHEMA_DIR = Path(__file__).parent.parent / "generator" / "schema"


@cache
def shipped() -> tuple[CaseStudy, ...]:
    result = validate_files(collect_files([CASE_STUDIES]))
    assert result.problems == [], [problem.format_text() for problem in result.problems]
    return tuple(result.case_studies)


def shipped_metric(slug: str, label_start: str) -> Metric:
    case = next(case for case in shipped() if case.slug == slug)
    return next(metric for metric in case.metrics if metric.label.startswith(label_start))


def metric(unit: str, *values: tuple[int, float, str | None]) -> Metric:
    return Metric(
        label="A figure",
        unit=unit,
        pillar="procurement",
        source="s",
        values=tuple(MetricValue(year, value, label) for year, value, label in values),
    )


# --- the change, on the shipped case studies ----------------------------------------------------


def test_an_increase_reads_as_the_spec_says() -> None:
    # The 2019 value is "reported July 2019": a publication date, not a year's measurement,
    # so the change runs between the two financial years.
    moved = change(
        shipped_metric("preston", "Anchor institutions' procurement spend retained in Preston")
    )
    assert moved is not None
    assert moved.text == "£38m → £111m, nearly three times, 2012/13 → 2016/17"


def test_a_decrease_says_down() -> None:
    moved = change(shipped_metric("barcelona", "Barcelona Energia's revenue"))
    assert moved is not None
    assert moved.text == "€62.5m → €42.6m, down 32%, 2022 → 2024"


def test_a_share_moves_in_percentage_points() -> None:
    moved = change(
        shipped_metric("preston", "Share of anchor procurement spend retained in Preston")
    )
    assert moved is not None
    assert moved.text == "5% → 18.2%, up 13.2 percentage points, 2012/13 → 2016/17"


def test_a_single_value_has_no_change_and_keeps_its_qualifier() -> None:
    jobs = shipped_metric("preston", "Jobs supported")
    assert change(jobs) is None
    assert format_value(jobs.values[0].value, jobs.unit) == "1,600 jobs"
    assert period(jobs.values[0]) == "Feb 2018, more than"


def test_figures_labelled_differently_are_related_not_trended() -> None:
    moved = change(shipped_metric("uk-community-municipal-investments", "Money raised"))
    assert moved is not None and not moved.comparable
    assert moved.numbers == "£2m → £15m"
    assert "(2020, two pilots → 2025, citizens, five years)" in moved.words
    assert moved.words.endswith("the last figure is seven and a half times the first")


def test_every_shipped_metric_with_two_values_states_a_change() -> None:
    for case in shipped():
        for item in case.metrics:
            moved = change(item)
            if len(item.values) == 1:
                assert moved is None
                continue
            assert moved is not None, (case.slug, item.label)
            assert " → " in moved.numbers
            assert re.search(r"times|twice|up|down|higher|lower|unchanged|same", moved.words)


# --- the change, edge cases ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "unit", "expected"),
    [
        (((2010, 100, None), (2020, 300, None)), "count", "100 → 300, three times, 2010 → 2020"),
        (((2010, 100, None), (2020, 200, None)), "count", "100 → 200, twice, 2010 → 2020"),
        (((2010, 100, None), (2020, 190, None)), "count", "100 → 190, nearly twice, 2010 → 2020"),
        (
            ((2010, 100, None), (2020, 350, None)),
            "jobs",
            "100 → 350 jobs, three and a half times, 2010 → 2020",
        ),
        (
            ((2010, 10, None), (2020, 132, None)),
            "count",
            "10 → 132, more than 13 times, 2010 → 2020",
        ),
        (((2010, 100, None), (2020, 150, None)), "count", "100 → 150, up 50%, 2010 → 2020"),
        (((2010, 100, None), (2020, 100.4, None)), "count", "100 → 100.4, up 0.4%, 2010 → 2020"),
        (((2010, 100, None), (2020, 100, None)), "count", "100 → 100, unchanged, 2010 → 2020"),
        (
            ((2010, 200, None), (2020, 50, None)),
            "GBP-million",
            "£200m → £50m, down 75%, 2010 → 2020",
        ),
        (
            ((2010, 40, None), (2020, 39, None)),
            "percent",
            "40% → 39%, down 1 percentage point, 2010 → 2020",
        ),
        (((2010, 8.3, None), (2020, 9.5, None)), "GBP", "£8.30 → £9.50, up 14%, 2010 → 2020"),
        (((2010, 0, None), (2020, 12, None)), "count", "0 → 12, up from 0, 2010 → 2020"),
        (
            ((2018, 50, "before, May 2018"), (2018, 150, "after, May 2018")),
            "jobs",
            "50 → 150 jobs (before, May 2018 → after, May 2018): "
            "the second figure is three times the first",
        ),
        (
            ((2019, 98, "c. 2019"), (2023, 81, None), (2024, 81, None)),
            "organisations",
            "98 → 81 organisations (c. 2019 → 2024): the last figure is 17% lower than the first",
        ),
        (
            ((2019, 38, None), (2021, 68, None), (2022, 97, "November 2022")),
            "organisations",
            "38 → 97 organisations, more than two and a half times, 2019 → November 2022",
        ),
    ],
)
def test_change_wording(
    values: tuple[tuple[int, float, str | None], ...], unit: str, expected: str
) -> None:
    moved = change(metric(unit, *values))
    assert moved is not None
    assert moved.text == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (237, "BRL-million", "R$237m"),
        (200, "BRL", "R$200"),
        (31451.8, "INR-million", "₹31,451.8m"),
        (8.3, "INR", "₹8.30"),
        (119.3, "KRW-billion", "₩119.3bn"),
        (1500.5, "KRW", "₩1,500.5"),
        (257, "AUD-million", "A$257m"),
        (930, "NZD-million", "NZ$930m"),
        (3340, "CAD-million", "C$3,340m"),
        (8.3, "CAD", "C$8.30"),
    ],
)
def test_money_is_written_in_its_own_currency(value: float, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


def test_every_unit_the_schema_allows_has_a_symbol_and_a_name() -> None:
    schema = json.loads((SCHEMA_DIR / "case-study.schema.json").read_text(encoding="utf-8"))
    units = schema["properties"]["metrics"]["items"]["properties"]["unit"]["enum"]
    assert set(units) == set(UNIT_WORDS) == set(UNIT_NAMES)


def test_a_won_series_reads_in_billions() -> None:
    moved = change(metric("KRW-billion", (2018, 67.5, "July 2018"), (2020, 119.3, "end of 2020")))
    assert moved is not None
    assert moved.numbers == "₩67.5bn → ₩119.3bn"


def test_a_label_without_a_year_gets_one() -> None:
    assert period(MetricValue(2021, 36, "after 2.5 years")) == "2021, after 2.5 years"
    assert period(MetricValue(2019, 1, "reported July 2019")) == "reported July 2019"
    assert period(MetricValue(2019, 1)) == "2019"


# --- the charts -----------------------------------------------------------------------------


def test_a_chart_is_named_described_and_never_scales_its_text() -> None:
    item = shipped_metric("preston", "Anchor institutions' procurement spend retained in Preston")
    html = str(metric_chart(item, "figure-1"))
    svg = re.search(r"<svg[^>]*>", html)
    assert svg is not None
    assert 'role="img"' in svg[0]
    assert 'aria-labelledby="figure-1-title"' in svg[0]
    assert 'aria-describedby="figure-1-desc"' in svg[0]
    assert "viewBox" not in html  # nothing scales: labels keep the page's size
    assert "<text" not in html  # every label is HTML
    assert f'<title id="figure-1-title">{item.label}</title>'.replace("'", "&#39;") in html
    assert "2012/13: £38m; 2016/17: £111m; reported July 2019: £112.3m" in html
    assert html.count("<rect") == 3
    assert 'aria-hidden="true"' in html and "<b>£111m</b>" in html


def test_many_values_make_a_line_labelled_at_its_ends() -> None:
    many = metric(
        "count", *((2000 + year, year * 10.0, None) for year in range(1, COLUMN_LIMIT + 3))
    )
    html = str(metric_chart(many, "c"))
    assert "<rect" not in html
    assert html.count('class="cwb-chart-dot"') == COLUMN_LIMIT + 2
    assert html.count("<span>") == 2  # first and last only; the table has every value


def test_text_in_a_chart_is_escaped() -> None:
    hostile = Metric(
        "<script>x</script>",
        "count",
        "finance",
        "s",
        (MetricValue(2001, 1), MetricValue(2002, 2, "<b>")),
    )
    html = str(metric_chart(hostile, "c"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "2002, &lt;b&gt;" in html


def test_compare_chart_rows_share_one_scale() -> None:
    rows = [
        CompareRow("Preston", "spend retained", 5, 18.2, "2012/13", "2016/17"),
        CompareRow("Manchester", "spend retained", None, 69.2, None, "2019/20"),
    ]
    html = str(compare_chart(rows, "percent", "cmp"))
    assert 'role="img" aria-labelledby="cmp-title" aria-describedby="cmp-desc"' in html
    assert "Preston, spend retained: 5% (2012/13) to 18.2% (2016/17)" in html
    assert html.count('class="cwb-compare-last"') == 2
    assert html.count('class="cwb-compare-first"') == 1
    assert 'cx="98%"' in html  # the largest figure reaches the end of the scale


# --- /compare/ ---------------------------------------------------------------------------------


def test_compare_gathers_every_indicator_two_places_share() -> None:
    places: dict[str, set[str]] = {}
    for case in shipped():
        for item in case.metrics:
            if item.indicator:
                places.setdefault(item.indicator, set()).add(case.place.name)
    expected = [key for key in load_indicators() if len(places.get(key, ())) >= 2]
    found = comparisons(shipped())
    assert [c.indicator.id for c in found] == expected
    assert expected, "the shipped case studies share at least one indicator"
    for comparison in found:
        for group in comparison.groups:
            assert {item.unit for item in group.metrics} == {group.unit}


def test_whole_pounds_join_millions_on_one_chart() -> None:
    def case(slug: str, unit: str, value: float) -> CaseStudy:
        base = next(c for c in shipped() if c.slug == "preston")
        item = Metric(
            "Raised",
            unit,
            "finance",
            base.sources[0].id,
            (MetricValue(2020, value),),
            indicator="community-investment-raised",
        )
        from dataclasses import replace

        return replace(base, slug=slug, metrics=(item,), place=replace(base.place, name=slug))

    (found,) = comparisons([case("a", "GBP", 1_500_000), case("b", "GBP-million", 2)])
    (group,) = found.groups
    assert group.unit == "GBP-million"
    assert [item.values[0].value for item in group.metrics] == [2, 1.5]


# --- sources and headings ---------------------------------------------------------------------


def test_the_first_citation_on_a_page_is_source_one() -> None:
    for case in shipped():
        numbers = case.source_numbers
        assert sorted(numbers.values()) == list(range(1, len(case.sources) + 1)), case.slug
        first = (
            case.ended.source
            if case.ended
            else (
                case.metrics[0].source
                if case.metrics
                else case.pillars[0].initiatives[0].sources[0]
            )
        )
        assert numbers[first] == 1, case.slug


def test_story_headings_start_under_the_section_and_never_skip() -> None:
    html = markdown_html("## A\n\ntext\n\n#### B\n\n### C\n\n## D", 3)
    assert re.findall(r"<h(\d)>", html) == ["3", "4", "4", "3"]
    assert markdown_html("# Top\n\n## Under", 4).startswith("<h4>Top</h4>")
    assert "<h5>Under</h5>" in markdown_html("# Top\n\n## Under", 4)


def test_a_rise_from_next_to_nothing_is_said_in_words_not_an_overflow() -> None:
    # 1e11 / 5e-324 is infinite although both values are within the schema's bounds (issue 16).
    values = (MetricValue(2015, 5e-324), MetricValue(2020, 1e11))
    moved = change(Metric("Money raised", "GBP", "finance", "report", values))
    assert moved is not None
    assert "more than 1,000 times" in moved.text
