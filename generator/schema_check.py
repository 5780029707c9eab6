"""Check data against a JSON Schema and explain each error to a contributor.

Each error becomes a `Problem` at the line and column of the value, with a hint in plain words
(did you mean …, the allowed values, the field's own description).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs
import regress

from generator.load import Document
from generator.model import PILLAR_SLUGS
from generator.paths import CASE_STUDY_SCHEMA
from generator.problems import (
    PLACEHOLDER,
    JsonPath,
    Problem,
    clip,
    field_name,
    number_text,
    printable,
    quote,
    suggest,
    year_problem,
)
from generator.schema_walk import resolve


class SchemaCheck:
    """A JSON Schema compiled twice: a fast Rust yes-or-no, and a Python one for the details."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._fast = jsonschema_rs.Draft7Validator(schema)
        self._detailed = _EcmaDraft7Validator(schema)

    def problems(self, document: Document, *, placeholders: bool = True) -> list[Problem]:
        """Validate a document; map each error to its line and column.

        A `TODO: …` placeholder left by `cwb new` is reported as such, with the field's
        description as the hint, instead of as a wrong type or form.
        """
        found = dict(_placeholders(document.data, ())) if placeholders else {}
        if not found and self._fast.is_valid(document.data):
            return []  # the common case, fifty times faster; details only when something is wrong
        problems = [
            document.problem(
                path,
                f"{field_name(path)} is still a placeholder: {printable(clip(text, 60))}",
                _description_at(self.schema, path),
            )
            for path, text in found.items()
        ]
        for error in self._detailed.iter_errors(document.data):
            if tuple(error.absolute_path) not in found:
                problems.extend(_explain(document, error))
        if not problems:
            # The fast check refused what the detailed pass cannot explain (e.g. a `format`
            # only it checks): a refused document is never valid, so say it in its words.
            problems = [
                self._fast_words(document, error) for error in self._fast.iter_errors(document.data)
            ]
        return problems

    def _fast_words(self, document: Document, error: jsonschema_rs.ValidationError) -> Problem:
        path: JsonPath = tuple(error.instance_path)
        return document.problem(
            path,
            f"{field_name(path)} is not valid: {printable(clip(error.message, 160))}",
            _description_at(self.schema, path),
        )


