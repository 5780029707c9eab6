"""`cwb new` for a non-programmer: placeholders that turn into the right kind of value."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.problems import PLACEHOLDER
from generator.scaffold import scaffold_text, valid_slug
from generator.schema_check import case_study_schema
from generator.validate import validate_files
from tests.conftest import ROOT

RIVERTON = ROOT / "tests" / "fixtures" / "valid" / "riverton.yaml"


@pytest.fixture
def scaffold(tmp_path: Path) -> Path:
    path = tmp_path / "kirklees.yaml"
    path.write_text(scaffold_text("kirklees", case_study_schema()), "utf-8")
    return path


def test_numbers_are_scaffolded_as_a_bare_placeholder_that_says_what_to_write(
    scaffold: Path,
) -> None:
    text = scaffold.read_text("utf-8")
    assert PLACEHOLDER == "TODO"
    assert "    lat: TODO  # a number from -90 to 90, without quotes\n" in text
    assert "    lon: TODO  # a number from -180 to 180, without quotes\n" in text
    assert "  start: TODO  # a year from 1800 to 2100, without quotes\n" in text
    assert "        value: TODO  # a number, without quotes\n" in text
    assert '"TODO: lat"' not in text and '"TODO: year"' not in text


def test_an_untouched_number_is_reported_as_a_placeholder(scaffold: Path) -> None:
    problems = {problem.message: problem for problem in validate_files([scaffold]).problems}
    lat = problems["place.coordinates.lat is still a placeholder: TODO"]
    assert lat.hint == "Latitude in decimal degrees, from -90 (south) to 90 (north)."
    assert "period.start is still a placeholder: TODO" in problems


def test_typing_the_number_over_the_placeholder_gives_a_number(scaffold: Path) -> None:
    text = scaffold.read_text("utf-8")
    for name, value in [("lat", "53.6458"), ("lon", "-1.7850"), ("start", "2018")]:
        text = re.sub(rf"(\b{name}: )TODO", rf"\g<1>{value}", text, count=1)
    scaffold.write_text(text, "utf-8")
    messages = [problem.message for problem in validate_files([scaffold]).problems]
    touched = ("place.coordinates.lat", "place.coordinates.lon", "period.start")
    assert [message for message in messages if message.startswith(touched)] == []


@pytest.mark.parametrize(
    ("file_name", "slug", "hint"),
    [
        (
            "riverton-town.yaml",
            "riverton",
            "rename the file to riverton.yaml, or set `slug: riverton-town`",
        ),
        ("Riverton Town.yaml", "riverton", "rename the file to riverton.yaml"),
        ("riverton.yaml", "Riverton Town", "set `slug: riverton`"),
        (
            "Riverton.yaml",
            "Riverton Town",
            "give the file and `slug:` the same name of "
            "lower-case letters, digits and single hyphens, e.g. north-ayrshire.yaml with "
            "`slug: north-ayrshire`",
        ),
    ],
)
def test_the_slug_mismatch_hint_suggests_only_valid_names(
    tmp_path: Path, file_name: str, slug: str, hint: str
) -> None:
    path = tmp_path / file_name
    shutil.copy(RIVERTON, path)
    path.write_text(path.read_text("utf-8").replace("slug: riverton", f"slug: {slug}"), "utf-8")
    [mismatch] = [
        problem
        for problem in validate_files([path]).problems
        if "does not match the file name" in problem.message
    ]
    assert mismatch.hint == hint


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("kirklees", True),
        ("north-ayrshire", True),
        ("a", False),
        ("North", False),
        ("x--y", False),
        ("x" * 61, False),
    ],
)
def test_slugs_follow_the_schema(text: str, valid: bool) -> None:
    assert valid_slug(text) is valid
