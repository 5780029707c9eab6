"""Search aliases: a page using one name of a thing is indexed under all its names."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.aliases import alias_marker, page_aliases
from generator.paths import ABBREVIATIONS_FILE
from generator.render import _content_files


def test_any_name_brings_every_name() -> None:
    assert page_aliases("Homes held by a community land trust.")[:3] == [
        "community land trust",
        "CLT",
        "CLTs",
    ]
    assert "community land trust" in page_aliases("London CLT sold its first homes.")
    assert "co-op" in page_aliases("Worker Co-operatives grew.")  # any case, plural
    assert "co-operative" in page_aliases("Two co-ops opened.")


def test_names_match_whole_words_and_capitals_as_written() -> None:
    assert page_aliases("https://example.org/london-clt/ and CLTB") == []
    assert page_aliases("a cooperation agreement; decwb") == []
    assert "CWB" in page_aliases("the CWB Act")


def test_marker_is_pagefind_metadata_escaped() -> None:
    marker = alias_marker("a community land trust", ("<b>local</b> & more",))
    assert 'data-pagefind-meta="aliases:community land trust, CLT, CLTs, ' in marker
    assert "&lt;b&gt;local&lt;/b&gt; &amp; more" in marker and "<b>" not in marker
    assert alias_marker("nothing to see") == ""


def test_every_entry_is_one_thing_with_two_names_or_more() -> None:
    entries = yaml.safe_load(ABBREVIATIONS_FILE.read_text("utf-8"))
    names = [name.lower() for entry in entries for name in entry["names"]]
    assert all(len(entry["names"]) >= 2 for entry in entries)
    assert len(names) == len(set(names))


def test_a_guide_names_its_own_aliases(tmp_path: Path) -> None:
    (tmp_path / "guide.md").write_text(
        "---\ntitle: A guide\nsearch_aliases: [local wealth building]\n---\n\n# A guide\n", "utf-8"
    )
    text = _content_files(tmp_path)["guide.md"].decode()
    assert 'data-pagefind-meta="aliases:local wealth building"' in text
    assert 'data-pagefind-filter="type:guide"' in text