@cache
def _ecma_regex(pattern: str) -> regress.Regex:
    return regress.Regex(pattern)


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    """Match as ECMA-262 does, where `$` is the end of the text (issue 16, item 4)."""
    if validator.is_type(instance, "string") and _ecma_regex(pattern).find(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


# The detailed pass reads `pattern` as the fast check, check-jsonschema and editors do; with
# Python's `re`, "2025-02-30\n" matched ^…$ and reached the build as a date.
_EcmaDraft7Validator = jsonschema.validators.extend(
    jsonschema.Draft7Validator, {"pattern": _ecma_pattern}
)


@cache
def case_study_schema() -> dict[str, Any]:
    """Return the case-study JSON Schema."""
    schema: dict[str, Any] = json.loads(CASE_STUDY_SCHEMA.read_text("utf-8"))
    return schema


@cache
def case_study_check() -> SchemaCheck:
    """Return the compiled case-study schema (once per process)."""
    return SchemaCheck(case_study_schema())


def _placeholders(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(value, str) and value.lstrip().startswith(PLACEHOLDER):
        yield path, value.strip()
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _placeholders(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _placeholders(child, (*path, index))


def _description_at(schema: dict[str, Any], path: JsonPath) -> str:
    """Return the schema's description of the field at a data path, for hints."""
    node: dict[str, Any] = schema
    for part in path:
        node = resolve(node, schema)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return str(resolve(node, schema).get("description", ""))


# --- JSON Schema errors, explained to a contributor ---

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number (e.g. 2016)",
    "number": "a number (e.g. 53.76 or 111)",
    "boolean": "true or false",
    "array": "a list (lines starting with '- ')",
    "object": "a group of fields (indented lines `name: value`)",
    "null": "nothing",
}


def _found(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        return f"text {quote(value)}"
    if isinstance(value, (int, float)):
        return f"the number {number_text(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return "nothing" if value is None else type(value).__name__


def _pattern_hint(path: JsonPath) -> str:
    name = next((part for part in reversed(path) if isinstance(part, str)), "")
    if name in ("url",):
        return "write the full web address, starting with https:// (or http://)"
    if name == "country":
        return "use the two-letter ISO 3166-1 code in capitals, e.g. GB, US, ES, IT"
    if name == "last_reviewed":
        return "write the date as YYYY-MM-DD, e.g. 2026-11-23"
    if name == "date":
        return "write the date as YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2018-05-10"
    return "use lower-case letters, digits and single hyphens only, e.g. cles-preston-2019"


def _explain(document: Document, error: jsonschema.ValidationError) -> Iterator[Problem]:
    path: JsonPath = tuple(error.absolute_path)
    field = field_name(path)
    keyword = error.validator
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if keyword == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for key in sorted(set(value) - set(allowed)):
            yield _unknown_field(document, path, key, allowed)
    elif keyword == "required":
        # jsonschema reports each missing field as an error of its own, naming it first.
        missing = [
            name
            for name in error.validator_value
            if name not in value and error.message.startswith(repr(name))
        ]
        misspelt = set(value) - set(schema.get("properties", {}))
        for name in missing[:1]:
            if difflib.get_close_matches(name, list(misspelt), n=1, cutoff=0.6):
                continue  # the unknown-field problem already says "did you mean"
            where = f" in {field}" if path else ""
            described = schema.get("properties", {}).get(name, {}).get("description", "")
            yield document.problem(
                path,
                f"missing required field '{name}'{where}",
                f"add `{name}:` — {described}" if described else "",
                key=True,
            )
    elif keyword == "type":
        expected = error.validator_value
        words = " or ".join(
            _TYPE_WORDS.get(kind, str(kind))
            for kind in (expected if isinstance(expected, list) else [expected])
        )
        hint = ""
        if expected == "integer" and isinstance(value, str) and value.strip().isdigit():
            hint = "remove the quotes around the number"
        elif expected in ("integer", "number") and isinstance(value, str):
            hint = "write just the number, without units, words or thousands separators"
        elif expected == "array" and isinstance(value, str):
            hint = "start each item on its own line with '- '"
        elif expected == "boolean" and isinstance(value, str):
            # YAML 1.2, which editors and pre-commit read, knows only true and false.
            hint = "write true or false (yes, no, on and off are read as text)"
        elif expected == "string" and isinstance(value, (int, float, bool)):
            hint = "put the value in quotes"
        yield document.problem(path, f"{field} should be {words}, but it is {_found(value)}", hint)
    elif keyword == "enum":
        allowed = [str(choice) for choice in error.validator_value]
        label = "pillar" if path and path[-1] == "pillar" else f"value for {field}"
        yield document.problem(
            path,
            f"{quote(value)} is not an allowed {label}",
            f"{suggest(str(value), allowed)}allowed: {', '.join(allowed)}",
        )
    elif keyword == "pattern" and path and path[-1] == "url" and _web_address(value):
        yield document.problem(
            path,
            f"{field} holds {_unusable(value)}, which a web address cannot hold as it is: "
            f"{quote(value)}",
            "copy the address from the browser's address bar, which writes such characters "
            "as %20, %22, %C3%BC …",
        )
    elif keyword == "pattern" and path and path[-1] == "url":
        yield document.problem(
            path,
            f"{field} must be a web address starting with https:// or http://, not {quote(value)}",
            _pattern_hint(path),
        )
    elif keyword == "pattern":
        yield document.problem(
            path, f"{field} has the wrong form: {quote(value)}", _pattern_hint(path)
        )
    elif keyword in ("minLength", "maxLength"):
        size = "short" if keyword == "minLength" else "long"
        yield document.problem(
            path,
            f"{field} is too {size} ({len(value)} characters)",
            f"write {'at least' if size == 'short' else 'at most'} "
            f"{error.validator_value} characters",
        )
    elif keyword in ("minItems", "minProperties"):
        yield document.problem(
            path,
            f"{field} needs at least {error.validator_value} "
            f"item{'s' if error.validator_value != 1 else ''}",
            schema.get("description", ""),
        )
    elif keyword in ("minimum", "maximum") and schema.get("type") == "integer":
        yield document.problem(path, *year_problem(field, value, dt.date.today()))
    elif keyword in ("minimum", "maximum"):
        yield document.problem(
            path,
            f"{field} is {number_text(value)}, outside the allowed range",
            f"it must be between {_bound(schema, 'minimum')} and {_bound(schema, 'maximum')}",
        )
    elif keyword == "not" and isinstance(value, float) and math.isnan(value):
        yield document.problem(
            path,
            f"{field} is {number_text(value)}",
            f"write a number between {_bound(schema, 'minimum')} and {_bound(schema, 'maximum')}",
        )
    elif keyword == "uniqueItems":
        yield document.problem(path, f"{field} lists the same item twice", "remove the repeat")
    else:
        yield document.problem(path, f"{field}: {error.message}", "")


def _bound(schema: dict[str, Any], keyword: str) -> str:
    bound = schema.get(keyword)
    return f"{bound:,}" if isinstance(bound, int) else str(bound) if bound is not None else "…"


_URL_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#@!$&'()*+,;=%"
)


_HEX = frozenset("0123456789abcdefABCDEF")


def _web_address(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _unusable(url: str) -> str:
    """Name the first character the schema's URL pattern refuses, as a contributor sees it."""
    for index, char in enumerate(url):
        digits = url[index + 1 : index + 3]
        if char == "%" and (len(digits) < 2 or not set(digits) <= _HEX):
            return "a % that is not followed by two hex digits"
        if char == "#" and "#" in url[:index]:
            return "a second #"
        if char not in _URL_CHARACTERS:
            names = {" ": "a space", '"': "a double quote", "\n": "a line break"}
            return names.get(char) or f"the character {quote(char)}"
    return "a character"


def _unknown_field(document: Document, path: JsonPath, key: str, allowed: list[str]) -> Problem:
    if path == ("pillars",):
        return document.problem(
            (*path, key),
            f"unknown pillar {quote(key)}",
            f"{suggest(key, allowed)}the five pillars are: {', '.join(PILLAR_SLUGS)}",
            key=True,
        )
    where = f" in {field_name(path)}" if path else ""
    suggestion = suggest(key, allowed)
    hint = f"{suggestion}allowed fields{where}: {', '.join(allowed)}"
    return document.problem((*path, key), f"unknown field {quote(key)}{where}", hint, key=True)
