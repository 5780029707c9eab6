"""The rules a JSON Schema cannot express: citations, years, dates, places, URLs, indicators.

One file's rules run in `file_problems`; the rules that span files (unique slugs, `related`)
in `cross_file_problems`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any, Literal
from urllib.parse import urlsplit

import pycountry

from generator.languages import language_name
from generator.load import Document
from generator.model import load_indicators
from generator.problems import (
    EARLIEST_YEAR,
    PLACEHOLDER,
    JsonPath,
    Problem,
    cited_by_number,
    field_name,
    quote,
    source_number_problem,
    suggest,
    year_problem,
)
from generator.scaffold import valid_slug

# The schema's `maximum` for a year: what lies above it, the schema reports.
LATEST_YEAR_IN_SCHEMA = 2100


def file_problems(document: Document, today: dt.date) -> Iterator[Problem]:
    """Yield the problems of one schema-valid-or-not document that its schema cannot see."""
    data: dict[str, Any] = document.data
    slug = data.get("slug")
    if isinstance(slug, str) and slug != document.path.stem:
        stem = document.path.stem  # suggest only names that are valid slugs themselves
        fixes = [f"rename the file to {slug}.yaml"] if valid_slug(slug) else []
        fixes += [f"set `slug: {stem}`"] if valid_slug(stem) else []
        yield document.problem(
            ("slug",),
            f"slug {quote(slug, 60)} does not match the file name {quote(document.path.name, 65)}",
            ", or ".join(fixes)
            or "give the file and `slug:` the same name of lower-case letters, digits and "
            "single hyphens, e.g. north-ayrshire.yaml with `slug: north-ayrshire`",
        )
    yield from _citation_problems(document)
    yield from _year_problems(document, today)
    yield from _date_problems(document, today)
    yield from _place_problems(document)
    yield from _language_problems(document)
    yield from _url_problems(document)
    yield from _ending_problems(document)
    yield from _indicator_problems(document)
    yield from _value_problems(document)
    yield from _research_talk_problems(document)


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (index, item) for the mapping items of a list; tolerate wrong shapes."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _initiatives(data: dict[str, Any]) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
    """Yield (path, initiative) for every initiative under every pillar."""
    pillars = data.get("pillars")
    if isinstance(pillars, dict):
        for slug, work in pillars.items():
            if isinstance(work, dict):
                for index, item in _dicts(work.get("initiatives")):
                    yield ("pillars", slug, "initiatives", index), item


def _endings(data: dict[str, Any]) -> Iterator[tuple[JsonPath, dict[str, Any], Any]]:
    """Yield (path, ended, start year) for the case study's and each initiative's `ended`."""
    period = data.get("period")
    if isinstance(data.get("ended"), dict):
        start = period.get("start") if isinstance(period, dict) else None
        yield ("ended",), data["ended"], start
    for path, item in _initiatives(data):
        if isinstance(item.get("ended"), dict):
            yield (*path, "ended"), item["ended"], item.get("year")


def numbered_citations(data: Any) -> set[JsonPath]:
    """Return the places that cite a source by its number (reported by the checks alone)."""
    if not isinstance(data, dict):
        return set()
    listed = _listed_ids(data)
    return {path for path, cited in _citations(data) if _by_number(cited, listed) is not None}


def _listed_ids(data: dict[str, Any]) -> set[str]:
    """Return the sources' ids, a number among them as its text (`id: 2017` lacks its quotes)."""
    ids = (source.get("id") for _, source in _dicts(data.get("sources")))
    return {str(i) for i in ids if isinstance(i, (str, int)) and not isinstance(i, bool)}


def _by_number(cited: Any, listed: Iterable[str]) -> int | None:
    """Return the number a citation gives instead of an id; None for an id, even `2017`."""
    given = isinstance(cited, (str, int)) and not isinstance(cited, bool) and str(cited) in listed
    return None if given else cited_by_number(cited)


def _citations(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    """Yield (path, source id) for every place that cites a source."""
    for path, item in _initiatives(data):
        cited = item.get("sources")
        if isinstance(cited, list):
            for position, source in enumerate(cited):
                yield (*path, "sources", position), source
        elif cited_by_number(cited) is not None:  # `sources: 3`
            yield (*path, "sources"), cited
    for path, ended, _ in _endings(data):
        yield (*path, "source"), ended.get("source")
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
                f"source id {quote(source_id)} is used twice "
                f"(also sources[{listed[source_id] + 1}])",
                "give each source its own id",
            )
        else:
            listed[source_id] = index
    given = _listed_ids(data)  # an id written as a number too: its own problem says so
    for path, cited in _citations(data):
        number = _by_number(cited, given)
        if number is not None:
            field = "source" if path[-1] == "source" else "sources"
            yield document.problem(path, *source_number_problem(number, field, [*listed]))
        elif isinstance(cited, str) and cited not in listed and not cited.startswith(PLACEHOLDER):
            suggestion = suggest(cited, listed)
            known = ", ".join(listed) or "none yet"
            yield document.problem(
                path,
                f"cites source {quote(cited)}, which is not listed under sources",
                f"{suggestion}add it under sources, or use a listed id ({known})",
            )


