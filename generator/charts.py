"""Metrics → the words and accessible inline SVG of the key figures, drawn at build time.

A chart here never scales its text: the SVG has no viewBox, its x positions are percentages
of the width and its heights are pixels, and every label is HTML beside it. So a chart fills a
390 px phone or a 1366 px screen and its labels stay at the page's own size.
"""

from __future__ import annotations

import math
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
_PLAIN_PERIOD = re.compile(
    rf"(fiscal |end of |mid-)?((\d{{1,2}} )?({_MONTHS}) )?\d{{4}}(\s*[/–-]\s*(\d{{2}}|\d{{4}}))?"
)
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
    """Return when a value applies, as a period: its label, or its year when it has none."""
    label = " ".join((value.label or "").split())
    if not label:
        return str(value.year)
    if _HAS_YEAR.search(label):
        return label
    return f"{value.year}, {label}"


def when(value: MetricValue) -> str:
    """Return a value's period with its note in brackets: '2014 (first share offer)'."""
    return f"{period(value)} ({value.note})" if value.note else period(value)


def amount(value: MetricValue, unit: str) -> str:
    """Return the number as a reader says it, qualifier first: 'more than 1,600 jobs'."""
    number = format_value(value.value, unit)
    return f"{value.qualifier} {number}" if value.qualifier else number


def figure_text(value: MetricValue, unit: str) -> str:
    """Return one value whole: 'more than 1,600 jobs, February 2018'.

    The one way a value is written, on cards, charts, tables, /compare/ and in exports.
    """
    return f"{amount(value, unit)}, {when(value)}"


def is_plain_period(value: MetricValue) -> bool:
    """Return whether a value is only a period's measurement, so that it compares with another."""
    if value.note:
        return False
    return value.label is None or _PLAIN_PERIOD.fullmatch(value.label.strip()) is not None


def breaks(metric: Metric) -> list[MetricValue]:
    """Return the values from which the series is counted differently."""
    return [value for value in metric.values[1:] if value.definition_changed]


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
        return f"{self.numbers}, {self.words}"


