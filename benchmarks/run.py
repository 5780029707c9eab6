"""Time each phase of the build on two corpora and write the results as Markdown tables.

    make bench                                # synthetic 100, 1k, 10k; clones 500, 2k, 10k
    make bench SIZES="100 1000" CLONES="500"  # choose the sizes
    python -m benchmarks.run --sizes 100 --clones 500 2000 10000 --no-browser
    python -m benchmarks.run --sizes --clones --sources 1000 4000 7727  # one large file only

Corpora (benchmarks/corpus.py): synthetic (seeded, varied) and clones of the shipped case
studies (their real stories, sources and figures). Each size is measured in a fresh process,
so its peak memory is its own. Phases as `cwb build` runs them: load + validate (all cores),
render (Markdown pages), the site builder (MkDocs in-process, generator/builder.py), Pagefind
(one shard per core on a large site, generator/search.py).
For each: seconds, ms per case study and CPU use ((user + sys) / wall, 200% = both cores of a
two-core machine busy). Also peak memory (the largest process), site size, a case-study page's
HTML weight, and what a one-word search transfers: the files Pagefind fetches (its script,
WebAssembly, metadata, filters, the word's index chunk, the first results' fragments), listed
by real Chromium against the built site and counted gzip-compressed as a server would send them.

One large file: a project holding one case study with 1,000, 4,000 and 7,727 sources (what fits
in 512 KB), each phase timed, so that one file's cost is seen to grow linearly with its size.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gzip
import hashlib
import http.server
import json
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import corpus as corpus_module
from benchmarks.corpus import write_clones, write_corpus, write_many_sources
from generator.build import build_pages, news_hooks
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
BUNDLE_PATH = re.compile(r"/pagefind(-\d+)?/")  # every shard's bundle (generator/search.py)
PHASES = ("validate", "render", "builder", "pagefind")
WRITERS: dict[str, Callable[[int, Path], Path]] = {
    "synthetic": write_corpus,
    "clones": write_clones,
}


@dataclass
class Run:
    """The figures of one corpus size."""

    kind: str
    size: int
    seconds: dict[str, float]  # by phase
    cpu: dict[str, float]  # (user + sys) / wall, by phase
    load: float  # parsing alone, measured on its own
    cli_validate: float
    peak_mb: float
    site_mb: float
    page_kb_median: float
    page_kb_max: float
    index_mb: float
    search_kb: float | None = None  # compressed
    search_files: list[str] = field(default_factory=list)
    search_error: str | None = None  # why the browser check failed, reported in the table
    search_parts: dict[str, float] = field(default_factory=dict)  # KB by kind of file

    @property
    def total(self) -> float:
        """Return the whole build's seconds."""
        return sum(self.seconds.values())

    @property
    def total_cpu(self) -> float:
        """Return the whole build's CPU use."""
        return sum(self.cpu[phase] * self.seconds[phase] for phase in PHASES) / self.total


