"""Every key figure and every /compare/ indicator as files to reuse: its data as CSV and its
chart as a standalone SVG that still says what it shows and where it comes from when pasted
elsewhere. Written at build time beside the open data (data/case-studies/<slug>/figure-N.*,
data/compare/<indicator>.*), and listed in the data package.

Contributors' text reaches a CSV cell only through `csv_cell` (a spreadsheet must not run it
as a formula) and an SVG only through the SVG template's finaliser `xml_text`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

import jinja2
from markupsafe import Markup

from generator.charts import UNIT_NAMES, change, format_value, period
from generator.citation import SITE_NAME, one_line
from generator.compare import Comparison
from generator.markup import template_environment
from generator.model import CaseStudy, Metric, MetricValue, Source
from generator.parallel import map_in_processes
from generator.paths import TEMPLATES_DIR
from generator.spreadsheet import spreadsheet_cell

FIGURE_SCHEMA_FILE = "figure.schema.json"  # the Table Schema every figure CSV follows
LICENCE_LINE = "CC BY 4.0"
# XML 1.0's forbidden characters (which no escape can carry).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

FIGURE_COLUMNS: tuple[tuple[str, str, str], ...] = (  # (name, Table Schema type, description)
    ("case_study", "string", "The case study's slug: its page is case-studies/<slug>/."),
    ("place", "string", "The place the figure is about."),
    ("country", "string", "The place's country as an ISO 3166-1 alpha-2 code."),
    ("figure", "string", "What was measured, as the case study names it."),
    ("indicator", "string", "The shared indicator the figure measures, if any (see /compare/)."),
    ("unit", "string", "The unit of value, e.g. GBP-million, percent, jobs."),
    ("year", "integer", "The year the value applies to."),
    ("value", "number", "The value, in unit."),
    ("qualifier", "string", "How the source labels the value (a period, 'reported July 2019')."),
    ("period", "string", "When the value applies, as the site shows it."),
    ("note", "string", "The case study's note on the figure."),
    ("source_title", "string", "The title of the source of the value."),
    ("source_publisher", "string", "Who published the source."),
    ("source_date", "string", "When the source was published, as given."),
    ("source_url", "string", "Where the source is."),
)


@dataclass(frozen=True)
class FigureFiles:
    """One figure's downloads: where its CSV and SVG are, under data/, and what it is."""

    name: str  # the data package resource's name stem, e.g. figure-preston-1
    title: str
    csv: str  # path from the site root, e.g. data/case-studies/preston/figure-1.csv
    svg: str


def csv_cell(value: object) -> object:
    """Return a value safe for a spreadsheet cell: text on one line, never read as a formula.

    Numbers stay numbers; text that a spreadsheet would run (=, +, -, @, a tab) gets a
    leading apostrophe, which spreadsheets show as text and do not print.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    return spreadsheet_cell(one_line(str(value)))


def xml_text(value: object) -> object:
    """Drop the characters XML 1.0 cannot hold from text bound for an SVG (autoescape follows)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _NOT_XML.sub("", value)
    return value


# --- where the files go ------------------------------------------------------------------------


def case_study_folder(slug: str) -> str:
    """Return the data folder of a case study's downloads, from the site root."""
    return f"data/case-studies/{slug}"


COMPARE_FOLDER = "data/compare"


def metric_files(case: CaseStudy, number: int) -> FigureFiles:
    """Return where the number-th key figure (from 1) of a case study is published."""
    folder = case_study_folder(case.slug)
    metric = case.metrics[number - 1]
    return FigureFiles(
        f"figure-{case.slug}-{number}",
        f"{case.title}: {metric.label}",
        f"{folder}/figure-{number}.csv",
        f"{folder}/figure-{number}.svg",
    )


def comparison_files(comparison: Comparison) -> list[FigureFiles]:
    """Return an indicator's CSV (every unit) and one SVG per unit group, as FigureFiles."""
    indicator = comparison.indicator.id
    csv_path = f"{COMPARE_FOLDER}/{indicator}.csv"
    return [
        FigureFiles(
            f"compare-{indicator}-{group.unit.lower()}",
            f"{comparison.indicator.label}, in {UNIT_NAMES.get(group.unit, group.unit)}",
            csv_path,
            f"{COMPARE_FOLDER}/{indicator}-{group.unit.lower()}.svg",
        )
        for group in comparison.groups
    ]


# --- CSV ---------------------------------------------------------------------------------------


def _source(case: CaseStudy, metric: Metric, value: MetricValue) -> Source | None:
    wanted = value.source or metric.source
    return next((source for source in case.sources if source.id == wanted), None)