def change(metric: Metric) -> Change | None:
    """Return how a metric changed, or None when it has a single value.

    The change runs from the first value to the last whose label is, like the first's, a plain
    period, so a later figure "reported July 2019" does not pass for a year's measurement.
    When the first value is qualified by a note ("first year") or no later one is plain, it
    runs from the first value to the last and says only how the two figures relate, each
    with its period, claiming no trend over time. A series counted differently part-way
    says so, and one that barely moves says it is flat.
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
    numbers = _from_to(first, last, metric.unit)
    if comparable:
        shown = values[values.index(first) : values.index(last) + 1]
        words = f"{_trend(shown, metric.unit)}, {period(first)} → {period(last)}"
        words += _extremes(shown, metric.unit) + _broken(shown)
        return Change(first, last, numbers, words, True)
    relation = _relation(first.value, last.value, metric.unit)
    ordinal = "second" if len(values) == 2 else "last"
    return Change(
        first,
        last,
        numbers,
        f"{when(first)} → {when(last)}: the {ordinal} figure is {relation}" + _broken(values),
        False,
    )


def _from_to(first: MetricValue, last: MetricValue, unit: str) -> str:
    """Return '£38m → £111m', or 'more than 90 → 280 organisations' with a word unit said once."""
    prefix, suffix = UNIT_WORDS.get(unit, ("", f" {unit}"))

    def said(value: MetricValue, number: str) -> str:
        return f"{value.qualifier} {number}" if value.qualifier else number

    if suffix.startswith(" "):
        return (
            f"{said(first, prefix + _number(first.value, unit))} → "
            f"{said(last, prefix + _number(last.value, unit))}{suffix}"
        )
    return f"{amount(first, unit)} → {amount(last, unit)}"


def _trend(values: Sequence[MetricValue], unit: str) -> str:
    """Return how a series moved: 'flat' when every value is within 2% of the first."""
    numbers = [value.value for value in values]
    low, high = min(numbers), max(numbers)
    flat = high - low < 0.5 if unit == "percent" else low > 0 and high / low <= 1.02
    if flat and len(values) > 2:
        return "flat"
    return _movement(values[0].value, values[-1].value, unit)


def _extremes(values: Sequence[MetricValue], unit: str) -> str:
    """Return '; highest €11,608m in 2019' for a peak or trough between the two ends."""
    if len(values) < 3:
        return ""
    ends = (values[0].value, values[-1].value)
    inner = values[1:-1]
    said = []
    peak = max(inner, key=lambda value: value.value)
    if peak.value > max(ends) * 1.02:
        said.append(f"highest {amount(peak, unit)} in {period(peak)}")
    trough = min(inner, key=lambda value: value.value)
    if trough.value < min(ends) * 0.98:
        said.append(f"lowest {amount(trough, unit)} in {period(trough)}")
    return "".join(f"; {words}" for words in said)


def _broken(values: Sequence[MetricValue]) -> str:
    """Return '; counted differently from 2017' when the series changes definition."""
    years = [period(value) for value in values[1:] if value.definition_changed]
    if not years:
        return ""
    return f"; counted differently from {' and from '.join(years)}"


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
    moved = _percent_change(ratio, "up", "down")
    if moved == "unchanged" and last != first:
        return "almost unchanged"
    if moved != "unchanged" and abs(ratio - 1) < 0.02:
        return f"little changed ({moved})"
    return moved


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


@dataclass(frozen=True)
class Scale:
    """A value axis: where it starts and ends, and the values marked on it."""

    low: float
    high: float
    ticks: tuple[float, ...]

    def share(self, value: float) -> float:
        """Return where a value sits on the axis, from 0 (its start) to 1 (its end)."""
        span = self.high - self.low or 1
        return min(max((value - self.low) / span, 0.0), 1.0)


def scale(numbers: Sequence[float], from_zero: bool = True) -> Scale:
    """Return an axis with round ticks that fits the numbers.

    Bars and the places on /compare/ always start at zero (a length is read as an amount); a
    line over time starts near its lowest value when that is above half its highest, so a
    change of 5% can be seen, and the page says the axis does not start at zero.
    """
    high_value = max(max(numbers, default=0), 0)
    low_value = min(min(numbers, default=0), 0) if from_zero else min(numbers, default=0)
    if not from_zero and (low_value <= 0 or low_value < high_value / 2):
        low_value = min(low_value, 0)
    step = _step((high_value - low_value) / 5 or abs(high_value) or 1)
    low = math.floor(low_value / step) * step
    high = math.ceil(high_value / step) * step
    if high <= high_value and high_value != low:
        high += step if high == low else 0
    if high == low:
        high = low + step
    count = round((high - low) / step)
    return Scale(low, high, tuple(round(low + step * index, 9) for index in range(count + 1)))


def _step(rough: float) -> float:
    magnitude = 10.0 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 2.5, 5, 10):
        if rough <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


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
    said = []
    for value in values:
        text = f"{when(value)}: {amount(value, unit)}"
        if value.definition_changed and value is not values[0]:
            text = f"counted differently from here ({value.definition_changed}) {text}"
        said.append(text)
    return "; ".join(said)


def _y(value: float, axis: Scale) -> float:
    inset = 4.0  # px: room for a dot at the top of the plot
    return CHART_HEIGHT - 1 - (CHART_HEIGHT - 1 - inset) * axis.share(value)


def metric_chart(metric: Metric, chart_id: str) -> Markup:
    """Return a metric's compact chart: labelled columns for a few values, a line for many.

    The drawing is an SVG named by its title and described value by value; the scale beside
    it and the labels under it are HTML, hidden from screen readers (the description and the
    table say the same). A line labels its ends and any highest or lowest value between them.
    """
    values = metric.values
    numbers = [value.value for value in values]
    if len(values) <= COLUMN_LIMIT:
        axis = scale(numbers)
        drawing, layout = _columns(values, axis), "columns"
        labelled = [(index, "") for index in range(len(values))]
    else:
        axis = scale(numbers, from_zero=False)
        drawing, layout = _line(values, axis), "ends"
        labelled = _ends_and_extremes(values)
    labels = "".join(_chart_label(values[index], metric.unit, extra) for index, extra in labelled)
    svg = _svg_open(chart_id, metric.label, describe(values, metric.unit)) + drawing + "</svg>"
    baseline = (
        f'<p class="cwb-chart-baseline">The scale starts at '
        f"{escape(_short(axis.low, metric.unit))}, not zero.</p>"
        if axis.low > 0
        else ""
    )
    return Markup(
        f'<div class="cwb-chart-block" data-pagefind-ignore>'
        f'<div class="cwb-chart-plot">{_scale_labels(axis, metric.unit)}{svg}</div>{baseline}'
        f'<div class="cwb-chart-labels cwb-chart-labels--{layout}" '
        f'style="--cwb-columns: {len(labelled)}" aria-hidden="true">{labels}</div></div>'
    )


def _chart_label(value: MetricValue, unit: str, extra: str) -> str:
    """Return one label under a chart: 'more than <b>40</b> December 2018, highest'."""
    said = f"{value.qualifier} " if value.qualifier else ""
    words = f"{when(value)}, {extra}" if extra else when(value)
    css = ' class="cwb-chart-extreme"' if extra else ""
    number = escape(_short(value.value, unit))
    return f"<span{css}>{escape(said)}<b>{number}</b> {escape(words)}</span>"


def _tick(value: float, unit: str) -> str:
    """Return a tick's label: a bare 0 where the unit would read oddly (£0m)."""
    return "0" if value == 0 and unit != "percent" else _short(value, unit)


