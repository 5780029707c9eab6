"""The downloads beside the open data: each case study's, /compare/'s and the dataset's
citations, and every key figure's and indicator's CSV and SVG — their files, their entries in
the data package, and the references the pages show.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from generator.citation import FORMATS, Citation, citation_files
from generator.compare import Comparison
from generator.figures import (
    COMPARE_FOLDER,
    FIGURE_SCHEMA_FILE,
    FigureFiles,
    case_study_folder,
    comparison_files,
    figure_files,
    figure_table_schema,
    metric_files,
)
from generator.history import Release, package_version
from generator.model import CaseStudy, Metric

DATA_PREFIX = "data/"
DATASET_TITLE = "Community wealth building case studies"


class Site(Protocol):
    """Where the site is published."""

    @property
    def site_url(self) -> str: ...


def default_release(case_studies: Sequence[CaseStudy]) -> Release:
    """Return the release a build without git states: the package's version, the newest review."""
    newest = max((case.last_reviewed for case in case_studies), default="1970-01-01")
    return Release(package_version(), newest)


# --- the references ----------------------------------------------------------------------------


def case_citation(case: CaseStudy, site_url: str) -> Citation:
    """Return the reference to a case study's page, dated by its last review."""
    return Citation(
        f"cwb-{case.slug}", case.title, case.last_reviewed, f"{site_url}case-studies/{case.slug}/"
    )


def compare_citation(site_url: str, release: Release) -> Citation:
    """Return the reference to /compare/, dated like the data it is drawn from."""
    return Citation(
        "cwb-compare",
        "Compare places: community wealth building indicators side by side",
        release.date,
        f"{site_url}compare/",
    )


def dataset_citation(site_url: str, release: Release) -> Citation:
    """Return the reference to the dataset, with its version."""
    return Citation(
        "cwb-dataset",
        DATASET_TITLE,
        release.date,
        f"{site_url}data/",
        kind="dataset",
        version=release.version,
    )


def citation_links(folder: str) -> list[tuple[str, str]]:
    """Return (format name, path from the site root) of a reference's three files."""
    return [(name, f"{folder}/citation.{suffix}") for suffix, name, _ in FORMATS]


def metric_downloads(case: CaseStudy, metric: Metric) -> FigureFiles:
    """Return where a case study's key figure is published (the figure's number is its place)."""
    number = next(index for index, item in enumerate(case.metrics, 1) if item is metric)
    return metric_files(case, number)


# --- the files and their data package entries --------------------------------------------------


@dataclass(frozen=True)
class Downloads:
    """The files to publish under data/ (paths relative to it) and their package resources."""

    files: dict[str, str]
    resources: list[dict[str, object]]


def downloads(
    case_studies: Sequence[CaseStudy],
    comparisons: Sequence[Comparison],
    site: Site,
    release: Release,
) -> Downloads:
    """Return every citation and figure file, with a data package resource for each."""
    files: dict[str, str] = {FIGURE_SCHEMA_FILE: json.dumps(figure_table_schema(), indent=2)}
    resources: list[dict[str, object]] = []

    def add(path: str, text: str, title: str, kind: str) -> None:
        relative = path.removeprefix(DATA_PREFIX)
        files[relative] = text
        resources.append(_resource(relative, text, title, kind))

    cited = [
        (DATA_PREFIX.rstrip("/"), dataset_citation(site.site_url, release)),
        (COMPARE_FOLDER, compare_citation(site.site_url, release)),
        *(
            (case_study_folder(case.slug), case_citation(case, site.site_url))
            for case in case_studies
        ),
    ]
    for folder, citation in cited:
        for path, text in citation_files(folder, citation).items():
            add(path, text, f"How to cite: {citation.title}", path.rsplit(".", 1)[1])
    for path, (what, text) in figure_files(case_studies, comparisons, site.site_url).items():
        kind = path.rsplit(".", 1)[1]
        add(path, text, what.title + (" (data)" if kind == "csv" else " (chart)"), kind)
    return Downloads(files, resources)


_KINDS = {  # file suffix → (format, media type)
    "csv": ("csv", "text/csv"),
    "svg": ("svg", "image/svg+xml"),
    **{suffix: (name.lower(), media) for suffix, name, media in FORMATS},
}


def _resource(path: str, text: str, title: str, kind: str) -> dict[str, object]:
    data = text.encode("utf-8")
    format_name, media_type = _KINDS[kind]
    resource: dict[str, object] = {
        "name": path.replace("/", "-").lower(),
        "path": path,
        "profile": "tabular-data-resource" if kind == "csv" else "data-resource",
        "title": title,
        "format": format_name,
        "mediatype": media_type,
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
    }
    if kind == "csv":
        resource["schema"] = FIGURE_SCHEMA_FILE
    return resource


# --- the /data/ page's list ----------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """What the /data/ page lists: each case study's and each indicator's downloads."""

    case_studies: list[tuple[CaseStudy, list[FigureFiles]]]
    comparisons: list[tuple[Comparison, list[FigureFiles]]]


def listing(case_studies: Sequence[CaseStudy], comparisons: Sequence[Comparison]) -> Listing:
    """Return the downloads the /data/ page lists, in the pages' order."""
    return Listing(
        [
            (case, [metric_files(case, number) for number in range(1, len(case.metrics) + 1)])
            for case in case_studies
        ],
        [(comparison, comparison_files(comparison)) for comparison in comparisons],
    )
