"""Nothing outside the project folder is read or published (issue 16, item 8).

A symbolic link among what a build reads (case studies, pages, the news archive, the
configuration) or writes into (build/, the site) is refused by name, exit 1, before anything is
read through it or written. Links that point inside the project are refused too: the next
one-line change to a link could point it anywhere, and such a change is easy to miss in a diff.
Each test builds a throwaway project copy (tests/project.py) with a secret file beside it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import ROOT
from tests.project import make_project

RIVERTON = ROOT / "tests" / "fixtures" / "valid" / "riverton.yaml"
SECRET = "secret-outside-the-project"
LINK_MESSAGE = "this is a symbolic link (a shortcut to another file or folder)"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project copy with one case study, the working folder; secrets lie outside it."""
    root = tmp_path / "project"
    make_project(root, case_studies=tmp_path / "unused")
    shutil.rmtree(root / "case_studies", ignore_errors=True)
    (root / "case_studies").mkdir()
    shutil.copy(RIVERTON, root / "case_studies" / "riverton.yaml")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (outside / "page.md").write_text(f"# Outside\n\n{SECRET}\n")
    (outside / "riverton.yaml").write_text(RIVERTON.read_text().replace("Riverton", "Secretton"))
    monkeypatch.chdir(root)
    return root


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out + err


def _refused(output: str, *names: str) -> None:
    """Assert that each name is reported as a link, at line 1, and no secret was printed."""
    for name in names:
        assert f"{name}:1:1: error: {LINK_MESSAGE}" in output, output
    assert output.count("symbolic link") == len(names), output
    assert SECRET not in output and "Secretton" not in output


def _nothing_published(root: Path) -> None:
    assert not (root / "site").exists()
    written = [p for p in root.glob("build/**/*") if p.is_file()]
    assert all(SECRET not in p.read_text("utf-8", "replace") for p in written)


def test_a_linked_case_study_is_refused_by_validate_and_build(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "case_studies" / "riverton.yaml").unlink()
    (project / "case_studies" / "riverton.yaml").symlink_to(
        project.parent / "outside" / "riverton.yaml"
    )
    status, output = _run(["validate"], capsys)
    assert status == 1
    _refused(output, os.path.join("case_studies", "riverton.yaml"))
    assert "hint: replace the link with a copy of the file itself, or delete it (git rm)" in output
    status, output = _run(["validate", "case_studies/riverton.yaml"], capsys)  # named: the same
    assert status == 1
    _refused(output, os.path.join("case_studies", "riverton.yaml"))
    status, output = _run(["build"], capsys)
    assert status == 1
    _refused(output, os.path.join("case_studies", "riverton.yaml"))
    assert "1 problem in the case studies: nothing was built." in output
    _nothing_published(project)

    # The fix the hint gives: the file itself in place of the link.
    link = project / "case_studies" / "riverton.yaml"
    target = link.resolve()
    link.unlink()
    shutil.copy(target, link)
    assert _run(["validate"], capsys)[0] == 0


def test_a_linked_case_studies_folder_is_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (project / "case_studies").rename(elsewhere)
    (project / "case_studies").symlink_to(elsewhere, target_is_directory=True)
    for command in ("validate", "build"):
        status, output = _run([command], capsys)
        assert status == 1, command
        _refused(output, "case_studies")
    _nothing_published(project)


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("content/passwd.txt", "/etc/passwd"),
        ("content/secret.txt", "outside/secret.txt"),
        ("content/outside", "outside"),  # a folder
        ("content/assets/page.md", "outside/page.md"),  # deeper down
        ("content/again.md", "project/content/about.md"),  # inside the project: refused too
        ("content/gone.md", "outside/no-such-file.md"),  # dangling
        ("news/archive/2026-01.json", "outside/secret.txt"),
        ("news", "outside"),
        ("mkdocs.yml", "project/content/about.md"),
        ("feeds.yaml", "outside/secret.txt"),
    ],
)
def test_a_link_among_what_the_build_reads_is_refused(
    link: str, target: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / link
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target if target.startswith("/") else project.parent / target)
    status, output = _run(["build"], capsys)
    assert status == 1
    _refused(output, link.replace("/", os.sep))
    assert "1 problem in the project: nothing was built." in output
    _nothing_published(project)


@pytest.mark.parametrize("link", ["build", "site", "build/generated"])
def test_a_link_where_the_build_writes_is_refused(
    link: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "outside" / "target"
    target.mkdir()
    (project / link).parent.mkdir(parents=True, exist_ok=True)
    (project / link).symlink_to(target, target_is_directory=True)
    status, output = _run(["build"], capsys)
    assert status == 1
    where = link.replace("/", os.sep)
    assert f"{where}:1:1: error: this is a symbolic link (a shortcut to another folder)" in output
    assert "hint: delete the link (cwb build makes the folder itself)" in output
    assert list(target.iterdir()) == []  # nothing written through the link


def test_the_previews_cache_notices_a_file_swapped_for_a_link(project: Path) -> None:
    """cwb serve re-checks only files whose size and time changed: a link has its own."""
    from generator.validate import FileCache, validate_files

    case = project / "case_studies" / "riverton.yaml"
    cache: FileCache = {}
    assert validate_files([case], cache=cache).ok
    twin = project.parent / "outside" / "twin.yaml"
    shutil.copy2(case, twin)  # the same bytes and modification time
    case.unlink()
    case.symlink_to(twin)
    result = validate_files([case], cache=cache)
    assert [problem.message for problem in result.problems] == [
        LINK_MESSAGE
        + (
            "; cwb reads and publishes only what is really in the project, never what a link "
            "points to"
        )
    ]
