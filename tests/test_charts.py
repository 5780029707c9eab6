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
    CompareSource,
    amount,
    change,
    compare_chart,
    figure_text,
    format_value,
    metric_chart,
    period,
    scale,
    when,
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


def metric(unit: str, *values: tuple[int, float, str | None] | MetricValue) -> Metric:
    return Metric(
        label="A figure",
        unit=unit,
        pillar="procurement",
        source="s",
        values=tuple(
            value if isinstance(value, MetricValue) else MetricValue(*value) for value in values
        ),
    )


def scale_labels(html: str) -> list[str]:
    found = re.search(r'class="cwb-chart-scale"[^>]*>(.*?)</div>', html)
    assert found is not None, "the chart has no value axis"
    return re.findall(r"<span>([^<]+)</span>", found[1])


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


def test_a_single_value_is_written_as_a_reader_says_it() -> None:
    # Issue 18: "1,600 jobs · Feb 2018, more than" became the qualifier before the number.
    jobs = shipped_metric("preston", "Jobs supported")
    assert change(jobs) is None
    assert format_value(jobs.values[0].value, jobs.unit) == "1,600 jobs"
    assert amount(jobs.values[0], jobs.unit) == "more than 1,600 jobs"
    assert period(jobs.values[0]) == "February 2018"
    assert figure_text(jobs.values[0], jobs.unit) == "more than 1,600 jobs, February 2018"


def test_a_note_follows_the_period_in_brackets() -> None:
    value = MetricValue(2014, 602000, note="first share offer")
    assert when(value) == "2014 (first share offer)"
    assert figure_text(value, "GBP") == "£602,000, 2014 (first share offer)"


def test_figures_labelled_differently_are_related_not_trended() -> None:
    moved = change(shipped_metric("uk-community-municipal-investments", "Money raised"))
    assert moved is not None and not moved.comparable
    assert moved.numbers == "£2m → £15m"
    assert moved.words.startswith("2020 (two pilots) → 2025 (from citizens in five years): ")
    assert moved.words.endswith("the last figure is seven and a half times the first")


def test_qualifiers_stay_beside_their_numbers_in_a_change() -> None:
    moved = change(shipped_metric("bologna", "Pacts of collaboration"))
    assert moved is not None
    assert moved.text == (
        "more than 90 → 280, 2015 (first year) → 2014–2016: "
        "the second figure is more than three times the first"
    )


