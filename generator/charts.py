"""Metrics → accessible inline SVG bar charts, drawn at build time (no script, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from generator.model import Metric

WIDTH, HEIGHT = 640, 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 16, 16, 28, 36

UNIT_WORDS = {
    "GBP": ("£", ""),
    "GBP-million": ("£", "m"),
    "EUR": ("€", ""),
    "EUR-million": ("€", "m"),
    "USD": ("$", ""),
    "USD-million": ("$", "m"),
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
    "percent": "per cent",
    "count": "number",
    "jobs": "jobs",
    "people": "people",
    "organisations": "organisations",
    "hectares": "hectares",
}


def format_value(value: float, unit: str) -> str:
    """Return a value as readers expect it, e.g. £111m, 18.2%, 1,600 jobs."""
    prefix, suffix = UNIT_WORDS.get(unit, ("", f" {unit}"))
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return f"{prefix}{number}{suffix}"


@dataclass(frozen=True)
class _Bar:
    x: float
    y: float
    width: float
    height: float
    year_label: str
    value_label: str


def _bars(metric: Metric) -> list[_Bar]:
    values = metric.values
    top = max((value.value for value in values), default=0) or 1
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_width / len(values)
    width = min(slot * 0.6, 96)
    bars = []
    for index, value in enumerate(values):
        height = max(plot_height * max(value.value, 0) / top, 1)
        bars.append(
            _Bar(
                x=MARGIN_LEFT + slot * index + (slot - width) / 2,
                y=MARGIN_TOP + plot_height - height,
                width=width,
                height=height,
                year_label=value.label or str(value.year),
                value_label=format_value(value.value, metric.unit),
            )
        )
    return bars


def bar_chart(metric: Metric, chart_id: str) -> Markup:
    """Return an SVG bar chart of a metric, titled and described for screen readers."""
    bars = _bars(metric)
    described = "; ".join(f"{bar.year_label}: {bar.value_label}" for bar in bars)
    parts = [
        # The figures are indexed once, through the caption; the drawing's numbers are noise.
        f'<svg class="cwb-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMinYMin meet" '
        "data-pagefind-ignore>",
        f'<title id="{chart_id}-title">{escape(metric.label)}</title>',
        f'<desc id="{chart_id}-desc">{escape(described)}</desc>',
        f'<line class="cwb-chart-axis" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
        f'y1="{HEIGHT - MARGIN_BOTTOM}" y2="{HEIGHT - MARGIN_BOTTOM}"/>',
    ]
    for bar in bars:
        centre = bar.x + bar.width / 2
        parts += [
            f'<rect class="cwb-chart-bar" x="{bar.x:.1f}" y="{bar.y:.1f}" '
            f'width="{bar.width:.1f}" height="{bar.height:.1f}"/>',
            f'<text class="cwb-chart-value" x="{centre:.1f}" y="{bar.y - 6:.1f}" '
            f'text-anchor="middle">{escape(bar.value_label)}</text>',
            f'<text class="cwb-chart-year" x="{centre:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 22}" '
            f'text-anchor="middle">{escape(bar.year_label)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