def _rows(case: CaseStudy, metric: Metric) -> Iterable[list[object]]:
    for value in metric.values:
        source = _source(case, metric, value)
        yield [
            case.slug,
            case.place.name,
            case.place.country,
            metric.label,
            metric.indicator,
            metric.unit,
            value.year,
            value.value,
            value.label,
            period(value),
            metric.note,
            source.title if source else None,
            source.publisher if source else None,
            source.date if source else None,
            source.url if source else None,
        ]


def figure_csv(entries: Iterable[tuple[CaseStudy, Metric]]) -> str:
    """Return the CSV of one or more figures: one row per value, with its source."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _, _ in FIGURE_COLUMNS])
    for case, metric in entries:
        writer.writerows([csv_cell(cell) for cell in row] for row in _rows(case, metric))
    return buffer.getvalue()


def figure_table_schema() -> dict[str, object]:
    """Return the Frictionless Table Schema that every figure CSV follows."""
    return {
        "fields": [
            {"name": name, "type": kind, "description": described}
            for name, kind, described in FIGURE_COLUMNS
        ],
        "missingValues": [""],
    }


# --- SVG ---------------------------------------------------------------------------------------

WIDTH = 640
_MARGIN = 24
_LINE = 20  # px between lines of text
_PLOT = 160  # px: the plot's height
_CHARS = 68  # about how many characters of 15 px text fit on a line
_TITLE_CHARS = 50  # … of the 19 px bold title
_FOOTER_CHARS = 92  # … of the 11.5 px source line
_HEADROOM = 22  # px above the tallest column, for its value


@cache
def _svg_environment() -> jinja2.Environment:
    return template_environment(TEMPLATES_DIR, finalize=xml_text)


def _wrap(text: str, width: int = _CHARS) -> list[str]:
    """Return text in lines of about width characters; a long URL is broken, not overflowed.

    Greedy, word by word (textwrap does the same, several times slower).
    """
    lines: list[str] = []
    for word in one_line(text).split(" "):
        while len(word) > width:
            room = width - len(lines[-1]) - 1 if lines else 0
            if room < 8:
                lines.append(word[:width])
                word = word[width:]
            else:
                lines[-1] += " " + word[:room]
                word = word[room:]
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        elif word:
            lines.append(word)
    return lines or [""]


@dataclass(frozen=True)
class _Mark:
    """One value drawn: a column or a dot, with its label and period."""

    x: float
    y: float
    height: float
    value: str
    when: str


def _marks(values: Sequence[MetricValue], unit: str, top: float, line: bool) -> list[_Mark]:
    inner = WIDTH - 2 * _MARGIN
    years = [value.year for value in values]
    span = years[-1] - years[0]
    ordered = all(later > earlier for earlier, later in pairwise(years))
    marks = []
    for index, value in enumerate(values):
        if line:
            share = (
                (value.year - years[0]) / span if span and ordered else index / (len(values) - 1)
            )
            x = _MARGIN + 30 + share * (inner - 60)
        else:
            x = _MARGIN + inner * (index + 0.5) / len(values)
        height = max((_PLOT - _HEADROOM) * max(value.value, 0) / top, 1.5)
        shown = format_value(value.value, unit)
        marks.append(_Mark(x, _PLOT - height, height, shown, period(value)))
    return marks


def metric_svg(case: CaseStudy, metric: Metric, page_url: str) -> str:
    """Return a key figure's chart as a standalone SVG: title, units, values and source line."""
    moved = change(metric)
    top = max((value.value for value in metric.values), default=0) or 1
    line = len(metric.values) > 4
    sources = [
        source
        for source in dict.fromkeys(_source(case, metric, value) for value in metric.values)
        if source
    ]
    context = _layout(
        title=_wrap(f"{case.place.name}: {metric.label}", _TITLE_CHARS),
        subtitle=_wrap(
            f"In {UNIT_NAMES.get(metric.unit, metric.unit)}" + (f". {moved.text}" if moved else "")
        ),
        footer=_source_lines(sources, page_url),
        plot_height=_PLOT + 48,
    )
    return (
        _svg_environment()
        .get_template("figures/metric.svg.j2")
        .render(
            **context,
            marks=_marks(metric.values, metric.unit, top, line),
            line=line,
            described="; ".join(
                f"{period(value)}: {format_value(value.value, metric.unit)}"
                for value in metric.values
            ),
            plot=_PLOT,
            margin=_MARGIN,
        )
    )


@dataclass(frozen=True)
class _Row:
    """One place on a comparison chart."""

    label: str
    first_x: float | None
    last_x: float
    text: str


