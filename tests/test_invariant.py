"""Anything `cwb validate` accepts, `cwb build` builds: no traceback (issue 16, item 4).

Documents are generated from the case-study schema itself (every field, every type, the
schema's own patterns and bounds), with values that stress strings (line breaks, control
and bidi characters, markup, template syntax), numbers (NaN, infinities, 400-digit whole
numbers, float years, the bounds themselves), dates and web addresses. A light repair makes
most of them pass the rules a schema cannot state (citations, the slug, year order), so
that the invariant is tried on accepted documents, not only on refused ones.

Per example, every stage after validation that takes the contributor's data runs in-process:
the records, every generated page (case study, charts, maps, /compare/, places, pillars),
the home-page fragments and the open data. A few examples go through a full `cwb build`
(MkDocs, JSON-LD, Pagefind). The default run is short; a longer one:

    CWB_INVARIANT_EXAMPLES=2000 pytest tests/test_invariant.py --hypothesis-show-statistics
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from generator.build import build_site
from generator.export import export_files
from generator.model import load_indicators
from generator.render import Renderer
from generator.schema_check import case_study_schema
from generator.schema_walk import resolve
from generator.validate import validate_files
from tests.golden import SETTINGS
from tests.project import make_project

RIVERTON = Path(__file__).parent / "fixtures" / "valid" / "riverton.yaml"
EXAMPLES = int(os.environ.get("CWB_INVARIANT_EXAMPLES", "120"))
BUILDS = int(os.environ.get("CWB_INVARIANT_BUILDS", "3"))
TODAY = dt.date.today()
SCHEMA = case_study_schema()
SLUG_PATTERN = SCHEMA["properties"]["slug"]["pattern"]

# Characters that break naive output: controls, line and paragraph separators, bidi
# overrides, zero-width, markup, Markdown, Jinja/snippet syntax, CSV and URL specials.
HOSTILE_CHARACTERS = (
    "\x00\x01\x07\x08\t\n\r\x0b\x0c\x1b\x7f\x85\xa0\u2028\u2029\u202e\u2066\u200b\ufeff"
    "<>&\"'`=/\\{}[]()|%#*_~!:;,.-+@$^?é中🙂\U0001d11e"
)
HOSTILE_STRINGS = [
    "</title><script>alert(1)</script>",
    "{{ config }}{% raw %}",
    "--8<-- 'mkdocs.yml'",
    '=HYPERLINK("http://evil.example")',
    "line\n::error::x",
    "a\r\nb",
    "\u202eevil",
    "nan",
    "Infinity",
    "-0",
    "<![CDATA[",
    "]]>",
    "javascript:alert(1)",
]
ODDS = 40
LONG = 400  # texts longer than this are cut: length limits are tried at their bounds anyway


def _mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Draw the odd value one time in ODDS: a document has dozens of such fields, and the
    invariant needs documents that pass validation, stressed where they still pass."""
    return st.integers(0, ODDS - 1).flatmap(lambda draw: odd if draw == 0 else usual)


def _text(node: dict[str, Any]) -> st.SearchStrategy[str]:
    low = node.get("minLength", 0)
    high = min(node.get("maxLength", LONG), LONG)
    plain = st.text(min_size=low, max_size=high)
    hostile = st.text(st.sampled_from(HOSTILE_CHARACTERS), min_size=low, max_size=high)
    mixed = st.lists(
        st.sampled_from(HOSTILE_STRINGS) | st.text(min_size=1, max_size=20), min_size=1, max_size=5
    ).map("".join)
    fitted = mixed.map(lambda text: (text + "x" * low)[: max(low, min(len(text), high))])
    return st.one_of(plain, hostile, fitted)


def _url() -> st.SearchStrategy[str]:
    host = st.from_regex(r"[a-z0-9-]{1,20}(\.[a-z0-9-]{1,10}){1,3}", fullmatch=True)
    path = st.from_regex(r"([A-Za-z0-9._~:/?@!$&'()*+,;=-]|%[0-9A-Fa-f]{2}){0,40}", fullmatch=True)
    fragment = st.none() | st.from_regex(r"[A-Za-z0-9._~:/?@!$&'()*+,;=-]{0,20}", fullmatch=True)
    built = st.builds(
        lambda scheme, h, p, f: f"{scheme}://{h}/{p}" + (f"#{f}" if f is not None else ""),
        st.sampled_from(["https", "http"]),
        host,
        path,
        fragment,
    )
    suffixes = st.sampled_from(["\n", " ", '"', "<b>", "\x00", "#a#b", "[x]", ":abc/"])
    shouted = built.map(lambda url: url.replace("http", "HTTP", 1))
    return _mostly(built, st.tuples(built, suffixes).map("".join) | shouted)


