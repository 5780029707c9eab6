"""Read YAML files into plain data with the line and column of every key and value.

Guards against hostile input come first: the size is capped before parsing, and the tree is
built from the parser's event stream by a loop (not recursion), so deep nesting, anchors and
aliases (the "billion laughs" alias bomb), explicit tags (`!!python/object`) and duplicate keys
are refused as they stream past, before anything walks the tree.

Plain values mean what they mean in YAML 1.2, as the contributor's editor and check-jsonschema
(pre-commit) read them, not what PyYAML's YAML 1.1 resolver says (issue 10): `NO` is Norway's
code, `yes` is text, `4.45e1` is a number. See `_scalar` for the few forms where the YAML 1.2
core schema and check-jsonschema's reader (ruamel.yaml) part ways, and which one we follow.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from generator.problems import PLACEHOLDER, JsonPath, Problem, quote, symlink_problem
from generator.yaml12 import Unagreed, resolve_plain
from generator.yaml_syntax import syntax_problem

log = logging.getLogger(__name__)

# A rich case study is about 20 KB; 512 KB leaves room and bounds the parser's work.
MAX_BYTES = 512 * 1024
# The schema nests five levels deep; 32 is generous and stops stack-hungry inputs early.
MAX_DEPTH = 32

# Words that later stages ask about (`cwb new` writes TODO placeholders).
MARKER_WORDS = (PLACEHOLDER,)

Mark = tuple[int, int]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """A parsed YAML file: its data, where each part of it sits, and what was wrong."""

    path: Path
    data: Any = None
    problems: list[Problem] = field(default_factory=list)
    value_marks: dict[JsonPath, Mark] = field(default_factory=dict)
    key_marks: dict[JsonPath, Mark] = field(default_factory=dict)

    words: frozenset[str] = frozenset()  # marker words found in the raw text, see mentions()
    marked: bool = True  # whether value_marks and key_marks were recorded

    def mentions(self, word: str) -> bool:
        """Return whether the file's text contains a marker word (cheaper than walking the data)."""
        return word in self.words

    @property
    def ok(self) -> bool:
        """Return whether the file parsed into data that later stages can check."""
        return self.data is not None

    def locate(self, path: JsonPath, *, key: bool = False) -> Mark:
        """Return (line, column) of the value at path, or of its key; else the nearest parent."""
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path:
            if path in self.value_marks:
                return self.value_marks[path]
            path = path[:-1]
        return self.value_marks.get((), (1, 1))

    def problem(
        self, path: JsonPath, message: str, hint: str = "", *, key: bool = False
    ) -> Problem:
        """Return a Problem located at the given place in this document."""
        line, column = self.locate(path, key=key)
        return Problem(self.path, line, column, message, hint)


