"""A contributor's journey: scaffold, fill in the minimum, validate, see the page in a build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build_site
from generator.cli import main
from generator.paths import RESERVED_SLUGS
from generator.render import Renderer
from generator.validate import validate_files
from tests.golden import SETTINGS
from tests.project import make_project

# What a contributor types over each placeholder, in the order the scaffold asks for them.
ANSWERS = [
    '"Kirklees builds an inclusive economy"',
    "Huddersfield",
    "GB",
    "53.6458",
    "-1.7850",
    "town",
    "2018",
    "ongoing",
    '"Kirklees Council and CLES began work on its spending with local firms, so that more of '
    'what the council buys supports local jobs."',
    "Kirklees Council joined the movement in 2018, working with CLES on how its spending could "
    "support local firms and jobs.",
    '"The council reviewed its spending."',
    '"Spend analysis"',
    "2018",
    '"The council and CLES analysed where its spend went."',
    "cles-kirklees",
    '"Kirklees Council"',
    "local-government",
    "lead",
    '"Procurement projects started"',
    "count",
    "procurement",
    "cles-kirklees",
    "2018",
    "1",
    '"Start with the council\'s own spending."',
    "cles-kirklees",
    '"Building an inclusive economy in Kirklees"',
    "CLES",
    "https://cles.org.uk/tag/local-wealth-building/",
    '"2026-11-20"',
]
# Text placeholders are quoted; number placeholders are a bare TODO before a comment.
PLACEHOLDER_VALUE = re.compile(
    r'"TODO: [^"\n]*"|TODO: the story, in Markdown paragraphs\.|\bTODO(?=  # )'
)


def fill_in(text: str) -> str:
    """Replace the placeholders of uncommented lines, as a contributor would."""
    answers = iter(ANSWERS)
    lines = [
        line
        if line.lstrip().startswith("#")
        else PLACEHOLDER_VALUE.sub(lambda match: next(answers), line)
        for line in text.splitlines()
    ]
    assert next(answers, None) is None, "the scaffold asks for fewer values than expected"
    return "\n".join(lines) + "\n"


def test_scaffold_fill_validate_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "case_studies"
    assert main(["new", "kirklees", "--case-studies", str(folder)]) == 0
    path = folder / "kirklees.yaml"
    assert "Fill in every TODO" in capsys.readouterr().out
    scaffold = path.read_text("utf-8")
    assert scaffold.splitlines()[0] == (
        "# yaml-language-server: $schema=../generator/schema/case-study.schema.json"
    )

    # Untouched, every placeholder is a problem that says what to write there.
    untouched = validate_files([path])
    assert len(untouched.problems) == len(ANSWERS)
    title = untouched.problems[0]
    assert (title.line, title.message) == (12, "title is still a placeholder: TODO: title")
    assert title.hint.startswith("The case study's headline")

    path.write_text(fill_in(scaffold), "utf-8")
    assert main(["validate", str(path)]) == 0, capsys.readouterr().out

    paths = make_project(tmp_path / "project", case_studies=folder)
    site = paths.site
    result = build_site(
        paths,
        progress=lambda message: None,
        index=False,
    )
    assert result.ok
    page = (site / "case-studies" / "kirklees" / "index.html").read_text("utf-8")
    assert "Kirklees builds an inclusive economy" in page
    assert "Huddersfield" in (site / "places" / "index.html").read_text("utf-8")


def test_new_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "case_studies"
    folder.mkdir()
    (folder / "preston.yaml").write_text("keep me")
    assert main(["new", "preston", "--case-studies", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"cwb new: error: {folder / 'preston.yaml'} already exists: edit it, or choose another "
        "slug\n"
    )
    assert (folder / "preston.yaml").read_text() == "keep me"


@pytest.mark.parametrize("slug", ["Preston", "north_ayrshire", "x-", "a", "x--y", "x y"])
def test_new_refuses_a_bad_slug(
    tmp_path: Path, slug: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", slug, "--case-studies", str(tmp_path)]) == 1
    assert f"'{slug}' is not a valid slug" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_a_slug_that_names_a_site_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # case-studies/index.md is the list of case studies: `cwb new index` would hide it (issue 16).
    assert main(["new", "index", "--case-studies", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        "cwb new: error: the slug 'index' is taken by a page of the site "
        "(case-studies/index.md): choose another slug (and file name); reserved: index\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_reserved_slugs_are_the_pages_beside_the_case_studies() -> None:
    pages = Renderer([], SETTINGS).pages()
    beside = {Path(path).stem for path in pages if Path(path).parent == Path("case-studies")}
    assert beside == RESERVED_SLUGS
