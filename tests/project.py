"""A throwaway copy of the project for tests that build: the checkout itself is never written."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

from generator.paths import ProjectPaths

ROOT = Path(__file__).resolve().parent.parent


def make_project(where: Path, *, case_studies: Path | None = None) -> ProjectPaths:
    """Copy the checkout's configuration, pages, feeds and news archive into `where`.

    The case studies are the shipped ones unless another folder is given (used in place).
    The site is built into `where/site` and the generated tree into `where/build/`.
    """
    where.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "feeds.yaml"):
        shutil.copy(ROOT / name, where / name)
    for folder in ("content", "news"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, where / folder, dirs_exist_ok=True)
    if case_studies is None:
        shutil.copytree(ROOT / "case_studies", where / "case_studies", dirs_exist_ok=True)
    return ProjectPaths.at(where, case_studies=case_studies)


def with_ctrl_c() -> None:
    """Give a child process the default SIGINT disposition (pass as Popen's preexec_fn).

    `make test &` starts the suite with SIGINT ignored, and children inherit that; Python then
    never installs its KeyboardInterrupt handler, so a test that sends Ctrl+C would see nothing.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
