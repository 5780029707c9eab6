"""What the command line prints: problems for people, GitHub annotations, a run's summary."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from generator.problems import Problem, printable


def count_case_studies(count: int) -> str:
    """Return "1 case study" or "N case studies"."""
    return f"{count} case stud{'y' if count == 1 else 'ies'}"


def progress(message: str) -> None:
    """Print a step of a long run where people see it and pipes do not."""
    print(message, file=sys.stderr, flush=True)


def relative(path: Path) -> str:
    """Return a path as typed from the working folder, when it lies below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def report_problems(problems: list[Problem]) -> None:
    """Print problems for people; in GitHub Actions also as annotations and a step summary."""
    for problem in problems:
        print(problem.format_text())
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in problems:
            print(problem.format_github())
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            write_step_summary(Path(summary), problems)


# Every ASCII punctuation character may be backslash-escaped in (GitHub-flavoured) Markdown; these
# are the ones that can start a link, an image, HTML, a table cell, code or emphasis.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&:-])")


def markdown_text(text: str) -> str:
    """Return text as one literal Markdown table cell: no markup, link, HTML or line break."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", printable(text))


def write_step_summary(path: Path, problems: list[Problem]) -> None:
    """Append a table of the problems to a GitHub Actions step summary."""
    cell = markdown_text
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
