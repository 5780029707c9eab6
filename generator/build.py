"""The pipeline: validate → render → site builder → search index → swap into place.

The generated docs tree is plain Markdown that any builder reading mkdocs.yml can build
(`run_builder`: a `mkdocs build` subprocess, the route a successor takes). `cwb build` drives
MkDocs in-process instead (generator/builder.py), which skips parsing the generated HTML again
and uses every core; CWB_BUILDER=mkdocs selects the plain route. The new site is built beside
the old one and swapped in only when every step succeeded: a failed or interrupted build
leaves the previous site untouched and no staging folder behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.builder import build_in_process
from generator.markup import page_url
from generator.news.pages import render_news
from generator.paths import ProjectPaths, collect_files
from generator.problems import BuildError, Problem, symlink_problem
from generator.render import LatestNews, PageCache, SiteSettings, render_site
from generator.search import MIRROR_PREFIX, index_site
from generator.validate import FileCache, validate_files
from generator.write import RenderReport

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build did, step by step."""

    problems: list[Problem] = field(default_factory=list)
    # The news archive's: its bad items are left out of the site, the build goes on.
    news_problems: list[Problem] = field(default_factory=list)
    case_studies: int = 0
    render: RenderReport | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return whether the site was built."""
        return not self.problems and self.render is not None


def news_hooks(paths: ProjectPaths) -> tuple[dict[str, str], LatestNews, list[Problem]]:
    """Return the news pages, a 'latest items' function and the archive's problems.

    Rendered from the archive only, each month file read once. An archived item with a
    problem (a hand edit) is left out of the site and reported; it never stops the build.
    """
    settings = SiteSettings.read(paths.mkdocs_config)
    built_at = dt.datetime.now(dt.UTC)
    news = render_news(paths.news, paths.feeds, site_url=settings.site_url, built_at=built_at)
    return news.pages, lambda limit, pillar: list(news.latest(limit, pillar)), news.problems


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
    result.problems = sorted([*_symlink_problems(paths), *validation.problems])
    result.case_studies = len(validation.case_studies)
    if result.problems:
        return result  # nothing is written when any case study is invalid, or a link is found

    clock = time.perf_counter()
    news_pages, latest_news, result.news_problems = news_hooks(paths)
    result.render = render_site(
        validation.case_studies,
        paths,
        extra_pages=news_pages,
        latest_news=latest_news,
        page_cache=live.pages if live else None,
    )
    result.timings["render"] = time.perf_counter() - clock
    noun = "case study" if result.case_studies == 1 else "case studies"
    say(
        f"Rendered {result.case_studies} {noun}: {len(result.render.written)} files "
        f"written, {result.render.unchanged} unchanged, {len(result.render.removed)} removed"
    )

    if live is not None and live.built_once:
        clock = time.perf_counter()
        build_pages(paths, paths.site, dirty=True)
        _remove_stale_output(paths, result.render)
        result.timings["mkdocs"] = time.perf_counter() - clock
        return result

    _remove_abandoned(paths.site.parent)
    staging = paths.site.parent / f"{STAGING_PREFIX}{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        clock = time.perf_counter()
        say("Building the site with Material for MkDocs …")
        build_pages(paths, staging)
        result.timings["mkdocs"] = time.perf_counter() - clock
        if index and live is None:
            clock = time.perf_counter()
            say("Indexing the site for search with Pagefind …")
            index_site(staging)
            result.timings["pagefind"] = time.perf_counter() - clock
        swap_into_place(staging, paths.site)
    finally:
        with _signals_deferred():  # a second Ctrl-C must not leave half a staging folder
            shutil.rmtree(staging, ignore_errors=True)
    if live is not None:
        live.built_once = True
    return result


def _symlink_problems(paths: ProjectPaths) -> list[Problem]:
    """Return a problem for each symbolic link among what the build reads and writes."""
    return [symlink_problem(path) for path in paths.linked_inputs()] + [
        symlink_problem(path, output=True) for path in paths.linked_outputs()
    ]


# Staging folders (a build in progress) and the previous site during a swap.
STAGING_PREFIX = ".site-building-"
OLD_PREFIX = ".site-old-"
# CWB_BUILDER=mkdocs builds with a `mkdocs build` subprocess (the route a successor takes).
BUILDER_VARIABLE = "CWB_BUILDER"


def build_pages(paths: ProjectPaths, site_dir: Path, *, dirty: bool = False) -> None:
    """Build the generated docs tree into site_dir with the configured route."""
    if os.environ.get(BUILDER_VARIABLE, "").strip().lower() in {"mkdocs", "subprocess"}:
        run_builder(paths, site_dir, dirty=dirty)
    else:
        build_in_process(paths, site_dir, dirty=dirty)


def _remove_abandoned(folder: Path) -> None:
    """Delete staging, old-site and search-shard folders left by killed builds (pid gone)."""
    for path in folder.glob(".site-*-*"):
        prefix, _, pid = path.name.rpartition("-")
        ours = f"{prefix}-" in (STAGING_PREFIX, OLD_PREFIX) or prefix.startswith(MIRROR_PREFIX)
        if not ours or not pid.isdigit():
            continue
        if int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if sys.platform == "win32":
        # There, signal 0 is CTRL_C_EVENT: it would interrupt that process group. Keep the
        # folder rather than risk it.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
    """Replace site with staging, so readers never see a half-written site.

    On Linux the two folders are exchanged in one atomic rename (renameat2 RENAME_EXCHANGE);
    elsewhere two renames run with Ctrl-C deferred, so no interruption falls between them.
    Afterwards staging holds the previous site (the caller removes it) or nothing.
    """
    with _signals_deferred():
        if not site.exists():
            staging.rename(site)
            return
        if _exchange(staging, site):
            return
        old = site.parent / f"{OLD_PREFIX}{os.getpid()}"
        site.rename(old)
        try:
            staging.rename(site)
        except BaseException:
            old.rename(site)
            raise
        old.rename(staging)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); return False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(done == 0)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) and SIGTERM until the block is done; they arrive right after."""
    signals = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    except (AttributeError, OSError, ValueError):  # not on POSIX
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
