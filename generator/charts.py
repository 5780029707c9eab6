"""Metrics → the words and accessible inline SVG of the key figures, drawn at build time.

A chart here never scales its text: the SVG has no viewBox, its x positions are percentages
of the width and its heights are pixels, and every label is HTML beside it. So a chart fills a
390 px phone or a 1366 px screen and its labels stay at the page's own size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

from generator.model import Metric, MetricValue

UNIT_WORDS = {
    "GBP": ("£", ""),
    "GBP-million": ("£", "m"),
    "EUR": ("€", ""),
    "EUR-million": ("€", "m"),
    "USD": ("$", ""),
    "USD-million": ("$", "m"),
    "BRL": ("R$", ""),
    "BRL-million": ("R$", "m"),
    "INR": ("₹", ""),
    "INR-million": ("₹", "m"),
    "KRW": ("₩", ""),
    "KRW-million": ("₩", "m"),
    "KRW-billion": ("₩", "bn"),
    "AUD": ("A$", ""),
    "AUD-million": ("A$", "m"),
    "NZD": ("NZ$", ""),
    "NZD-million": ("NZ$", "m"),
    "CAD": ("C$", ""),
    "CAD-million": ("C$", "m"),
    "percent": ("", "%"),
    "count": ("", ""),
    "jobs": ("", " jobs"),
    "people": ("", " people"),
    "organisations": ("", " organisations"),
    "hectares": ("", " ha"),
}
UNIT_NAMES = {
    "GBP": "pounds sterling",
    "GBP-million": "millions of pounds sterling",
    "EUR": "euros",
    "EUR-million": "millions of euros",
    "USD": "US dollars",
    "USD-million": "millions of US dollars",
    "BRL": "Brazilian reais",
    "BRL-million": "millions of Brazilian reais",
    "INR": "Indian rupees",
    "INR-million": "millions of Indian rupees",
    "KRW": "South Korean won",
    "KRW-million": "millions of South Korean won",
    "KRW-billion": "billions of South Korean won",
    "AUD": "Australian dollars",
    "AUD-million": "millions of Australian dollars",
    "NZD": "New Zealand dollars",
    "NZD-million": "millions of New Zealand dollars",
    "CAD": "Canadian dollars",
    "CAD-million": "millions of Canadian dollars",
    "percent": "per cent",
    "count": "number",
    "jobs": "jobs",
    "people": "people",
    "organisations": "organisations",
    "hectares": "hectares",
}
# A label that is only a period (2016, 2012/13, 2021-22, 2016-2019, November 2022) can be
# compared with another; any other words ("reported July 2019", "more than") qualify the value.
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_PLAIN_PERIOD = re.compile(rf"((\d{{1,2}} )?({_MONTHS}) )?\d{{4}}(\s*[/–-]\s*(\d{{2}}|\d{{4}}))?")
_HAS_YEAR = re.compile(r"\b(1[89]|20)\d{2}\b")
_SMALL_NUMBERS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

COLUMN_LIMIT = 4  # up to this many values are columns, each labelled; more make a line
CHART_HEIGHT = 64  # px; the plot, never the labels, which are HTML
_EDGE = 2.0  # per cent of the width kept clear at each end, so end dots are not clipped


# Whole currency units with a minor unit in use (pence, cents, centavos, paise). The won
# has no minor unit in use, so a fraction of a won is written like any other number.
_MONEY = ("GBP", "EUR", "USD", "BRL", "INR", "AUD", "NZD", "CAD")


def format_value(value: float, unit: str) -> str:
    """Return a value as readers expect it, e.g. £111m, 18.2%, 1,600 jobs, £8.30."""
    prefix, suffix = UNIT_WORDS.get(unit, ("", f" {unit}"))
    return f"{prefix}{_number(value, unit)}{suffix}"


def _short(value: float, unit: str) -> str:
    """Return a value for a chart label: a word unit ("people") is in the title already."""
    prefix, suffix = UNIT_WORDS.get(unit, ("", f" {unit}"))
    return f"{prefix}{_number(value, unit)}{'' if suffix.startswith(' ') else suffix}"


def _number(value: float, unit: str = "") -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    if unit in _MONEY:  # pounds and pence: £8.30, never £8.3
        return f"{value:,.2f}"
    return f"{value:,.2f}".rstrip("0")


def period(value: MetricValue) -> str:
    """Return when a value applies as readers see it: its label, with the year if it lacks one."""
    label = " ".join((value.label or "").split())
    if not label:
        return str(value.year)
    if _HAS_YEAR.search(label):
        return label
    return f"{value.year}, {label}"


def is_plain_period(value: MetricValue) -> bool:
    """Return whether a value's label is only a period, so that it compares with another."""
    return value.label is None or _PLAIN_PERIOD.fullmatch(value.label.strip()) is not None


