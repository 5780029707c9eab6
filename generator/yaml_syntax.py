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

from generator.problems import Problem, misindented_hint, moved_out_problem

Mark = tuple[int, int]  # (line, column), both from 1

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def syntax_problem(path: Path, error: yaml.MarkedYAMLError, text: str) -> Problem:
    """Return the problem a parser error means, worded for the person who wrote the file."""
    return explain(path, error, text)[0]


def explain(path: Path, error: yaml.MarkedYAMLError, text: str) -> tuple[Problem, str | None]:
    """Return the problem a parser error means, and the text with it repaired or left out.

    The second part is the file as it reads once the hint is followed (a line indented as
    the hint says), or else with the broken line blanked out; None when neither parses past
    the error. The caller checks that text for the file's other problems (issue 21).
    """
    problem = _syntax_problem(path, error, text)
    try:
        repair = _layout_repair(error, text)
        if repair is not None:
            (line, column), message, hint, repaired = repair
            return Problem(path, line, column, f"YAML syntax error: {message}", hint), repaired
        return problem, _blanked(text, error, problem.line)
    except yaml.YAMLError:  # a trial that the parser refuses in an unforeseen way
        return problem, None


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


# --- repairing the layout: a trial parse for each likely fix (issue 21) ---

_KEY = re.compile(r"\s*(?:-\s+)?([^\s:#'\"\[{][^:#]*?):(?:\s|$)")
_MAX_TRIALS = 6


def _parse_error(text: str) -> yaml.MarkedYAMLError | None:
    """Return the error the parser stops at, or None when the whole text parses."""
    try:
        for _ in yaml.parse(text, Loader=_Loader):
            pass
    except yaml.MarkedYAMLError as error:
        return error
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key(line: str) -> str | None:
    match = _KEY.match(line)
    return match[1].strip() if match else None


def _reindented(lines: list[str], number: int, column: int) -> str:
    changed = [*lines]
    changed[number] = " " * column + changed[number].lstrip(" ")
    return "\n".join(changed)


def _content_line_before(lines: list[str], number: int) -> int | None:
    for index in range(number - 1, -1, -1):
        content = lines[index].strip(" ")
        if content and not content.startswith("#"):
            return index
    return None


def _starts(line: str) -> list[int]:
    """Return the columns where keys start on a line: `- a: 1` starts at 0 (the dash) and 2."""
    starts = [_indent(line)]
    content = line.lstrip(" ")
    while content.startswith("- "):
        content = content[2:].lstrip(" ")
        starts.append(len(line) - len(content))
    return starts


def _lined_up_with(lines: list[str], number: int, column: int) -> int | None:
    """Return the nearest line above `number` with a key that starts at column."""
    for index in range(number - 1, -1, -1):
        line = lines[index]
        if not line.strip(" ") or line.lstrip(" ").startswith("#"):
            continue
        if _indent(line) < column and column not in _starts(line):
            return None  # the block that column belongs to ends here
        if column in _starts(line) and _key(line[column:]):
            return index
    return None


def _layout_repair(error: yaml.MarkedYAMLError, text: str) -> tuple[Mark, str, str, str] | None:
    """Find the one line whose indentation, changed, makes the whole file parse.

    Two mistakes are tried: a field moved too far left, out of the group above it (the parser
    then stumbles on the next line), and a line indented too little or too much.
    """
    mark = error.problem_mark
    if mark is None or text[mark.index : mark.index + 1] == "\t":
        return None
    lines = _LINE_BREAK.split(text)
    if mark.line >= len(lines):
        return None
    number = mark.line
    line = lines[number]
    if not _FIELD.match(line):
        return None
    indent = _indent(line)
    key = _key(line)
    previous = _content_line_before(lines, number)
    if previous is not None and _indent(lines[previous]) < indent:
        moved = _moved_left(lines, previous, indent, number)
        if moved is not None:
            return moved
    trials = 0
    further: tuple[Mark, str, str, str] | None = None
    candidates = _indentations_above(lines, number) + list(range(max(indent - 4, 0), indent + 5, 2))
    # The smallest move first: a line one space off belongs with the lines nearest its column.
    for column in sorted(dict.fromkeys(candidates), key=lambda column: abs(column - indent)):
        if column == indent or trials >= _MAX_TRIALS:
            continue
        like = _lined_up_with(lines, number, column)
        if like is None or not key:
            continue
        trials += 1
        repaired = _reindented(lines, number, column)
        later = _parse_error(repaired)
        if later is not None and (further or not _beyond(later, number + 1)):
            continue
        other = _key(lines[like][column:]) or ""
        found = (
            (number + 1, indent + 1),
            "the indentation of this line does not match the lines above",
            misindented_hint(key, column - indent, other, like + 1),
            repaired,
        )
        if later is None:
            return found
        further = found  # another mistake further on; a fix that parses to the end is better
    return further


