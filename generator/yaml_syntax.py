"""YAML syntax errors explained: what the contributor got wrong, not what the parser expected.

The parser reports where it gave up, which is often lines after the mistake (an unclosed quote
swallows the rest of the file). These helpers find the likely mistake and point at it: the
quote that opens, the line whose indentation does not match, the bracket never closed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from generator.problems import Problem

Mark = tuple[int, int]  # (line, column), both from 1

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def syntax_problem(path: Path, error: yaml.MarkedYAMLError, text: str) -> Problem:
    """Return the problem a parser error means, worded for the person who wrote the file."""
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