def _date(partial: bool) -> st.SearchStrategy[str]:
    real = st.dates(dt.date(1800, 1, 1), TODAY).map(dt.date.isoformat)
    if partial:
        real = real | real.map(lambda text: text[:7]) | real.map(lambda text: text[:4])
    odd = st.sampled_from(["2025-02-30", "2025-02-28\n", "0000-01-01", "9999-12-31", "2025-13"])
    return _mostly(real, odd)


def _number(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    low, high = node.get("minimum"), node.get("maximum")
    inside = st.floats(low, high, allow_nan=False) | st.integers(int(low), int(high))
    edges = st.sampled_from([low, high, -0.0, 5e-324, -5e-324, low / 3, high / 7])
    outside = st.sampled_from(
        [math.nan, math.inf, -math.inf, 10**400, -(10**400), 1e308, high * 2, float(10**300)]
    )
    return _mostly(inside | edges, outside)


def _year() -> st.SearchStrategy[Any]:
    years = st.integers(1800, TODAY.year + 1)
    odd = st.sampled_from([99999.0, 1.0, 1e5, 2015.5, 0, -2015, 2100, 2101, 10**400, math.nan])
    return _mostly(years | years.map(float), odd)


def _special(name: str, node: dict[str, Any]) -> st.SearchStrategy[Any] | None:
    if name == "url":
        return _url()
    if name == "country":
        return _mostly(
            st.sampled_from(["GB", "US", "ES", "DE"]), st.sampled_from(["UK", "gb", "GB\n"])
        )
    if name in ("last_reviewed",):
        return _date(partial=False)
    if name == "date":
        return _date(partial=True)
    if node.get("type") == "integer":
        return _year()
    if node.get("type") == "number":
        return _number(node)
    return None


def _from_schema(node: dict[str, Any], name: str = "") -> st.SearchStrategy[Any]:
    node = resolve(node, SCHEMA)
    special = _special(name, node)
    if special is not None:
        return special
    kind = node.get("type")
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if kind == "boolean":
        return st.booleans()
    if kind == "string" and "pattern" in node:  # ids, slugs and tags: lower-case words
        assert node["pattern"] == SLUG_PATTERN, node["pattern"]
        words = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
        odd = st.tuples(words, st.sampled_from(["\n", "-", " ", "A", "\u0131"])).map("".join)
        return _mostly(words, odd)
    if kind == "string":
        return _text(node)
    if kind == "array":
        low = node.get("minItems", 0)
        items = _from_schema(node.get("items", {}), name)
        unique = {"unique_by": json.dumps} if node.get("uniqueItems") else {}
        return st.lists(items, min_size=low, max_size=low + 3, **unique)  # type: ignore[call-overload]
    if kind == "object":
        properties = node.get("properties", {})
        required = set(node.get("required", ()))
        fields = {key: _from_schema(child, key) for key, child in properties.items()}
        if node.get("minProperties") and not required:  # pillars: at least one, any one
            return st.sampled_from(sorted(fields)).flatmap(
                lambda first: st.fixed_dictionaries(
                    {first: fields[first]},
                    optional={key: value for key, value in fields.items() if key != first},
                )
            )
        return st.fixed_dictionaries(
            {key: value for key, value in fields.items() if key in required},
            optional={key: value for key, value in fields.items() if key not in required},
        )
    return st.none()


def _cite(listed: list[str]) -> Callable[[Any], Any]:
    def cite(value: Any) -> Any:
        return listed[zlib.crc32(value.encode()) % len(listed)] if isinstance(value, str) else value

    return cite


def _whole(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _repair(data: dict[str, Any], slug: str) -> dict[str, Any]:
    """Make a generated document keep the rules a schema cannot state, most of the time."""
    data["slug"] = slug
    data.pop("related", None)
    ids: list[str] = []
    for number, source in enumerate(data["sources"]):
        if source["id"] in ids:
            source["id"] = f"source-{number}"
        ids.append(source["id"])
    listed = [item for item in ids if re.fullmatch(SLUG_PATTERN, item)] or ids
    cite = _cite(listed)
    for metric in data["metrics"]:
        metric["source"] = cite(metric["source"])
        for value in metric["values"]:
            if "source" in value:
                value["source"] = cite(value["source"])
        indicator = load_indicators().get(str(metric.get("indicator")))
        if indicator is not None and metric["unit"] not in indicator.units:
            metric["unit"] = indicator.units[0]
    endings = [(data.get("ended"), data["period"]["start"])]
    for work in data["pillars"].values():
        for item in work["initiatives"]:
            item["sources"] = list(dict.fromkeys(cite(source) for source in item["sources"]))
            endings.append((item.get("ended"), item["year"]))
    for ended, start in endings:
        if ended is None:
            continue
        ended["source"] = cite(ended["source"])
        if _whole(ended["year"]) and _whole(start):
            ended["year"] = max(ended["year"], start)
        if isinstance(ended.get("date"), str) and _whole(ended["year"]):
            ended["date"] = f"{int(ended['year'])}{ended['date'][4:]}"
    for item in data.get("disagreements", ()):
        for account in item["accounts"]:
            account["source"] = cite(account["source"])
    period, status = data["period"], data["status"]
    if _whole(period["start"]) and _whole(period.get("end")):
        period["start"], period["end"] = sorted((period["start"], period["end"]))
    if status in ("completed", "discontinued") and "end" not in period:
        period["end"] = period["start"]
    if status == "ongoing":
        period.pop("end", None)
    return data


DOCUMENTS = _from_schema(SCHEMA)


def _write_project(folder: Path, data: dict[str, Any]) -> Path:
    """Write the generated case study beside riverton.yaml; return the case-studies folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(RIVERTON, folder / "riverton.yaml")
    text = yaml.safe_dump(_repair(data, "fuzzed"), allow_unicode=False, sort_keys=False)
    (folder / "fuzzed.yaml").write_text(text, "utf-8")
    return folder


NUMERIC_ATTRIBUTE = re.compile(
    r'\b(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height|d|points|viewBox)="[^"]*(?:nan|inf)', re.I
)


def _strict_json(text: str) -> None:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} in JSON")

    json.loads(text, parse_constant=refuse)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(DOCUMENTS)
def test_what_validate_accepts_renders(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = _write_project(Path(temporary) / "case_studies", data)
        result = validate_files(sorted(folder.glob("*.yaml")))
        event("accepted" if result.ok else "refused")
        if not result.ok:
            assert all(problem.line >= 1 and problem.message for problem in result.problems)
            return
        renderer = Renderer(result.case_studies, SETTINGS)
        pages = {**renderer.pages(), **renderer.fragments()}
        files = export_files(result.case_studies, SETTINGS)
    for path, text in files.items():
        if path.endswith(".json"):
            _strict_json(text)
    for path, text in pages.items():
        assert not NUMERIC_ATTRIBUTE.search(text), path


@settings(
    max_examples=BUILDS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(DOCUMENTS)
def test_what_validate_accepts_cwb_build_builds(data: dict[str, Any]) -> None:
    # assume(): Hypothesis fails the test (Unsatisfiable) if it can hardly ever make a
    # document that validates, so the invariant is never tried on refused documents alone.
    with tempfile.TemporaryDirectory() as temporary:
        folder = _write_project(Path(temporary) / "project" / "case_studies", data)
        assume(validate_files(sorted(folder.glob("*.yaml"))).ok)
        paths = make_project(Path(temporary) / "project", case_studies=folder)
        result = build_site(paths, progress=lambda message: None)
        assert result.ok, [problem.format_text() for problem in result.problems]
        page = paths.site / "case-studies" / "fuzzed" / "index.html"
        assert page.is_file()
        _strict_json((paths.site / "data" / "case-studies.json").read_text("utf-8"))
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', page.read_text("utf-8"), re.S
        ):
            _strict_json(block)
