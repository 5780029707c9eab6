"""The news archive is text anyone can edit: checked like a case study, never a crash (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.build import build_site
from generator.cli import main
from generator.news import archive_check
from generator.news.archive_check import read_month_checked
from generator.news.pages import PAGE_ITEMS, news_pages
from generator.problems import Problem
from tests.news.test_pages import BUILT_AT, SITE, archive, make
from tests.project import make_project


def month_text(*items: dict[str, object], month: str = "2026-05") -> str:
    """Return a month file's text as cwb news writes it."""
    return json.dumps({"items": list(items), "month": month}, indent=2) + "\n"


def one_problem(path: Path) -> Problem:
    read = read_month_checked(path)
    assert len(read.problems) == 1, read.problems
    return read.problems[0]


def line_of(path: Path, needle: str) -> int:
    """Return the last line holding needle (the edited item comes after a good one)."""
    lines = path.read_text("utf-8").splitlines()
    return [number for number, line in enumerate(lines, 1) if needle in line][-1]


def test_an_unknown_pillar_is_a_problem_with_its_line(tmp_path: Path) -> None:
    good, bad = make(1).to_json(), make(2, pillars=("not-a-pillar",)).to_json()
    path = tmp_path / "2026-05.json"
    path.write_text(month_text(good, bad), "utf-8")
    read = read_month_checked(path)
    [problem] = read.problems
    assert problem.line == line_of(path, '"not-a-pillar"') - 1  # the "pillars": line
    assert problem.message == "unknown pillar 'not-a-pillar'"
    assert "the pillars are procurement, workforce" in problem.hint
    assert [item.title for item in read.items] == ["Item 1"]  # the bad item is left out


@pytest.mark.parametrize(
    ("edit", "message", "needle"),
    [
        ({"pilars": ["finance"]}, "unknown field 'pilars'", '"pilars"'),
        ({"published": "yesterday"}, "published 'yesterday' is not a date and time", "yesterday"),
        (
            {"published": "2026-04-30T10:00:00Z"},
            "is not in 2026-05, the month of this file",
            "04-30",
        ),
        ({"published": "0999-05-01T00:00:00Z"}, "is before the web (1991)", "0999"),
        ({"link": "javascript:alert(1)"}, "is not an http(s) address", "javascript"),
        ({"title": ""}, "title is empty", '"title"'),
        ({"language": "English\u2028!"}, "is not a language tag", '"language"'),
        ({"date_source": "guess"}, "date_source must be 'feed' or 'fetch'", "guess"),
        ({"pillars": "finance"}, "pillars must be a list", '"pillars"'),
    ],
)
def test_hand_edits_are_named_with_file_and_line(
    tmp_path: Path, edit: dict[str, object], message: str, needle: str
) -> None:
    path = tmp_path / "2026-05.json"
    path.write_text(month_text(make(1).to_json(), {**make(2).to_json(), **edit}), "utf-8")
    problem = one_problem(path)
    assert message in problem.message
    assert problem.line == line_of(path, needle)
    assert "\u2028" not in problem.message and "\n" not in problem.message
    if "pilars" in edit:
        assert problem.hint.startswith("did you mean 'pillars'?")


def test_a_missing_field_points_at_its_item(tmp_path: Path) -> None:
    item = make(2).to_json()
    del item["source"]
    path = tmp_path / "2026-05.json"
    path.write_text(month_text(make(1).to_json(), item), "utf-8")
    problem = one_problem(path)
    assert problem.message == "source is missing"
    assert problem.line == line_of(path, '"urn:test:2"') - 1  # the item's opening brace
    assert path.read_text("utf-8").splitlines()[problem.line - 1].strip() == "{"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"items": [\n  {"id": 1,\n}', "not valid JSON", 3),
        ('{"items": [], "items": []}', "the key 'items' is given twice", 1),
        ("[]", "a month file must be an object with a list of items", 1),
        ('{"items": [],\n "month": "2026-04"}', "month is '2026-04' in the file for 2026-05", 2),
    ],
)
def test_broken_files_are_one_problem_each(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    path = tmp_path / "2026-05.json"
    path.write_text(text, "utf-8")
    problem = one_problem(path)
    assert message in problem.message and problem.line == line


def test_a_misnamed_or_oversized_file_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    misnamed = tmp_path / "999-01-.json"  # what a run before issue 17 wrote for the year 999
    misnamed.write_text(month_text(), "utf-8")
    assert "is not the name of a month file" in one_problem(misnamed).message
    monkeypatch.setattr(archive_check, "MAX_MONTH_BYTES", 1000)
    big = tmp_path / "2026-05.json"
    big.write_text(month_text(*(make(n).to_json() for n in range(10))), "utf-8")
    assert "a month file may hold" in one_problem(big).message
    assert read_month_checked(big).items == []


def test_build_leaves_bad_items_out_and_reports_them(tmp_path: Path) -> None:
    paths = make_project(tmp_path / "project")
    news = paths.news / "archive"
    news.mkdir(parents=True, exist_ok=True)
    bad = make(2, pillars=("not-a-pillar",), title="Hand-edited item")
    (news / "2026-05.json").write_text(month_text(make(1).to_json(), bad.to_json()), "utf-8")
    (news / "999-01-.json").write_text(month_text(), "utf-8")
    result = build_site(paths, progress=lambda message: None, index=False)
    assert result.ok  # the build never crashes on the archive
    messages = sorted(problem.message for problem in result.news_problems)
    assert messages == [
        "'999-01-.json' is not the name of a month file",
        "unknown pillar 'not-a-pillar'",
    ]
    month_page = (paths.site / "news" / "2026-05" / "index.html").read_text("utf-8")
    assert "Item 1" in month_page and "Hand-edited item" not in month_page


def test_cwb_validate_checks_the_news_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = make_project(tmp_path / "project")
    archive(paths.news, make(1))
    monkeypatch.chdir(paths.root)
    assert main(["validate"]) == 0
    assert "case studies and 1 news archive file valid (" in capsys.readouterr().out
    month = paths.news / "archive" / "2026-05.json"
    month.write_text(month.read_text("utf-8").replace("plural-ownership", "not-a-pillar"), "utf-8")
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    line = line_of(month, "not-a-pillar") - 1
    assert f"news/archive/2026-05.json:{line}:7: error: unknown pillar 'not-a-pillar'" in out
    # Named alone, the news folder is checked without the case studies.
    assert main(["validate", "news"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "1 problem in 1 of 1 file"


def test_a_large_month_is_split_into_light_pages(tmp_path: Path) -> None:
    news = archive(tmp_path / "news", *(make(n) for n in range(2 * PAGE_ITEMS + 5)))
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n  - name: Co-operative News\n    url: https://www.thenews.coop/feed/\n"
        "    homepage: https://www.thenews.coop/\n    verified: true\n",
        "utf-8",
    )
    pages = news_pages(news, feeds, site_url=SITE, built_at=BUILT_AT)
    assert {"news/2026-05.md", "news/2026-05/2.md", "news/2026-05/3.md"} <= set(pages)
    counts = [
        pages[name].count('<article class="news-item"')
        for name in ("news/2026-05.md", "news/2026-05/2.md", "news/2026-05/3.md")
    ]
    assert counts == [PAGE_ITEMS, PAGE_ITEMS, 5]
    first, second = pages["news/2026-05.md"], pages["news/2026-05/2.md"]
    assert "[2](2026-05/2.md)" in first and "**1**" in first
    assert "[1](../2026-05.md)" in second and "[3](3.md)" in second
    assert 'title: "News of May 2026, page 2"' in second
    assert "[Latest news](../index.md)" in second