def _scale_labels(axis: Scale, unit: str) -> str:
    """Return the value axis as HTML: its highest and lowest ticks, level with the end gridlines.

    The labels sit in the flow (not positioned), so the axis is as wide as its widest label.
    """
    ends = (axis.ticks[-1], axis.ticks[0])
    marks = "".join(f"<span>{escape(_tick(tick, unit))}</span>" for tick in ends)
    return f'<div class="cwb-chart-scale" aria-hidden="true">{marks}</div>'


def _grid(axis: Scale) -> str:
    return "".join(
        f'<line class="cwb-chart-grid" x1="0" x2="100%" y1="{_y(tick, axis):.1f}" '
        f'y2="{_y(tick, axis):.1f}"/>'
        for tick in axis.ticks[1:]
    )


def _ends_and_extremes(values: Sequence[MetricValue]) -> list[tuple[int, str]]:
    """Return the positions to label: both ends, and a highest or lowest value between them."""
    ends = (values[0].value, values[-1].value)
    inner = list(enumerate(values))[1:-1]
    chosen: dict[int, str] = {}
    peak, highest = max(inner, key=lambda item: item[1].value)
    if highest.value > max(ends):
        chosen[peak] = "highest"
    trough, lowest = min(inner, key=lambda item: item[1].value)
    if lowest.value < min(ends):
        chosen[trough] = "lowest"
    return [(0, ""), *sorted(chosen.items()), (len(values) - 1, "")]


def _columns(values: Sequence[MetricValue], axis: Scale) -> str:
    slot = 100 / len(values)
    width = slot * 0.56
    parts = [_grid(axis)]
    for index, value in enumerate(values):
        top = _y(value.value, axis)
        height = max(CHART_HEIGHT - 1 - top, 1.5)
        parts.append(
            f'<rect class="cwb-chart-bar" x="{_percent(slot * index + (slot - width) / 2)}" '
            f'y="{CHART_HEIGHT - 1 - height:.1f}" width="{_percent(width)}" '
            f'height="{height:.1f}"/>'
        )
        if index and value.definition_changed:
            parts.append(_break_mark(slot * index))
    parts.append(
        f'<line class="cwb-chart-axis" x1="0" x2="100%" y1="{CHART_HEIGHT - 0.5}" '
        f'y2="{CHART_HEIGHT - 0.5}"/>'
    )
    return "".join(parts)


def _break_mark(x: float) -> str:
    return (
        f'<line class="cwb-chart-break" x1="{_percent(x)}" x2="{_percent(x)}" y1="0" '
        f'y2="{CHART_HEIGHT}"/>'
    )


def _line(values: Sequence[MetricValue], axis: Scale) -> str:
    """Return a line over time: x in proportion to the years, y on the axis given.

    Where the series is counted differently, the line stops and a dashed mark shows the break.
    """
    years = [value.year for value in values]
    span = years[-1] - years[0]
    strictly_later = all(later > earlier for earlier, later in pairwise(years))
    positions = [
        ((year - years[0]) / span if span and strictly_later else index / (len(values) - 1))
        for index, year in enumerate(years)
    ]
    xs = [_EDGE + position * (100 - 2 * _EDGE) for position in positions]
    ys = [_y(value.value, axis) for value in values]
    parts = [
        _grid(axis),
        f'<line class="cwb-chart-axis" x1="0" x2="100%" y1="{CHART_HEIGHT - 0.5}" '
        f'y2="{CHART_HEIGHT - 0.5}"/>',
    ]
    points = list(zip(xs, ys, strict=True))
    for index, ((x1, y1), (x2, y2)) in enumerate(pairwise(points)):
        if values[index + 1].definition_changed:
            parts.append(_break_mark((x1 + x2) / 2))
            continue
        parts.append(
            f'<line class="cwb-chart-line" x1="{_percent(x1)}" y1="{y1:.1f}" '
            f'x2="{_percent(x2)}" y2="{y2:.1f}"/>'
        )
    labelled = {index for index, _ in _ends_and_extremes(values)}
    for index, (x, y) in enumerate(points):
        size = "cwb-chart-dot cwb-chart-dot--labelled" if index in labelled else "cwb-chart-dot"
        parts.append(
            f'<circle class="{size}" cx="{_percent(x)}" cy="{y:.1f}" '
            f'r="{4.5 if index in labelled else 3}"/>'
        )
    return "".join(parts)


