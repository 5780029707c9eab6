"""How JSON Schema errors reach a contributor: once each, at their line, in plain words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.checks import LATEST_YEAR_IN_SCHEMA
from generator.problems import EARLIEST_YEAR
from generator.schema_check import case_study_schema
from generator.validate import validate_files

SAMPLE = Path(__file__).parent / "fixtures" / "valid" / "riverton.yaml"


def test_each_missing_field_is_reported_once(tmp_path: Path) -> None:
    text = SAMPLE.read_text("utf-8")
    for field in ("scale:", "status:", "last_reviewed:"):
        text = "\n".join(line for line in text.splitlines() if not line.startswith(field))
    path = tmp_path / "riverton.yaml"
    path.write_text(text + "\n", "utf-8")
    messages = [problem.message for problem in validate_files([path]).problems]
    assert messages == [
        "missing required field 'last_reviewed'",
        "missing required field 'scale'",
        "missing required field 'status'",
    ]


def _riverton_with(tmp_path: Path, old: str, new: str, name: str = "riverton.yaml") -> Path:
    text = SAMPLE.read_text("utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def test_a_slug_and_file_name_ending_in_a_line_break_are_refused(tmp_path: Path) -> None:
    # ECMA-262's `$`, as the fast check and check-jsonschema read it, is the end of the text;
    # Python's matched before a final line break and let "riverton\n" through (issue 16).
    path = _riverton_with(tmp_path, "slug: riverton", 'slug: "riverton\\n"', "riverton\n.yaml")
    problems = validate_files([path]).problems
    assert [problem.message for problem in problems] == [r"slug has the wrong form: 'riverton\n'"]


def test_the_year_bounds_of_the_checks_are_the_schemas() -> None:
    def integers(node: object) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if node.get("type") == "integer":
                yield node
            for child in node.values():
                yield from integers(child)

    years = list(integers(case_study_schema()))
    assert len(years) == 5
    for year in years:
        assert (year["minimum"], year["maximum"]) == (EARLIEST_YEAR, LATEST_YEAR_IN_SCHEMA)


def test_what_only_the_fast_check_refuses_is_reported_in_its_words(tmp_path: Path) -> None:
    path = _riverton_with(tmp_path, "https://example.org/report", "https://example.org:x/")
    [problem] = validate_files([path]).problems
    assert problem.message == (
        'sources[1].url is not valid: "https://example.org:x/" is not a "uri"'
    )
    assert (problem.line, problem.column) == (90, 10)
    assert problem.hint.startswith("Where to read it")


def test_a_whole_float_year_is_a_year_on_the_page(tmp_path: Path) -> None:
    path = _riverton_with(tmp_path, "  start: 2015\n", "  start: 2015.0\n")
    [case] = validate_files([path]).case_studies
    assert case.start == 2015 and type(case.start) is int
