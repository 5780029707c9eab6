"""Check the news archive as a contributor's edit is checked: file, line, what is wrong, a hint.

The archive is text in the repository that anyone can change in a pull request, so a month
file is read as untrusted input: size-capped, parsed item by item (each item's line is known),
every field checked by hand — a JSON Schema pass over 100,000 items would cost seconds — and
every problem returned, never raised. An item with a problem is left out of what is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.model import load_pillars
from generator.news.model import NewsItem, format_utc, parse_utc
from generator.problems import Problem, clip, suggest

# A month holds at most (feeds times max_items_per_month) items of about 1 KB: the caps keep a
# month file of today's 40 feeds under 15 MB. Past this, the file is not read at all.
MAX_MONTH_BYTES = 32 * 1024 * 1024
MONTH_NAME = re.compile(r"^(\d{4})-(\d{2})\.json$")
EARLIEST_YEAR = 1991  # the web's; clean.EARLIEST gives feeds the same floor

_FIELDS = {
    "id",
    "title",
    "link",
    "summary",
    "published",
    "date_source",
    "source",
    "source_url",
    "fetched",
    "pillars",
    "author",
    "language",
}
_REQUIRED_TEXT = ("id", "title", "source", "source_url")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_URL = re.compile(r"^https?://[^\s/]+[^\s]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_HINT_EDIT = "the archive is written by cwb news: undo the hand edit, or correct the value"


@dataclass
class MonthRead:
    """The items of one month file that passed the checks, and the problems of the rest."""

    path: Path
    items: list[NewsItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@cache
def pillar_slugs() -> tuple[str, ...]:
    """Return the registry's pillar slugs."""
    return tuple(pillar.slug for pillar in load_pillars())


def read_month_checked(path: Path, month: str | None = None) -> MonthRead:
    """Read one month file; return its valid items and a Problem for everything wrong."""
    result = MonthRead(path)
    match = MONTH_NAME.match(path.name)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        result.problems.append(
            Problem(
                path,
                1,
                1,
                f"'{_shown(path.name)}' is not the name of a month file",
                "month files are named YYYY-MM.json (e.g. 2026-05.json): rename or remove it",
            )
        )
        return result
    month = month or path.name[:7]
    text = _read_text(path, result)
    if text is None:
        return result
    offsets = _Offsets(text)
    for index, entry in _entries(text, path, month, result):
        _check_item(entry, index, offsets, month, result)
    return result


def archive_paths(path: Path) -> list[Path] | None:
    """Return the month files a path names (a news folder, its archive/, a .json), or None."""
    if path.is_file():
        return [path] if path.suffix == ".json" else None
    folder = path / "archive" if (path / "archive").is_dir() else path
    return sorted(folder.glob("*.json")) if folder.name == "archive" else None


def check_archive_files(paths: list[Path]) -> list[Problem]:
    """Return every problem of the given month files, reading one file at a time."""
    problems: list[Problem] = []
    for path in paths:
        problems.extend(read_month_checked(path).problems)
    return problems


def _read_text(path: Path, result: MonthRead) -> str | None:
    try:
        size = path.stat().st_size
        if size > MAX_MONTH_BYTES:
            result.problems.append(
                Problem(
                    path,
                    1,
                    1,
                    f"the file is {size // (1024 * 1024)} MB, more than the "
                    f"{MAX_MONTH_BYTES // (1024 * 1024)} MB a month file may hold",
                    "remove items from it (lower max_items_per_month in feeds.yaml keeps "
                    "months small): it is not read until then",
                )
            )
            return None
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        result.problems.append(
            Problem(path, line, 1, "the file is not UTF-8 text", "save it as UTF-8")
        )
    except OSError as error:
        result.problems.append(
            Problem(path, 1, 1, f"cannot read the file: {error.strerror or error}", "")
        )
    return None


def _entries(text: str, path: Path, month: str, result: MonthRead) -> Iterator[tuple[int, Any]]:
    """Yield (offset, data) of each item; a file that is not the expected JSON is one problem."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        result.problems.append(
            Problem(
                path,
                error.lineno,
                error.colno,
                f"not valid JSON: {error.msg}",
                "a comma or quote may be missing or extra near here",
            )
        )
        return
    except _DuplicateKey as error:
        line, column = _line_of(text, _find_key(text, 0, error.key))
        result.problems.append(
            Problem(
                path,
                line,
                column,
                f"the key '{_shown(error.key)}' is given twice in one object",
                "keep one of the two",
            )
        )
        return
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        result.problems.append(
            Problem(
                path,
                1,
                1,
                "a month file must be an object with a list of items",
                'the file starts {"items": [ … ], "month": "YYYY-MM"}',
            )
        )
        return
    if data.get("month") != month:
        offset = _find_key(text, 0, "month")
        line, column = _line_of(text, offset)
        result.problems.append(
            Problem(
                path,
                line,
                column,
                f"month is '{_shown(str(data.get('month')))}' in the file for {month}",
                f'set "month": "{month}", the month of the file name',
            )
        )
    yield from enumerate(data["items"])


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


class _Offsets:
    """Where each object of the "items" array begins: found only when a problem needs a line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: list[int] | None = None

    def __getitem__(self, index: int) -> int:
        if self._found is None:
            self._found = _item_offsets(self.text)
        return self._found[index] if index < len(self._found) else 0


