"""Index the built site with Pagefind, whose binary ships inside the `pagefind[bin]` wheel.

A large site is indexed in shards, one Pagefind process per core: each indexes an interleaved
share of the pages (hard-linked into a folder that mirrors the site, so URLs are unchanged) into
its own bundle: the first into site/pagefind/, the others into site/pagefind-N/. The search
page merges them in the browser (Pagefind's `mergeIndex`, listed in pagefind/shards.json):
results are sorted by score across shards and facet counts are summed. Pagefind indexes on
about one core, so shards make indexing about twice as fast on two cores, and each process
holds only its share in memory (a share above MAX_PAGES_PER_SHARD pages is split again).
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator.parallel import worker_count
from generator.problems import BuildError

log = logging.getLogger(__name__)

# Index the article only: Material's header, navigation and footer repeat on every page.
ROOT_SELECTOR = "article.md-content__inner"
# Permalink anchors, citation numbers and "read more" links are noise in excerpts.
EXCLUDE_SELECTORS = ".headerlink, .md-source-file, .cwb-edit, .cwb-search, .cwb-cite, .cwb-more"
# Pages only: with directory URLs every page is an index.html; this leaves out 404.html.
PAGE_NAME = "index.html"
# Below this many pages one Pagefind process is quicker than starting several.
MIN_PAGES_PER_SHARD = 250
# Pagefind holds its whole share in memory (about 0.5 MB a case-study page): above this many
# pages a share is split again, and the shards take turns on the cores.
MAX_PAGES_PER_SHARD = 3000
# The list of the other shards' bundles (paths from the site root), read by search.js.
SHARDS_FILE = "shards.json"
BUNDLE = "pagefind"
MIRROR_PREFIX = ".site-pagefind-"  # + shard number + "-" + process id


def index_site(site_dir: Path, *, shards: int | None = None) -> None:
    """Write the Pagefind index into site_dir/pagefind/ (and -N/ shards); raise BuildError.

    `shards` (default: one per core, when there are enough pages) sets how many bundles.
    """
    pages = sorted(
        path.relative_to(site_dir)
        for path in site_dir.rglob(PAGE_NAME)
        if path.is_file() and not path.relative_to(site_dir).parts[0].startswith(BUNDLE)
    )
    if shards is None:
        shards = max(1, min(worker_count(), len(pages) // MIN_PAGES_PER_SHARD))
        shards = max(shards, math.ceil(len(pages) / MAX_PAGES_PER_SHARD))
    if shards <= 1:
        _run([_command(site_dir, site_dir / BUNDLE)])
    else:
        _index_in_shards(site_dir, pages, shards)
    bundles = [f"{BUNDLE}-{number}/" for number in range(2, shards + 1)]
    (site_dir / BUNDLE / SHARDS_FILE).write_text(json.dumps(bundles), "utf-8")
    for old in site_dir.glob(f"{BUNDLE}-*"):  # an earlier index's extra shards (cwb serve)
        if f"{old.name}/" not in bundles:
            shutil.rmtree(old, ignore_errors=True)


def _index_in_shards(site_dir: Path, pages: list[Path], shards: int) -> None:
    """Index pages[n::shards] into bundle n + 1, all at once, from mirrors of the site."""
    mirrors: list[Path] = []
    try:
        commands = []
        for number in range(shards):
            # Beside the site (hard links need one file system), named like the build's
            # staging folders: git ignores them and a later build removes any a kill left.
            mirror = site_dir.parent / f"{MIRROR_PREFIX}{number + 1}-{os.getpid()}"
            shutil.rmtree(mirror, ignore_errors=True)
            mirror.mkdir()
            mirrors.append(mirror)
            for page in pages[number::shards]:
                _link(site_dir / page, mirror / page)
            output = site_dir / (BUNDLE if number == 0 else f"{BUNDLE}-{number + 1}")
            commands.append(_command(mirror, output))
        _run(commands)
    finally:
        for mirror in mirrors:
            shutil.rmtree(mirror, ignore_errors=True)


def _command(site: Path, output: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--output-path",
        str(output),
        "--quiet",
        "--root-selector",
        ROOT_SELECTOR,
        "--exclude-selectors",
        EXCLUDE_SELECTORS,
        "--force-language",
        "en",
        "--glob",
        f"**/{PAGE_NAME}",
    ]


def _link(source: Path, target: Path) -> None:
    """Hard-link source at target (a copy where links are impossible)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _run(commands: list[list[str]]) -> None:
    """Run the Pagefind commands, one per core at a time; raise BuildError if any fails."""
    waiting = list(reversed(commands))
    running: list[subprocess.Popen[str]] = []
    failures = []
    try:
        while waiting or running:
            while waiting and len(running) < worker_count():
                command = waiting.pop()
                running.append(
                    subprocess.Popen(
                        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                    )
                )
            process = running.pop(0)  # Pagefind prints little: its pipes never fill
            stdout, stderr = process.communicate()
            if process.returncode != 0:
                failures.append(
                    f"Pagefind failed (exit {process.returncode}):\n"
                    f"{stderr.strip() or stdout.strip()}"
                )
    finally:
        for process in running:  # interrupted: stop the others
            if process.poll() is None:
                process.kill()
                process.wait()
    if failures:
        raise BuildError(failures[0])
