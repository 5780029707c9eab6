"""The pipeline: validate → render → site builder → search index → swap into place.

The builder runs as a separate command on the generated Markdown, so Material for MkDocs
can be swapped for a successor that reads the same mkdocs.yml. The new site is built beside
the old one and swapped in only when every step succeeded: a failed build leaves the
previous site untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.markup import page_url
from generator.news import latest_items, news_pages
from generator.news.archive import load_archive
from generator.paths import ProjectPaths, collect_files
from generator.problems import BuildError, Problem
from generator.render import LatestNews, PageCache, SiteSettings, render_site
from generator.search import index_site
from generator.validate import FileCache, validate_files
from generator.write import RenderReport

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build did, step by step."""

    problems: list[Problem] = field(default_factory=list)
    case_studies: int = 0
    render: RenderReport | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return whether the site was built."""
        return not self.problems and self.render is not None


def news_hooks(paths: ProjectPaths) -> tuple[dict[str, str], LatestNews]:
    """Return the news pages and a 'latest items' function, rendered from the archive only."""
    settings = SiteSettings.read(paths.mkdocs_config)
    built_at = dt.datetime.now(dt.UTC)
    months = load_archive(paths.news, strict=False)  # read once, shared by every news list
    pages = news_pages(
        paths.news, paths.feeds, site_url=settings.site_url, built_at=built_at, months=months
    )
    return pages, lambda limit, pillar: list(
        latest_items(paths.news, limit, pillar, months=months)
    )


@dataclass
class LiveState:
    """What `cwb serve` keeps between rebuilds, so that an edit rebuilds only what it touched."""

    checked: FileCache = field(default_factory=dict)
    pages: PageCache = field(default_factory=dict)
    built_once: bool = False


def build_site(
    paths: ProjectPaths,
    *,
    progress: Progress | None = None,
    index: bool = True,
    live: LiveState | None = None,
) -> BuildResult:
    """Validate, render, build and index the site into paths.site; raise BuildError on failure.

    With `live` (the preview server), unchanged files are neither re-validated nor re-rendered,
    the builder rebuilds changed pages in place, and indexing is left to the caller.
    """
    say = progress or log.info
    result = BuildResult()
    clock = time.perf_counter()

    say(f"Validating case studies in {_display(paths.case_studies)} …")
    validation = validate_files(
        collect_files([paths.case_studies]), cache=live.checked if live else None
    )
    result.timings["validate"] = time.perf_counter() - clock
    result.problems = validation.problems
    result.case_studies = len(validation.case_studies)
    if not validation.ok:
        return result  # nothing is written when any case study is invalid

    clock = time.perf_counter()
    news_pages, latest_news = news_hooks(paths)
    result.render = render_site(
        validation.case_studies,
        paths,
        extra_pages=news_pages,
        latest_news=latest_news,
        page_cache=live.pages if live else None,
    )
    result.timings["render"] = time.perf_counter() - clock
    say(
        f"Rendered {result.case_studies} case studies: {len(result.render.written)} files "
        f"written, {result.render.unchanged} unchanged, {len(result.render.removed)} removed"
    )

    if live is not None and live.built_once:
        clock = time.perf_counter()
        run_builder(paths, paths.site, dirty=True)
        _remove_stale_output(paths, result.render)
        result.timings["mkdocs"] = time.perf_counter() - clock
        return result

    staging = paths.site.parent / f".site-building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        clock = time.perf_counter()
        say("Building the site with Material for MkDocs …")
        run_builder(paths, staging)
        result.timings["mkdocs"] = time.perf_counter() - clock
        if index and live is None:
            clock = time.perf_counter()
            say("Indexing the site for search with Pagefind …")
            index_site(staging)
            result.timings["pagefind"] = time.perf_counter() - clock
        swap_into_place(staging, paths.site)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if live is not None:
        live.built_once = True
    return result


def _remove_stale_output(paths: ProjectPaths, render: RenderReport) -> None:
    """Delete the built pages of generated Markdown that rendering removed (in-place builds)."""
    for removed in render.removed:
        try:
            relative = removed.relative_to(paths.generated).as_posix()
        except ValueError:
            continue  # a fragment, not a page
        if relative.endswith(".md"):
            shutil.rmtree(paths.site / page_url(relative), ignore_errors=True)


def run_builder(paths: ProjectPaths, site_dir: Path, *, dirty: bool = False) -> None:
    """Run the static site builder on the generated docs tree into site_dir.

    `dirty` rebuilds only pages whose Markdown is newer than their HTML: rendering rewrites
    only what changed, so this is exactly the pages an edit touched.
    """
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--config-file",
        str(paths.mkdocs_config),
        "--site-dir",
        str(site_dir),
        *(["--dirty"] if dirty else []),
    ]
    # Material's end-of-life banner is known (see SPEC: keep the builder swappable).
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    completed = subprocess.run(
        command, cwd=paths.root, capture_output=True, text=True, check=False, env=env
    )
    if completed.returncode != 0:
        raise BuildError(
            f"MkDocs failed (exit {completed.returncode}):\n"
            f"{completed.stderr.strip() or completed.stdout.strip()}"
        )
    for line in completed.stderr.splitlines():
        if line.startswith(("WARNING", "ERROR")) and "'dirty' build" not in line:
            log.warning("mkdocs: %s", line)


def swap_into_place(staging: Path, site: Path) -> None:
    """Replace site with staging in two renames, so readers never see a half-written site."""
    old = site.parent / f".site-old-{os.getpid()}"
    if site.exists():
        site.rename(old)
    staging.rename(site)
    shutil.rmtree(old, ignore_errors=True)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
