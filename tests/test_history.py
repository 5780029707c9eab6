"""When each case study last changed, and the data's version: from a real git repository,
a shallow clone of it, and a folder outside git (generator/history.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from generator.history import data_release, last_changes, package_version, project_version


def git(folder: Path, *args: str, date: str = "2026-01-01T12:00:00+00:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A project whose case studies changed on three days: a.yaml last on 3 March."""
    root = tmp_path / "project"
    cases = root / "case_studies"
    cases.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0.4.0"\n', "utf-8")
    for name, text, day in (
        ("a.yaml", "one", "2026-01-05"),
        ("b.yaml", "two", "2026-02-10"),
        ("a.yaml", "three", "2026-03-03"),
    ):
        (cases / name).write_text(text, "utf-8")
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", f"change {name}", date=f"{day}T12:00:00+00:00")
    return root


def test_last_changes_gives_each_file_its_last_commit_date(repository: Path) -> None:
    cases = repository / "case_studies"
    (cases / "c.yaml").write_text("not committed yet", "utf-8")
    assert last_changes(cases) == {"a.yaml": "2026-03-03", "b.yaml": "2026-02-10"}


def test_a_shallow_clone_leaves_out_what_it_cannot_date(repository: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repository.as_uri(), str(clone))
    # b.yaml's change is outside the one commit held: it seems added there, so it has no date.
    assert last_changes(clone / "case_studies") == {}
    git(clone, "fetch", "-q", "--deepen", "1")
    assert last_changes(clone / "case_studies") == {"a.yaml": "2026-03-03"}


def test_outside_git_nothing_is_dated(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x", "utf-8")
    assert last_changes(tmp_path) == {}
    assert last_changes(tmp_path / "missing") == {}


def test_version_is_the_tag_else_pyproject_else_the_package(
    repository: Path, tmp_path: Path
) -> None:
    assert project_version(repository) == "0.4.0"
    git(repository, "tag", "v0.4.0")
    assert project_version(repository) == "0.4.0"
    (repository / "case_studies" / "b.yaml").write_text("four", "utf-8")
    git(repository, "commit", "-q", "-am", "later", date="2026-04-01T12:00:00+00:00")
    assert project_version(repository).startswith("0.4.0-1-g")
    assert project_version(tmp_path / "elsewhere") == package_version()


def test_the_data_is_dated_by_its_newest_review_or_change() -> None:
    release = data_release("1.0.0", ["2026-01-02", "2026-05-01"], ["2026-03-03"])
    assert (release.version, release.date) == ("1.0.0", "2026-05-01")
    assert data_release("1.0.0", ["2026-01-02"], ["2026-03-03"]).date == "2026-03-03"