def _years(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    period = data.get("period")
    if isinstance(period, dict):
        yield ("period", "start"), period.get("start")
        if "end" in period:
            yield ("period", "end"), period.get("end")
    for path, item in _initiatives(data):
        yield (*path, "year"), item.get("year")
    for path, ended, _ in _endings(data):
        yield (*path, "year"), ended.get("year")
    for index, metric in _dicts(data.get("metrics")):
        for position, value in _dicts(metric.get("values")):
            yield ("metrics", index, "values", position, "year"), value.get("year")


def _whole(value: Any) -> int | None:
    """Return a year as a whole number: 2015, or 2015.0 (which JSON Schema counts as whole)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _year_problems(document: Document, today: dt.date) -> Iterator[Problem]:
    data = document.data
    latest = today.year + 1  # plans announced for next year are fine; later is a typo
    for path, value in _years(data):
        year = _whole(value)  # outside the schema's bounds, the schema reports it
        if year is not None and latest < year <= LATEST_YEAR_IN_SCHEMA:
            yield document.problem(path, *year_problem(field_name(path), value, today))
    period = data.get("period")
    if isinstance(period, dict):
        start, end = _whole(period.get("start")), _whole(period.get("end"))
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
    candidates += [
        ((*path, "date"), ended["date"]) for path, ended, _ in _endings(data) if "date" in ended
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
                f"{field_name(path)} is {quote(text)}, which is not a real date",
                "check the month (01–12) and the day of the month",
            )
        elif parsed > today:
            yield document.problem(
                path,
                f"{field_name(path)} is {text}, which is in the future",
                f"use a date on or before today ({today.isoformat()})",
            )
        elif parsed.year < EARLIEST_YEAR:
            yield document.problem(
                path, f"{field_name(path)} is {text}, which is not a sane date", "check the year"
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
            ("place", "country"), f"{quote(country)} is not an ISO 3166-1 country code", hint
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


def _language_problems(document: Document) -> Iterator[Problem]:
    """The schema checks a tag's shape (pt, de, fr-CA); here, that its language exists."""
    for index, source in _dicts(document.data.get("sources")):
        tag = source.get("language")
        if not isinstance(tag, str):
            continue
        code = tag.split("-")[0]
        if code.isalpha() and code.islower() and language_name(code) is None:
            yield document.problem(
                ("sources", index, "language"),
                f"{quote(code)} is not a language code",
                "use the two-letter ISO 639-1 code, e.g. pt (Portuguese), de (German), "
                "fr (French), es (Spanish), ko (Korean)",
            )


# Words about how a page was looked up, which mean nothing to a reader (issue 18): a note says
# what the source is (a mirror, a reprint, a page without a headline), never how we saw it.
_RESEARCH_TALK = re.compile(
    r"\bstored (?:copy|copies|version|versions|page|pages|report|reports|web page)\b"
    r"|\bnot stored\b|\bthe (?:excerpt|snippet)\b|\bcached (?:copy|page|version)\b"
    r"|\bwe (?:could not|couldn't|did not|didn't) (?:find|see|open|confirm)\b"
    r"|\bour (?:reading|copy) of\b",
    re.IGNORECASE,
)
_NOT_PROSE = frozenset({"url"})  # ids and slugs cannot hold the phrases' spaces


def _prose(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """Yield (path, text) for every text in the file but web addresses."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            if key not in _NOT_PROSE:
                yield from _prose(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _prose(child, (*path, index))


def _research_talk_problems(document: Document) -> Iterator[Problem]:
    for path, text in _prose(document.data, ()):
        if found := _RESEARCH_TALK.search(text):
            yield document.problem(
                path,
                f"{field_name(path)} speaks of how a page was looked up ({quote(found[0])})",
                "tell readers about the source itself: e.g. 'a copy on a document-sharing "
                "site', 'title taken from the page's web address', 'the page shows no date'",
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
                f"{field_name(path)} is not a complete web address: {quote(url)}",
                "copy the address from the browser's address bar",
            )


def _ending_problems(document: Document) -> Iterator[Problem]:
    for path, ended, raw_start in _endings(document.data):
        year, start = _whole(ended.get("year")), _whole(raw_start)
        if isinstance(year, int) and isinstance(start, int) and year < start:
            yield document.problem(
                (*path, "year"),
                f"{field_name(path)} says it ended in {year}, before it started ({start})",
                "check the two years",
            )
        date = ended.get("date")
        if isinstance(year, int) and isinstance(date, str) and not date.startswith(f"{year}"):
            yield document.problem(
                (*path, "date"),
                f"{field_name(path)}.date ({date}) is not in its year ({year})",
                "make the date and the year agree",
            )


def _indicator_problems(document: Document) -> Iterator[Problem]:
    """Check that a metric naming a shared indicator uses a unit the indicator allows."""
    indicators = load_indicators()
    for index, metric in _dicts(document.data.get("metrics")):
        indicator = indicators.get(str(metric.get("indicator")))  # unknown ids: the schema's enum
        unit = metric.get("unit")
        if indicator is not None and isinstance(unit, str) and unit not in indicator.units:
            yield document.problem(
                ("metrics", index, "unit"),
                f"metrics[{index + 1}] is tagged '{indicator.id}', which is counted in "
                f"{' or '.join(indicator.units)}, not {unit}",
                "change the unit, or remove `indicator:` if the figure measures something else",
            )
        if indicator is not None and not metric.get("area"):
            yield document.problem(
                ("metrics", index, "indicator"),
                f"metrics[{index + 1}] is compared with other places as '{indicator.id}' but "
                "does not say where and whose figure it is",
                "add `area:` naming the area and body measured, e.g. Lancashire (Preston's "
                "anchors) or Gwynedd Council, in the words the label or source already use",
            )


# Words that qualify a number rather than name a period: they belong in `qualifier:`.
_QUALIFIER_WORDS = re.compile(
    r"\b(more than|over|about|around|approximately|almost|nearly|at least|up to|just under"
    r"|under|c\.|circa)(?=[\s\d,;]|$)",
    re.IGNORECASE,
)


_HAS_YEAR = re.compile(r"\b(1[0-9]|20)\d{2}\b")


def _value_problems(document: Document) -> Iterator[Problem]:
    """Check the values' words: qualifiers in their field, a break never on the first value."""
    for index, metric in _dicts(document.data.get("metrics")):
        values = list(_dicts(metric.get("values")))
        years = [year for _, value in values if isinstance(year := value.get("year"), int)]
        for position, value in values:
            path = ("metrics", index, "values", position)
            label = value.get("label")
            found = _QUALIFIER_WORDS.search(label) if isinstance(label, str) else None
            if found:
                yield document.problem(
                    (*path, "label"),
                    f"{field_name(path)}.label says {quote(found.group(0))}, which qualifies the "
                    "number, not its period",
                    "move it to `qualifier:` (about, almost, at least, just under, more than or "
                    "up to) and keep only the period in `label:`",
                )
            if isinstance(label, str) and not found and not _HAS_YEAR.search(label):
                yield document.problem(
                    (*path, "label"),
                    f"{field_name(path)}.label {quote(label)} names no year: it is not a period",
                    "write the period with its year (e.g. 2016/17, fiscal 2018, March 2020) or "
                    "move the words to `note:`",
                )
            year = value.get("year")
            if value.get("definition_changed") is not None and (
                len(values) < 2 or (isinstance(year, int) and year == min(years))
            ):
                yield document.problem(
                    (*path, "definition_changed"),
                    f"{field_name(path)} is the first value, so nothing before it was counted "
                    "differently",
                    "put `definition_changed:` on the first value counted the new way",
                )


def cross_file_problems(documents: list[Document]) -> Iterator[Problem]:
    """Check what spans files: slugs are unique and `related` names existing case studies."""
    seen: dict[str, Document] = {}
    for document in documents:
        slug = document.data.get("slug") if document.ok else None
        if not isinstance(slug, str):
            continue
        if slug in seen:
            yield document.problem(
                ("slug",),
                f"slug {quote(slug, 60)} is also used by {quote(seen[slug].path.name, 65)}",
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
        named: set[str] = set()
        for index, item in enumerate(related):
            # A bare slug, or {slug, reason} (the schema has checked the shape).
            slug = item.get("slug") if isinstance(item, dict) else item
            if not isinstance(slug, str):
                continue
            where: tuple[str | int, ...] = ("related", index)
            if isinstance(item, dict):
                where = (*where, "slug")
            if slug == document.data.get("slug"):
                yield document.problem(
                    where, "a case study cannot be related to itself", "remove this line"
                )
            elif slug not in known:
                yield document.problem(
                    where,
                    f"related case study {quote(slug, 60)} does not exist",
                    f"{suggest(slug, known)}name the slug of a file in case_studies/",
                )
            elif slug in named:
                yield document.problem(
                    where,
                    f"related case study {quote(slug, 60)} is named twice",
                    "keep one entry for it (the one with the reason, if either has one)",
                )
            named.add(slug)