# --- the change, in words and numbers ---------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """How a metric moved between two of its values, stated for readers."""

    first: MetricValue
    last: MetricValue
    numbers: str  # "£38m → £111m"
    words: str  # "nearly three times, 2012/13 → 2016/17"
    comparable: bool  # both values are plain periods of different years

    @property
    def text(self) -> str:
        """Return the whole statement: '£38m → £111m, nearly three times, 2012/13 → 2016/17'."""
        joiner = ", " if self.comparable else " "
        return f"{self.numbers}{joiner}{self.words}"


def change(metric: Metric) -> Change | None:
    """Return how a metric changed, or None when it has a single value.

    The change runs from the first value to the last whose label is, like the first's, a plain
    period, so a later figure "reported July 2019" does not pass for a year's measurement.
    When the first value is qualified ("c. 2019", "two pilots") or no later one is plain, it
    runs from the first value to the last and says only how the two figures relate, each
    with its label, claiming no trend over time.
    """
    values = metric.values
    if len(values) < 2:
        return None
    first, last = values[0], values[-1]
    later_plain = [value for value in values[1:] if is_plain_period(value)]
    comparable = is_plain_period(first) and bool(later_plain)
    if comparable:
        last = later_plain[-1]
        comparable = last.year != first.year
    numbers = _from_to(first.value, last.value, metric.unit)
    if comparable:
        return Change(
            first,
            last,
            numbers,
            f"{_movement(first.value, last.value, metric.unit)}, {period(first)} → {period(last)}",
            True,
        )
    relation = _relation(first.value, last.value, metric.unit)
    ordinal = "second" if len(values) == 2 else "last"
    return Change(
        first,
        last,
        numbers,
        f"({period(first)} → {period(last)}): the {ordinal} figure is {relation}",
        False,
    )


def _from_to(first: float, last: float, unit: str) -> str:
    """Return '£38m → £111m', or '75 → 221 organisations' with a word unit said once."""
    prefix, suffix = UNIT_WORDS.get(unit, ("", f" {unit}"))
    if suffix.startswith(" "):
        return f"{prefix}{_number(first, unit)} → {prefix}{_number(last, unit)}{suffix}"
    return f"{format_value(first, unit)} → {format_value(last, unit)}"


def _movement(first: float, last: float, unit: str) -> str:
    """Return how a value moved over time: 'nearly three times', 'down 32%', 'up 13.2 points'."""
    if unit == "percent":
        points = round(last - first, 1)
        if points == 0:
            return "unchanged"
        word = "up" if points > 0 else "down"
        return f"{word} {_points(abs(points))}"
    if first <= 0:
        return (
            "unchanged" if last == first else f"{'up' if last > first else 'down'} from {first:g}"
        )
    ratio = last / first
    if ratio >= 1.85:
        return _times(ratio)
    return _percent_change(ratio, "up", "down")


def _relation(first: float, last: float, unit: str) -> str:
    """Return how a second figure relates to a first, with no claim of a trend."""
    if unit == "percent":
        points = round(last - first, 1)
        if points == 0:
            return "the same as the first"
        word = "higher" if points > 0 else "lower"
        return f"{_points(abs(points))} {word} than the first"
    if first <= 0:
        return "the same as the first" if last == first else "not a multiple of the first"
    ratio = last / first
    if ratio >= 1.85:
        return f"{_times(ratio)} the first"
    moved = _percent_change(ratio, "higher", "lower")
    return "the same as the first" if moved == "unchanged" else f"{moved} than the first"


def _points(points: float) -> str:
    number = f"{points:.1f}".removesuffix(".0")
    return f"{number} percentage point{'' if number == '1' else 's'}"


