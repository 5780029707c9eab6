"""Records → the open-data exports /data/case-studies.json and /data/case-studies.csv."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable
from typing import Any

from generator.model import CaseStudy

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


def _record(case: CaseStudy) -> dict[str, Any]:
    record = dataclasses.asdict(case)
    record.pop("path")
    record.pop("source_numbers")
    record["pillars"] = {work.pillar: dataclasses.asdict(work) for work in case.pillars}
    for work in record["pillars"].values():
        work.pop("pillar")
    return record


def export_json(case_studies: Iterable[CaseStudy]) -> str:
    """Return every case study as one JSON document, stable for diffs."""
    records = [_record(case) for case in sorted(case_studies, key=lambda c: c.slug)]
    document = {
        "schema": "case-study.schema.json",
        "licence": "CC BY 4.0",
        "count": len(records),
        "case_studies": records,
    }
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


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
