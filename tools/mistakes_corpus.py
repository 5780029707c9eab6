"""Rewrite tests/fixtures/mistakes/: riverton.yaml with one beginner mistake each (issue 21).

Each case: the mistake (text replacements) and its fix; the `# expect:` headers are what
`cwb validate` says today, so review the diff after running: `python tools/mistakes_corpus.py`.
"""

# ruff: noqa: E501  (the cases are data: one line each reads better than wrapped)
from pathlib import Path

from generator.validate import validate_files

W = Path(__file__).resolve().parent.parent
BODY = "".join((W / "tests/fixtures/valid/riverton.yaml").read_text().splitlines(True)[2:])
OUT = W / "tests/fixtures/mistakes"
R = "    source: riverton-report\n    values"
CASES = [
    (
        "source-by-number",
        "A source cited by its number.",
        [(R, "    source: 1\n    values")],
        [("source: 1\n", "source: riverton-report\n")],
    ),
    (
        "source-by-number-in-brackets",
        "A source number in brackets, as in a footnote.",
        [(R, "    source: [2]\n    values")],
        [("source: [2]\n", "source: riverton-news\n")],
    ),
    (
        "source-by-number-quoted",
        "A footnote mark in quotes.",
        [(R, '    source: "[1]"\n    values')],
        [('source: "[1]"\n', "source: riverton-report\n")],
    ),
    (
        "initiative-sources-by-number",
        "An initiative citing its source by number.",
        [("        sources: [riverton-report]\n", "        sources: [1]\n")],
        [("sources: [1]\n", "sources: [riverton-report]\n")],
    ),
    (
        "initiative-source-number-not-listed",
        "A source number with no such source.",
        [
            (
                "        sources: [riverton-news]\n        ended",
                "        sources: [5]\n        ended",
            )
        ],
        [("sources: [5]\n", "sources: [riverton-news]\n")],
    ),
    (
        "initiative-sources-number-no-brackets",
        "A bare number where a list of ids belongs.",
        [("        sources: [riverton-report]\n", "        sources: 1\n")],
        [("sources: 1\n", "sources: [riverton-report]\n")],
    ),
    (
        "key-moved-left",
        "country: moved to the left margin, out of place:.",
        [("  country: GB", "country: GB")],
        [("\ncountry: GB", "\n  country: GB")],
    ),
    (
        "key-moved-left-after-group",
        "country: moved to the left margin after coordinates:.",
        [
            (
                "  country: GB\n  coordinates:\n    lat: 53.5\n    lon: -2.25\n",
                "  coordinates:\n    lat: 53.5\n    lon: -2.25\ncountry: GB\n",
            )
        ],
        [("\ncountry: GB", "\n  country: GB")],
    ),
    (
        "value-under-indented",
        "value: one step too far left in a list item.",
        [("      - {year: 2017, value: 12}", "      - year: 2017\n      value: 12")],
        [("      value: 12", "        value: 12")],
    ),
    (
        "value-over-indented",
        "value: one step too far right in a list item.",
        [("      - {year: 2017, value: 12}", "      - year: 2017\n          value: 12")],
        [("          value: 12", "        value: 12")],
    ),
    (
        "place-field-one-space-left",
        "region: one space too far left.",
        [("  region: Testshire", " region: Testshire")],
        [(" region: Testshire", "  region: Testshire")],
    ),
    (
        "coordinates-one-space-right",
        "lon: one space too far right.",
        [("    lon: -2.25", "     lon: -2.25")],
        [("     lon: -2.25", "    lon: -2.25")],
    ),
    (
        "initiative-field-under-indented",
        "description: of an initiative two spaces too far left.",
        [("        description: The hospital", "      description: The hospital")],
        [("      description: The hospital", "        description: The hospital")],
    ),
    (
        "actor-field-over-indented",
        "type: of an actor one space too far right.",
        [("    type: health", "     type: health")],
        [("     type: health", "    type: health")],
    ),
    (
        "source-field-under-indented",
        "publisher: of a source one space too far left.",
        [("    publisher: Riverton Council", "   publisher: Riverton Council")],
        [("   publisher: Riverton Council", "    publisher: Riverton Council")],
    ),
    (
        "ended-field-under-indented",
        "how: of an ending two spaces too far left.",
        [("          how: sold", "        how: sold")],
        [("        how: sold", "          how: sold")],
    ),
    (
        "pillar-one-space-left",
        "A pillar one space too far left.",
        [("  plural-ownership:", " plural-ownership:")],
        [(" plural-ownership:", "  plural-ownership:")],
    ),
    (
        "missing-colon",
        "A field without its colon.",
        [("scale: town", "scale town")],
        [("scale town", "scale: town")],
    ),
    (
        "missing-colon-nested",
        "A nested field without its colon.",
        [("    type: health", "    type health")],
        [("    type health", "    type: health")],
    ),
    (
        "list-item-without-dash",
        "A lesson without its '- '.",
        [("  - Start by finding", "  Start by finding")],
        [("  Start by finding", "  - Start by finding")],
    ),
    (
        "colon-in-text",
        "A text with ': ' in it, not in quotes.",
        [("description: Twelve workers own", "description: Note: twelve workers own")],
        [
            (
                "description: Note: twelve workers own the co-operative that now cleans the wards.",
                'description: "Note: twelve workers own the co-operative that now cleans the wards."',
            )
        ],
    ),
    (
        "quote-not-closed",
        "A date whose closing quote is missing.",
        [('last_reviewed: "2026-11-01"', 'last_reviewed: "2026-11-01')],
        [('last_reviewed: "2026-11-01', 'last_reviewed: "2026-11-01"')],
    ),
    (
        "apostrophe-in-single-quotes",
        "An apostrophe inside single quotes.",
        [
            (
                "title: Riverton anchors buy local (fictional)",
                "title: 'Riverton's anchors buy local (fictional)'",
            )
        ],
        [("Riverton's", "Riverton''s")],
    ),
    (
        "year-as-text",
        "A year in quotes.",
        [("        year: 2015\n", '        year: "2015"\n')],
        [('year: "2015"', "year: 2015")],
    ),
    (
        "year-with-words",
        "A year with a word after it.",
        [("  start: 2015", "  start: 2015 onwards")],
        [("2015 onwards", "2015")],
    ),
    (
        "value-with-unit",
        "A value with its unit written after it.",
        [("{year: 2017, value: 12}", "{year: 2017, value: 12 people}")],
        [("12 people", "12")],
    ),
    (
        "value-with-currency",
        "A value with a currency sign.",
        [("{year: 2020, value: 31,", "{year: 2020, value: £31m,")],
        [("£31m", "31")],
    ),
    (
        "unit-not-allowed",
        "A unit the schema does not know.",
        [("    unit: people", "    unit: persons")],
        [("unit: persons", "unit: people")],
    ),
    (
        "date-in-words",
        "The review date written in words.",
        [('last_reviewed: "2026-11-01"', "last_reviewed: 1 November 2026")],
        [("1 November 2026", '"2026-11-01"')],
    ),
    (
        "source-date-in-words",
        "A source's date written in words.",
        [('    date: "2018-06"', "    date: June 2018")],
        [("date: June 2018", 'date: "2018-06"')],
    ),
    (
        "pillar-misspelt",
        "A pillar name misspelt.",
        [("  plural-ownership:", "  plural-ownerships:")],
        [("plural-ownerships:", "plural-ownership:")],
    ),
    (
        "metric-pillar-misspelt",
        "A metric's pillar misspelt.",
        [("    pillar: procurement", "    pillar: procurment")],
        [("pillar: procurment", "pillar: procurement")],
    ),
    (
        "indicator-misspelt",
        "An indicator name misspelt.",
        [("indicator: anchor-spend-local-value", "indicator: anchor-spend-local-values")],
        [("anchor-spend-local-values", "anchor-spend-local-value")],
    ),
    (
        "duplicate-key",
        "The same field twice.",
        [("scale: town\n", "scale: town\nscale: city\n")],
        [("scale: city\n", "\n")],
    ),
    (
        "status-misspelt",
        "A status that is not one of the allowed.",
        [("status: ongoing", "status: on-going")],
        [("on-going", "ongoing")],
    ),
    (
        "country-as-name",
        "The country written as a name.",
        [("  country: GB", "  country: United Kingdom")],
        [("United Kingdom", "GB")],
    ),
    (
        "tab-indent",
        "A tab instead of spaces.",
        [("  region: Testshire", "\tregion: Testshire")],
        [("\tregion", "  region")],
    ),
    (
        "url-without-https",
        "A web address without https://.",
        [("    url: https://example.org/council", "    url: example.org/council")],
        [("url: example.org", "url: https://example.org")],
    ),
    (
        "featured-yes",
        "yes for true.",
        [("featured: true", "featured: yes")],
        [("featured: yes", "featured: true")],
    ),
    (
        "four-mistakes",
        "Four mistakes: one of layout, three the layout error used to hide.",
        [
            ("  country: GB", "country: GB"),
            ("        year: 2015\n", '        year: "2015"\n'),
            ("  plural-ownership:", "  plural-ownerships:"),
            (R, "    source: 1\n    values"),
        ],
        [
            ("\ncountry: GB", "\n  country: GB"),
            ('year: "2015"', "year: 2015"),
            ("plural-ownerships:", "plural-ownership:"),
            ("source: 1\n", "source: riverton-report\n"),
        ],
    ),
    (
        "coordinate-moved-left",
        "lat:, the first field of coordinates:, moved left.",
        [("    lat: 53.5", "  lat: 53.5")],
        [("  lat: 53.5", "    lat: 53.5")],
    ),
    (
        "period-start-moved-left",
        "start: moved to the left margin, out of period:.",
        [("  start: 2015", "start: 2015")],
        [("\nstart: 2015", "\n  start: 2015")],
    ),
    (
        "actor-field-moved-left",
        "role: of an actor two spaces too far left.",
        [("    role: anchor-institution", "  role: anchor-institution")],
        [("  role: anchor-institution", "    role: anchor-institution")],
    ),
    (
        "metric-field-moved-left",
        "unit: of a metric two spaces too far left.",
        [("    unit: people", "  unit: people")],
        [("  unit: people", "    unit: people")],
    ),
    (
        "source-field-moved-left",
        "title: of a source two spaces too far left.",
        [
            (
                "    title: Riverton spend analysis (fictional)",
                "  title: Riverton spend analysis (fictional)",
            )
        ],
        [("  title: Riverton spend", "    title: Riverton spend")],
    ),
]