def _percent_change(ratio: float, up: str, down: str) -> str:
    percent = (ratio - 1) * 100
    shown = f"{abs(percent):.1f}".removesuffix(".0") if abs(percent) < 1 else f"{abs(percent):.0f}"
    if shown in ("0", "0.0"):
        return "unchanged"
    word = up if percent > 0 else down
    return f"{shown}% {word}" if word in ("higher", "lower") else f"{word} {shown}%"


# Past this, a multiple (of a first value near zero) tells a reader nothing more; and a ratio
# can leave float range (111 / 5e-324 is infinite) even when both values are bounded (issue 16).
_MOST_TIMES = 1000


def _times(ratio: float) -> str:
    """Return a multiple in words: 'twice', 'nearly three times', 'seven and a half times'."""
    if not ratio < _MOST_TIMES:
        return f"more than {_multiple(_MOST_TIMES)}"
    whole = int(ratio)
    fraction = ratio - whole
    if fraction >= 0.85:
        return f"nearly {_multiple(whole + 1)}"
    if fraction < 0.02:
        return _multiple(whole)
    if 0.47 <= fraction <= 0.53:
        return f"{_count(whole)} and a half times"
    if fraction > 0.53:
        return f"more than {_count(whole)} and a half times"
    return f"more than {_multiple(whole)}"


def _multiple(whole: int) -> str:
    return "twice" if whole == 2 else f"{_count(whole)} times"


def _count(whole: int) -> str:
    return _SMALL_NUMBERS[whole] if whole < len(_SMALL_NUMBERS) else f"{whole:,}"


# --- the charts -------------------------------------------------------------------------------


def _percent(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def _svg_open(chart_id: str, title: str, described: str) -> str:
    # No viewBox: nothing scales, so strokes and dots keep their size at any width.
    return (
        f'<svg class="cwb-chart" width="100%" height="{CHART_HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        'focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(described)}</desc>'
    )


def describe(values: Sequence[MetricValue], unit: str) -> str:
    """Return every value with its period, for a screen reader: '2012/13: £38m; 2016/17: £111m'."""
    return "; ".join(f"{period(value)}: {format_value(value.value, unit)}" for value in values)


def metric_chart(metric: Metric, chart_id: str) -> Markup:
    """Return a metric's compact chart: labelled columns for a few values, a line for many.

    The drawing is an SVG named by its title and described value by value; the labels under
    it are HTML, hidden from screen readers (the description and the table say the same).
    """
    values = metric.values
    top = max((value.value for value in values), default=0) or 1
    if len(values) <= COLUMN_LIMIT:
        drawing, labelled, layout = _columns(values, top), values, "columns"
    else:
        drawing, labelled, layout = _line(values, top), (values[0], values[-1]), "ends"
    labels = "".join(
        f"<span><b>{escape(_short(value.value, metric.unit))}</b> {escape(period(value))}</span>"
        for value in labelled
    )
    svg = _svg_open(chart_id, metric.label, describe(values, metric.unit)) + drawing + "</svg>"
    return Markup(
        f'<div class="cwb-chart-block" data-pagefind-ignore>{svg}'
        f'<div class="cwb-chart-labels cwb-chart-labels--{layout}" '
        f'style="--cwb-columns: {len(labelled)}" aria-hidden="true">{labels}</div></div>'
    )


def _height(value: float, top: float) -> float:
    return max(CHART_HEIGHT * max(value, 0) / top, 1.5)


def _columns(values: Sequence[MetricValue], top: float) -> str:
    slot = 100 / len(values)
    width = slot * 0.56
    parts = []
    for index, value in enumerate(values):
        height = _height(value.value, top)
        parts.append(
            f'<rect class="cwb-chart-bar" x="{_percent(slot * index + (slot - width) / 2)}" '
            f'y="{CHART_HEIGHT - height:.1f}" width="{_percent(width)}" height="{height:.1f}"/>'
        )
    parts.append(
        f'<line class="cwb-chart-axis" x1="0" x2="100%" y1="{CHART_HEIGHT - 0.5}" '
        f'y2="{CHART_HEIGHT - 0.5}"/>'
    )
    return "".join(parts)


