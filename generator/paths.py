"""Where things live: the package's own data, and a project's inputs and outputs."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = PACKAGE_DIR / "schema"
ABBREVIATIONS_FILE = SCHEMA_DIR / "abbreviations.yaml"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
CASE_STUDY_SCHEMA = SCHEMA_DIR / "case-study.schema.json"
PILLARS_FILE = SCHEMA_DIR / "pillars.yaml"
INDICATORS_FILE = SCHEMA_DIR / "indicators.yaml"

# Pages render.py writes beside the case studies' own in case-studies/ (index.md is the list of
# case studies): a case study with such a slug would overwrite one (issue 16, item 6).
RESERVED_SLUGS = frozenset({"index"})


@dataclass(frozen=True)
class ProjectPaths:
    """The folders and files of one checkout of the knowledge base."""

    root: Path
    case_studies: Path
    site: Path

    @classmethod
    def at(
        cls, root: Path, *, case_studies: Path | None = None, site: Path | None = None
    ) -> ProjectPaths:
        """Return the standard layout below root, with optional overrides.

        The root is resolved; the folders below it are made absolute but not resolved, so
        that a symbolic link among them is seen as one (and refused), not silently followed.
        """
        root = root.resolve()
        return cls(
            root=root,
            case_studies=Path(os.path.abspath(case_studies or root / "case_studies")),
            site=Path(os.path.abspath(site or root / "site")),
        )

    @property
    def content(self) -> Path:
        """Return the hand-written pages' folder."""
        return self.root / "content"

    @property
    def generated(self) -> Path:
        """Return the generated, git-ignored docs tree that MkDocs builds."""
        return self.root / "build" / "generated"

    @property
    def fragments(self) -> Path:
        """Return the generated snippets that hand-written pages include."""
        return self.root / "build" / "fragments"

    @property
    def mkdocs_config(self) -> Path:
        """Return the Material for MkDocs configuration file."""
        return self.root / "mkdocs.yml"

    @property
    def feeds(self) -> Path:
        """Return the news feeds registry."""
        return self.root / "feeds.yaml"

    @property
    def news(self) -> Path:
        """Return the news archive folder."""
        return self.root / "news"

    def linked_inputs(self) -> list[Path]:
        """Return the symbolic links among what a build reads besides the case studies.

        The case studies' own links are found as they are loaded (see collect_files).
        """
        return find_symlinks([self.content, self.news, self.mkdocs_config, self.feeds])

    def linked_outputs(self) -> list[Path]:
        """Return the folders a build writes into that are symbolic links."""
        build = self.root / "build"
        folders = [build, self.generated, self.fragments, build / "theme", self.site]
        return [folder for folder in folders if folder.is_symlink()]


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their *.yaml / *.yml files, sorted; keep files as given.

    A symbolic link, to a file or a folder, is kept as it is (never expanded): loading it
    reports it as a link, by its name.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


def find_symlinks(paths: Iterable[Path]) -> list[Path]:
    """Return the given paths that are symbolic links and every link inside the given folders.

    Links are listed, never followed: a linked folder is named, not searched.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_symlink():
            found.append(path)
        elif path.is_dir():
            for folder, folders, names in os.walk(path):  # does not enter linked folders
                found.extend(
                    Path(folder, name)
                    for name in [*folders, *names]
                    if Path(folder, name).is_symlink()
                )
    return sorted(found)


def find_project_root(start: Path) -> Path | None:
    """Return the nearest folder, from start upwards, holding case_studies/ or mkdocs.yml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "case_studies").is_dir() or (folder / "mkdocs.yml").is_file():
            return folder
    return None
