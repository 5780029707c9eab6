"""One large case study (issue 16, item 9): the page looked each source up by scanning the list,
so 7,727 sources took 40 s or more to render. The benchmark's file must stay valid, and its page
must still list every source once, in the order of the numbers the citations show."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.corpus import write_many_sources
from generator.load import MAX_BYTES
from generator.paths import collect_files
from generator.render import Renderer, SiteSettings
from generator.validate import validate_files
from tests.conftest import ROOT


def test_the_benchmarks_7727_sources_are_listed_once_each_in_number_order(
    tmp_path: Path,
) -> None:
    files = collect_files([write_many_sources(7727, tmp_path / "case_studies")])
    assert len(files) == 1 and files[0].stat().st_size <= MAX_BYTES
    validation = validate_files(files)
    assert validation.ok, validation.problems[:3]
    (case,) = validation.case_studies
    assert len(case.sources) == 7727

    pages = Renderer([case], SiteSettings.read(ROOT / "mkdocs.yml")).pages()
    listed = re.findall(r'<li id="source-([^"]+)">', pages[f"case-studies/{case.slug}.md"])
    assert listed == sorted(case.source_numbers, key=case.source_numbers.__getitem__)
    assert sorted(listed) == sorted(source.id for source in case.sources)
    # The figures and initiatives cite the case study's own sources: they come first; the
    # thousands never cited follow in file order.
    assert listed[0].startswith("source-") and listed[-1] == case.sources[-1].id
