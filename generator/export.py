"""Records → the open data published in /data/: the case studies as JSON and CSV, the JSON
Schema that the JSON follows, and a Frictionless data package that describes them all."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from generator.compare import comparisons
from generator.downloads import default_release, downloads
from generator.history import Release
from generator.model import PILLAR_SLUGS, CaseStudy, PillarWork
from generator.paths import SCHEMA_DIR
from generator.spreadsheet import FORMULA_NOTE, spreadsheet_cell

DATA_DIR = "data"  # the exports' folder in the docs tree, and so at /data/ on the site
JSON_FILE = "case-studies.json"
CSV_FILE = "case-studies.csv"
SCHEMA_FILE = "case-studies.schema.json"  # published under the same name as in generator/schema/
PACKAGE_FILE = "datapackage.json"
EXPORT_SCHEMA = SCHEMA_DIR / SCHEMA_FILE

LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
ATTRIBUTION = "Community Wealth Building knowledge base contributors"
_SLUG = "[a-z0-9]+(-[a-z0-9]+)*"

# Fields that are the generator's bookkeeping, not data.
_LEFT_OUT = {"path", "source_numbers"}


class Publication(Protocol):
    """Where the data comes from and where it is published (the site's settings)."""

    @property
    def repository(self) -> str: ...  # e.g. https://github.com/owner/name, or ""
    @property
    def branch(self) -> str: ...
    @property
    def site_url(self) -> str: ...


def export_files(
    case_studies: Iterable[CaseStudy], publication: Publication, *, release: Release | None = None
) -> dict[str, str]:
    """Return the open-data files, keyed by their path in the docs tree (data/…): the exports,
    every citation and figure download (generator/downloads.py), and the data package."""
    records = sorted(case_studies, key=lambda case: case.slug)
    release = release or default_release(records)
    files = {
        JSON_FILE: export_json(records),
        CSV_FILE: export_csv(records),
        SCHEMA_FILE: EXPORT_SCHEMA.read_text("utf-8"),
    }
    extra = downloads(records, comparisons(records), publication, release)
    files.update(extra.files)
    files[PACKAGE_FILE] = data_package(files, publication, release, extra.resources)
    return {f"{DATA_DIR}/{name}": text for name, text in files.items()}


# --- JSON -------------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """Turn a record into JSON-ready data, one level at a time (json.dumps recurses).

    Every field of every record is exported, so a field added to the model appears here at
    once; the export schema (and its test) must then say what it holds.
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
        # The pillar is the key of its entry: the rest of the record, without it.
        return {
            field.name: getattr(value, field.name)
            for field in dataclasses.fields(value)
            if field.name != "pillar"
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    raise TypeError(f"cannot export {type(value).__name__}")


def export_json(case_studies: Iterable[CaseStudy]) -> str:
    """Return every case study as one JSON document, in a stable order."""
    records = sorted(case_studies, key=lambda case: case.slug)
    document = {
        "schema": SCHEMA_FILE,  # relative to the document, so it resolves wherever it is hosted
        "licence": "CC BY 4.0",
        "count": len(records),
        "case_studies": records,
    }
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, default=_plain)
    return text + "\n"


@cache
def export_schema() -> dict[str, Any]:
    """Return the JSON Schema that case-studies.json follows."""
    schema: dict[str, Any] = json.loads(EXPORT_SCHEMA.read_text("utf-8"))
    return schema


# --- CSV and its table schema -----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the CSV export: its Table Schema field, and how a case study fills it."""

    name: str
    type: str  # a Table Schema type: string, integer, number, date
    description: str
    value: Callable[[CaseStudy], object]
    constraints: Mapping[str, object] = dataclasses.field(default_factory=dict)
    enum_from: str = ""  # a property of the export schema's case study whose enum applies

    def field(self) -> dict[str, object]:
        """Return the column's Table Schema field descriptor."""
        constraints = dict(self.constraints)
        if self.enum_from:
            record = export_schema()["definitions"]["caseStudy"]["properties"]
            constraints["enum"] = list(record[self.enum_from]["enum"])
        described: dict[str, object] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
        }
        if constraints:
            described["constraints"] = constraints
        return described


def _blank_if_none(value: object) -> object:
    return "" if value is None else value


_PILLAR = "(" + "|".join(PILLAR_SLUGS) + ")"

