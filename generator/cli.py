"""The `cwb` command line: parse arguments, call the pipeline, report, return an exit code.

Every command's arguments live here; each handler imports its own machinery, so that
`cwb validate` loads no HTTP client, feed parser, site builder or file watcher (and starts on
any operating system). Every command finds the project the same way: `find_project_root`.
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
from generator.output import count_case_studies, progress, relative, report_problems
from generator.paths import ProjectPaths, find_project_root
from generator.problems import Interrupted, UsageError
from generator.project import case_study_files, configured_project, project

if TYPE_CHECKING:
    from generator.build import BuildResult
    from generator.problems import BuildError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT: what shells report for Ctrl+C

# What each exit status means, per command: shown in --help and kept equal to README.md's
# command table by tests/test_docs.py.
EXIT_STATUSES = {
    "validate": "0 valid, 1 problems, 2 usage or outside a project, 130 interrupted",
    "build": "0 built, 1 problems or a failed build (the previous site stays), "
    "2 usage or outside a project, 130 interrupted (the site is not changed)",
    "serve": "1 the port is taken, 2 usage or outside a project, 130 stopped with Ctrl+C",
    "news": "0 ran (failed feeds are reported), 1 nothing could run (invalid feeds file, no feed "
    "reachable, archive locked or unreadable), 2 usage or outside a project, "
    "130 interrupted (the archive is not changed)",
    "new": "0 created, 1 bad slug or the file exists, 2 usage or outside a project, "
    "130 interrupted",
    "links": "0 none dead, 1 dead links, 2 usage or outside a project, 130 interrupted",
}

# What Ctrl+C leaves behind, when a handler has nothing more precise to say.
_INTERRUPTED = {
    "build": "Interrupted; the site was not changed.",
    "serve": "Interrupted; the site was not changed.",
    "news": "Interrupted; the news archive was not changed.",
}


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
    except UsageError as error:
        for line in str(error).splitlines():
            print(f"cwb {args.command}: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as stop:
        print(stop, file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print(_INTERRUPTED.get(args.command, "Interrupted."), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `cwb validate | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS


# --- arguments --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cwb",
        description="Build the Community Wealth Building knowledge base from its YAML "
        "case studies. Run it inside the project's folder (or any folder below it).",
    )
    parser.add_argument("--version", action="version", version=f"cwb {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="say more about each step")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = _command(
        commands,
        "validate",
        help="check case studies and report every problem with its line",
        description="Check case studies against the schema and each other.",
    )
    validate.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="case-study files or folders (default: the project's case_studies/)",
    )
    validate.set_defaults(handler=_validate)

    build = _command(
        commands,
        "build",
        help="validate, render, build and index the site",
        description="Validate the case studies, render the pages, build the site with Material "
        "for MkDocs and index it with Pagefind. Nothing is written when a case study is invalid; "
        "a failed or interrupted build leaves the previous site as it was.",
    )
    _add_location_options(build)
    build.set_defaults(handler=_build)

    serve = _command(
        commands,
        "serve",
        help="preview the site at http://127.0.0.1:8000, rebuilding on every change",
        description="Build the site, serve it on 127.0.0.1 and rebuild it whenever a case "
        "study, a page or a template changes; open pages reload by themselves. Ctrl+C stops.",
    )
    _add_location_options(serve)
    serve.add_argument("--port", type=_port, default=8000, help="port to serve on (default: 8000)")
    serve.set_defaults(handler=_serve)

    news = _command(
        commands,
        "news",
        help="fetch the movement's feeds into the news archive",
        description="Fetch every feed in feeds.yaml, clean the items and merge them into the "
        "archive in news/.",
    )
    news.add_argument(
        "--feeds",
        type=Path,
        metavar="FILE",
        help="the feeds registry (default: the project's feeds.yaml)",
    )
    news.set_defaults(handler=_news)

    new = _command(
        commands,
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
        help="folder to write it in (default: the project's case_studies/)",
    )
    new.set_defaults(handler=_new)

    links = _command(
        commands,
        "links",
        help="check that the case studies' source links still answer",
        description="Check every sources[].url and actors[].url of the case studies over HTTP. "
        "A link is dead when its site cannot be reached, does not answer in time, or answers "
        "404, 410 or a 5xx error twice; sites that refuse automated checks (401, 403, 429) are "
        "listed as 'could not check'.",
    )
    links.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="case-study files or folders (default: the project's case_studies/)",
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
    links.add_argument(
        "--allow-private-addresses",
        action="store_true",
        help="also request links whose host is a loopback, private or link-local address "
        "(refused by default; for tests and local labs)",
    )
    links.set_defaults(handler=_links)
    return parser


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    help: str,
    description: str,
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name, help=help, description=f"{description} Exit status: {EXIT_STATUSES[name]}."
    )


def _add_location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--case-studies",
        type=Path,
        metavar="DIR",
        help="folder of case-study YAML files (default: the project's case_studies/)",
    )
    parser.add_argument(
        "--site-dir",
        type=Path,
        metavar="DIR",
        help="where to write the built site (default: the project's site/)",
    )


def _port(text: str) -> int:
    number = _whole_number(text)
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port: use 1 to 65535, e.g. 8001")
    return number


def _positive_int(text: str) -> int:
    number = _whole_number(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not at least 1")
    return number


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _positive_float(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r}") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{text} is not more than 0")
    return number


# --- commands ---------------------------------------------------------------------------------


def _validate(args: argparse.Namespace) -> int:
    from generator.news.archive_check import check_archive_files
    from generator.validate import ValidationResult, validate_files

    named = bool(args.paths)
    news_files, args.paths = _news_archive_files(args)
    started = time.perf_counter()
    only_news = named and not args.paths  # only news files named: no case study is checked
    result = (
        ValidationResult([], 0) if only_news else validate_files(case_study_files(args, "validate"))
    )
    news_problems = check_archive_files(news_files)
    elapsed = time.perf_counter() - started
    problems = [*result.problems, *news_problems]
    report_problems(problems)
    files = result.files + len(news_files)
    bad = len({problem.path for problem in problems})
    if not problems:
        checked = [count_case_studies(result.files)] if not only_news else []
        if news_files:
            checked.append(f"{len(news_files)} news archive file{'s' * (len(news_files) != 1)}")
        print(f"{' and '.join(checked)} valid ({elapsed:.2f} s)")
        return EXIT_OK
    print(
        f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
        f"in {bad} of {files} file{'s' if files != 1 else ''}"
    )
    return EXIT_PROBLEMS


def _news_archive_files(args: argparse.Namespace) -> tuple[list[Path], list[Path]]:
    """Split the named paths into news archive files and the rest (case studies).

    Named nothing, cwb validate checks the project's news archive too, so that a hand edit of
    it fails CI on the pull request, with file and line, as a case study's would.
    """
    from generator.news.archive_check import archive_paths

    if not args.paths:
        root = find_project_root(Path.cwd())
        news = ProjectPaths.at(root).news if root else None
        return (archive_paths(news / "archive") or [] if news else []), []
    news_files: list[Path] = []
    rest: list[Path] = []
    for path in args.paths:
        found = archive_paths(path) if path.exists() else None
        if found is None:
            rest.append(path)
        else:
            news_files.extend(found)
    return news_files, rest


def _build(args: argparse.Namespace) -> int:
    paths = configured_project(args)
    before = _identity(paths.site)
    try:
        return _run_build(paths)
    except KeyboardInterrupt:
        raise Interrupted(_site_after_interrupt(paths.site, before)) from None


def _run_build(paths: ProjectPaths) -> int:
    from generator.build import build_site
    from generator.problems import BuildError

    started = time.perf_counter()
    try:
        result = build_site(paths, progress=progress)
    except BuildError as error:
        print(f"cwb build: error: {error}", file=sys.stderr)
        print("The previous site was left as it was.", file=sys.stderr)
        return EXIT_PROBLEMS
    if not result.ok:
        report_problems(result.problems)
        cases = all(problem.path.is_relative_to(paths.case_studies) for problem in result.problems)
        print(
            f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} in "
            f"the {'case studies' if cases else 'project'}: nothing was built. Fix them and run "
            "cwb build again."
        )
        return EXIT_PROBLEMS
    if result.news_problems:
        report_problems(result.news_problems)
        count = len(result.news_problems)
        print(
            f"{count} problem{'s' if count != 1 else ''} in the news archive: the items they "
            "name were left out of the site. Fix them (cwb validate lists them too)."
        )
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.timings.items())
    print(
        f"Built {count_case_studies(result.case_studies)} into {relative(paths.site)} "
        f"in {time.perf_counter() - started:.1f} s ({steps})"
    )
    return EXIT_OK


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _site_after_interrupt(site: Path, before: tuple[int, int] | None) -> str:
    # The new site is built beside the old one and swapped in by renames: compare the folder
    # that stands at site/ now with the one that stood there before.
    now = _identity(site)
    if now == before:
        return "Interrupted; the site was not changed."
    if now is None:
        return (
            "Interrupted while the new site was being swapped in: run cwb build again to "
            f"restore {relative(site)}."
        )
    return f"Interrupted after the new site was in place: {relative(site)} is complete."


def _serve(args: argparse.Namespace) -> int:
    paths = configured_project(args)
    from generator.serve import ServeError, Stopped, serve

    try:
        serve(paths, port=args.port, report=_report_rebuild)
    except ServeError as error:
        print(f"cwb serve: error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Stopped as stop:
        raise Interrupted(str(stop)) from None
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
        print(f"Built {count_case_studies(outcome.case_studies)} in {total:.1f} s", flush=True)


def _news(args: argparse.Namespace) -> int:
    paths = project(args)
    feeds: Path = args.feeds or paths.feeds
    if not feeds.is_file():
        raise UsageError(f"no such file: {relative(feeds)}")
    from generator.news.run import run_news  # the HTTP client loads only when fetching

    report = run_news(feeds, paths.news, progress=progress)
    try:
        report_problems(report.problems)
        print(report.format_table())
    except KeyboardInterrupt:
        if report.exit_code:
            raise
        raise Interrupted(
            "Interrupted; the news run had finished and updated the archive."
        ) from None
    return report.exit_code


def _new(args: argparse.Namespace) -> int:
    from generator.scaffold import ScaffoldError, create_case_study
    from generator.schema_check import case_study_schema

    folder: Path = args.case_studies or (
        project(args, alternative=", or say where: cwb new SLUG --case-studies DIR").case_studies
    )
    try:
        path = create_case_study(folder, args.slug, case_study_schema())
    except ScaffoldError as error:
        print(f"cwb new: error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"Created {relative(path)}. Fill in every TODO (each comment says what goes there),\n"
        f"then check it with: cwb validate {relative(path)}\n"
        f"and preview it with: cwb serve"
    )
    return EXIT_OK


def _links(args: argparse.Namespace) -> int:
    from generator.links import check_source_links

    files = case_study_files(args, "links")
    report = check_source_links(
        files,
        timeout=args.timeout,
        concurrency=args.concurrency,
        allow_private_addresses=args.allow_private_addresses,
    )
    print(report.format_text())
    if args.output:
        try:
            args.output.write_text(report.format_markdown(), encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {args.output}: {error.strerror}") from None
    return report.exit_code
