"""The pull-request check's summary: the pages a pull request adds or changes, and if each built.

Run by the CI build job after `cwb build`, on a pull request only:

    python -m generator.pr_pages --base origin/main >> "$GITHUB_STEP_SUMMARY"

The changed files are those git reports between the base branch and HEAD (`base...HEAD`, what the
pull request's *Files changed* tab shows) under case_studies/ (*.yaml) and content/ (*.md). A
page counts as built when the build wrote its index.html; a case study that did not build is
validated again here, so that the summary says how many problems hold it back (the annotations
on its lines say which).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.markup import page_url
from generator.output import markdown_text
from generator.validate import validate_files

WATCHED = ("case_studies", "content")  # the folders whose files become pages
STATUS = {"A": "added", "M": "changed", "D": "removed"}


@dataclass(frozen=True)
class ChangedPage:
    """A source file the pull request touches, and the page it becomes."""

    source: str  # from the project's root, as git names it: case_studies/preston.yaml
    status: str  # added, changed or removed
    url: str  # from the site's root, no leading slash: case-studies/preston/

    @property
    def index(self) -> str:
        """Return the built file that holds the page, from the site's root."""
        return f"{self.url}index.html"


def page_of(source: str) -> str | None:
    """Return the site URL path of a project file's page, or None when it makes no page."""
    path = PurePosixPath(source)
    if len(path.parts) == 2 and path.parts[0] == "case_studies" and path.suffix == ".yaml":
        return f"case-studies/{path.stem}/"
    if len(path.parts) >= 2 and path.parts[0] == "content" and path.suffix == ".md":
        return page_url(PurePosixPath(*path.parts[1:]).as_posix())
    return None


def changed_pages(root: Path, base: str) -> list[ChangedPage]:
    """Return the pages whose sources differ between base and HEAD, in git's order.

    Raise subprocess.CalledProcessError when git cannot compare them (e.g. the base branch
    was not fetched).
    """
    listing = subprocess.run(
        ["git", "diff", "--name-status", "--no-renames", "-z", f"{base}...HEAD", "--", *WATCHED],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "surrogateescape")
    fields = listing.split("\0")
    pages = []
    for status, source in zip(fields[0::2], fields[1::2], strict=False):
        url = page_of(source)
        if url is not None and status[:1] in STATUS:
            pages.append(ChangedPage(source, STATUS[status[:1]], url))
    return pages


def summary(
    pages: list[ChangedPage], root: Path, site: Path, artifact: str, artifact_url: str = ""
) -> str:
    """Return the Markdown section for the run's summary."""
    cell = markdown_text
    lines = ["## Pages this pull request adds or changes", ""]
    if not pages:
        lines.append("This pull request changes no case study and no page of `content/`.")
        return "\n".join(lines) + "\n"
    built: set[str] = set()
    lines += ["| Page | Source | Change | Built |", "| --- | --- | --- | --- |"]
    for page in pages:
        address = cell("/" + page.url)
        if page.status == "removed":
            lines.append(f"| {address} | {cell(page.source)} | removed | (no page) |")
            continue
        if (site / page.index).is_file():
            built.add(page.url)
            answer = "yes :white_check_mark:"
        else:
            answer = _why_not(root / page.source)  # our words: no markup to escape
        lines.append(f"| {address} | {cell(page.source)} | {page.status} | {answer} |")
    lines.append("")
    if built:
        first = next(page for page in pages if page.url in built)
        where = f"[{artifact}]({artifact_url})" if artifact_url else f"`{artifact}`"
        lines += [
            f"**Preview the built site:** download {where} (also under *Artifacts* at the foot "
            "of this run's summary page) and unzip it. Open a page's index.html in your "
            f"browser (this pull request's first: {cell(first.index)}), or, to follow links "
            "between pages, run `python3 -m http.server 8000` in the unzipped folder and open "
            "http://localhost:8000/ .",
        ]
    else:
        lines.append(
            "Nothing was built, so there is no preview: fix the problems the annotations point "
            "to (the check's other summary lists them too), and the check runs again."
        )
    return "\n".join(lines) + "\n"


def _why_not(path: Path) -> str:
    if path.suffix == ".yaml" and path.is_file():
        count = len(validate_files([path]).problems)
        if count:
            return (
                f"no: {count} problem{'s' if count != 1 else ''} in this file (see the annotations)"
            )
    return "no: the build stopped on a problem (see the annotations)"


def main(argv: list[str] | None = None) -> int:
    """Print the summary; exit 2 when git cannot compare the branches."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the base branch, e.g. origin/main")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project (default: .)")
    parser.add_argument("--site", type=Path, default=None, help="the built site (default: site/)")
    parser.add_argument("--artifact", default="site-preview", help="the uploaded site's name")
    parser.add_argument("--artifact-url", default="", help="a link to download it")
    args = parser.parse_args(argv)
    try:
        pages = changed_pages(args.root, args.base)
    except subprocess.CalledProcessError as error:
        reason = error.stderr.decode("utf-8", "replace").strip()
        print(
            f"pr_pages: error: git cannot compare {args.base} with HEAD: {reason}", file=sys.stderr
        )
        return 2
    site = args.site if args.site is not None else args.root / "site"
    print(summary(pages, args.root, site, args.artifact, args.artifact_url), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
