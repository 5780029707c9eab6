"""Time `cwb serve`'s edit loop on a corpus of clones: one edited case study, rebuilt.

    python -m benchmarks.serve_loop --size 1000

The loop is what `cwb serve` runs after an edit (build_site with its LiveState: re-check and
re-render only what changed, rebuild the changed pages in place), until the browser reloads;
the search index is then refreshed in the background (Pagefind, timed on its own).
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.run import _project
from generator.build import LiveState, build_site
from generator.search import index_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    paths = _project("clones", args.size)
    live = LiveState()
    started = time.perf_counter()
    result = build_site(paths, progress=lambda message: None, live=live)
    assert result.ok, result.problems[:3]
    first = time.perf_counter() - started
    edited = sorted(paths.case_studies.glob("*.yaml"))[args.size // 2]
    original = edited.read_text("utf-8")
    loops, indexes = [], []
    try:
        for number in range(args.edits):
            edited.write_text(_edit(original, number), "utf-8")
            started = time.perf_counter()
            result = build_site(paths, progress=lambda message: None, live=live)
            loops.append(time.perf_counter() - started)
            assert result.ok, result.problems[:3]
            started = time.perf_counter()
            index_site(paths.site)
            indexes.append(time.perf_counter() - started)
    finally:
        edited.write_text(original, "utf-8")
    print(
        f"clones N = {args.size:,}: first build {first:.1f} s (no index); edit → rebuilt "
        f"{statistics.median(loops):.2f} s (median of {len(loops)}: "
        f"{', '.join(f'{s:.2f}' for s in loops)}); search index refreshed in the background "
        f"{statistics.median(indexes):.1f} s"
    )


def _edit(text: str, number: int) -> str:
    """Return the case study with its summary starting "Edit <number>." (a visible change)."""
    if "\nsummary: >-\n" in text:
        return text.replace("\nsummary: >-\n", f"\nsummary: >-\n  Edit {number}.\n", 1)
    return text.replace("\nsummary: ", f"\nsummary: Edit {number}. ", 1)


if __name__ == "__main__":
    main()
