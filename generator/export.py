"""Records → the open-data exports /data/case-studies.json and /data/case-studies.csv."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable

from generator.model import CaseStudy, PillarWork

CSV_COLUMNS = (
    "slug",
    "title",
    "place",
    "region",
    "country",
    "lat",
    "lon",
    "scale",
    "start",
    "end",
    "status",
    "pillars",
    "summary",
    "sources",
    "last_reviewed",
)


# Fields that are the generator's bookkeeping, not data.
_LEFT_OUT = {"path", "source_numbers"}


def _plain(value: object) -> object:
    """Turn a record into JSON-ready data, one level at a time (json.dumps recurses).

    Much faster than dataclasses.asdict, which deep-copies every value on the way.
    """
    if isinstance(value, CaseStudy):
        data = {
            field.name: getattr(value, field.name)
            for field in dataclasses.fields(value)
            if field.name not in _LEFT_OUT
        }
        data["pillars"] = {work.pillar: work for work in value.pillars}
        return data
    if isinstance(value, PillarWork):
        return {"summary": value.summary, "initiatives": value.initiatives}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    raise TypeError(f"cannot export {type(value).__name__}")


def export_json(case_studies: Iterable[CaseStudy]) -> str:
    """Return every case study as one JSON document, in a stable order."""
    records = sorted(case_studies, key=lambda case: case.slug)
    document = {
        "schema": "case-study.schema.json",
        "licence": "CC BY 4.0",
        "count": len(records),
        "case_studies": records,
    }
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, default=_plain)
    return text + "\n"


def export_csv(case_studies: Iterable[CaseStudy]) -> str:
    """Return one CSV row per case study, with the pillars joined by semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for case in sorted(case_studies, key=lambda c: c.slug):
        writer.writerow(
            [
                case.slug,
                case.title,
                case.place.name,
                case.place.region or "",
                case.place.country,
                case.place.lat,
                case.place.lon,
                case.scale,
                case.start,
                "" if case.end is None else case.end,
                case.status,
                ";".join(case.pillar_slugs),
                case.summary,
                len(case.sources),
                case.last_reviewed,
            ]
        )
    return buffer.getvalue()
