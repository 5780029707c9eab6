"""Plain values mean what YAML 1.2 says, and `cwb validate` agrees with check-jsonschema (issue 10).

check-jsonschema is the pre-commit check; `cwb validate` is CI. A file must never pass one and
fail the other, so each fixture in tests/fixtures/yaml12/ (riverton.yaml with one tricky value)
goes through both command lines, and must get the verdict its `# expect:` header states from
each. Below that, every short plain value over the characters that matter is read by our loader
and by check-jsonschema's own YAML loader, and must come out the same value of the same type.

tests/fixtures/invalid/encodings/ holds files saved as UTF-16 or UTF-32, which the header reader of
test_invalid_case_studies.py cannot read as UTF-8; they are checked here, in the same way.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from check_jsonschema.parsers import ParserSet

from generator.load import parse_document
from generator.validate import validate_files
from tests.conftest import ROOT

FIXTURES = sorted((ROOT / "tests" / "fixtures" / "yaml12").glob("*.yaml"))
ENCODINGS = sorted((ROOT / "tests" / "fixtures" / "invalid" / "encodings").glob("*.yaml"))
SCHEMA = ROOT / "generator" / "schema" / "case-study.schema.json"
EXPECT = re.compile(r"^# expect: (valid|invalid)$", re.MULTILINE)
CHECK_JSONSCHEMA = [sys.executable, "-m", "check_jsonschema"]
PROBLEM_LINE = re.compile(r"^(.+?):\d+:\d+: error: ", re.MULTILINE)


def _expected(path: Path) -> str:
    match = EXPECT.search(path.read_text("utf-8"))
    assert match, f"{path.name} states no `# expect: valid` or `# expect: invalid` line"
    return match[1]


@pytest.fixture(scope="module")
def cwb_refuses() -> set[str]:
    """Run `cwb validate` once over all fixtures; return the names of the files it refuses."""
    run = subprocess.run(
        [sys.executable, "-m", "generator", "validate", *FIXTURES],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode in (0, 1), run.stdout + run.stderr
    return {Path(path).name for path in PROBLEM_LINE.findall(run.stdout)}


@pytest.fixture(scope="module")
def check_jsonschema_refuses() -> set[str]:
    """Run check-jsonschema as pre-commit does, once; return the names of the files it refuses."""
    run = subprocess.run(
        [*CHECK_JSONSCHEMA, "--output-format", "json", "--schemafile", str(SCHEMA), *FIXTURES],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode in (0, 1), run.stdout + run.stderr
    report = json.loads(run.stdout)
    return {Path(error["filename"]).name for error in report["errors"] + report["parse_errors"]}


def test_the_folder_has_cases() -> None:
    assert len(FIXTURES) >= 30


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_cwb_and_check_jsonschema_agree(
    path: Path, cwb_refuses: set[str], check_jsonschema_refuses: set[str]
) -> None:
    verdicts = {
        "cwb validate": "invalid" if path.name in cwb_refuses else "valid",
        "check-jsonschema": "invalid" if path.name in check_jsonschema_refuses else "valid",
    }
    assert verdicts == dict.fromkeys(verdicts, _expected(path))


# Every plain value of up to three of these characters: digits, signs, dots, underscores, the
# letters of exponents, prefixes, inf, nan, null and true, and YAML's special characters.
ALPHABET = "019_.+-eExXobBafilnNrstuTIF~:=<"
NOTABLE = [
    *("NO", "no", "No", "yes", "Yes", "YES", "on", "On", "off", "y", "n", "Y", "N"),
    *("true", "True", "TRUE", "tRue", "false", "False", "FALSE", "~", "null", "Null", "NULL"),
    *("4.45e1", "4.44949e1", "4.45E+1", "4e1", "1e-3", "12e03", ".5", "-.5", "+.5", ".5e3"),
    *(".5e+3", "-.5e-3", "1.", "-1.", "0.", "00.5", "01.5", "-0.0", "1e400", "+12", "-0"),
    *("0x1F", "0X1F", "-0x1F", "0xff", "0o17", "0O17", "-0o17", "0o18", "012", "0777", "089"),
    *("1_000", "1_000.5", "1__0", "1_", "_1", "0_8", "0x_1F", "0b101", "-0b1", "0b2", "+_"),
    *("._", ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", "-.nan", "inf"),
    *("12:30", "1:20:30", "2024-01-01", "2024-01-01 10:00:00", "2024-01-01T10:00:00Z", "="),
    *("<<", "1.2.3", "1,000", "1e", "1.5e+", "9" * 5000, "0x" + "f" * 5000),
]


def _values() -> list[str]:
    short = (
        "".join(chars) for size in (1, 2, 3) for chars in itertools.product(ALPHABET, repeat=size)
    )
    scalars = (value for value in short if not value.endswith(":"))  # `a:` starts a mapping
    return sorted({*scalars, *NOTABLE})


def _load_ours(text: str) -> tuple[str, Any]:
    document = parse_document(text.encode(), Path("values.yaml"))
    return ("data", document.data) if document.ok else ("refused", None)


_load_theirs_with = ParserSet().get(Path("values.yaml"), default_filetype="yaml")


def _load_theirs(text: str) -> tuple[str, Any]:
    try:
        return "data", _load_theirs_with(io.BytesIO(text.encode()))
    except Exception:  # a YAML error, or ruamel's ValueError on e.g. `+_`: the file is refused
        return "refused", None


def _same(ours: Any, theirs: Any) -> bool:
    """Compare loaded data exactly: types too (1 is not 1.0 or True), NaN equal to NaN."""
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, dict):
        return ours.keys() == theirs.keys() and all(_same(ours[key], theirs[key]) for key in ours)
    if isinstance(ours, list):
        return len(ours) == len(theirs) and all(map(_same, ours, theirs))
    if isinstance(ours, float):
        return (math.isnan(ours) and math.isnan(theirs)) or repr(ours) == repr(theirs)
    return bool(ours == theirs)


def _differences(values: list[str]) -> list[tuple[str, Any, Any]]:
    """Load the values as one mapping with both loaders; halve the list where they differ."""
    text = "".join(f"v{number}: {value}\n" for number, value in enumerate(values))
    ours, theirs = _load_ours(text), _load_theirs(text)
    if ours[0] == theirs[0] == "data" and _same(ours[1], theirs[1]):
        return []
    if len(values) == 1:  # refused by both is agreement too
        return [] if ours[0] == theirs[0] == "refused" else [(values[0][:20], ours, theirs)]
    half = len(values) // 2
    return _differences(values[:half]) + _differences(values[half:])


def test_every_plain_value_means_what_check_jsonschema_reads() -> None:
    values = _values()
    assert len(values) > 29_000
    # What we refuse, they must refuse; the rest is compared a mapping of 500 values at a time.
    refused = {value for value in values if _load_ours(f"v: {value}\n")[0] == "refused"}
    assert [value for value in refused if _load_theirs(f"v: {value}\n")[0] != "refused"] == []
    accepted = [value for value in values if value not in refused]
    differ = [_differences(accepted[start : start + 500]) for start in range(0, len(accepted), 500)]
    assert [difference for batch in differ for difference in batch] == []


@pytest.mark.parametrize(
    ("value", "meaning"),
    [
        ("NO", "NO"),
        ("yes", "yes"),
        ("off", "off"),
        ("True", True),
        ("~", None),
        ("4.45e1", 44.5),
        ("0777", 777),
        ("0o17", 15),
        ("0x1F", 31),
        ("12:30", "12:30"),
        ("2024-01-01", "2024-01-01"),
    ],
)
def test_a_plain_value_has_its_yaml_1_2_meaning(value: str, meaning: Any) -> None:
    document = parse_document(f"v: {value}\n".encode(), Path("value.yaml"))
    assert document.data == {"v": meaning}
    assert type(document.data["v"]) is type(meaning)


def _encoded_header(path: Path) -> tuple[list[tuple[int, int, str]], list[str]]:
    codec = {"utf16": "utf-16", "utf32": "utf-32"}[path.stem[:5]]
    if "-bom" not in path.stem:
        codec += "-le" if "-le" in path.stem else "-be"
    text = path.read_bytes().decode(codec).lstrip("\ufeff")
    expected = re.findall(r"^# expect: (\d+):(\d+): (.+?)\r?$", text, re.MULTILINE)
    hints = re.findall(r"^# expect-hint: (.+?)\r?$", text, re.MULTILINE)
    return [(int(line), int(column), message) for line, column, message in expected], hints


@pytest.mark.parametrize("path", ENCODINGS, ids=[path.stem for path in ENCODINGS])
def test_a_file_saved_as_utf16_or_utf32_is_named_so(path: Path) -> None:
    expected, hints = _encoded_header(path)
    assert expected, f"{path.name} states no `# expect:` line"
    problems = validate_files([path]).problems
    assert [(problem.line, problem.column, problem.message) for problem in problems] == expected
    for hint in hints:
        assert any(hint in problem.hint for problem in problems)


def test_binary_that_looks_like_utf16_is_still_not_text() -> None:
    raw = "x".encode("utf-16-le") + b"\x01\x00\x02\x00\x1b\x00" * 50  # control characters
    [problem] = parse_document(raw, Path("binary.yaml")).problems
    assert problem.message == "this is not a text file (it contains NUL bytes)"