def _item_offsets(text: str) -> list[int]:
    key = re.search(r'"items"\s*:\s*\[', text)
    if key is None:
        return []
    decoder = json.JSONDecoder()
    offsets: list[int] = []
    position = key.end()
    separators = re.compile(r"[\s,]*")
    while position < len(text):
        gap = separators.match(text, position)
        position = gap.end() if gap else position
        if position >= len(text) or text[position] == "]":
            break
        offsets.append(position)
        try:
            _, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            break
    return offsets


def _check_item(entry: Any, index: int, offsets: _Offsets, month: str, result: MonthRead) -> None:
    path = result.path
    found: list[Problem] = []

    def problem(key: str | None, message: str, hint: str = _HINT_EDIT) -> None:
        text, offset = offsets.text, offsets[index]
        at = _find_key(text, offset, key) if key else offset
        line, column = _line_of(text, at)
        found.append(Problem(path, line, column, message, hint))

    if not isinstance(entry, dict):
        problem(None, "an item must be an object of fields")
        result.problems.extend(found)
        return
    for key in sorted(set(entry) - _FIELDS):
        problem(
            key,
            f"unknown field '{_shown(key)}'",
            f"{suggest(key, _FIELDS)}an item's fields are {', '.join(sorted(_FIELDS))}",
        )
    for key in (*_REQUIRED_TEXT, "summary", "published", "fetched"):
        value = entry.get(key)
        if not isinstance(value, str) or (key in _REQUIRED_TEXT and not value.strip()):
            missing = key not in entry
            what = "missing" if missing else "empty" if isinstance(value, str) else "not text"
            problem(None if missing else key, f"{key} is {what}")
    for key in ("published", "fetched"):
        _check_moment(entry, key, month if key == "published" else None, problem)
    link = entry.get("link")
    if link is not None and not (isinstance(link, str) and _URL.match(link)):
        problem(
            "link", f"link '{_shown(str(link))}' is not an http(s) address", "use https://… or null"
        )
    _check_pillars(entry.get("pillars", []), problem)
    if entry.get("date_source", "feed") not in ("feed", "fetch"):
        problem("date_source", "date_source must be 'feed' or 'fetch'")
    author = entry.get("author")
    if author is not None and not isinstance(author, str):
        problem("author", "author must be text or null")
    language = entry.get("language", "en")
    if not (isinstance(language, str) and _LANGUAGE.match(language)):
        problem(
            "language",
            f"language '{_shown(str(language))}' is not a language tag",
            "use e.g. en, ca, pt-BR",
        )
    result.problems.extend(found)
    if not found:
        try:
            result.items.append(NewsItem.from_json(entry))
        except ValueError as error:  # the checks above should leave nothing for this
            problem(None, f"the item cannot be read: {_shown(str(error))}")
            result.problems.extend(found)


def _check_moment(entry: dict[str, Any], key: str, month: str | None, problem: Any) -> None:
    value = entry.get(key)
    if not isinstance(value, str):
        return
    try:
        moment = parse_utc(value)
    except ValueError:
        problem(
            key,
            f"{key} '{_shown(value)}' is not a date and time",
            "write it as 2026-05-20T12:00:00Z",
        )
        return
    if moment.year < EARLIEST_YEAR:
        problem(
            key, f"{key} {_shown(value)} is before the web ({EARLIEST_YEAR})", "correct the year"
        )
    elif month is not None and format_utc(moment)[:7] != month:
        problem(
            key,
            f"published {_shown(value)} is not in {month}, the month of this file",
            f"move the item to {format_utc(moment)[:7]}.json, or correct the date",
        )


def _check_pillars(pillars: Any, problem: Any) -> None:
    slugs = pillar_slugs()
    if not isinstance(pillars, list):
        problem(
            "pillars", "pillars must be a list of pillar slugs", f"use some of: {', '.join(slugs)}"
        )
        return
    for slug in pillars:
        if not isinstance(slug, str) or slug not in slugs:
            shown = _shown(str(slug))
            problem(
                "pillars",
                f"unknown pillar '{shown}'",
                f"{suggest(str(slug), slugs)}the pillars are {', '.join(slugs)}",
            )


def _find_key(text: str, offset: int, key: str | None) -> int:
    """Return where "key": first appears from offset (the item's start), or offset."""
    if not key:
        return offset
    found = text.find(json.dumps(key) + ":", offset)
    if found < 0:
        found = text.find(json.dumps(key), offset)
    return found if found >= 0 else offset


def _line_of(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _shown(value: str) -> str:
    # A quoted value never carries a line break or a control character (CI annotations).
    return clip(_CONTROL.sub(" ", value), 60)
