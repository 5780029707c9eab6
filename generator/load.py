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
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from generator.problems import Problem

log = logging.getLogger(__name__)

# A rich case study is about 20 KB; 512 KB leaves room and bounds the parser's work.
MAX_BYTES = 512 * 1024
# The schema nests five levels deep; 32 is generous and stops stack-hungry inputs early.
MAX_DEPTH = 32

# Words that later stages ask about (`cwb new` writes TODO placeholders).
MARKER_WORDS = ("TODO",)

JsonPath = tuple[str | int, ...]
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
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as error:
        return _failed(path, 0, 0, f"cannot read the file: {error.strerror}", "")
    return parse_document(raw, path, marks=marks)


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
    document = Document(
        path, words=frozenset(word for word in MARKER_WORDS if word in text), marked=marks
    )
    try:
        _build(document, _events(text), record=marks)
    except _Refused as refused:
        document.problems.append(
            Problem(path, refused.line, refused.column, refused.message, refused.hint)
        )
        document.data = None
    except yaml.MarkedYAMLError as error:
        document.problems.append(_syntax_problem(path, error, text))
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


def _events(text: str) -> Iterator[Any]:
    # Any: the loop below dispatches on each event's exact class, which mypy cannot follow.
    return yaml.parse(text, Loader=_Loader)


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
                f"duplicate field '{key}' (first given on line {first})",
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


# The YAML 1.2 core schema (yaml.org/spec/1.2.2, section 10.3) as check-jsonschema reads it:
# its reader, ruamel.yaml, also takes `_` between digits, `0b` binary and a sign before
# `0x`/`0o`, and reads `.5e3` (no sign after the e) as text. We follow it there, so that the
# pre-commit check and `cwb validate` never disagree; the editor reads those few forms as the
# core schema does. Dates stay the text that was written (check-jsonschema does the same).
_WORDS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_NUMBER_STARTS = frozenset("-+0123456789.")
_FLOAT = re.compile(
    r"""[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
      | [-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
      | [-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
      | [-+]?\.(?:inf|Inf|INF)
      | \.(?:nan|NaN|NAN)""",
    re.VERBOSE,
).fullmatch
_INT = re.compile(r"[-+]?(?:0b[01_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)").fullmatch
# ruamel.yaml gives these YAML 1.1 types (merge, value) and then fails to load the file.
_SPECIAL = frozenset(("<<", "="))


def _scalar(event: yaml.ScalarEvent) -> Any:
    """Resolve a plain scalar as YAML 1.2 does; a quoted or block scalar is always text."""
    text: str = event.value
    if not event.implicit[0]:
        return text
    value = _WORDS.get(text, _MISSING)
    if value is not _MISSING:
        return value
    if text[0] not in _NUMBER_STARTS:
        if text in _SPECIAL:
            raise _Refused(
                event.start_mark,
                f"a bare `{text}` has a special meaning in YAML",
                f"put it in quotes: '{text}'",
            )
        return text
    try:
        if _FLOAT(text):
            return _float(text)
        if _INT(text):
            return _int(text)
    except ValueError:  # e.g. `+_`, or more digits than Python reads; check-jsonschema fails too
        raise _Refused(
            event.start_mark,
            f"`{text[:40]}` is neither a number nor text that YAML tools agree on",
            "write the number with digits only, or put the text in quotes",
        ) from None
    return text


_MISSING = object()
_BASES = {"0b": 2, "0o": 8, "0x": 16}


# Numbers are built as ruamel.yaml's constructor builds them, so both read the same value.
def _float(text: str) -> float:
    digits = text.replace("_", "").lower()
    sign = -1.0 if digits[0] == "-" else 1.0
    digits = digits.lstrip("+-")
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    return sign * float(digits)


def _int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits[0] == "-" else 1
    digits = digits.lstrip("+-")
    base = _BASES.get(digits[:2])
    return sign * (int(digits[2:], base) if base else int(digits))


