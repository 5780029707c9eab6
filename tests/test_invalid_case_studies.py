"""Each file in tests/fixtures/invalid/ states in `# expect:` headers the problems it must produce.

Add a case = add a file. `# expect: LINE:COL: message` lines must match the problems exactly;
`# expect-hint: text` lines must each appear in some problem's hint.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.validate import validate_files

INVALID = Path(__file__).parent / "fixtures" / "invalid"
EXPECT = re.compile(r"^# expect: (\d+):(\d+): (.+)$")
EXPECT_HINT = re.compile(r"^# expect-hint: (.+)$")


FIX = re.compile(r"^# fix-line: (\d+): (.*)$")


def read_expectations(
    path: Path,
) -> tuple[list[tuple[int, int, str]], list[str], dict[int, str]]:
    """Return a fixture's `# expect:` problems, `# expect-hint:` hints and `# fix-line:` fixes."""
    problems, hints, fixes = [], [], {}
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        if match := EXPECT.match(line):
            problems.append((int(match[1]), int(match[2]), match[3]))
        elif match := EXPECT_HINT.match(line):
            hints.append(match[1])
        elif match := FIX.match(line):
            fixes[int(match[1])] = match[2]
    return problems, hints, fixes


CASES = sorted(INVALID.glob("*.yaml"))


def test_the_folder_has_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_invalid_file_reports_exactly_its_problems(path: Path) -> None:
    expected, hints, _ = read_expectations(path)
    assert expected, f"{path.name} states no `# expect:` line"
    result = validate_files([path])
    found = [(problem.line, problem.column, problem.message) for problem in result.problems]
    assert found == expected
    assert all(problem.path == path for problem in result.problems)
    all_hints = " ".join(problem.hint for problem in result.problems)
    for hint in hints:
        assert hint in all_hints
    assert result.case_studies == []