def _beyond(error: yaml.MarkedYAMLError, number: int) -> bool:
    """Return whether the parser now stops after line `number` (0-based)."""
    return error.problem_mark is not None and error.problem_mark.line > number


def _moved_left(
    lines: list[str], number: int, column: int, after: int
) -> tuple[Mark, str, str, str] | None:
    """Explain a `key: value` line further left than the fields before and after it.

    `after` is the line the parser stumbled on: the next field of the same group.
    """
    line = lines[number]
    key = _key(line)
    if key is None or line.rstrip().endswith(":") or line.lstrip().startswith("-"):
        return None
    sibling = _lined_up_with(lines, number, column)
    if sibling is None:  # the group's first field moved left: `coordinates:` then `lat:`
        opener = _content_line_before(lines, number)
        if opener is None or not lines[opener].rstrip().endswith(":"):
            return None
        if max(_starts(lines[opener])) >= column or not (group := _key(lines[opener])):
            return None
        if _indent(line) > _indent(lines[opener]):
            return None  # inside the group as YAML reads it: only misaligned
        repaired = _reindented(lines, number, column)
        later = _parse_error(repaired)
        if later is not None and not _beyond(later, after):
            return None
        indent = _indent(line)
        like = _key(lines[after][column:]) or ""
        message, hint = moved_out_problem(key, group, column - indent, like, more=indent > 0)
        return (number + 1, indent + 1), message, hint, repaired
    parent = next(
        (
            index
            for index in range(sibling - 1, -1, -1)
            if lines[index].strip(" ")
            and not lines[index].lstrip(" ").startswith("#")
            and max(_starts(lines[index])) < column
        ),
        None,
    )
    if parent is None or not (parent_key := _key(lines[parent])):
        return None
    if _indent(line) > _indent(lines[parent]):
        return None  # inside the group as YAML reads it: only misaligned
    first = next(
        (
            index
            for index in range(parent + 1, number)
            if column in _starts(lines[index]) and _key(lines[index][column:])
        ),
        sibling,
    )
    repaired = _reindented(lines, number, column)
    later = _parse_error(repaired)
    if later is not None and not _beyond(later, number + 1):
        return None
    indent = _indent(line)
    like = _key(lines[first][column:]) or ""
    message, hint = moved_out_problem(key, parent_key, column - indent, like, more=indent > 0)
    return (number + 1, indent + 1), message, hint, repaired


def _blanked(text: str, error: yaml.MarkedYAMLError, number: int) -> str | None:
    """Return the text with line `number` (from 1) blanked out, if the rest then parses."""
    lines = _LINE_BREAK.split(text)
    if not 0 < number <= len(lines):
        return None
    first = number - 1
    if error.context_mark is not None and "expected ','" in (error.problem or ""):
        first = min(first, error.context_mark.line)  # the whole [list] or {mapping}
    changed = [*lines]
    changed[first:number] = [""] * (number - first)
    repaired = "\n".join(changed)
    later = _parse_error(repaired)
    if later is None:
        return repaired
    mark, after = error.problem_mark, later.problem_mark
    if mark is not None and after is not None and after.line > mark.line:
        return repaired  # the next error lies further on: the caller reports it in turn
    return None