def _syntax_problem(path: Path, error: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (error.problem or "invalid YAML").strip()
    at = error.problem_mark
    if at is not None and text[at.index : at.index + 1] != "\t":
        # Say what the contributor got wrong rather than what the parser expected (issue 10).
        lines = [*_LINE_BREAK.split(text), ""]  # the parser may point just past the end
        found = at.line < len(lines) and (
            _quote_problem(error, at, text, lines)
            or _indentation_problem(error, at, lines)
            or _bracket_problem(error, at, lines)
        )
        if found:
            (line, column), message, hint = found
            return Problem(path, line, column, f"YAML syntax error: {message}", hint)
    hint = "check the indentation and the colons around this line"
    if mark is not None and text[mark.index : mark.index + 1] == "\t":
        hint = "YAML indents with spaces, not tabs: replace the tab with spaces"
    elif "mapping values are not allowed" in problem:
        hint = "a value contains ': ' — put the whole value in quotes"
    elif "found character '@'" in problem or "found character '`'" in problem:
        hint = "a value starts with a reserved character — put the whole value in quotes"
    elif "could not find expected ':'" in problem:
        hint = "a field is missing its colon, or a long text needs quotes or a `>-` block"
    return Problem(path, line, column, f"YAML syntax error: {problem}", hint)


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # as the parser counts lines
_Found = tuple[Mark, str, str]  # where, message, hint


def _quote_problem(
    error: yaml.MarkedYAMLError, mark: yaml.Mark, text: str, lines: list[str]
) -> _Found | None:
    """Explain a quote that is never closed, closed too early, or closed on a later line."""
    opened = error.context_mark
    problem = error.problem or ""
    if "quoted scalar" in (error.context or "") and ("escape" in problem or "hex" in problem):
        backslash = lines[mark.line].rfind("\\", 0, mark.column + 1)  # the parser points past it
        return (
            (mark.line + 1, (backslash if backslash >= 0 else mark.column) + 1),
            "a backslash inside double quotes starts an escape sequence",
            "write a backslash as \\\\, or put the value in single quotes",
        )
    if "unexpected end of stream" in problem or "unexpected document" in problem:
        if opened is None or "quoted scalar" not in (error.context or ""):
            return None
        quote = lines[opened.line][opened.column : opened.column + 1] or '"'
        until = "the end of the file"
        if "stream" not in problem:
            until = f"the `{lines[mark.line][:3]}` on line {mark.line + 1}"
        return (
            (opened.line + 1, opened.column + 1),
            "this quote is never closed",
            f"add the closing {quote} at the end of the value; without it YAML reads on to {until}",
        )
    token = _last_quoted_before(text, mark)
    if token is None or token.end_mark.line != mark.line:
        return None
    start, end = token.start_mark, token.end_mark
    quote = token.style
    swallowed = [n for n in range(start.line + 1, end.line + 1) if _FIELD.match(lines[n])]
    if swallowed:
        return (
            (start.line + 1, start.column + 1),
            "the quote that opens this value is not closed on its line",
            f"add the closing {quote} at the end of line {start.line + 1}; without it YAML reads "
            f"line {swallowed[0] + 1} and on as part of this value, up to the {quote} on line "
            f"{end.line + 1}",
        )
    if lines[mark.line][end.column : mark.column].strip(" "):
        return None  # something else lies between the quote and the problem
    if quote == "'":
        hint = (
            "inside single quotes write an apostrophe twice (''), or put the value in double quotes"
        )
    else:
        hint = 'inside double quotes write a quote mark as \\", or put the value in single quotes'
    return (mark.line + 1, mark.column + 1), "text follows the closing quote", hint


# A line that starts a field or a list item: what an unclosed quote swallows.
_FIELD = re.compile(r"\s*(?:- |[^\s:#'\"][^:#]*:(?:\s|$))")


def _last_quoted_before(text: str, mark: yaml.Mark) -> Any:
    """Return the last quoted scalar token that ends at or before the mark, or None."""
    last = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if (token.start_mark.line, token.start_mark.column) >= (mark.line, mark.column):
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                last = token
    except yaml.YAMLError:
        pass  # the scanner stops at the same problem; the tokens before it are what we need
    return last


def _indentation_problem(
    error: yaml.MarkedYAMLError, mark: yaml.Mark, lines: list[str]
) -> _Found | None:
    """Explain a line whose indentation matches none of the lines above it."""
    line = lines[mark.line]
    indent = len(line) - len(line.lstrip(" "))
    mapping_value = "mapping values are not allowed" in (error.problem or "")
    if mapping_value:
        # A field indented too far is read as more of the plain text above it, whose colon
        # then fails: the colon must be the first one on the line, right after the name.
        if not _FIELD.match(line) or line.find(":", indent) != mark.column:
            return None
    elif mark.column != indent or error.context is None:
        return None
    above = _indentations_above(lines, mark.line)
    if not above or indent in above:
        return None
    columns = " or ".join(str(column + 1) for column in above[:2])
    hint = (
        f"line {mark.line + 1} starts in column {indent + 1}, but the lines above it start in "
        f"column {columns}: indent it exactly like the lines it belongs with"
    )
    if mapping_value:
        hint += "; a line indented further is read as more of the text above it (if it is, put "
        hint += "that text in quotes)"
    return (
        (mark.line + 1, indent + 1),
        "the indentation of this line does not match the lines above",
        hint,
    )


def _bracket_problem(
    error: yaml.MarkedYAMLError, mark: yaml.Mark, lines: list[str]
) -> _Found | None:
    """Explain a [list] or {mapping} written on one line that is never closed."""
    opened = error.context_mark
    if opened is None or "expected ','" not in (error.problem or ""):
        return None
    bracket = lines[opened.line][opened.column : opened.column + 1] or "["
    closing = "]" if bracket == "[" else "}"
    return (
        (mark.line + 1, mark.column + 1),
        f"expected a comma or the closing {closing} of the {bracket} on line {opened.line + 1}",
        f"close the {bracket} on line {opened.line + 1} with {closing}, and separate its items "
        "with commas (a text with a comma in it needs quotes)",
    )


def _indentations_above(lines: list[str], number: int) -> list[int]:
    """Return the columns (0-based, nearest first) where a line after `number - 1` may start."""
    columns: list[int] = []
    for line in reversed(lines[:number]):
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        starts = [len(line) - len(content)]
        while content.startswith("- "):  # a list item: its dash, and its fields if it has some
            content = content[2:].lstrip(" ")
            if content.startswith("- ") or _FIELD.match(content):
                starts.append(len(line) - len(content))
        for column in reversed(starts):
            if not columns or column < min(columns):
                columns.append(column)
        if columns[-1] == 0:
            break
    return columns
