"""The `cwb` command line: parse arguments, call the pipeline, report, return an exit code.

Every command's arguments live here; each handler imports its own machinery, so that
`cwb validate` loads no HTTP client, feed parser, site builder or file watcher.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.paths import ProjectPaths, collect_files
from generator.problems import Problem

if TYPE_CHECKING:
    from generator.build import BuildResult
    from generator.problems import BuildError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except BrokenPipeError:  # e.g. `cwb validate | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cwb",
        description="Build the Community Wealth Building knowledge base from its YAML "
        "case studies.",
    )
    parser.add_argument("--version", action="version", version=f"cwb {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="say more about each step")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check case studies and report every problem with its line",
        description="Check case studies against the schema and each other. Exit 0 when all are "
        "valid, 1 when there are problems, 2 on a usage error.",
    )
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="case-study files or folders (default: case_studies/)",
    )
    validate.set_defaults(handler=_validate)

    build = commands.add_parser(
        "build",
        help="validate, render, build and index the site",
        description="Validate the case studies, render the pages, build the site with Material "
        "for MkDocs and index it with Pagefind. Nothing is written when a case study is invalid; "
        "a failed build leaves the previous site as it was.",
    )
    _add_location_options(build)
    build.set_defaults(handler=_build)

    serve = commands.add_parser(
        "serve",
        help="preview the site at http://127.0.0.1:8000, rebuilding on every change",
        description="Build the site, serve it on 127.0.0.1 and rebuild it whenever a case "
        "study, a page or a template changes; open pages reload by themselves.",
    )
    _add_location_options(serve)
    serve.add_argument("--port", type=int, default=8000, help="port to serve on (default: 8000)")
    serve.set_defaults(handler=_serve)

    news = commands.add_parser(
        "news",
        help="fetch the movement's feeds into the news archive",
        description="Fetch every feed in feeds.yaml, clean the items and merge them into the "
        "archive in news/. Exit 0 when it ran (failed feeds are reported, not fatal), 1 when "
        "nothing could run.",
    )
    news.add_argument(
        "--feeds", type=Path, metavar="FILE", help="the feeds registry (default: feeds.yaml)"
    )
    news.set_defaults(handler=_news)

    new = commands.add_parser(
        "new",
        help="scaffold case_studies/SLUG.yaml from the schema, ready to fill in",
        description="Write case_studies/SLUG.yaml with every field, its description as a "
        "comment and TODO placeholders that cwb validate reports until they are filled in. "
        "Never overwrites a file.",
    )
    new.add_argument("slug", metavar="SLUG", help="the new case study's web name, e.g. kirklees")
    new.add_argument(
        "--case-studies",
        type=Path,
        metavar="DIR",
        help="folder of case-study YAML files (default: case_studies/)",
    )
    new.set_defaults(handler=_new)

    links = commands.add_parser(
        "links",
        help="check that the case studies' source links still answer",
        description="Check every sources[].url and actors[].url of the case studies over HTTP. "
        "A link is dead when its site cannot be reached, does not answer in time, or answers "
        "404, 410 or a 5xx error twice; sites that refuse automated checks (401, 403, 429) are "
        "listed as 'could not check'. Exit 0 when no link is dead, 1 when some are, 2 on a "
        "usage error.",
    )
    links.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="case-study files or folders (default: case_studies/)",
    )
    links.add_argument(
        "--output", type=Path, metavar="FILE", help="also write the report as Markdown to FILE"
    )
    links.add_argument(
        "--timeout",
        type=_positive_float,
        default=15.0,
        metavar="SECONDS",
        help="give each request this long (default: 15)",
    )
    links.add_argument(
        "--concurrency",
        type=_positive_int,
        default=8,
        metavar="N",
        help="check up to N links at once (default: 8)",
    )
    links.set_defaults(handler=_links)
    return parser


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not at least 1")
    return number


def _positive_float(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r}") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{text} is not more than 0")
    return number


def _add_location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--case-studies",
        type=Path,
        metavar="DIR",
        help="folder of case-study YAML files (default: case_studies/)",
    )
    parser.add_argument(
        "--site-dir",
        type=Path,
        metavar="DIR",
        help="where to write the built site (default: site/)",
    )


def _project(args: argparse.Namespace) -> ProjectPaths:
    return ProjectPaths.at(Path.cwd(), case_studies=args.case_studies, site=args.site_dir)


def _build(args: argparse.Namespace) -> int:
    from generator.build import build_site
    from generator.problems import BuildError

    paths = _project(args)
    if not paths.case_studies.is_dir():
        print(
            f"cwb build: error: no such folder: {args.case_studies or 'case_studies'}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not paths.mkdocs_config.is_file():
        print(
            "cwb build: error: no mkdocs.yml here: run cwb from the project's folder",
            file=sys.stderr,
        )
        return EXIT_USAGE
    started = time.perf_counter()
    try:
        result = build_site(paths, progress=_progress)
    except BuildError as error:
        print(f"cwb build: error: {error}", file=sys.stderr)
        print("The previous site was left as it was.", file=sys.stderr)
        return EXIT_PROBLEMS
    if not result.ok:
        report_problems(result.problems)
        print(
            f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} in "
            "the case studies: nothing was built. Fix them and run cwb build again."
        )
        return EXIT_PROBLEMS
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.timings.items())
    print(
        f"Built {result.case_studies} case studies into {_relative(paths.site)} "
        f"in {time.perf_counter() - started:.1f} s ({steps})"
    )
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from generator.scaffold import ScaffoldError, create_case_study
    from generator.schema_check import case_study_schema

    folder = args.case_studies or Path("case_studies")
    try:
        path = create_case_study(folder, args.slug, case_study_schema())
    except ScaffoldError as error:
        print(f"cwb new: error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"Created {_relative(path)}. Fill in every TODO (each comment says what goes there),\n"
        f"then check it with: cwb validate {_relative(path)}\n"
        f"and preview it with: cwb serve"
    )
    return EXIT_OK


def _news(args: argparse.Namespace) -> int:
    from generator.news.run import run_news  # the HTTP client loads only when fetching

    paths = ProjectPaths.at(Path.cwd())
    feeds = args.feeds or paths.feeds
    if not feeds.is_file():
        print(f"cwb news: error: no such file: {feeds}", file=sys.stderr)
        return EXIT_USAGE
    report = run_news(feeds, paths.news, progress=_progress)
    report_problems(report.problems)
    print(report.format_table())
    return report.exit_code


def _serve(args: argparse.Namespace) -> int:
    from generator.serve import serve  # imports the file watcher only when serving

    paths = _project(args)
    if not paths.mkdocs_config.is_file():
        print(
            "cwb serve: error: no mkdocs.yml here: run cwb from the project's folder",
            file=sys.stderr,
        )
        return EXIT_USAGE
    serve(paths, port=args.port, report=_report_rebuild)
    return EXIT_OK


def _report_rebuild(outcome: BuildResult | BuildError) -> None:
    from generator.problems import BuildError

    if isinstance(outcome, BuildError):
        print(
            f"cwb serve: build failed: {outcome}\nStill serving the last good site.",
            file=sys.stderr,
            flush=True,
        )
    elif not outcome.ok:
        report_problems(outcome.problems)
        print(f"{len(outcome.problems)} problem(s): still serving the last good site.", flush=True)
    else:
        total = sum(outcome.timings.values())
        print(f"Built {outcome.case_studies} case studies in {total:.1f} s", flush=True)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _validate(args: argparse.Namespace) -> int:
    from generator.validate import validate_files

    paths: list[Path] = args.paths or [Path("case_studies")]
    missing = [path for path in paths if not path.exists()]
    if missing:
        for path in missing:
            print(f"cwb validate: error: no such file or folder: {path}", file=sys.stderr)
        return EXIT_USAGE
    files = collect_files(paths)
    if not files:
        print(
            f"cwb validate: error: no .yaml files in {', '.join(map(str, paths))}", file=sys.stderr
        )
        return EXIT_USAGE
    started = time.perf_counter()
    result = validate_files(files)
    elapsed = time.perf_counter() - started
    report_problems(result.problems)
    bad = len({problem.path for problem in result.problems})
    if result.ok:
        print(
            f"{result.files} case stud{'y' if result.files == 1 else 'ies'} valid ({elapsed:.2f} s)"
        )
        return EXIT_OK
    print(
        f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} "
        f"in {bad} of {result.files} file{'s' if result.files != 1 else ''}"
    )
    return EXIT_PROBLEMS


def _links(args: argparse.Namespace) -> int:
    from generator.links import check_source_links

    paths: list[Path] = args.paths or [Path("case_studies")]
    missing = [path for path in paths if not path.exists()]
    for path in missing:
        print(f"cwb links: error: no such file or folder: {path}", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    files = collect_files(paths)
    if not files:
        print(f"cwb links: error: no .yaml files in {', '.join(map(str, paths))}", file=sys.stderr)
        return EXIT_USAGE
    report = check_source_links(files, timeout=args.timeout, concurrency=args.concurrency)
    print(report.format_text())
    if args.output:
        try:
            args.output.write_text(report.format_markdown(), encoding="utf-8")
        except OSError as error:
            print(
                f"cwb links: error: cannot write {args.output}: {error.strerror}", file=sys.stderr
            )
            return EXIT_USAGE
    return report.exit_code


def report_problems(problems: list[Problem]) -> None:
    """Print problems for people; in GitHub Actions also as annotations and a step summary."""
    for problem in problems:
        print(problem.format_text())
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in problems:
            print(problem.format_github())
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            _write_step_summary(Path(summary), problems)


def _write_step_summary(path: Path, problems: list[Problem]) -> None:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["## Case-study validation", ""]
    if not problems:
        lines.append("All case studies are valid. :white_check_mark:")
    else:
        lines += ["| File | Line | Problem | How to fix |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {cell(p.display_path())} | {p.line} | {cell(p.message)} | {cell(p.hint)} |"
            for p in problems
        ]
    with path.open("a", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")