def _project(kind: str, size: int) -> ProjectPaths:
    """Lay out a throwaway project: the real configuration and pages, a generated corpus."""
    root = WORK / f"{kind}-{size}"
    corpus = root / "case_studies"
    stamp = root / "corpus.stamp"  # a changed generator (or shipped case study) rewrites it
    digest = hashlib.sha256(Path(corpus_module.__file__).read_bytes())
    if kind == "clones":
        for path in sorted((ROOT / "case_studies").glob("*.yaml")):
            digest.update(path.read_bytes())
    expected = digest.hexdigest()
    if not stamp.is_file() or stamp.read_text() != expected or not corpus.is_dir():
        WRITERS[kind](size, corpus)
        stamp.write_text(expected)
    for name in ("mkdocs.yml", "feeds.yaml"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("content", "news"):
        shutil.rmtree(root / folder, ignore_errors=True)
        shutil.copytree(ROOT / folder, root / folder)
    shutil.rmtree(root / "build", ignore_errors=True)
    return ProjectPaths.at(root)


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _phase(
    run: dict[str, Any], phase: str, function: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    cpu, started = _cpu_seconds(), time.perf_counter()
    result = function(*args, **kwargs)
    wall = time.perf_counter() - started
    run["seconds"][phase] = wall
    run["cpu"][phase] = (_cpu_seconds() - cpu) / wall
    return result


def _folder_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def measure(kind: str, size: int, *, browser: bool) -> Run:
    """Build a corpus of the given kind and size phase by phase and return the figures."""
    paths = _project(kind, size)
    files = collect_files([paths.case_studies])
    with paused_gc():  # as validate_files does
        started = time.perf_counter()
        map_in_processes(functools.partial(load_document, marks=False), files)
        load = time.perf_counter() - started
    figures: dict[str, Any] = {"seconds": {}, "cpu": {}}
    validation = _phase(figures, "validate", validate_files, files)
    assert validation.ok, validation.problems[:3]

    def render() -> None:
        news_pages, latest, _ = news_hooks(paths)
        render_site(validation.case_studies, paths, extra_pages=news_pages, latest_news=latest)

    _phase(figures, "render", render)
    site = paths.root / "site"
    shutil.rmtree(site, ignore_errors=True)
    _phase(figures, "builder", build_pages, paths, site)
    _phase(figures, "pagefind", index_site, site)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(paths.case_studies)],
        check=True,
        capture_output=True,
    )
    cli_validate = time.perf_counter() - started
    pages = [path.stat().st_size / 1024 for path in (site / "case-studies").glob("*/index.html")]
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    run = Run(
        kind=kind,
        size=size,
        seconds=figures["seconds"],
        cpu=figures["cpu"],
        load=load,
        cli_validate=cli_validate,
        peak_mb=peak_kb / 1024,
        site_mb=_folder_mb(site),
        page_kb_median=statistics.median(pages),
        page_kb_max=max(pages),
        index_mb=sum(_folder_mb(bundle) for bundle in site.glob("pagefind*")),  # every shard
    )
    if browser:
        try:
            fetched = search_fetches(site)
        except Exception as error:  # a slow or failed browser must not take the run down
            run.search_error = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
        else:
            run.search_files = fetched
            run.search_kb = compressed_bytes(site, fetched) / 1024
            for name in fetched:
                kind = _search_kind(name)
                kb = compressed_bytes(site, [name]) / 1024
                run.search_parts[kind] = run.search_parts.get(kind, 0) + kb
    return run


