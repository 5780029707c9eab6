"""When each case study last changed, and which version and date the published data is.

Both come from git when the project is a git checkout, read once per build; outside one (a
project folder without git, an archive, a shallow clone that cannot tell) they fall back to
what the files say, and the pages show only what is known.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

GIT_TIMEOUT = 30  # seconds: a git that hangs (a network filesystem, a lock) must not stop a build
PACKAGE = "cwb-knowledge-base"


@dataclass(frozen=True)
class Release:
    """Which version of the data a build publishes, and the date of that data."""

    version: str  # e.g. 0.2.0 on a tagged commit, 0.2.0-5-gabc1234 after it, 0.1.0 without git
    date: str  # ISO date: the newest change to the case studies (see data_release)


def _git(folder: Path, *args: str) -> str | None:
    """Return git's output in folder, or None when git is missing, fails or hangs."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        completed = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.debug("git %s in %s: %s", args[0], folder, error)
        return None
    if completed.returncode != 0:
        log.debug("git %s in %s: %s", args[0], folder, completed.stderr.strip())
        return None
    return completed.stdout


def last_changes(folder: Path) -> dict[str, str]:
    """Return {file name: ISO date of the last commit that changed it} for folder's files.

    One `git log` walk for the whole folder, not one per file. In a shallow clone the oldest
    commits it holds are grafted: they seem to add every file, so a file first met there has
    no known date and is left out rather than given a wrong one. Empty outside git.
    """
    if not folder.is_dir():
        return {}
    shallow = (_git(folder, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
    log_text = _git(
        folder, "log", "--relative", "--name-only", "--format=%x00%cs %P", "--no-renames", "--", "."
    )
    if not log_text:
        return {}
    changes: dict[str, str] = {}
    date, grafted = "", False
    for line in log_text.splitlines():
        if line.startswith("\0"):
            date, _, parents = line[1:].partition(" ")
            grafted = shallow and not parents.strip()
            continue
        name = line.strip()
        if name and "/" not in name and name not in changes:
            changes[name] = "" if grafted else date
    return {name: when for name, when in changes.items() if when}


def project_version(root: Path) -> str:
    """Return the data's version: the git tag (vX.Y.Z, with how far past it), else pyproject's."""
    described = _git(root, "describe", "--tags", "--match", "v[0-9]*")
    if described and described.strip():
        return described.strip().removeprefix("v")
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            version = tomllib.loads(pyproject.read_text("utf-8")).get("project", {}).get("version")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            version = None
        if isinstance(version, str) and version:
            return version
    return package_version()


def package_version() -> str:
    """Return the installed generator's version, the last resort for the data's version."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "0.0.0"


def data_release(version: str, reviewed: Iterable[str], changed: Iterable[str]) -> Release:
    """Return the release: its version, dated by the newest review or change of a case study.

    The date is the data's, not the build's: rebuilding the same commit gives the same files
    (and checksums), and a cited figure's date says when the facts last moved.
    """
    dates = [date for date in (*reviewed, *changed) if date]
    return Release(version=version, date=max(dates, default="1970-01-01"))
