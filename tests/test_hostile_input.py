"""Hostile bytes that cannot live in a fixture file with a header: each fails clearly.

Speed is the benchmark's business; here a hang guard (a child process with a generous time
limit) proves that no hostile file can freeze `cwb validate`.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from generator.load import MAX_BYTES
from generator.validate import validate_files

CASES = {
    "binary": (gzip.compress(b"slug: x\n" * 100), "this is not a text file"),
    "latin-1": ("title: Café Bologna\n".encode("latin-1"), "the file is not valid UTF-8 text"),
    "huge": (b"a: " + b"x" * (MAX_BYTES + 10), "the file is larger than"),
    "deep-flow": (b"[" * 200_000, "nested more than"),
    "deep-block": ("".join("  " * i + "k:\n" for i in range(300)).encode(), "nested more than"),
    "whitespace-only": (b"   \n\n  \n", "the file is empty"),
    "scalar-root": (b"just some words\n", "must be a mapping of fields"),
    "merge-key": (b"a: {b: 1}\nc:\n  <<: {b: 2}\n", "merge keys (<<) are not allowed"),
    "complex-key": (b"? [a, b]\n: value\n", "a field name must be plain text"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_fails_clearly_with_its_path(name: str, tmp_path: Path) -> None:
    raw, message = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(raw)
    result = validate_files([path])
    assert result.problems, name
    assert result.problems[0].path == path
    assert message in result.problems[0].message


def test_no_hostile_file_hangs_the_validator(tmp_path: Path) -> None:
    for name, (raw, _) in CASES.items():
        (tmp_path / f"{name}.yaml").write_bytes(raw)
    completed = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a speed test: each file takes milliseconds
    )
    assert completed.returncode == 1
    assert f"{len(CASES)} problems in {len(CASES)} of {len(CASES)} files" in completed.stdout


def test_invalid_utf8_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"slug: bad\ntitle: caf\xe9\n")
    [problem] = validate_files([path]).problems
    assert (problem.line, problem.column) == (2, 11)


def test_python_tag_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(f'title: !!python/object/apply:os.system ["touch {marker}"]\n')
    validate_files([path])
    assert not marker.exists()