def measure_one_file(sources: int) -> dict[str, float]:
    """Build a project of one case study with that many sources; return seconds by phase."""
    root = WORK / f"sources-{sources}"
    write_many_sources(sources, root / "case_studies")
    for name in ("mkdocs.yml", "feeds.yaml"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("content", "news"):
        shutil.rmtree(root / folder, ignore_errors=True)
        shutil.copytree(ROOT / folder, root / folder)
    shutil.rmtree(root / "build", ignore_errors=True)
    paths = ProjectPaths.at(root)
    figures: dict[str, Any] = {"seconds": {}, "cpu": {}}
    validation = _phase(figures, "validate", validate_files, collect_files([paths.case_studies]))
    assert validation.ok, validation.problems[:3]

    def render() -> None:
        news_pages, latest = news_hooks(paths)
        render_site(validation.case_studies, paths, extra_pages=news_pages, latest_news=latest)

    _phase(figures, "render", render)
    site = root / "site"
    shutil.rmtree(site, ignore_errors=True)
    _phase(figures, "builder", build_pages, paths, site)
    _phase(figures, "pagefind", index_site, site)
    seconds: dict[str, float] = figures["seconds"]
    seconds["KB"] = sum(path.stat().st_size for path in paths.case_studies.glob("*.yaml")) / 1024
    return seconds


def one_file_table(measured: dict[int, dict[str, float]]) -> str:
    """Return the one-large-file runs as a Markdown table, one column per number of sources."""
    names = {
        "validate": "load + validate",
        "render": "render (Markdown pages)",
        "builder": "site builder",
        "pagefind": "Pagefind index",
    }
    lines = [
        "| one case study, seconds | "
        + " | ".join(f"{count:,} sources ({run['KB']:.0f} KB)" for count, run in measured.items())
        + " |",
        "| --- |" + " ---: |" * len(measured),
    ]
    for phase, name in names.items():
        lines.append(
            f"| {name} | " + " | ".join(f"{run[phase]:.2f}" for run in measured.values()) + " |"
        )
    lines.append(
        "| **whole build** | "
        + " | ".join(f"**{sum(run[phase] for phase in names):.2f}**" for run in measured.values())
        + " |"
    )
    return "\n".join(lines)


SEARCH_KINDS = ("runtime", "metadata", "filters", "word index", "fragments")


def _search_kind(name: str) -> str:
    """Return which part of a search a Pagefind file is (SEARCH_KINDS)."""
    if "/filter/" in name:
        return "filters"
    if "/index/" in name:
        return "word index"
    if "/fragment/" in name:
        return "fragments"
    if name.endswith(".pf_meta") or name.endswith(".json"):
        return "metadata"
    return "runtime"  # pagefind.js, its worker and WebAssembly


def compressed_bytes(site: Path, urls: list[str]) -> int:
    """Return what the files cost on the wire: gzip-compressed, unless Pagefind already did."""
    total = 0
    for url in urls:
        data = (site / url.lstrip("/")).read_bytes()
        total += len(data) if data[:2] == b"\x1f\x8b" else len(gzip.compress(data, 6))
    return total


# A busy machine (a 10,000-page index, load above the core count) can take minutes.
SEARCH_TIMEOUT_MS = 180_000
SEARCH_ATTEMPTS = 2


def search_fetches(site: Path) -> list[str]:
    """Return the /pagefind/ files Chromium fetches for a search; retry once, then raise."""
    for attempt in range(1, SEARCH_ATTEMPTS + 1):
        try:
            return _search_fetches_once(site)
        except Exception as error:
            if attempt == SEARCH_ATTEMPTS:
                raise
            print(f"search check failed ({error!s:.80}); retrying", file=sys.stderr, flush=True)
    raise AssertionError("unreachable")


def _search_fetches_once(site: Path) -> list[str]:
    """Return the Pagefind files (paths from the site root) Chromium fetches for a search."""
    from tests.browser import chromium  # Playwright is a test dependency

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    prefix = f"http://127.0.0.1:{port}"
    fetched: list[str] = []
    try:
        with chromium() as launched:
            page = launched.new_page()

            def record(response) -> None:  # type: ignore[no-untyped-def]
                if BUNDLE_PATH.search(response.url) and response.ok:
                    fetched.append(response.url.removeprefix(prefix).split("?")[0])

            page.on("response", record)
            page.set_default_timeout(SEARCH_TIMEOUT_MS)
            page.goto(f"{prefix}/search/?q={SEARCH_WORD}", wait_until="networkidle")
            page.wait_for_selector(".cwb-result", timeout=SEARCH_TIMEOUT_MS)
            page.wait_for_load_state("networkidle")
    finally:
        server.shutdown()
    return sorted(set(fetched))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _per_case(run: Run, phase: str) -> str:
    seconds = run.seconds[phase]
    return f"{seconds:.1f} s · {seconds / run.size * 1000:.1f} ms · {run.cpu[phase]:.0%}"


def _search_cell(run: Run) -> str:
    if run.search_kb is not None:
        return f"{run.search_kb:.0f}"
    return f"failed ({run.search_error})" if run.search_error else "—"


def table(runs: list[Run]) -> str:
    """Return the runs as a Markdown table, one column per corpus size."""
    rows = [
        ("load + validate", lambda r: _per_case(r, "validate")),
        ("render (Markdown pages)", lambda r: _per_case(r, "render")),
        ("site builder (MkDocs, in-process)", lambda r: _per_case(r, "builder")),
        ("Pagefind index", lambda r: _per_case(r, "pagefind")),
        (
            "**whole build**",
            lambda r: f"**{r.total:.1f} s · {r.total / r.size * 1000:.1f} ms · {r.total_cpu:.0%}**",
        ),
        ("`cwb validate` from the shell (s)", lambda r: f"{r.cli_validate:.2f}"),
        ("peak memory, largest process (MB)", lambda r: f"{r.peak_mb:.0f}"),
        ("site size (MB)", lambda r: f"{r.site_mb:.0f}"),
        (
            "case-study page HTML, median / max (KB)",
            lambda r: f"{r.page_kb_median:.0f} / {r.page_kb_max:.0f}",
        ),
        ("Pagefind index (MB)", lambda r: f"{r.index_mb:.1f}"),
        (
            f"one-word search ('{SEARCH_WORD}'), compressed (KB)",
            _search_cell,
        ),
        (
            "… of which " + " / ".join(SEARCH_KINDS) + " (KB)",
            lambda r: (
                " / ".join(f"{r.search_parts.get(kind, 0):.0f}" for kind in SEARCH_KINDS)
                if r.search_parts
                else "—"
            ),
        ),
    ]
    header = (
        "| seconds · ms per case study · CPU | "
        + " | ".join(f"{run.kind} N = {run.size:,}" for run in runs)
        + " |"
    )
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
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--clones", type=int, nargs="*", default=[500, 2000, 10000])
    parser.add_argument(
        "--sources",
        type=int,
        nargs="*",
        default=[1000, 4000, 7727],
        help="one case study with this many sources, for each number given",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="skip measuring the search download in Chromium"
    )
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # one size, in its own process: print its figures as JSON
        kind, size = args.measure[0], int(args.measure[1])
        print(json.dumps(dataclasses.asdict(measure(kind, size, browser=not args.no_browser))))
        return
    runs: list[Run] = []
    failed: list[str] = []
    for kind, sizes in (("synthetic", args.sizes), ("clones", args.clones)):
        for size in sizes:
            print(f"{kind} N = {size:,}: building …", file=sys.stderr, flush=True)
            command = [sys.executable, "-m", "benchmarks.run", "--measure", kind, str(size)]
            done = subprocess.run(
                command + (["--no-browser"] if args.no_browser else []),
                check=False,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            if done.returncode != 0:  # report it and measure the other sizes
                failed.append(f"{kind} N = {size:,} failed (exit {done.returncode})")
                print(failed[-1], file=sys.stderr, flush=True)
                continue
            runs.append(Run(**json.loads(done.stdout.strip().splitlines()[-1])))
            print(f"{kind} N = {size:,}: {runs[-1].total:.1f} s", file=sys.stderr, flush=True)
            print(table(runs[-1:]), file=sys.stderr, flush=True)  # if a later size is cut short
    one_file: dict[int, dict[str, float]] = {}
    for count in args.sources:
        print(f"one case study with {count:,} sources: building …", file=sys.stderr, flush=True)
        one_file[count] = measure_one_file(count)
    text = f"Measured on {machine()}, {time.strftime('%Y-%m-%d')}.\n"
    if runs:
        text += f"\n{table(runs)}\n"
    if one_file:
        text += f"\n{one_file_table(one_file)}\n"
    text += "".join(f"\n{line}.\n" for line in failed)
    last = next((run for run in reversed(runs) if run.search_files), None)
    if last is not None:
        counts = {kind: 0 for kind in SEARCH_KINDS}
        for name in last.search_files:
            counts[_search_kind(name)] += 1
        bundles = {m.group() for name in last.search_files if (m := BUNDLE_PATH.search(name))}
        text += (
            f"\nFiles a one-word search fetched ({last.kind} N = {last.size:,}): "
            f"{len(bundles)} Pagefind bundles; "
            + ", ".join(f"{counts[kind]} {kind}" for kind in SEARCH_KINDS)
            + ".\n"
        )
    RESULTS.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
