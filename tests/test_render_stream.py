"""Rendering streams pages to disk: workers write what they render, only what changed.

The generated tree a build writes must hold exactly Renderer.pages() (what the golden tests
check), on the worker-process route as well as in-process, rewrite nothing that did not change
(MkDocs --dirty and live reload key on modification times), remove what is no longer rendered,
and keep the live preview's page cache working.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pytest

from generator import render as render_module
from generator.model import CaseStudy
from generator.parallel import map_in_processes
from generator.paths import ProjectPaths, collect_files
from generator.render import PageCache, Renderer, SiteSettings, render_site
from generator.validate import validate_files
from tests.project import make_project


@pytest.fixture(params=["processes", "in-process"])
def route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Render on worker processes even for a few pages, or all in this process."""
    minimum = 1 if request.param == "processes" else 10**9
    monkeypatch.setattr(
        render_module, "map_in_processes", functools.partial(map_in_processes, min_items=minimum)
    )
    return str(request.param)


def _project(tmp_path: Path) -> ProjectPaths:
    return make_project(tmp_path / "project")  # the shipped case studies


def _case_studies(paths: ProjectPaths) -> list[CaseStudy]:
    validation = validate_files(collect_files([paths.case_studies]))
    assert validation.ok, validation.problems[:3]
    return validation.case_studies


def _mtimes(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


def test_written_tree_is_the_rendered_pages(tmp_path: Path, route: str) -> None:
    paths = _project(tmp_path)
    cases = _case_studies(paths)
    report = render_site(cases, paths)
    expected = Renderer(cases, SiteSettings.read(paths.mkdocs_config)).pages()
    assert len(expected) > 20
    for doc_path, text in expected.items():
        assert (paths.generated / doc_path).read_text("utf-8") == text, doc_path
    assert {paths.generated / doc_path for doc_path in expected} <= set(report.written)

    # Nothing changed: nothing is rewritten, nothing removed.
    before = _mtimes(paths.generated)
    again = render_site(cases, paths)
    assert again.written == [] and again.removed == []
    assert _mtimes(paths.generated) == before

    # A case study gone: its page and nothing else is removed; the lists change.
    gone = cases[0]
    page = paths.generated / "case-studies" / f"{gone.slug}.md"
    (paths.generated / "case-studies" / "stale.md").write_text("left behind", "utf-8")
    later = render_site(cases[1:], paths)
    assert not page.exists()
    # … with its downloads (figures and citations, issue 20), and nothing else.
    downloads = paths.generated / "data" / "case-studies" / gone.slug
    assert {path.name for path in later.removed if downloads not in path.parents} == {
        f"{gone.slug}.md",
        "stale.md",
    }
    assert {path.name for path in later.removed if downloads in path.parents} >= {
        "citation.bib",
        "figure-1.csv",
    }
    assert not downloads.exists() or not any(downloads.iterdir())
    assert paths.generated / "case-studies" / "index.md" in later.written
    for case in cases[1:]:
        kept = paths.generated / "case-studies" / f"{case.slug}.md"
        assert kept.stat().st_mtime_ns == before[kept] or case.slug in _related(gone, cases)


def _related(case: CaseStudy, cases: list[CaseStudy]) -> set[str]:
    """Return the slugs whose related list can show this case study: named either way."""
    named = {relation.slug for relation in case.related}
    return named | {other.slug for other in cases if case.slug in _named(other)}


def _named(case: CaseStudy) -> set[str]:
    return {relation.slug for relation in case.related}


def test_live_cache_renders_only_changed_case_studies(
    tmp_path: Path, route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _project(tmp_path)
    cases = _case_studies(paths)
    cache: PageCache = {}
    render_site(cases, paths, page_cache=cache)
    assert set(cache) == {case.slug for case in cases}
    for case in cases:
        page = paths.generated / "case-studies" / f"{case.slug}.md"
        assert page.read_text("utf-8") == cache[case.slug][1]

    rendered: list[str] = []
    original = Renderer._render

    def counting(self: Renderer, template: str, doc_path: str, **context: object) -> str:
        rendered.append(doc_path)
        return original(self, template, doc_path, **context)

    # Counted in this process: the in-process route only (workers count in their own copy).
    monkeypatch.setattr(
        render_module, "map_in_processes", functools.partial(map_in_processes, min_items=10**9)
    )
    monkeypatch.setattr(Renderer, "_render", counting)
    edited = cases[-1]
    changed = [*cases[:-1], _retitled(edited)]
    before = _mtimes(paths.generated)
    report = render_site(changed, paths, page_cache=cache)
    case_pages = {path for path in rendered if path.startswith("case-studies/")} - {
        "case-studies/index.md"
    }
    assert case_pages <= {f"case-studies/{edited.slug}.md"} | {
        f"case-studies/{case.slug}.md" for case in cases if case.slug in _related(edited, cases)
    }
    assert f"case-studies/{edited.slug}.md" in case_pages
    page = paths.generated / "case-studies" / f"{edited.slug}.md"
    assert page in report.written
    assert "(renamed)" in page.read_text("utf-8")
    assert cache[edited.slug][1] == page.read_text("utf-8")
    for case in cases[:-1]:
        other = paths.generated / "case-studies" / f"{case.slug}.md"
        if f"case-studies/{case.slug}.md" not in case_pages:
            assert other.stat().st_mtime_ns == before[other]

    # Removed from the corpus: removed from the cache and the tree.
    render_site(changed[1:], paths, page_cache=cache)
    assert cases[0].slug not in cache
    assert not (paths.generated / "case-studies" / f"{cases[0].slug}.md").exists()


def _retitled(case: CaseStudy) -> CaseStudy:
    return dataclasses.replace(case, title=f"{case.title} (renamed)")
