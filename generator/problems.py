"""Problems found in input files, and how they are printed."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.paths import RESERVED_SLUGS

# What `cwb new` writes where a value is still to be filled in; the validator reports it as such.
PLACEHOLDER = "TODO"

# Older than any community wealth building work; catches typos like 213. The schema's `minimum`
# for every year says the same (tests/test_schema_check.py holds them together).
EARLIEST_YEAR = 1800

# Where a value sits in a document: keys and list indexes from the root, e.g. ("sources", 2, "url").
JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, at a line and column (both 1-based; 0 = unknown)."""

    path: Path
    line: int
    column: int
    message: str
    hint: str = ""

    def display_path(self) -> str:
        """Return the path relative to the working directory when it lies below it."""
        try:
            return os.path.relpath(self.path)
        except ValueError:  # another drive on Windows
            return str(self.path)

    def format_text(self) -> str:
        """Return `path:line:col: error: message (hint)` as compilers print it.

        Each part is made printable here too, so that no wording that forgot `quote` can
        start a line of its own (a GitHub workflow command) or reach the terminal as an
        escape sequence (issue 16).
        """
        where = f"{printable(self.display_path())}:{self.line}:{self.column}"
        text = f"{where}: error: {printable(self.message)}"
        if self.hint:
            text += f"\n    hint: {printable(self.hint)}"
        return text

    def format_github(self) -> str:
        """Return a GitHub Actions workflow command that annotates the pull request's diff."""
        message = printable(self.message + (f" — {self.hint}" if self.hint else ""))
        return (
            f"::error file={_escape_property(printable(self.display_path()))},line={self.line},"
            f"col={self.column},title=Case study problem::{_escape_data(message)}"
        )


# --- wording shared by every check ---


def field_name(path: JsonPath) -> str:
    """Return a path as a contributor reads it: sources[2].url (items counted from 1)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "the file"


def clip(text: str, limit: int = 40) -> str:
    """Return text on one line, cut to limit characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Characters that must never reach a terminal or a CI log as themselves: C0/C1 controls (line
# breaks, ESC of ANSI/OSC sequences), the Unicode line and paragraph separators, and the
# bidirectional overrides that make text read differently from what it is.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _unprintable(char: str) -> bool:
    return char in _BIDI or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def printable(text: str) -> str:
    """Return text with every control character written as an escape, e.g. \\n or \\x1b."""
    if text.isprintable():  # the common case; isprintable is stricter than needed
        return text
    return "".join(
        _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        if _unprintable(char)
        else char
        for char in text
    )


def quote(value: object, limit: int = 40) -> str:
    """Return a contributor's value for a message: in quotes, on one line, escaped, clipped.

    Every wording that shows a value from a file goes through here, so that a line break or
    an escape sequence in a slug, a key or a source id is shown, never obeyed (issue 16).
    """
    return f"'{clip(printable(str(value)), limit)}'"


def number_text(value: object) -> str:
    """Return a number as a message shows it: .nan and .inf named, huge ones by their size."""
    if isinstance(value, float) and math.isnan(value):
        return ".nan (not a number)"
    if isinstance(value, float) and math.isinf(value):
        return ".inf (infinity)" if value > 0 else "-.inf (minus infinity)"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a number of {len(str(abs(value)))} digits"
    return str(value)


def year_problem(field: str, year: object, today: dt.date) -> tuple[str, str]:
    """Return the message and hint for a year outside EARLIEST_YEAR to next year."""
    return (
        f"{field} is {number_text(year)}, which is not a sane year",
        f"write a four-digit year between {EARLIEST_YEAR} and {today.year + 1}",
    )


_NUMBER_WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)


def spaces(count: int) -> str:
    """Return "two spaces", "one space": how far to move a line."""
    word = _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)
    return f"{word} space{'s' if count != 1 else ''}"