class _Refused(Exception):
    """The YAML uses a feature we refuse; carries the problem to report."""

    def __init__(self, mark: Any, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = mark.line + 1 if mark else 1
        self.column = mark.column + 1 if mark else 1
        self.message = message
        self.hint = hint


def load_document(path: Path, *, marks: bool = True) -> Document:
    """Read one YAML file into a Document; problems are recorded, never raised.

    `marks=False` skips recording where each value sits: a third faster, for a first pass
    over files that are usually valid (problems then need a second, marked, load).
    """
    if path.is_symlink():  # nothing outside the project is read (issue 16)
        return Document(path, problems=[symlink_problem(path)])
    try:
        with open(path, "rb", opener=_open_no_follow) as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as error:
        return _failed(path, 0, 0, f"cannot read the file: {error.strerror}", "")
    return parse_document(raw, path, marks=marks)


def _open_no_follow(name: str, flags: int) -> int:
    """Open without following a link made since the check above (where the OS can)."""
    return os.open(name, flags | getattr(os, "O_NOFOLLOW", 0))


def parse_document(raw: bytes, path: Path, *, marks: bool = True) -> Document:
    """Parse YAML bytes into a Document, refusing hostile or malformed input with a Problem."""
    if len(raw) > MAX_BYTES:
        return _failed(
            path,
            1,
            1,
            f"the file is larger than {MAX_BYTES // 1024} KB",
            "a case study is usually under 30 KB: move long texts to their sources and link them",
        )
    if (b"\x00" in raw or raw.startswith(_UTF16_MARKS)) and (encoding := _wide_encoding(raw)):
        return _failed(
            path,
            1,
            1,
            f"the file is saved as {encoding} text, not UTF-8",
            "save it again with the encoding UTF-8 (in Notepad: File > Save as > Encoding: "
            "UTF-8; in VS Code: click the encoding in the status bar > Save with Encoding)",
        )
    if b"\x00" in raw:
        return _failed(
            path,
            1,
            1,
            "this is not a text file (it contains NUL bytes)",
            "save the case study as plain UTF-8 text with a .yaml extension",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        return _failed(
            path,
            line,
            column,
            "the file is not valid UTF-8 text",
            "save it again as UTF-8 (most editors offer this under 'Save with encoding')",
        )
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return _failed(
            path,
            1,
            1,
            "the file is empty",
            "start from a template: run `cwb new SLUG`, or copy an existing case study",
        )
    words = frozenset(word for word in MARKER_WORDS if word in text)
    document = Document(path, words=words, marked=marks)
    try:
        try:
            _build(document, _events(text), record=marks)
        except yaml.MarkedYAMLError as error:
            if "maximum nesting depth" not in str(error.problem):
                raise
            # libyaml (PyYAML >= 6.0.4) refuses deep flow nesting while it scans ahead, before
            # MAX_DEPTH below sees the event: the pure-Python parser streams, so ours speaks first
            # and the contributor gets the same words whichever PyYAML is installed.
            document = Document(path, words=words, marked=marks)
            _build(document, _events(text, loader=yaml.SafeLoader), record=marks)
    except _Refused as refused:
        document.problems.append(
            Problem(path, refused.line, refused.column, refused.message, refused.hint)
        )
        document.data = None
    except yaml.MarkedYAMLError as error:
        document.problems.append(syntax_problem(path, error, text))
        document.data = None
    except yaml.YAMLError as error:  # unmarked errors are rare (e.g. a reader error)
        document.problems.append(Problem(path, 1, 1, f"YAML error: {error}", ""))
        document.data = None
    if document.data is None and not document.problems:  # e.g. only `---` or `null`
        document.problems.append(
            Problem(
                path, 1, 1, "the file holds no fields", "start from a template: run `cwb new SLUG`"
            )
        )
    elif document.data is not None and not isinstance(document.data, dict):
        found = "a list" if isinstance(document.data, list) else "a single value"
        document.problems.append(
            Problem(
                path,
                1,
                1,
                f"the file must be a mapping of fields (like `title: ...`), but it is {found}",
                "each line at the left margin should be a field name, a colon and its value",
            )
        )
        document.data = None
    return document


def _failed(path: Path, line: int, column: int, message: str, hint: str) -> Document:
    return Document(path, problems=[Problem(path, line, column, message, hint)])


# How YAML 1.2 (section 5.2) tells the encodings apart: a byte-order mark, or else the zero
# bytes around the first character, which is ASCII in any file we could read. Named as
# Notepad's Save as dialogue names them. (check-jsonschema reads UTF-16 with a byte-order mark;
# we ask for UTF-8, which the repository's other tools and diffs expect: issue 10.)
_WIDE_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_WIDE_WITHOUT_MARK = (
    (re.compile(b"[^\x00]\x00\x00\x00"), "utf-32-le", "UTF-32 LE"),
    (re.compile(b"\x00\x00\x00[^\x00]"), "utf-32-be", "UTF-32 BE"),
    (re.compile(b"[^\x00]\x00"), "utf-16-le", "UTF-16 LE"),
    (re.compile(b"\x00[^\x00]"), "utf-16-be", "UTF-16 BE"),
)


def _wide_encoding(raw: bytes) -> str | None:
    """Name the encoding of text saved as UTF-16 or UTF-32 (as Notepad may); None for binary."""
    for mark, codec, name in _WIDE_ENCODINGS:
        if raw.startswith(mark):
            return name if _is_text(raw[len(mark) :], codec) else None
    for pattern, codec, name in _WIDE_WITHOUT_MARK:
        if pattern.match(raw):
            return name if _is_text(raw, codec) else None
    return None


def _is_text(raw: bytes, codec: str) -> bool:
    # Only the start is decoded: a bad byte later must not hide the more useful message.
    head = codecs.getincrementaldecoder(codec)(errors="replace").decode(raw[:512])
    return "\ufffd" not in head and all(char.isprintable() or char in "\t\r\n" for char in head)


def _position(raw: bytes, offset: int) -> Mark:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def _events(text: str, *, loader: Any = _Loader) -> Iterator[Any]:
    # Any: the loop below dispatches on each event's exact class, which mypy cannot follow.
    return yaml.parse(text, Loader=loader)


class _Frame:
    """An open mapping or sequence while the tree is being built."""

    __slots__ = ("container", "key", "key_mark", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: JsonPath) -> None:
        self.container = container
        self.path = path
        self.key: str | None = None  # a mapping's key waiting for its value
        self.key_mark: Mark = (1, 1)


_NODE_STARTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
_NODE_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_IGNORED = (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)


def _build(document: Document, events: Iterator[Any], *, record: bool = True) -> None:
    """Build plain data from parser events, recording marks; raise _Refused on hostile input.

    This loop runs once per event of every file, so it dispatches on the event's exact class.
    """
    stack: list[_Frame] = []
    documents = 0
    marks = document.value_marks
    for event in events:
        kind = event.__class__
        if kind in _NODE_ENDS:
            frame = stack.pop()
            if not stack:
                document.data = frame.container
            continue
        if kind not in _NODE_STARTS:
            if kind is yaml.AliasEvent:
                raise _Refused(event.start_mark, _ANCHOR_MESSAGE, _ANCHOR_HINT)
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Refused(
                        event.start_mark,
                        "the file holds more than one YAML document",
                        "remove the `---` line: one case study per file",
                    )
                if event.version not in (None, (1, 2)):
                    # check-jsonschema would switch to YAML 1.1 meanings (`NO` = false) here.
                    raise _Refused(
                        event.start_mark,
                        f"the file asks for YAML {'.'.join(map(str, event.version))}",
                        "remove the `%YAML` line: case studies are read as YAML 1.2",
                    )
            continue
        if event.anchor is not None:
            raise _Refused(event.start_mark, _ANCHOR_MESSAGE, _ANCHOR_HINT)
        if event.tag is not None:
            written = event.tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(
                event.start_mark,
                f"YAML tags such as `{written}` are not allowed",
                "remove the tag and write a plain value",
            )
        start = event.start_mark
        mark = (start.line + 1, start.column + 1)
        parent = stack[-1] if stack else None
        if parent is not None and parent.key is None and parent.container.__class__ is dict:
            _take_key(document, parent, event, mark, record=record)
            continue
        path = _child_path(parent) if record else ()
        if record:
            marks[path] = mark
        if kind is yaml.ScalarEvent:
            value: Any = _scalar(event)
        else:
            value = {} if kind is yaml.MappingStartEvent else []
            if len(stack) >= MAX_DEPTH:
                raise _Refused(
                    start,
                    f"the data is nested more than {MAX_DEPTH} levels deep",
                    "a case study needs at most six levels: check the indentation",
                )
        if parent is None:
            document.data = value
        else:
            _attach(parent, value)
        if kind is not yaml.ScalarEvent:
            stack.append(_Frame(value, path))


_ANCHOR_MESSAGE = "YAML anchors (&name) and aliases (*name) are not allowed"
_ANCHOR_HINT = "write the value out in full where it is needed"


def _take_key(
    document: Document, frame: _Frame, event: yaml.Event, mark: Mark, *, record: bool
) -> None:
    if not isinstance(event, yaml.ScalarEvent):
        raise _Refused(
            event.start_mark,
            "a field name must be plain text, not a list or mapping",
            "write `name: value`, with the name on the left of the colon",
        )
    container = cast(dict[str, Any], frame.container)  # the caller checked it is a mapping
    key = event.value
    if key == "<<" and event.implicit[0]:
        raise _Refused(
            event.start_mark, "YAML merge keys (<<) are not allowed", "write the fields out in full"
        )
    path = (*frame.path, key) if record else ()
    if key in container:
        first = document.key_marks.get(path, (0, 0))[0]
        document.problems.append(
            Problem(
                document.path,
                mark[0],
                mark[1],
                f"duplicate field {quote(key)} (first given on line {first})",
                "keep one of them: YAML would silently keep only the last",
            )
        )
        # Keep the first value; the duplicate's value is parsed into a throwaway slot.
        key = f"\x00duplicate:{key}:{mark[0]}"
    elif record:
        document.key_marks[path] = mark
    frame.key = key
    frame.key_mark = mark


def _child_path(parent: _Frame | None) -> JsonPath:
    if parent is None:
        return ()
    if isinstance(parent.container, dict):
        return (*parent.path, parent.key or "")
    return (*parent.path, len(parent.container))


def _attach(parent: _Frame, value: Any) -> None:
    if isinstance(parent.container, dict):
        key = parent.key or ""
        if not key.startswith("\x00duplicate:"):
            parent.container[key] = value
        parent.key = None
    else:
        parent.container.append(value)


def _scalar(event: yaml.ScalarEvent) -> Any:
    """Resolve a plain scalar as YAML 1.2 does; a quoted or block scalar is always text."""
    if not event.implicit[0]:
        return event.value
    try:
        return resolve_plain(event.value)
    except Unagreed as unagreed:
        raise _Refused(event.start_mark, unagreed.message, unagreed.hint) from None
