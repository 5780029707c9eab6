"""The pull-request check's summary: the pages a pull request adds or changes (issue 21)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.pr_pages import ChangedPage, changed_pages, main, page_of, summary
from generator.validate import validate_files
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A repository whose branch adds, changes and removes pages against main."""
    root = tmp_path / "repo"
    (root / "case_studies").mkdir(parents=True)
    (root / "content").mkdir()
    shutil.copy(FIXTURES / "valid" / "riverton.yaml", root / "case_studies" / "riverton.yaml")
    (root / "content" / "about.md").write_text("# About\n")
    (root / "content" / "glossary.md").write_text("# Glossary\n")
    (root / "README.md").write_text("readme\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "checkout", "-q", "-b", "pr")
    (root / "content" / "about.md").write_text("# About us\n")
    (root / "content" / "glossary.md").unlink()
    bad = (FIXTURES / "valid" / "riverton.yaml").read_text().replace("slug: riverton", "slug: x")
    (root / "case_studies" / "kirklees.yaml").write_text(bad.replace("title:", "titel:", 1))
    (root / "README.md").write_text("readme, changed\n")  # makes no page
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "pr")
    return root


def test_the_pages_come_from_the_changed_case_studies_and_content(pull_request: Path) -> None:
    assert sorted(changed_pages(pull_request, "main"), key=lambda page: page.source) == [
        ChangedPage("case_studies/kirklees.yaml", "added", "case-studies/kirklees/"),
        ChangedPage("content/about.md", "changed", "about/"),
        ChangedPage("content/glossary.md", "removed", "glossary/"),
    ]


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("case_studies/preston.yaml", "case-studies/preston/"),
        ("content/index.md", ""),
        ("content/guides/index.md", "guides/"),
        ("content/five-pillars.md", "five-pillars/"),
        ("case_studies/notes.txt", None),
        ("content/logo.svg", None),
        ("README.md", None),
    ],
)
def test_a_source_file_names_its_page(source: str, url: str | None) -> None:
    assert page_of(source) == url


def test_the_summary_says_which_built_why_not_and_how_to_open_the_preview(
    pull_request: Path,
) -> None:
    site = pull_request / "site"
    (site / "about").mkdir(parents=True)
    (site / "about" / "index.html").write_text("<p>about</p>")  # kirklees did not build
    text = summary(
        changed_pages(pull_request, "main"), pull_request, site, "site-preview", "https://x/1"
    )
    rows = {line.split(" | ")[1]: line for line in text.splitlines() if line.startswith("| /")}
    assert "| changed | yes :white_check_mark: |" in rows["content/about.md"]
    # The misspelt key (so no title) and the slug that is not the file's name, as validated.
    count = len(validate_files([pull_request / "case_studies" / "kirklees.yaml"]).problems)
    assert count >= 2
    assert (
        f"| added | no: {count} problems in this file (see the annotations) |"
        in rows["case\\_studies/kirklees.yaml"]
    )
    assert "| removed | (no page) |" in rows["content/glossary.md"]
    assert "[site-preview](https://x/1)" in text
    assert "about/index.html" in text and "python3 -m http.server 8000" in text


def test_nothing_built_means_no_preview_and_no_change_says_so(pull_request: Path) -> None:
    text = summary(changed_pages(pull_request, "main"), pull_request, pull_request / "site", "p")
    assert "Nothing was built, so there is no preview" in text
    assert "Preview the built site" not in text
    assert "changes no case study" in summary([], pull_request, pull_request / "site", "p")


def test_a_file_name_cannot_put_markup_in_the_summary(tmp_path: Path) -> None:
    page = ChangedPage("content/<img src=x>|a.md", "changed", "<img src=x>|a/")
    text = summary([page], tmp_path, tmp_path / "site", "p")
    assert "<" not in text.replace("\\<", "") and "\\<img src=x\\>\\|a" in text


def test_the_command_prints_the_summary_or_says_git_cannot_compare(
    pull_request: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base", "main", "--root", str(pull_request)]) == 0
    assert capsys.readouterr().out.startswith("## Pages this pull request adds or changes")
    assert main(["--base", "origin/no-such-branch", "--root", str(pull_request)]) == 2
    assert "git cannot compare origin/no-such-branch with HEAD" in capsys.readouterr().err