def _line(values: Sequence[MetricValue], top: float) -> str:
    """Return a line over time: x in proportion to the years, y from zero."""
    years = [value.year for value in values]
    span = years[-1] - years[0]
    strictly_later = all(later > earlier for earlier, later in pairwise(years))
    positions = [
        ((year - years[0]) / span if span and strictly_later else index / (len(values) - 1))
        for index, year in enumerate(years)
    ]
    xs = [_EDGE + position * (100 - 2 * _EDGE) for position in positions]
    inset = 4.0  # px: room for a dot at the top of the plot
    ys = [
        CHART_HEIGHT - 1 - (CHART_HEIGHT - 1 - inset) * max(value.value, 0) / top
        for value in values
    ]
    parts = [
        f'<line class="cwb-chart-axis" x1="0" x2="100%" y1="{CHART_HEIGHT - 0.5}" '
        f'y2="{CHART_HEIGHT - 0.5}"/>'
    ]
    points = list(zip(xs, ys, strict=True))
    parts += [
        f'<line class="cwb-chart-line" x1="{_percent(x1)}" y1="{y1:.1f}" '
        f'x2="{_percent(x2)}" y2="{y2:.1f}"/>'
        for (x1, y1), (x2, y2) in pairwise(points)
    ]
    parts += [
        f'<circle class="cwb-chart-dot" cx="{_percent(x)}" cy="{y:.1f}" r="3.5"/>'
        for x, y in points
    ]
    return "".join(parts)


# --- comparing places -------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareRow:
    """One place's figures on a comparison chart: where it started and where it got to."""

    label: str  # the place
    detail: str  # what exactly was measured there
    first: float | None  # None when the place has one figure
    last: float
    first_period: str | None
    last_period: str


def compare_chart(rows: Sequence[CompareRow], unit: str, chart_id: str) -> Markup:
    """Return places side by side: each row a line from its first figure to its last.

    Every row's labels are HTML that wraps at any width; the lines share one scale, from zero
    to the largest figure, so lengths compare across rows. The chart is named by the element
    with the id `<chart_id>-title` (the figure's caption, which the template writes).
    """
    top = max(max(row.last, row.first or 0) for row in rows) or 1
    described = "; ".join(
        f"{row.label}, {row.detail}: "
        + (
            f"{format_value(row.first, unit)} ({row.first_period}) to "
            if row.first is not None
            else ""
        )
        + f"{format_value(row.last, unit)} ({row.last_period})"
        for row in rows
    )
    parts = [
        f'<div class="cwb-compare-chart" role="img" aria-labelledby="{chart_id}-title" '
        f'aria-describedby="{chart_id}-desc" data-pagefind-ignore>',
        f'<p id="{chart_id}-desc" hidden>{escape(described)}</p>',
    ]
    for row in rows:
        values = (
            f"{escape(format_value(row.first, unit))} → " if row.first is not None else ""
        ) + f"<b>{escape(format_value(row.last, unit))}</b>"
        periods = (
            f"{row.first_period} → {row.last_period}" if row.first is not None else row.last_period
        )
        parts.append(
            '<div class="cwb-compare-row">'
            f'<p class="cwb-compare-label"><b>{escape(row.label)}</b> '
            f'<span class="cwb-compare-detail">{escape(row.detail)}</span></p>'
            f'<p class="cwb-compare-values">{values} '
            f'<span class="cwb-compare-period">{escape(periods)}</span></p>'
            f"{_dumbbell(row, top)}</div>"
        )
    parts.append("</div>")
    return Markup("".join(parts))


def _dumbbell(row: CompareRow, top: float) -> str:
    def x(value: float) -> str:
        return _percent(_EDGE + (100 - 2 * _EDGE) * max(value, 0) / top)

    parts = [
        '<svg class="cwb-compare-track" width="100%" height="16" aria-hidden="true" '
        'focusable="false">',
        f'<line class="cwb-chart-axis" x1="{_percent(_EDGE)}" x2="{_percent(100 - _EDGE)}" '
        'y1="8" y2="8"/>',
    ]
    if row.first is not None:
        parts += [
            f'<line class="cwb-compare-span" x1="{x(row.first)}" x2="{x(row.last)}" '
            'y1="8" y2="8"/>',
            f'<circle class="cwb-compare-first" cx="{x(row.first)}" cy="8" r="5"/>',
        ]
    parts += [f'<circle class="cwb-compare-last" cx="{x(row.last)}" cy="8" r="5.5"/>', "</svg>"]
    return "".join(parts)
