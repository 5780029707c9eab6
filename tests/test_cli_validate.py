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
    assert r"| case\_studies/riverton.yaml | 8 | 'UK' is not an ISO 3166\-1 country code |" in table


def test_python_dash_m_and_console_script_agree(corpus: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(corpus)],
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_ACTIONS": ""},
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("1 case study valid")


# Contributor values that would be GitHub workflow commands, or terminal escape sequences, if a
# line of output carried them as they are (issue 16).
INJECTIONS = {
    "slug: riverton": r'slug: "x\n::warning file=README.md,line=1::Injected"',
    "title: Riverton": '"b\\n::error title=Fake::Injected": 1\n'
    '"k\\e]8;;https://evil.example\\a\\e[31mred": 2\n'
    "title: Riverton",
    "sources: [riverton-news]": r'sources: ["n\n::notice::hi", "m\r::add-mask::x\u2028::debug::y"]',
}


def test_contributor_values_never_become_workflow_commands(corpus: Path, tmp_path: Path) -> None:
    path = corpus / "riverton.yaml"
    text = path.read_text("utf-8")
    for plain, hostile in INJECTIONS.items():
        assert plain in text
        text = text.replace(plain, hostile, 1)
    path.write_text(text, "utf-8")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    run = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "case_studies"],
        capture_output=True,
        text=True,
        cwd=corpus.parent,
        env=env,
    )
    assert run.returncode == 1, run.stderr
    lines = (run.stdout + run.stderr).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    ours = [
        line for line in commands if line.startswith("::error file=case_studies/riverton.yaml,")
    ]
    assert commands == ours and len(ours) >= 5
    assert all(character.isprintable() for line in lines for character in line)
    # The values are shown, escaped, where the contributor can read them.
    assert r"slug 'x\n::warning file=README.md,line=1::Injected' does not match" in run.stdout
    assert r"unknown field 'b\n::error title=Fake::Injected'" in run.stdout
    assert r"unknown field 'k\x1b]8;;https://evil.example\x07\x1b[3…'" in run.stdout
    assert r"cites source 'n\n::notice::hi', which is not listed" in run.stdout
    assert r"cites source 'm\r::add-mask::x\u2028::debug::y', which" in run.stdout
    # In the step summary, every problem is one table row and no value is Markdown or HTML.
    rows = summary.read_text("utf-8").splitlines()[4:]
    assert len(rows) == len(ours)
    assert all(row.startswith("| case\\_studies/riverton.yaml | ") for row in rows)
    assert all(row.count("|") - row.count("\\|") == 5 for row in rows)
    assert not any("<" in row.replace("\\<", "") for row in rows)