def apply(text, changes):
    for old, new in changes:
        assert text.count(old) >= 1, (old,)
        text = text.replace(old, new, 1)
    return text


for name, about, mutate, fix in CASES:
    body = apply(BODY.replace("slug: riverton\n", f"slug: {name}\n"), mutate)
    fixed = apply(body, fix)
    b, f = body.split("\n"), fixed.split("\n")
    assert len(b) == len(f), name
    changed = [i for i in range(len(b)) if b[i] != f[i]]
    size = 0
    path = OUT / f"{name}.yaml"
    for _ in range(8):
        fixes = [f"# fix-line: {i + 1 + size}: {f[i]}" for i in changed]
        header = ["#"] * (size - 1 - len(fixes)) + [f"# {about}"] + fixes
        path.write_text("\n".join(header) + "\n" + body)
        result = validate_files([path])
        head = [f"# expect: {p.line}:{p.column}: {p.message}" for p in result.problems]
        head += [f"# expect-hint: {p.hint}" for p in result.problems if p.hint]
        if len(head) + 1 + len(fixes) == size:
            break
        size = len(head) + 1 + len(fixes)
    path.write_text("\n".join([*head, f"# {about}", *fixes]) + "\n" + body)
    result = validate_files([path])
    assert [f"# expect: {p.line}:{p.column}: {p.message}" for p in result.problems] == [
        h for h in head if h.startswith("# expect: ")
    ], name
print(len(CASES))
