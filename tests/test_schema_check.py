"""How JSON Schema errors reach a contributor: once each, at their line, in plain words."""

from __future__ import annotations

from pathlib import Path

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