def comparison_svg(comparison: Comparison, unit_index: int, page_url: str) -> str:
    """Return one unit group of an indicator as a standalone SVG: a row per place."""
    group = comparison.groups[unit_index]
    rows = [metric.row for metric in group.metrics]
    top = max(max(row.last, row.first or 0) for row in rows) or 1
    left, right = _MARGIN + 170, WIDTH - _MARGIN - 10

    def x(value: float) -> float:
        return left + (right - left) * max(value, 0) / top

    drawn = [
        _Row(
            row.label,
            x(row.first) if row.first is not None else None,
            x(row.last),
            (
                f"{format_value(row.first, group.unit)} ({row.first_period}) → "
                if row.first is not None
                else ""
            )
            + f"{format_value(row.last, group.unit)} ({row.last_period}) · {row.detail}",
        )
        for row in rows
    ]
    sources = [
        source
        for item in group.metrics
        for source in dict.fromkeys(
            _source(item.case_study, item.metric, value) for value in item.metric.values
        )
        if source
    ]
    context = _layout(
        title=_wrap(comparison.indicator.label, _TITLE_CHARS),
        subtitle=_wrap(
            f"In {UNIT_NAMES.get(group.unit, group.unit)}: each place's first (open circle) and"
            " last (filled circle) comparable figure"
        ),
        footer=_source_lines(list(dict.fromkeys(sources)), page_url),
        plot_height=len(drawn) * 44,
    )
    return (
        _svg_environment()
        .get_template("figures/compare.svg.j2")
        .render(
            **context,
            rows=drawn,
            left=left,
            right=right,
            described="; ".join(f"{row.label}: {row.text}" for row in drawn),
            margin=_MARGIN,
        )
    )


def _source_lines(sources: Sequence[Source], page_url: str) -> list[str]:
    """Return the source line: each source in full for a figure; for a comparison of many
    places, its publishers, the full references being a link away (the page and the CSV)."""
    if len(sources) <= 3:
        named = "; ".join(f"{item.publisher}, {item.title} ({item.url})" for item in sources)
    else:
        named = "; ".join(dict.fromkeys(source.publisher for source in sources))
        named += ". Each figure's source is in the CSV and on the page below"
    return [
        *_wrap(f"Source{'s' if len(sources) > 1 else ''}: {named}", _FOOTER_CHARS),
        *_wrap(f"{SITE_NAME}, {LICENCE_LINE}: {page_url}", _FOOTER_CHARS),
    ]


def _layout(
    *, title: list[str], subtitle: list[str], footer: list[str], plot_height: int
) -> dict[str, Any]:
    """Return the vertical positions of a standalone chart's parts."""
    title_top = _MARGIN + 18
    subtitle_top = title_top + len(title) * 24 + 4
    plot_top = subtitle_top + len(subtitle) * _LINE + 16
    footer_top = plot_top + plot_height + 20
    height = footer_top + len(footer) * 16 + _MARGIN - 8
    return {
        "width": WIDTH,
        "height": height,
        "title": title,
        "title_top": title_top,
        "subtitle": subtitle,
        "subtitle_top": subtitle_top,
        "plot_top": plot_top,
        "footer": footer,
        "footer_top": footer_top,
    }


# --- every file --------------------------------------------------------------------------------


def figure_files(
    case_studies: Sequence[CaseStudy], comparisons: Sequence[Comparison], site_url: str
) -> dict[str, tuple[FigureFiles, str]]:
    """Return every figure file as {path from the site root: (what it belongs to, text)}.

    Case studies' figures are independent, so many of them are drawn on every core.
    """
    files: dict[str, tuple[FigureFiles, str]] = {}
    drawn = map_in_processes(
        _case_figures,
        range(len(case_studies)),
        initializer=_start_worker,
        initargs=(case_studies, site_url),
    )
    for case_files in drawn:
        files.update((path, (where, text)) for path, where, text in case_files)
    for comparison in comparisons:
        page = f"{site_url}compare/#indicator-{comparison.indicator.id}"
        for index, where in enumerate(comparison_files(comparison)):
            if where.csv not in files:
                entries = [
                    (item.case_study, item.metric)
                    for group in comparison.groups
                    for item in group.metrics
                ]
                files[where.csv] = (where, figure_csv(entries))
            files[where.svg] = (where, comparison_svg(comparison, index, page))
    return files


# A worker's case studies and site address, set by the pool's initializer when it starts.
_worker: tuple[Sequence[CaseStudy], str] | None = None


def _start_worker(case_studies: Sequence[CaseStudy], site_url: str) -> None:
    global _worker
    _worker = (case_studies, site_url)


def _case_figures(index: int) -> list[tuple[str, FigureFiles, str]]:
    """Return one case study's figure files: (path, what it is, text) for each CSV and SVG."""
    if _worker is None:
        raise RuntimeError("figure jobs run only in workers started by figure_files")
    case_studies, site_url = _worker
    case = case_studies[index]
    page = f"{site_url}case-studies/{case.slug}/"
    found = []
    for number, metric in enumerate(case.metrics, start=1):
        where = metric_files(case, number)
        found.append((where.csv, where, figure_csv([(case, metric)])))
        found.append((where.svg, where, metric_svg(case, metric, page)))
    return found
