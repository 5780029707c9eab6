"""`cwb validate` as a contributor meets it: exact exit codes and exact text."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

VALID = Path(__file__).parent / "fixtures" / "valid" / "riverton.yaml"
INVALID = Path(__file__).parent / "fixtures" / "invalid"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "case_studies"
    folder.mkdir()
    shutil.copy(VALID, folder / "riverton.yaml")
    return folder


def test_valid_folder_exits_0(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 case study valid (")


def test_problems_exit_1_with_path_line_column_and_hint(
    corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(corpus.parent)
    path = corpus / "riverton.yaml"
    path.write_text(path.read_text().replace("title:", "titel:", 1))
    assert main(["validate"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "case_studies/riverton.yaml:4:1: error: unknown field 'titel'",
        "    hint: did you mean 'title'? allowed fields: actors, disagreements, ended, featured, "
        "last_reviewed, lessons, metrics, period, pillars, place, related, scale, slug, sources, "
        "status, story, summary, tags, title",
        "1 problem in 1 of 1 file",
    ]


def test_every_problem_of_every_file_in_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(INVALID.glob("*.yaml"))
    assert main(["validate", *map(str, files)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == f"{len(files)} problems in {len(files)} of {len(files)} files"


def test_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "no/such/place.yaml"]) == 2
    assert capsys.readouterr().err == (
        "cwb validate: error: no such file or folder: no/such/place.yaml\n"
    )


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--bogus"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_github_actions_annotations_and_summary(
    corpus: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(corpus.parent)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    path = corpus / "riverton.yaml"
    path.write_text(path.read_text().replace("country: GB", "country: UK"))
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert (
        "::error file=case_studies/riverton.yaml,line=8,col=12,title=Case study problem::"
        "'UK' is not an ISO 3166-1 country code — the ISO code for the United Kingdom is GB"
    ) in out.splitlines()
    table = summary.read_text()
    assert "| case_studies/riverton.yaml | 8 | 'UK' is not an ISO 3166-1 country code |" in table


def test_python_dash_m_and_console_script_agree(corpus: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(corpus)],
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_ACTIONS": ""},
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("1 case study valid")
