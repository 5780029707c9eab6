"""Where things live: the package's own data, and a project's inputs and outputs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = PACKAGE_DIR / "schema"
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
        """Return the standard layout below root, with optional overrides."""
        root = root.resolve()
        return cls(
            root=root,
            case_studies=(case_studies or root / "case_studies").resolve(),
            site=(site or root / "site").resolve(),
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


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their *.yaml / *.yml files, sorted; keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


def find_project_root(start: Path) -> Path | None:
    """Return the nearest folder, from start upwards, holding case_studies/ or mkdocs.yml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "case_studies").is_dir() or (folder / "mkdocs.yml").is_file():
            return folder
    return None
