"""The beginner mistakes corpus (issue 21): tests/fixtures/mistakes/ holds the valid Riverton case
study with one mistake each (four in four-mistakes.yaml).

Each file states the exact problems in `# expect:` / `# expect-hint:` headers, as in
tests/fixtures/invalid/, and the fix its hints ask for in `# fix-line: N: text` headers: line N
replaced by text. Following the hints must give a valid file in one step.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.validate import validate_files
from tests.test_invalid_case_studies import read_expectations

MISTAKES = Path(__file__).parent / "fixtures" / "mistakes"
CASES = sorted(MISTAKES.glob("*.yaml"))


def test_the_corpus_has_thirty_mistakes() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_mistake_gets_exactly_its_messages(path: Path) -> None:
    expected, hints, _ = read_expectations(path)
    assert expected
    result = validate_files([path])
    assert [(p.line, p.column, p.message) for p in result.problems] == expected
    assert sorted(p.hint for p in result.problems if p.hint) == sorted(hints)


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_following_the_hints_gives_a_valid_file(path: Path, tmp_path: Path) -> None:
    _, _, fixes = read_expectations(path)
    assert fixes, f"{path.name} states no `# fix-line:`"
    lines = path.read_text("utf-8").split("\n")
    for number, text in fixes.items():
        assert lines[number - 1] != text
        lines[number - 1] = text
    fixed = tmp_path / path.name
    fixed.write_text("\n".join(lines), "utf-8")
    assert validate_files([fixed]).problems == []


def test_one_layout_mistake_no_longer_hides_the_others() -> None:
    result = validate_files([MISTAKES / "four-mistakes.yaml"])
    assert len(result.problems) == 4
    recovered = [p for p in result.problems if "reading past the YAML syntax error" in p.hint]
    assert len(recovered) == 3


def test_an_id_made_of_digits_is_cited_by_its_id(tmp_path: Path) -> None:
    """`id: "2017"` is a valid id: citing it is no citation by number."""
    text = (MISTAKES.parent / "valid" / "riverton.yaml").read_text("utf-8")
    path = tmp_path / "riverton.yaml"
    path.write_text(text.replace("riverton-news", '"2017"').replace('""2017""', '"2017"'), "utf-8")
    assert validate_files([path]).problems == []
    path.write_text(text.replace("    source: riverton-report\n", '    source: "2"\n'), "utf-8")
    [problem] = validate_files([path]).problems
    assert problem.message.startswith("cites source number 2; write the source's id instead")
