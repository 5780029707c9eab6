"""Case studies → the shared indicators that /compare/ sets side by side.

A metric tagged with an indicator (generator/schema/indicators.yaml) measures the same thing
as every other metric with that tag; an indicator is compared once two places measure it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from generator.charts import CompareRow, CompareSource, amount, change, when
from generator.model import CaseStudy, Indicator, Metric, MetricValue, load_indicators

# Whole currency units and their millions: £1,000,000 is drawn as £1m beside other £m figures.
_MILLIONS = {
    currency: f"{currency}-million"
    for currency in ("GBP", "EUR", "USD", "BRL", "INR", "KRW", "AUD", "NZD", "CAD")
}


@dataclass(frozen=True)
class ComparedMetric:
    """One case study's metric for an indicator, in the unit its chart uses."""

    case_study: CaseStudy
    metric: Metric  # as recorded, for its label, note and sources
    unit: str  # the unit drawn, which may be the millions of the recorded one
    values: tuple[MetricValue, ...]  # in that unit

    @property
    def row(self) -> CompareRow:
        """Return the chart row: the area measured, from its first comparable figure to its last.

        The row is named by the area and body the figure covers (`area:`), never by the case
        study alone, and carries its sources, so it can be read without leaving the page.
        """
        moved = change(self.shown)
        first, last = (moved.first, moved.last) if moved else (None, self.values[-1])
        return CompareRow(
            label=self.metric.area or self.case_study.place.name,
            detail=self.metric.label,
            first=first.value if first else None,
            last=last.value,
            first_period=when(first) if first else None,
            last_period=when(last),
            first_said=amount(first, self.unit) if first else None,
            last_said=amount(last, self.unit),
            group=self.metric.measures or "",
            sources=self.sources,
            case_url=f"case-studies/{self.case_study.slug}/",
        )

    @property
    def sources(self) -> tuple[CompareSource, ...]:
        """Return every source of the metric's values, the metric's own first."""
        ids = [self.metric.source] + [value.source for value in self.values if value.source]
        by_id = self.case_study.source_by_id
        return tuple(
            CompareSource(by_id[id_].title, by_id[id_].url, by_id[id_].publisher)
            for id_ in dict.fromkeys(ids)
            if id_ in by_id
        )

    @property
    def shown(self) -> Metric:
        """Return the metric with the values and unit the comparison shows."""
        return replace(self.metric, unit=self.unit, values=self.values)


@dataclass(frozen=True)
class UnitGroup:
    """The metrics of one indicator recorded in one unit: what one chart may show."""

    unit: str
    metrics: tuple[ComparedMetric, ...]


@dataclass(frozen=True)
class Comparison:
    """An indicator measured by two or more places, with their figures by unit."""

    indicator: Indicator
    places: tuple[str, ...]  # place names, in order
    groups: tuple[UnitGroup, ...]


def comparisons(case_studies: Iterable[CaseStudy]) -> list[Comparison]:
    """Return the indicators that two or more places measure, in registry order."""
    tagged: dict[str, list[tuple[CaseStudy, Metric]]] = {}
    for case in sorted(case_studies, key=lambda c: (c.place.name.lower(), c.slug)):
        for metric in case.metrics:
            if metric.indicator:
                tagged.setdefault(metric.indicator, []).append((case, metric))
    found = []
    for indicator in load_indicators().values():
        entries = tagged.get(indicator.id, [])
        places = tuple(dict.fromkeys(case.place.name for case, _ in entries))
        if len({(case.place.name, case.place.country) for case, _ in entries}) < 2:
            continue
        found.append(Comparison(indicator, places, _by_unit(entries)))
    return found


def measured_once(case_studies: Iterable[CaseStudy]) -> list[tuple[Indicator, CaseStudy]]:
    """Return the indicators only one place measures so far, with that place's case study."""
    places: dict[str, dict[tuple[str, str], CaseStudy]] = {}
    for case in sorted(case_studies, key=lambda c: (c.place.name.lower(), c.slug)):
        for metric in case.metrics:
            if metric.indicator:
                key = (case.place.name, case.place.country)
                places.setdefault(metric.indicator, {}).setdefault(key, case)
    return [
        (indicator, next(iter(places[indicator.id].values())))
        for indicator in load_indicators().values()
        if len(places.get(indicator.id, {})) == 1
    ]


def _by_unit(entries: list[tuple[CaseStudy, Metric]]) -> tuple[UnitGroup, ...]:
    recorded = {metric.unit for _, metric in entries}
    groups: dict[str, list[ComparedMetric]] = {}
    for case, metric in entries:
        unit, values = metric.unit, metric.values
        millions = _MILLIONS.get(unit)
        if millions in recorded:
            unit = millions
            values = tuple(replace(value, value=value.value / 1_000_000) for value in values)
        groups.setdefault(unit, []).append(ComparedMetric(case, metric, unit, values))
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return tuple(
        UnitGroup(unit, tuple(sorted(metrics, key=_row_order))) for unit, metrics in ordered
    )


def _row_order(metric: ComparedMetric) -> tuple[str, float]:
    """Rows counted alike sit together (by `measures:`), each group largest figure first."""
    row = metric.row
    return (row.group, -row.last)
