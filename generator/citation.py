"""Citations of a case study, of /compare/ and of the dataset: APA-style text, BibTeX, RIS and
CSL-JSON, written at build time beside the open data.

Titles come from contributors, so each format escapes through its own one function
(`bibtex_value`, `ris_value`, JSON's own encoder; HTML through `markupsafe.escape`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

SITE_NAME = "Community Wealth Building knowledge base"
AUTHOR = "Community Wealth Building knowledge base contributors"
FORMATS = (  # (file suffix, format name, media type)
    ("bib", "BibTeX", "application/x-bibtex"),
    ("ris", "RIS", "application/x-research-info-systems"),
    ("json", "CSL-JSON", "application/vnd.citationstyles.csl+json"),
)
CITATION_STEM = "citation"  # data/…/citation.bib, .ris, .json

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# BibTeX's special characters and what stands for each inside a braced value.
_BIBTEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in _BIBTEX))


@dataclass(frozen=True)
class Citation:
    """What a reference names: one case study, the comparison page or the dataset."""

    key: str  # the BibTeX key and CSL id, e.g. cwb-preston
    title: str
    date: str  # ISO: a case study's last_reviewed, the dataset's release date
    url: str
    kind: str = "webpage"  # or "dataset"
    version: str | None = None  # the dataset's

    @property
    def day(self) -> dt.date:
        """Return the date as a date."""
        return dt.date.fromisoformat(self.date)


def one_line(text: str) -> str:
    """Return text on one line: breaks and control characters become single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def bibtex_value(text: str) -> str:
    """Escape text for a braced BibTeX value: special characters as LaTeX commands, one line."""
    return _BIBTEX_SPECIAL.sub(lambda match: _BIBTEX[match[0]], one_line(text))


def ris_value(text: str) -> str:
    """Escape text for one RIS tag line: RIS has no escapes, so the value stays on its line."""
    return one_line(text)


# --- the formats -------------------------------------------------------------------------------


def apa_text(citation: Citation) -> str:
    """Return the reference in APA style as plain text (the title is italic in apa_html)."""
    title, after = _apa_parts(citation)
    return f"{AUTHOR}. ({_apa_date(citation)}). {title}{after}"


def apa_html(citation: Citation) -> Markup:
    """Return the reference in APA style as HTML, the title in italics and the URL linked."""
    title, after = _apa_parts(citation)
    url = escape(citation.url)
    rest = escape(after.removesuffix(citation.url))
    return Markup(
        f"{escape(AUTHOR)}. ({escape(_apa_date(citation))}). <em>{escape(title)}</em>"
        f'{rest}<a href="{url}">{url}</a>'
    )


def _apa_parts(citation: Citation) -> tuple[str, str]:
    title = one_line(citation.title)
    version = f" (Version {one_line(citation.version)})" if citation.version else ""
    kind = " [Dataset]" if citation.kind == "dataset" else ""
    return title, f"{version}{kind}. {SITE_NAME}. {citation.url}"


def _apa_date(citation: Citation) -> str:
    day = citation.day
    if citation.kind == "dataset":  # APA dates a data set by its year
        return str(day.year)
    return f"{day.year}, {day:%B} {day.day}"


def bibtex(citation: Citation) -> str:
    """Return a BibTeX @misc entry (reference managers and biblatex read it alike)."""
    day = citation.day
    fields = [
        ("author", "{" + bibtex_value(AUTHOR) + "}"),  # a group author: never "contributors, C."
        ("title", bibtex_value(citation.title)),
        ("howpublished", bibtex_value(SITE_NAME)),
        ("organization", bibtex_value(SITE_NAME)),
        ("year", str(day.year)),
        ("month", f"{day:%b}".lower()),
        ("date", citation.date),
        ("url", citation.url),
    ]
    if citation.version:
        fields.append(("version", bibtex_value(citation.version)))
    fields.append(
        ("note", "Data set" if citation.kind == "dataset" else "Last reviewed " + citation.date)
    )
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    return f"@misc{{{citation.key},\n{body}\n}}\n"


def ris(citation: Citation) -> str:
    """Return an RIS record (EndNote, Zotero, Mendeley): a web page or a data set."""
    day = citation.day
    lines = [
        ("TY", "DATA" if citation.kind == "dataset" else "ELEC"),
        ("AU", AUTHOR + ","),  # a trailing comma: a group, not a surname and initials
        ("TI", citation.title),
        ("T2", SITE_NAME),
        ("PB", SITE_NAME),
        ("PY", str(day.year)),
        ("DA", f"{day:%Y/%m/%d}"),
        ("UR", citation.url),
    ]
    if citation.version:
        lines.append(("ET", citation.version))
    lines.append(("ID", citation.key))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {ris_value(value)}".rstrip() + "\n" for tag, value in lines)


def csl_item(citation: Citation) -> dict[str, object]:
    """Return the reference as a CSL-JSON item (citeproc, Zotero, pandoc)."""
    day = citation.day
    item: dict[str, object] = {
        "id": citation.key,
        "type": "dataset" if citation.kind == "dataset" else "webpage",
        "title": one_line(citation.title),
        "author": [{"literal": AUTHOR}],
        "issued": {"date-parts": [[day.year, day.month, day.day]]},
        "URL": citation.url,
    }
    # A page is part of the site; a data set is published by it (as APA names each).
    item["publisher" if citation.kind == "dataset" else "container-title"] = SITE_NAME
    if citation.version:
        item["version"] = one_line(citation.version)
    return item


def csl_json(citation: Citation) -> str:
    """Return a CSL-JSON document: a list holding the one item."""
    return json.dumps([csl_item(citation)], ensure_ascii=False, indent=2) + "\n"


def citation_files(folder: str, citation: Citation) -> dict[str, str]:
    """Return the three citation files of one reference, keyed by their path under folder."""
    return {
        f"{folder}/{CITATION_STEM}.bib": bibtex(citation),
        f"{folder}/{CITATION_STEM}.ris": ris(citation),
        f"{folder}/{CITATION_STEM}.json": csl_json(citation),
    }
