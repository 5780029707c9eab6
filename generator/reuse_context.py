"""What the templates need to offer citations, downloads and dates (issue 20), as globals of
the one Jinja environment: the macros in templates/_reuse.j2 use them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, Protocol

from generator.citation import apa_html, apa_text
from generator.downloads import (
    case_citation,
    citation_links,
    compare_citation,
    dataset_citation,
    default_release,
    listing,
    metric_downloads,
)
from generator.figures import COMPARE_FOLDER, case_study_folder, comparison_files
from generator.history import Release
from generator.model import CaseStudy

# /data/ lists each case study's downloads up to this many case studies (a page of ~150 KB);
# beyond, it points to datapackage.json, which lists every file, so the page stays bounded.
DATA_LIST_LIMIT = 500


class Settings(Protocol):
    """Where the site and its repository are."""

    @property
    def repository(self) -> str: ...
    @property
    def branch(self) -> str: ...
    @property
    def site_url(self) -> str: ...


def reuse_globals(
    case_studies: Sequence[CaseStudy],
    settings: Settings,
    release: Release | None,
    history: Mapping[str, str] | None,
) -> dict[str, Any]:
    """Return the template globals: the release, each file's last change and the helpers."""
    release = release or default_release(case_studies)
    return {
        "release": release,
        "history": dict(history or {}),
        "apa_html": apa_html,
        "apa_text": apa_text,
        "case_citation": partial(case_citation, site_url=settings.site_url),
        "compare_citation": compare_citation(settings.site_url, release),
        "dataset_citation": dataset_citation(settings.site_url, release),
        "citation_links": citation_links,
        "case_folder": case_study_folder,
        "compare_folder": COMPARE_FOLDER,
        "metric_downloads": metric_downloads,
        "comparison_files": comparison_files,
        "downloads_listing": listing,
        "data_list_limit": DATA_LIST_LIMIT,
    }