def moved_out_problem(
    key: str, group: str, count: int, like: str, *, more: bool
) -> tuple[str, str]:
    """Return the message and hint for a field moved left, out of the group it belongs to."""
    return (
        f"`{clip(printable(key))}:` is outside `{clip(printable(group))}:`, where it belongs",
        f"indent `{clip(printable(key))}:` under `{clip(printable(group))}:` with "
        f"{spaces(count)}{' more' if more else ''}"
        + (f", like `{clip(printable(like))}:`" if like else ""),
    )


def misindented_hint(key: str, count: int, like: str, line: int) -> str:
    """Return how to move a line by count columns (> 0: right) to line up with another."""
    how = f"indent `{clip(printable(key))}:` {spaces(count)} more"
    if count < 0:
        how = f"move `{clip(printable(key))}:` {spaces(-count)} to the left"
    return f"{how}, to line up with `{clip(printable(like))}:` on line {line}"


def recovered_problem(problem: Problem, line: int) -> Problem:
    """Return a problem found by reading past a syntax error, marked as such (issue 21)."""
    note = f"found by reading past the YAML syntax error on line {line}"
    hint = f"{problem.hint} ({note})" if problem.hint else note
    return Problem(problem.path, problem.line, problem.column, problem.message, hint)


_NUMBERED = re.compile(r"\s*\[?\s*(\d{1,4})\s*\]?\s*")


def cited_by_number(value: object) -> int | None:
    """Return n when a citation gives a source's number (3, [1], "[1]") instead of its id."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (match := _NUMBERED.fullmatch(value)):
        return int(match[1])
    return None


def source_number_problem(number: int, field: str, ids: list[str]) -> tuple[str, str]:
    """Return the message and hint for a source cited by its number (issue 21)."""
    listed = ", ".join(quote(source_id) for source_id in ids) or "none yet"
    written = "`source: {}`" if field == "source" else "`sources: [{}]`"
    if 1 <= number <= len(ids):
        return (
            f"cites source number {number}; write the source's id instead: "
            f"{written.format(clip(printable(ids[number - 1]), 60))}",
            f"sources are cited by the id given under sources, not by their number; "
            f"the listed ids are {listed}",
        )
    return (
        f"cites source number {number}; write the id of a source listed under sources instead",
        f"sources are cited by their id, not by a number; the listed ids are {listed} — add the "
        "source under sources with an id if it is not there yet",
    )


def suggest(word: str, choices: Iterable[str]) -> str:
    """Return "did you mean '…'? " for the closest choice, or nothing."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'? " if matches else ""


def symlink_problem(path: Path, *, output: bool = False) -> Problem:
    """Return the problem of a symbolic link where cwb reads (or, with output, writes) files.

    Every link is refused, even one that points inside the project: a later one-line change
    could point it anywhere (issue 16), and a link in a diff is easy to miss.
    """
    if output:
        return Problem(
            path,
            1,
            1,
            "this is a symbolic link (a shortcut to another folder); cwb writes the site only "
            "into real folders of the project",
            "delete the link (cwb build makes the folder itself), or build elsewhere with "
            "--site-dir",
        )
    return Problem(
        path,
        1,
        1,
        "this is a symbolic link (a shortcut to another file or folder); cwb reads and "
        "publishes only what is really in the project, never what a link points to",
        "replace the link with a copy of the file itself, or delete it (git rm)",
    )


def _escape_data(text: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class CwbError(Exception):
    """Base of the errors this package raises for its callers to report."""


class BuildError(CwbError):
    """The site could not be built; the previous site is left as it was."""


class UsageError(CwbError):
    """The command cannot run as asked: a missing file, or no project here."""


class Interrupted(CwbError):
    """Ctrl+C stopped a command; the message says what it left behind."""


def reserved_slug(slug: str) -> tuple[str, str] | None:
    """Return the message and hint for a slug that names a page of the site, or None."""
    if slug not in RESERVED_SLUGS:
        return None
    return (
        f"the slug {quote(slug)} is taken by a page of the site (case-studies/{slug}.md)",
        f"choose another slug (and file name); reserved: {', '.join(sorted(RESERVED_SLUGS))}",
    )