# --- comparing places -------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareSource:
    """A source of a figure on /compare/, shown on the figure's own row."""

    title: str
    url: str | None
    publisher: str


@dataclass(frozen=True)
class CompareRow:
    """One place's figures on a comparison chart: where it started and where it got to."""

    label: str  # the area and body measured, e.g. "Lancashire (Preston's anchors)"
    detail: str  # what exactly was measured there
    first: float | None  # None when the place has one figure
    last: float
    first_period: str | None
    last_period: str
    first_said: str | None = None  # the first figure as a reader says it: "more than 90"
    last_said: str = ""
    group: str = ""  # how it is counted; rows counting alike are drawn together
    sources: tuple[CompareSource, ...] = ()
    case_url: str = ""  # the case study's page, from the site's root


def compare_chart(rows: Sequence[CompareRow], unit: str, chart_id: str, root: str = "") -> Markup:
    """Return places side by side: each row a line from its first figure to its last.

    Every row's labels, values and sources are HTML that wraps at any width and that screen
    readers read as text; the tracks share one scale from zero, marked under the rows, so
    lengths compare across rows, marked above and under the rows. Rows counted alike are
    grouped under how they are counted.
    """
    axis = scale([row.last for row in rows] + [row.first or 0 for row in rows])
    groups: dict[str, list[CompareRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    # The scale is above the rows too: on a phone the rows run longer than a screen.
    # Search indexes the table beside the chart, which says the same: never both.
    parts = [
        f'<div class="cwb-compare-chart" id="{chart_id}-chart" data-pagefind-ignore>',
        _compare_scale(axis, unit),
    ]
    for group, members in groups.items():
        if group and len(groups) > 1:
            parts.append(f'<p class="cwb-compare-group-title">{escape(group)}</p>')
        parts.append('<ul class="cwb-compare-rows">')
        parts += [_compare_row(row, unit, axis, root) for row in members]
        parts.append("</ul>")
    parts.append(_compare_scale(axis, unit))
    parts.append("</div>")
    return Markup("".join(parts))


def _compare_row(row: CompareRow, unit: str, axis: Scale, root: str) -> str:
    last = row.last_said or format_value(row.last, unit)
    values = (
        f"{escape(row.first_said or format_value(row.first, unit))} → "
        if row.first is not None
        else ""
    ) + f"<b>{escape(last)}</b>"
    periods = (
        f"{row.first_period} → {row.last_period}" if row.first is not None else row.last_period
    )
    sources = ", ".join(
        (
            f'<a href="{escape(source.url)}">{escape(source.title)}</a>'
            if source.url
            else f"<cite>{escape(source.title)}</cite>"
        )
        + f" ({escape(source.publisher)})"
        for source in row.sources
    )
    name = escape(row.label)
    if row.case_url:
        name = Markup(f'<a href="{escape(root + row.case_url)}">{name}</a>')
    return (
        '<li class="cwb-compare-row">'
        f'<p class="cwb-compare-label"><b>{name}</b> '
        f'<span class="cwb-compare-detail">{escape(row.detail)}</span></p>'
        f'<p class="cwb-compare-values">{values} '
        f'<span class="cwb-compare-period">{escape(periods)}</span></p>'
        f"{_dumbbell(row, axis)}"
        + (
            f'<p class="cwb-compare-source">Source{"s" if len(row.sources) > 1 else ""}: '
            f"{sources}</p>"
            if sources
            else ""
        )
        + "</li>"
    )


def _x(value: float, axis: Scale) -> float:
    return _EDGE + (100 - 2 * _EDGE) * axis.share(value)


def _compare_scale(axis: Scale, unit: str) -> str:
    """Return the shared scale under the rows: each tick's value at its place on the track."""
    marks = "".join(
        f'<span style="left: {_percent(_x(tick, axis))}">{escape(_tick(tick, unit))}</span>'
        for tick in axis.ticks
    )
    return f'<div class="cwb-compare-scale" aria-hidden="true">{marks}</div>'


def _dumbbell(row: CompareRow, axis: Scale) -> str:
    def x(value: float) -> str:
        return _percent(_x(value, axis))

    parts = [
        '<svg class="cwb-compare-track" width="100%" height="16" aria-hidden="true" '
        'focusable="false">',
        *(
            f'<line class="cwb-chart-grid" x1="{x(tick)}" x2="{x(tick)}" y1="2" y2="14"/>'
            for tick in axis.ticks
        ),
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
