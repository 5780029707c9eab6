"""Check case studies: the JSON Schema first, then the checks a schema cannot express.

Every problem of every file is collected and returned; nothing stops at the first one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import jsonschema
import jsonschema_rs
import pycountry

from generator.load import Document, JsonPath, load_document
from generator.model import PILLAR_SLUGS, CaseStudy, case_study_from_data
from generator.parallel import map_in_processes, paused_gc
from generator.paths import CASE_STUDY_SCHEMA
from generator.problems import Problem
from generator.scaffold import PLACEHOLDER
from generator.schema_walk import resolve

log = logging.getLogger(__name__)

EARLIEST_YEAR = 1800  # older than any community wealth building work; catches typos like 213


@dataclass
class ValidationResult:
    """The outcome of validating a set of files."""

    problems: list[Problem]
    files: int
    valid_documents: list[Document] = field(default_factory=list, repr=False)

    @cached_property
    def case_studies(self) -> list[CaseStudy]:
        """Return the valid files as records (built on first use: `cwb validate` needs none)."""
        with paused_gc():
            return [case_study_from_data(doc.data, doc.path) for doc in self.valid_documents]

    @property
    def ok(self) -> bool:
        """Return whether every file is valid."""
        return not self.problems


@cache
def case_study_schema() -> dict[str, Any]:
    """Return the case-study JSON Schema."""
    schema: dict[str, Any] = json.loads(CASE_STUDY_SCHEMA.read_text("utf-8"))
    return schema


_validators: dict[int, tuple[dict[str, Any], jsonschema.Draft7Validator]] = {}


def _fast_validator(schema: dict[str, Any]) -> Any:
    """Return the compiled Rust validator (jsonschema-rs) for a quick yes or no."""
    entry = _fast_validators.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _fast_validators[id(schema)] = (schema, jsonschema_rs.Draft7Validator(schema))
    return entry[1]


_fast_validators: dict[int, tuple[dict[str, Any], Any]] = {}


def _validator(schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    """Return a compiled validator per schema object (kept alive beside it, so ids stay unique)."""
    entry = _validators.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _validators[id(schema)] = (schema, jsonschema.Draft7Validator(schema))
    return entry[1]


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their *.yaml / *.yml files, sorted; keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


@dataclass
class _Checked:
    """One file after its own checks: what the cross-file checks and the model need."""

    document: Document
    problems: list[Problem]


def _check_with_cache(files: list[Path], cache: FileCache) -> list[_Checked]:
    keys = {}
    for path in files:
        try:
            stat = path.stat()
            keys[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            keys[path] = (0, -1)
    stale = [path for path in files if path not in cache or cache[path][0] != keys[path]]
    for path, result in zip(stale, map_in_processes(_check_file, stale), strict=True):
        cache[path] = (keys[path], result)
    for path in set(cache) - set(files):
        del cache[path]  # deleted files
    return [cache[path][1] for path in files]


def _check_file(path: Path) -> _Checked:
    """Load one file and run every check that needs only that file.

    Most files are valid: a first pass without position marks decides; only a file with a
    problem is loaded again, with marks, so that each problem names its line and column.
    """
    quick = _checked(load_document(path, marks=False))
    if not quick.problems:
        return quick
    return _checked(load_document(path))


def _checked(document: Document) -> _Checked:
    problems = list(document.problems)
    if document.ok:
        problems.extend(
            schema_problems(
                document, case_study_schema(), placeholders=document.mentions(PLACEHOLDER)
            )
        )
        problems.extend(_semantic_problems(document, dt.date.today()))
    # Only the marks the cross-file checks point at travel back from a worker process.
    document.value_marks = {
        path: mark for path, mark in document.value_marks.items() if path[:1] in _CROSS_FILE
    }
    document.key_marks = {}
    return _Checked(document, problems)


_CROSS_FILE = (("slug",), ("related",))


FileCache = dict[Path, tuple[tuple[int, int], _Checked]]


def validate_files(files: list[Path], *, cache: FileCache | None = None) -> ValidationResult:
    """Load and check every file (on every core for large sets); return case studies and problems.

    With a cache (the preview server's), a file whose size and modification time are unchanged
    is not read again; the checks that span files always run.
    """
    with paused_gc():
        return _validate(files, cache)


def _validate(files: list[Path], cache: FileCache | None) -> ValidationResult:
    if cache is None:
        checked = map_in_processes(_check_file, files)
    else:
        checked = _check_with_cache(files, cache)
    documents = [item.document for item in checked]
    problems = [problem for item in checked for problem in item.problems]
    cross = list(_cross_file_problems(documents))
    unmarked = {problem.path for problem in cross} & {
        document.path for document in documents if not document.marked
    }
    if unmarked:  # rare: load those files again with marks, so the problems name their lines
        documents = [
            _checked(load_document(document.path)).document
            if document.path in unmarked
            else document
            for document in documents
        ]
        cross = list(_cross_file_problems(documents))
    problems.extend(cross)
    bad_files = {problem.path for problem in problems}
    valid = [document for document in documents if document.ok and document.path not in bad_files]
    return ValidationResult(sorted(problems), len(files), valid)


def schema_problems(
    document: Document, schema: dict[str, Any], *, placeholders: bool = True
) -> list[Problem]:
    """Validate a document against a JSON Schema; map each error to its line and column.

    A `TODO: …` placeholder left by `cwb new` is reported as such, with the field's
    description as the hint, instead of as a wrong type or form.
    """
    validator = _validator(schema)
    found = dict(_placeholders(document.data, ())) if placeholders else {}
    if not found and _fast_validator(schema).is_valid(document.data):
        return []  # the common case, fifty times faster; details only when something is wrong
    problems = [
        document.problem(
            path,
            f"{_field_name(path)} is still a placeholder: {_clip(text, 60)}",
            _description_at(schema, path),
        )
        for path, text in found.items()
    ]
    for error in validator.iter_errors(document.data):
        if tuple(error.absolute_path) not in found:
            problems.extend(_explain(document, error))
    return problems


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


# --- JSON Schema errors, explained to a contributor ------------------------------------------

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number (e.g. 2016)",
    "number": "a number (e.g. 53.76 or 111)",
    "boolean": "true or false",
    "array": "a list (lines starting with '- ')",
    "object": "a group of fields (indented lines `name: value`)",
    "null": "nothing",
}


def _field_name(path: JsonPath) -> str:
    """Return a path as a contributor reads it: sources[2].url (items counted from 1)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "the file"


def _found(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        return f"text '{_clip(value)}'"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return "nothing" if value is None else type(value).__name__


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _suggest(word: str, choices: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'? " if matches else ""


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
    field = _field_name(path)
    keyword = error.validator
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if keyword == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for key in sorted(set(value) - set(allowed)):
            yield _unknown_field(document, path, key, allowed)
    elif keyword == "required":
        missing = [name for name in error.validator_value if name not in value]
        misspelt = set(value) - set(schema.get("properties", {}))
        for name in missing:
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
        elif expected == "string" and isinstance(value, (int, float, bool)):
            hint = "put the value in quotes"
        yield document.problem(path, f"{field} should be {words}, but it is {_found(value)}", hint)
    elif keyword == "enum":
        allowed = [str(choice) for choice in error.validator_value]
        label = "pillar" if path and path[-1] == "pillar" else f"value for {field}"
        yield document.problem(
            path,
            f"'{_clip(str(value))}' is not an allowed {label}",
            f"{_suggest(str(value), allowed)}allowed: {', '.join(allowed)}",
        )
    elif keyword == "pattern" and path and path[-1] == "url":
        yield document.problem(
            path,
            f"{field} must be a web address starting with https:// "
            f"or http://, not '{_clip(str(value))}'",
            _pattern_hint(path),
        )
    elif keyword == "pattern":
        yield document.problem(
            path, f"{field} has the wrong form: '{_clip(str(value))}'", _pattern_hint(path)
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
    elif keyword in ("minimum", "maximum"):
        yield document.problem(
            path,
            f"{field} is {value}, outside the allowed range",
            f"it must be between {schema.get('minimum', '…')} and {schema.get('maximum', '…')}",
        )
    elif keyword == "uniqueItems":
        yield document.problem(path, f"{field} lists the same item twice", "remove the repeat")
    else:
        yield document.problem(path, f"{field}: {error.message}", "")


def _unknown_field(document: Document, path: JsonPath, key: str, allowed: list[str]) -> Problem:
    if path == ("pillars",):
        return document.problem(
            (*path, key),
            f"unknown pillar '{key}'",
            f"{_suggest(key, allowed)}the five pillars are: {', '.join(PILLAR_SLUGS)}",
            key=True,
        )
    where = f" in {_field_name(path)}" if path else ""
    suggestion = _suggest(key, allowed)
    hint = f"{suggestion}allowed fields{where}: {', '.join(allowed)}"
    return document.problem((*path, key), f"unknown field '{key}'{where}", hint, key=True)


# --- checks a schema cannot express -------------------------------------------------------------


def _semantic_problems(document: Document, today: dt.date) -> Iterator[Problem]:
    data: dict[str, Any] = document.data
    slug = data.get("slug")
    if isinstance(slug, str) and slug != document.path.stem:
        yield document.problem(
            ("slug",),
            f"slug '{slug}' does not match the file name '{document.path.name}'",
            f"rename the file to {slug}.yaml, or set `slug: {document.path.stem}`",
        )
    yield from _citation_problems(document)
    yield from _year_problems(document, today)
    yield from _date_problems(document, today)
    yield from _place_problems(document)
    yield from _url_problems(document)


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (index, item) for the mapping items of a list; tolerate wrong shapes."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _citations(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    """Yield (path, source id) for every place that cites a source."""
    pillars = data.get("pillars")
    if isinstance(pillars, dict):
        for slug, work in pillars.items():
            if isinstance(work, dict):
                for index, item in _dicts(work.get("initiatives")):
                    cited = item.get("sources")
                    if isinstance(cited, list):
                        for position, source in enumerate(cited):
                            yield (
                                ("pillars", slug, "initiatives", index, "sources", position),
                                source,
                            )
    for index, metric in _dicts(data.get("metrics")):
        yield ("metrics", index, "source"), metric.get("source")
        for position, value in _dicts(metric.get("values")):
            if "source" in value:
                yield ("metrics", index, "values", position, "source"), value["source"]
    for index, item in _dicts(data.get("disagreements")):
        for position, account in _dicts(item.get("accounts")):
            yield ("disagreements", index, "accounts", position, "source"), account.get("source")


def _citation_problems(document: Document) -> Iterator[Problem]:
    data = document.data
    listed: dict[str, int] = {}
    for index, source in _dicts(data.get("sources")):
        source_id = source.get("id")
        if not isinstance(source_id, str):
            continue
        if source_id in listed:
            yield document.problem(
                ("sources", index, "id"),
                f"source id '{source_id}' is used twice (also sources[{listed[source_id] + 1}])",
                "give each source its own id",
            )
        else:
            listed[source_id] = index
    for path, cited in _citations(data):
        if isinstance(cited, str) and cited not in listed and not cited.startswith(PLACEHOLDER):
            suggestion = _suggest(cited, listed)
            known = ", ".join(listed) or "none yet"
            yield document.problem(
                path,
                f"cites source '{cited}', which is not listed under sources",
                f"{suggestion}add it under sources, or use a listed id ({known})",
            )


def _years(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    period = data.get("period")
    if isinstance(period, dict):
        yield ("period", "start"), period.get("start")
        if "end" in period:
            yield ("period", "end"), period.get("end")
    pillars = data.get("pillars")
    if isinstance(pillars, dict):
        for slug, work in pillars.items():
            if isinstance(work, dict):
                for index, item in _dicts(work.get("initiatives")):
                    yield ("pillars", slug, "initiatives", index, "year"), item.get("year")
    for index, metric in _dicts(data.get("metrics")):
        for position, value in _dicts(metric.get("values")):
            yield ("metrics", index, "values", position, "year"), value.get("year")


def _year_problems(document: Document, today: dt.date) -> Iterator[Problem]:
    data = document.data
    latest = today.year + 1  # plans announced for next year are fine; later is a typo
    for path, year in _years(data):
        if (
            isinstance(year, int)
            and not isinstance(year, bool)
            and not (EARLIEST_YEAR <= year <= latest)
        ):
            yield document.problem(
                path,
                f"{_field_name(path)} is {year}, which is not a sane year",
                f"write a four-digit year between {EARLIEST_YEAR} and {latest}",
            )
    period = data.get("period")
    if isinstance(period, dict):
        start, end = period.get("start"), period.get("end")
        if isinstance(start, int) and isinstance(end, int) and end < start:
            yield document.problem(
                ("period", "end"),
                f"period ends ({end}) before it starts ({start})",
                "check the two years",
            )
        if data.get("status") in ("completed", "discontinued") and "end" not in period:
            yield document.problem(
                ("period",),
                f"status is {data['status']} but period has no end",
                "add `end:` with the year the work ended",
            )
        if data.get("status") == "ongoing" and isinstance(end, int) and end < today.year:
            yield document.problem(
                ("period", "end"),
                f"status is ongoing but period ended in {end}",
                "remove `end:` or set the status to completed or discontinued",
            )


def _date_problems(document: Document, today: dt.date) -> Iterator[Problem]:
    data = document.data
    candidates: list[tuple[JsonPath, Any]] = [(("last_reviewed",), data.get("last_reviewed"))]
    candidates += [
        (("sources", index, "date"), source.get("date"))
        for index, source in _dicts(data.get("sources"))
        if "date" in source
    ]
    for path, text in candidates:
        if not isinstance(text, str):
            continue
        parsed = _parse_partial_date(text)
        if parsed is None:
            continue  # the schema's pattern already reported the form
        if parsed is False:
            yield document.problem(
                path,
                f"{_field_name(path)} is '{text}', which is not a real date",
                "check the month (01–12) and the day of the month",
            )
        elif parsed > today:
            yield document.problem(
                path,
                f"{_field_name(path)} is {text}, which is in the future",
                f"use a date on or before today ({today.isoformat()})",
            )
        elif parsed.year < EARLIEST_YEAR:
            yield document.problem(
                path, f"{_field_name(path)} is {text}, which is not a sane date", "check the year"
            )


def _parse_partial_date(text: str) -> dt.date | Literal[False] | None:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; None if not of that form, False if impossible."""
    parts = text.split("-")
    if not all(part.isdigit() for part in parts) or len(parts) > 3 or len(parts[0]) != 4:
        return None
    numbers = [int(part) for part in parts] + [1] * (3 - len(parts))
    try:
        return dt.date(numbers[0], numbers[1], numbers[2])
    except ValueError:
        return False


def _place_problems(document: Document) -> Iterator[Problem]:
    place = document.data.get("place")
    if not isinstance(place, dict):
        return
    country = place.get("country")
    if (
        isinstance(country, str)
        and len(country) == 2
        and country.isupper()
        and (pycountry.countries.get(alpha_2=country) is None)
    ):
        hint = {
            "UK": "the ISO code for the United Kingdom is GB",
            "EL": "the ISO code for Greece is GR",
        }.get(country, "look the code up in ISO 3166-1 alpha-2, e.g. GB, US, ES, IT, DE")
        yield document.problem(
            ("place", "country"), f"'{country}' is not an ISO 3166-1 country code", hint
        )
    coordinates = place.get("coordinates")
    if isinstance(coordinates, dict):
        lat, lon = coordinates.get("lat"), coordinates.get("lon")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and lat == lon == 0:
            yield document.problem(
                ("place", "coordinates"),
                "coordinates are 0, 0 (in the Atlantic)",
                "look the place up on OpenStreetMap and copy its latitude and longitude",
            )


def _urls(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    for index, source in _dicts(data.get("sources")):
        yield ("sources", index, "url"), source.get("url")
    for index, actor in _dicts(data.get("actors")):
        if "url" in actor:
            yield ("actors", index, "url"), actor.get("url")


def _url_problems(document: Document) -> Iterator[Problem]:
    for path, url in _urls(document.data):
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
            continue  # wrong types and schemes are reported by the schema
        parts = urlsplit(url)
        if not parts.hostname or "." not in parts.hostname or any(c.isspace() for c in url):
            yield document.problem(
                path,
                f"{_field_name(path)} is not a complete web address: '{_clip(url)}'",
                "copy the address from the browser's address bar",
            )


def _cross_file_problems(documents: list[Document]) -> Iterator[Problem]:
    """Check what spans files: slugs are unique and `related` names existing case studies."""
    seen: dict[str, Document] = {}
    for document in documents:
        slug = document.data.get("slug") if document.ok else None
        if not isinstance(slug, str):
            continue
        if slug in seen:
            yield document.problem(
                ("slug",),
                f"slug '{slug}' is also used by {seen[slug].path.name}",
                "each case study needs its own slug and file name",
            )
        else:
            seen[slug] = document
    known = set(seen)
    for folder in {document.path.parent for document in documents}:
        known.update(path.stem for path in folder.glob("*.yaml"))
    for document in documents:
        if not document.ok:
            continue
        related = document.data.get("related")
        if not isinstance(related, list):
            continue
        for index, slug in enumerate(related):
            if not isinstance(slug, str):
                continue
            if slug == document.data.get("slug"):
                yield document.problem(
                    ("related", index),
                    "a case study cannot be related to itself",
                    "remove this line",
                )
            elif slug not in known:
                yield document.problem(
                    ("related", index),
                    f"related case study '{slug}' does not exist",
                    f"{_suggest(slug, known)}name the slug of a file in case_studies/",
                )