def test_no_shipped_figure_string_carries_a_bare_qualifier() -> None:
    # Every qualifier is in `qualifier:`, said before its number, never in a label or brackets.
    bare = re.compile(
        r"\((?:[^)]*, )?(more than|over|about|almost|nearly|c\.)\b|, (more than|about)\)"
    )
    for case in shipped():
        for item in case.metrics:
            moved = change(item)
            texts = [figure_text(value, item.unit) for value in item.values]
            texts += [moved.text] if moved else []
            for text in texts:
                assert not bare.search(text), (case.slug, text)
                assert not re.search(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", text)


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
        (
            ((2010, 100, None), (2020, 100.4, None)),
            "count",
            "100 → 100.4, little changed (up 0.4%), 2010 → 2020",
        ),
        (
            ((2010, 100, None), (2015, 101, None), (2020, 100.5, None)),
            "count",
            "100 → 100.5, flat, 2010 → 2020",
        ),
        (
            ((2010, 100, None), (2015, 130, None), (2018, 80, None), (2020, 110, None)),
            "count",
            "100 → 110, up 10%, 2010 → 2020; highest 130 in 2015; lowest 80 in 2018",
        ),
        (
            (
                MetricValue(2010, 100),
                MetricValue(2015, 120, definition_changed="Part-time staff counted."),
                MetricValue(2020, 125),
            ),
            "people",
            "100 → 125 people, up 25%, 2010 → 2020; counted differently from 2015",
        ),
        (
            (
                MetricValue(2010, 90, qualifier="more than"),
                MetricValue(2020, 100, qualifier="about"),
            ),
            "jobs",
            "more than 90 → about 100 jobs, up 11%, 2010 → 2020",
        ),
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
            (
                MetricValue(2018, 50, "May 2018", note="before the contract"),
                MetricValue(2018, 150, "May 2018", note="after the contract"),
            ),
            "jobs",
            "50 → 150 jobs, May 2018 (before the contract) → May 2018 (after the contract): "
            "the second figure is three times the first",
        ),
        (
            (MetricValue(2019, 98, note="date approximate"), (2023, 81, None), (2024, 81, None)),
            "organisations",
            "98 → 81 organisations, 2019 (date approximate) → 2024: "
            "the last figure is 17% lower than the first",
        ),
        (
            ((2019, 38, None), (2021, 68, None), (2022, 97, "November 2022")),
            "organisations",
            "38 → 97 organisations, more than two and a half times, 2019 → November 2022",
        ),
    ],
)
def test_change_wording(
    values: tuple[tuple[int, float, str | None] | MetricValue, ...], unit: str, expected: str
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
    # cwb validate refuses such a label; a value built in code still reads as a period.
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
    assert html.count('class="cwb-chart-dot"') == COLUMN_LIMIT  # the ends are labelled dots
    assert html.count('class="cwb-chart-dot cwb-chart-dot--labelled"') == 2
    labels = html[html.index("cwb-chart-labels") :]
    assert labels.count("<span>") == 2  # first and last only; the table has every value


def test_a_line_fits_its_data_and_says_its_scale_does_not_start_at_zero() -> None:
    # Issue 18: Mondragon's workforce drawn from zero flattened eight years into one line.
    jobs = shipped_metric("mondragon", "People working")
    html = str(metric_chart(jobs, "c"))
    assert "The scale starts at 65,000, not zero." in html
    assert scale_labels(html) == ["85,000", "65,000"]
    assert html.count('class="cwb-chart-grid"') == 4


def test_a_line_labels_its_ends_and_extremes() -> None:
    sales = shipped_metric("mondragon", "Sales")
    html = str(metric_chart(sales, "c"))
    labels = [
        re.sub(r"<[^>]+>", "", span)
        for span in re.findall(
            r"<span(?: class=\"cwb-chart-extreme\")?>(.*?)</span>",
            html[html.index("cwb-chart-labels") :],
        )
    ]
    assert labels == [
        "€11,138m 2013",
        "€11,608m 2019, highest",
        "€10,607m 2022, lowest",
        "€11,213m 2024",
    ]


def test_a_definition_change_breaks_the_line() -> None:
    jobs = shipped_metric("mondragon", "People working")
    html = str(metric_chart(jobs, "c"))
    assert html.count('class="cwb-chart-break"') == 2  # 2017 and 2022
    assert html.count('class="cwb-chart-line"') == len(jobs.values) - 1 - 2
    assert "counted differently from here (From 2017 part-time retail staff" in html


def test_columns_start_at_zero() -> None:
    html = str(metric_chart(metric("count", (2010, 90, None), (2020, 100, None)), "c"))
    assert "not zero" not in html
    assert scale_labels(html) == ["100", "0"]


@pytest.mark.parametrize(
    ("numbers", "from_zero", "low", "high"),
    [
        ((38, 111), True, 0, 125),
        ((74060, 81837, 68879), False, 65000, 85000),
        ((5, 79.2), True, 0, 80),
        ((34.2, 200.4), False, 0, 250),  # the lowest is under half the highest: from zero
        ((0, 0), True, 0, 1),
    ],
)
def test_a_scale_has_round_ends_around_the_data(
    numbers: tuple[float, ...], from_zero: bool, low: float, high: float
) -> None:
    axis = scale(numbers, from_zero)
    assert (axis.low, axis.high) == (low, high)
    assert axis.ticks[0] == low and axis.ticks[-1] == high
    assert all(axis.low <= number <= axis.high for number in numbers)


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


def test_compare_chart_rows_share_one_marked_scale_and_show_their_sources() -> None:
    source = CompareSource("Spend report", "https://example.org/r?a=1&b=2", "A council")
    rows = [
        CompareRow("Preston", "spend retained", 5, 18.2, "2012/13", "2016/17", sources=(source,)),
        CompareRow("Manchester", "spend retained", None, 80, None, "2019/20", last_said="80%"),
    ]
    html = str(compare_chart(rows, "percent", "cmp"))
    assert html.count('class="cwb-compare-last"') == 2
    assert html.count('class="cwb-compare-first"') == 1
    assert 'cx="98%"' in html  # the largest figure reaches the end of the scale
    ticks = re.findall(r'<span style="left: [\d.]+%">([^<]+)</span>', html)
    assert ticks == ["0%", "20%", "40%", "60%", "80%"] * 2  # above and under the rows
    assert '<a href="https://example.org/r?a=1&amp;b=2">Spend report</a> (A council)' in html
    assert "cwb-compare-group-title" not in html  # one way of counting: no group headings


def test_compare_chart_groups_rows_counted_alike() -> None:
    rows = [
        CompareRow("A Council", "x", None, 10, None, "2020", group="A council's own spending"),
        CompareRow("B (anchors)", "y", None, 60, None, "2020", group="Anchors' spending"),
        CompareRow("C Council", "z", None, 20, None, "2020", group="A council's own spending"),
    ]
    html = str(compare_chart(rows, "percent", "cmp"))
    titles = re.findall(r'cwb-compare-group-title">([^<]+)<', html)
    assert titles == ["A council&#39;s own spending", "Anchors&#39; spending"]
    order = re.findall(r"<b>(A Council|B \(anchors\)|C Council)</b>", html)
    assert order == ["A Council", "C Council", "B (anchors)"]


# --- /compare/ ---------------------------------------------------------------------------------


def test_compare_rows_are_named_by_the_area_measured() -> None:
    # Issue 18: Preston's 79.2% is all of Lancashire; "Wales" is Gwynedd Council.
    found = {c.indicator.id: c for c in comparisons(shipped())}
    rows = [
        item.row for group in found["anchor-spend-local-share"].groups for item in group.metrics
    ]
    labels = [row.label for row in rows]
    assert "Lancashire (Preston's anchors)" in labels
    assert "Manchester City Council (top 300 suppliers)" in labels
    lancashire = next(row for row in rows if row.label.startswith("Lancashire"))
    assert lancashire.sources and lancashire.sources[0].url.startswith("https://")
    value = [
        item.row for group in found["anchor-spend-local-value"].groups for item in group.metrics
    ]
    assert "Gwynedd Council" in [row.label for row in value]
    groups = [row.group for row in rows]
    assert groups == sorted(groups)  # rows counted alike sit together


def test_every_shipped_compared_metric_names_its_area() -> None:
    for case in shipped():
        for item in case.metrics:
            if item.indicator:
                assert item.area, (case.slug, item.label)


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
