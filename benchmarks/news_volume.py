"""Benchmark the news aggregator under volume (issue 17): seconds and peak memory, both bounded.

1. `cwb news` on 10 feeds of 10,000 items each, served from 127.0.0.1 (the caps take the
   newest 100 of each feed per run);
2. `cwb build` (validate, render, MkDocs, Pagefind) with a news archive of 100,000 items.

Each runs as its own `python -m generator` process in a throwaway copy of the project, so that
its peak memory (the process's maximum resident set) is its own.

Run: python -m benchmarks.news_volume [--feeds 10] [--items 10000] [--archive 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.news_bench import SlowServer, feed_document

ROOT = Path(__file__).resolve().parents[1]
PILLARS = ("procurement", "workforce", "land-and-property", "finance", "plural-ownership")


def copy_project(where: Path) -> Path:
    """Copy what a build needs (configuration, pages, case studies) into where."""
    for name in ("mkdocs.yml", "feeds.yaml"):
        shutil.copy(ROOT / name, where / name)
    for folder in ("content", "case_studies"):
        shutil.copytree(ROOT / folder, where / folder)
    return where


def run_measured(argv: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run `python -m generator ARGV` in cwd; return wall seconds, peak MB and its output.

    The CPU seconds are printed too: on a shared machine they say more than the wall clock.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *argv],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    output = process.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    print(f"cwb {argv[0]}: {wall:.1f} s wall, {usage.ru_utime + usage.ru_stime:.1f} s CPU")
    if process.returncode:
        raise SystemExit(f"cwb {argv[0]} failed ({process.returncode}):\n{output[-3000:]}")
    return wall, usage.ru_maxrss / 1024, output  # ru_maxrss is in KB on Linux


def bench_news(project: Path, feeds: int, items: int) -> dict[str, object]:
    """Serve feeds × items on 127.0.0.1 and run `cwb news` on them twice."""
    documents = {f"/feed/{n}": feed_document(n, items) for n in range(feeds)}
    server = SlowServer(0.0, documents)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    feeds_file = project / "feeds.yaml"
    feeds_file.write_text(
        "allow_private_addresses: true\nfeeds:\n"
        + "".join(
            f"  - name: Volume feed {n}\n    url: http://127.0.0.1:{port}/feed/{n}\n"
            f"    homepage: https://feed{n}.example.org/\n    verified: true\n"
            for n in range(feeds)
        ),
        "utf-8",
    )
    try:
        first = run_measured(["news"], project)
        second = run_measured(["news"], project)
    finally:
        server.shutdown()
    archived = sum(
        len(json.loads(path.read_text("utf-8"))["items"])
        for path in (project / "news" / "archive").glob("*.json")
    )
    return {
        "feed_mb": sum(len(body) for body in documents.values()) / 1e6,
        "first": first[:2],
        "second": second[:2],
        "archived": archived,
        "summary": first[2].strip().splitlines()[-1],
    }


def write_archive(news: Path, total: int, months: int) -> None:
    """Write an archive of total valid items spread over months, as cwb news would."""
    folder = news / "archive"
    folder.mkdir(parents=True, exist_ok=True)
    per_month = -(-total // months)
    start = dt.date(2024, 1, 1)
    written = 0
    for index in range(months):
        year, month = (
            start.year + (start.month - 1 + index) // 12,
            (start.month - 1 + index) % 12 + 1,
        )
        key = f"{year:04d}-{month:02d}"
        items = []
        for n in range(min(per_month, total - written)):
            number = written + n
            items.append(
                {
                    "id": f"https://feed{number % 30}.example.org/?p={number}",
                    "title": f"Item {number}: co-operatives, procurement and local spending",
                    "link": f"https://feed{number % 30}.example.org/posts/{number}",
                    "summary": f"<p>Summary of item {number}, a paragraph of about a hundred "
                    "characters as feeds give them.</p>",
                    "published": f"{key}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
                    "date_source": "feed",
                    "source": f"Feed {number % 30}",
                    "source_url": f"https://feed{number % 30}.example.org/feed",
                    "fetched": f"{key}-28T12:00:00Z",
                    "pillars": [PILLARS[number % 5]],
                    "author": None,
                    "language": "en",
                }
            )
        written += len(items)
        data = {"items": items, "month": key}
        (folder / f"{key}.json").write_text(json.dumps(data, indent=2) + "\n", "utf-8")


def bench_build(project: Path, total: int, months: int) -> dict[str, object]:
    """Run `cwb build` with an archive of total items; measure it and the news pages."""
    shutil.rmtree(project / "news", ignore_errors=True)
    write_archive(project / "news", total, months)
    archive_mb = sum(p.stat().st_size for p in (project / "news").rglob("*.json")) / 1e6
    wall, peak, output = run_measured(["build"], project)
    pages = [path for path in (project / "site" / "news").rglob("index.html")]
    sizes = sorted(path.stat().st_size for path in pages)
    return {
        "archive_mb": archive_mb,
        "build": (wall, peak),
        "news_pages": len(pages),
        "page_kb_median": sizes[len(sizes) // 2] / 1024,
        "page_kb_max": sizes[-1] / 1024,
        "summary": output.strip().splitlines()[-1],
    }


def main() -> int:
    """Run both benchmarks and print a Markdown table for benchmarks/results.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--archive", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = copy_project(Path(folder))
        news = bench_news(project, args.feeds, args.items)
        build = bench_build(project, args.archive, args.months)
    print(f"cwb news: {news['summary']}")
    print(f"cwb build: {build['summary']}")
    (first_s, first_mb), (second_s, second_mb) = news["first"], news["second"]  # type: ignore[misc]
    build_s, build_mb = build["build"]  # type: ignore[misc]
    print(
        f"\n| news under volume | seconds | peak MB | notes |\n| --- | ---: | ---: | --- |\n"
        f"| `cwb news`, {args.feeds} feeds × {args.items:,} items, first run | {first_s:.1f} "
        f"| {first_mb:.0f} | {news['feed_mb']:.1f} MB of feeds; {news['archived']:,} items "
        "archived (the per-run cap) |\n"
        f"| `cwb news`, the same feeds again | {second_s:.1f} | {second_mb:.0f} | "
        "the next newest 100 of each feed |\n"
        f"| `cwb build`, archive of {args.archive:,} items | {build_s:.1f} | {build_mb:.0f} | "
        f"{build['archive_mb']:.0f} MB archive over {args.months} months; "
        f"{build['news_pages']:,} news pages, median {build['page_kb_median']:.0f} KB, "
        f"largest {build['page_kb_max']:.0f} KB |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
