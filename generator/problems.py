"""Problems found in input files, and how they are printed."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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