# The one definition of the CSV: its header, its rows and its table schema all come from here.
COLUMNS: tuple[Column, ...] = (
    Column(
        "slug",
        "string",
        "The case study's short name: its page is case-studies/<slug>/ on the site, and its"
        " full record in case-studies.json has the same slug.",
        lambda case: case.slug,
        {"required": True, "unique": True, "pattern": _SLUG},
    ),
    Column(
        "title", "string", "The case study's headline.", lambda case: case.title, {"required": True}
    ),
    Column(
        "place",
        "string",
        "The place's usual name: a city, town, region or nation.",
        lambda case: case.place.name,
        {"required": True},
    ),
    Column(
        "region",
        "string",
        "The wider region the place lies in, e.g. Lancashire, England; empty when not given.",
        lambda case: _blank_if_none(case.place.region),
    ),
    Column(
        "country",
        "string",
        "The country as an ISO 3166-1 alpha-2 code, e.g. GB, US, ES.",
        lambda case: case.place.country,
        {"required": True, "pattern": "[A-Z]{2}"},
    ),
    Column(
        "lat",
        "number",
        "Latitude of a point for the place, in decimal degrees.",
        lambda case: case.place.lat,
        {"required": True, "minimum": -90, "maximum": 90},
    ),
    Column(
        "lon",
        "number",
        "Longitude of a point for the place, in decimal degrees.",
        lambda case: case.place.lon,
        {"required": True, "minimum": -180, "maximum": 180},
    ),
    Column(
        "scale",
        "string",
        "The geographic scale of the work.",
        lambda case: case.scale,
        {"required": True},
        enum_from="scale",
    ),
    Column(
        "start",
        "integer",
        "The year the work started.",
        lambda case: case.start,
        {"required": True},
    ),
    Column(
        "end",
        "integer",
        "The year the work ended; empty while it is ongoing.",
        lambda case: _blank_if_none(case.end),
    ),
    Column(
        "status",
        "string",
        "Where the work stands now.",
        lambda case: case.status,
        {"required": True},
        enum_from="status",
    ),
    Column(
        "pillars",
        "string",
        "The pillars of community wealth building the case study works on, as slugs separated"
        " by semicolons, in the order " + ", ".join(PILLAR_SLUGS) + ".",
        lambda case: ";".join(case.pillar_slugs),
        {"required": True, "pattern": f"{_PILLAR}(;{_PILLAR})*"},
    ),
    Column(
        "summary",
        "string",
        "Two or three plain sentences saying what happened and why it matters.",
        lambda case: case.summary,
        {"required": True},
    ),
    Column(
        "sources",
        "integer",
        "How many sources the case study cites; their titles, publishers and links are in"
        " case-studies.json.",
        lambda case: len(case.sources),
        {"required": True, "minimum": 0},
    ),
    Column(
        "last_reviewed",
        "date",
        "The date someone last checked every fact against its sources.",
        lambda case: case.last_reviewed,
        {"required": True},
    ),
)
CSV_COLUMNS = tuple(column.name for column in COLUMNS)


def export_csv(case_studies: Iterable[CaseStudy]) -> str:
    """Return one CSV row per case study, in a stable order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for case in sorted(case_studies, key=lambda c: c.slug):
        writer.writerow([spreadsheet_cell(column.value(case)) for column in COLUMNS])
    return buffer.getvalue()


def table_schema() -> dict[str, object]:
    """Return the Frictionless Table Schema of the CSV export."""
    return {
        "fields": [column.field() for column in COLUMNS],
        "missingValues": [""],
        "primaryKey": ["slug"],
    }


# --- the data package -------------------------------------------------------------------------


def data_package(
    files: Mapping[str, str],
    publication: Publication,
    release: Release,
    extra_resources: Iterable[Mapping[str, object]] = (),
) -> str:
    """Return datapackage.json: a Frictionless Data Package describing the exported files."""
    package: dict[str, object] = {
        "profile": "data-package",
        "name": "cwb-case-studies",
        "title": "Community wealth building case studies",
        "version": release.version,
        "created": f"{release.date}T00:00:00Z",  # the data's date (generator/history.py)
        "description": (
            "Case studies of community wealth building: how real places used their anchor"
            " institutions' spending, employment, land, finance and ownership to keep wealth"
            " local, with figures, actors, lessons and the sources of every fact."
            f" {CSV_FILE} holds one row per case study; {JSON_FILE} holds the full records"
            f" and follows the JSON Schema {SCHEMA_FILE}. In {CSV_FILE}: {FORMULA_NOTE}"
        ),
        "keywords": [
            "community wealth building",
            "anchor institutions",
            "progressive procurement",
            "fair employment",
            "land and property",
            "local finance",
            "plural ownership",
            "co-operatives",
        ],
        "licenses": [LICENCE],
        "contributors": [{"title": ATTRIBUTION, "role": "author"}],
    }
    if publication.site_url:
        package["homepage"] = publication.site_url
    if publication.repository:
        package["sources"] = [
            {
                "title": "The case studies' YAML files",
                "path": f"{publication.repository}/tree/{publication.branch}/case_studies",
            }
        ]
    package["resources"] = [
        {
            "name": "case-studies",
            "path": CSV_FILE,
            "profile": "tabular-data-resource",
            "title": "Case studies, one row each",
            "description": (
                "One row per case study: place, period, status, pillars and summary. "
                + FORMULA_NOTE
            ),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            **_size_and_hash(files[CSV_FILE]),
            "schema": table_schema(),
        },
        {
            "name": "case-studies-json",
            "path": JSON_FILE,
            "profile": "data-resource",
            "title": "Case studies, full records",
            "description": (
                "Every case study in full: its story, what was done under each pillar, actors,"
                " metrics by year, disagreements between sources, lessons and sources."
                f" The document follows the JSON Schema {SCHEMA_FILE} (draft-07), published"
                " beside it."
            ),
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            **_size_and_hash(files[JSON_FILE]),
            "jsonSchema": SCHEMA_FILE,
        },
        *extra_resources,
    ]
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n"


def _size_and_hash(text: str) -> dict[str, object]:
    data = text.encode("utf-8")
    return {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
