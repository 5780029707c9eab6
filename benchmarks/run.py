"""Time each phase of the build on synthetic corpora and write the results as a Markdown table.

    make bench                                  # N = 100, 1,000 and 10,000
    python -m benchmarks.run --sizes 100 1000   # a quicker run

Phases: load + validate (YAML → data and every check, all cores; load alone is also shown),
render (Markdown pages), MkDocs, Pagefind. Also: `cwb validate` from the command line, peak
memory (the largest process), site size, a case-study page's HTML weight, and the bytes a
browser downloads for a one-word search (real Chromium against the built site).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import corpus as corpus_module
from benchmarks.corpus import write_corpus
from generator.build import news_hooks, run_builder
from generator.load import load_document
from generator.parallel import map_in_processes, paused_gc, worker_count
from generator.paths import ProjectPaths, collect_files
from generator.render import render_site
from generator.search import index_site
from generator.validate import validate_files

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "bench"
RESULTS = ROOT / "benchmarks" / "results.md"
SEARCH_WORD = "procurement"


@dataclass
class Run:
    """The figures of one corpus size."""

    size: int
    load: float  # parsing alone, measured on its own
    validate: float  # load and every check, as `cwb build` runs them
    render: float
    mkdocs: float
    pagefind: float
    cli_validate: float
    peak_mb: float
    site_mb: float
    page_kb_median: float
    page_kb_max: float
    index_mb: float
    search_kb: float | None

    @property
    def total(self) -> float:
        """Return the whole build's seconds."""
        return self.validate + self.render + self.mkdocs + self.pagefind

    @property
    def generator_share(self) -> float:
        """Return the generator's own work as a share of the MkDocs build."""
        return (self.validate + self.render) / self.mkdocs


def _project(size: int) -> ProjectPaths:
    """Lay out a throwaway project: the real configuration and pages, a synthetic corpus."""
    root = WORK / f"project-{size}"
    corpus = root / "case_studies"
    stamp = root / "corpus.stamp"  # the generator's source: a changed generator rewrites the corpus
    expected = hashlib.sha256(Path(corpus_module.__file__).read_bytes()).hexdigest()
    if not stamp.is_file() or stamp.read_text() != expected or not corpus.is_dir():
        write_corpus(size, corpus)
        stamp.write_text(expected)
    for name in ("mkdocs.yml", "feeds.yaml"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("content", "news"):
        shutil.rmtree(root / folder, ignore_errors=True)
        shutil.copytree(ROOT / folder, root / folder)
    shutil.rmtree(root / "build", ignore_errors=True)
    return ProjectPaths.at(root)


def _timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def _folder_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def measure(size: int, *, browser: bool) -> Run:
    """Build a corpus of the given size phase by phase and return the figures."""
    paths = _project(size)
    files = collect_files([paths.case_studies])
    with paused_gc():  # as validate_files does
        # The first, unmarked pass that validate_files makes over every file.
        _, load = _timed(map_in_processes, functools.partial(load_document, marks=False), files)
    validation, load_and_validate = _timed(validate_files, files)
    assert validation.ok, validation.problems[:3]
    news_pages, latest = news_hooks(paths)
    _, render = _timed(
        render_site, validation.case_studies, paths, extra_pages=news_pages, latest_news=latest
    )
    site = paths.root / "site"
    shutil.rmtree(site, ignore_errors=True)
    _, mkdocs = _timed(run_builder, paths, site)
    _, pagefind = _timed(index_site, site)
    _, cli_validate = _timed(
        subprocess.run,
        [sys.executable, "-m", "generator", "validate", str(paths.case_studies)],
        check=True,
        capture_output=True,
    )
    pages = [path.stat().st_size / 1024 for path in (site / "case-studies").glob("*/index.html")]
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return Run(
        size=size,
        load=load,
        validate=load_and_validate,
        render=render,
        mkdocs=mkdocs,
        pagefind=pagefind,
        cli_validate=cli_validate,
        peak_mb=peak_kb / 1024,
        site_mb=_folder_mb(site),
        page_kb_median=statistics.median(pages),
        page_kb_max=max(pages),
        index_mb=_folder_mb(site / "pagefind"),
        search_kb=search_bytes(site) / 1024 if browser else None,
    )


def search_bytes(site: Path) -> int:
    """Return the bytes Chromium downloads from /pagefind/ for a one-word search."""
    from tests.browser import chromium  # Playwright is a test dependency

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    total = 0
    try:
        with chromium() as launched:
            page = launched.new_page()
            sizes: list[int] = []

            def record(response) -> None:  # type: ignore[no-untyped-def]
                if "/pagefind/" in response.url:
                    sizes.append(len(response.body()))

            page.on("response", record)
            port = server.server_address[1]
            page.goto(f"http://127.0.0.1:{port}/search/?q={SEARCH_WORD}", wait_until="networkidle")
            page.wait_for_selector(".cwb-result", timeout=30_000)
            page.wait_for_load_state("networkidle")
            total = sum(sizes)
    finally:
        server.shutdown()
    return total


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def table(runs: list[Run]) -> str:
    """Return the runs as a Markdown table, one column per corpus size."""
    rows = [
        ("load + validate (s)", lambda r: f"{r.validate:.2f}"),
        ("… of which load, YAML to data (s)", lambda r: f"{r.load:.2f}"),
        ("render (s)", lambda r: f"{r.render:.2f}"),
        ("MkDocs build (s)", lambda r: f"{r.mkdocs:.1f}"),
        ("Pagefind index (s)", lambda r: f"{r.pagefind:.1f}"),
        ("**whole build (s)**", lambda r: f"**{r.total:.1f}**"),
        ("whole build per case study (ms)", lambda r: f"{r.total / r.size * 1000:.1f}"),
        ("MkDocs per case study (ms)", lambda r: f"{r.mkdocs / r.size * 1000:.1f}"),
        ("generator's own work / MkDocs", lambda r: f"{r.generator_share:.0%}"),
        ("`cwb validate` from the shell (s)", lambda r: f"{r.cli_validate:.2f}"),
        ("peak memory, largest process (MB)", lambda r: f"{r.peak_mb:.0f}"),
        ("site size (MB)", lambda r: f"{r.site_mb:.0f}"),
        (
            "case-study page HTML, median / max (KB)",
            lambda r: f"{r.page_kb_median:.0f} / {r.page_kb_max:.0f}",
        ),
        ("Pagefind index (MB)", lambda r: f"{r.index_mb:.1f}"),
        (
            f"one-word search ('{SEARCH_WORD}') downloads (KB)",
            lambda r: "—" if r.search_kb is None else f"{r.search_kb:.0f}",
        ),
    ]
    header = "| | " + " | ".join(f"N = {run.size:,}" for run in runs) + " |"
    lines = [header, "| --- |" + " ---: |" * len(runs)]
    lines += [f"| {name} | " + " | ".join(cell(run) for run in runs) + " |" for name, cell in rows]
    return "\n".join(lines)


def machine() -> str:
    """Return a one-line description of the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{worker_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument(
        "--no-browser", action="store_true", help="skip measuring the search download in Chromium"
    )
    args = parser.parse_args()
    runs = []
    for size in args.sizes:
        print(f"N = {size:,}: building …", file=sys.stderr, flush=True)
        runs.append(measure(size, browser=not args.no_browser))
        print(f"N = {size:,}: {runs[-1].total:.1f} s", file=sys.stderr, flush=True)
    text = f"Measured on {machine()}, {time.strftime('%Y-%m-%d')}.\n\n{table(runs)}\n"
    RESULTS.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
