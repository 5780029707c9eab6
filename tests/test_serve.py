"""`cwb serve` as an author uses it: edit a case study, and the open page reloads by itself."""

from __future__ import annotations

import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import watchfiles
from playwright.sync_api import Browser

from generator.build import BuildResult
from generator.problems import BuildError
from generator.serve import RELOAD_PATH, WatchFilter, serve
from tests.browser import PageWatch
from tests.conftest import ROOT
from tests.project import make_project

SAMPLE = ROOT / "tests" / "fixtures" / "valid" / "riverton.yaml"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, list[BuildResult | BuildError]]]:
    folder = tmp_path / "case_studies"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "riverton.yaml")
    paths = make_project(tmp_path / "project", case_studies=folder)
    stop = threading.Event()
    ready: list[str] = []
    outcomes: list[BuildResult | BuildError] = []
    thread = threading.Thread(
        target=serve,
        kwargs={
            "paths": paths,
            "port": 0,
            "report": outcomes.append,
            "stop": stop,
            "on_ready": ready.append,
        },
        daemon=True,
    )
    thread.start()
    deadline = time.monotonic() + 60
    while not ready and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready, "the server did not start"
    yield ready[0], folder / "riverton.yaml", outcomes
    stop.set()
    thread.join(timeout=10)


def _wait_for(condition, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_pages_carry_the_reload_script_only_when_served(served) -> None:  # type: ignore[no-untyped-def]
    url, _, outcomes = served
    html = urllib.request.urlopen(f"{url}case-studies/riverton/").read().decode()
    assert RELOAD_PATH in html
    assert isinstance(outcomes[0], BuildResult) and outcomes[0].ok


def test_a_missing_page_gets_the_sites_own_404_page(served) -> None:  # type: ignore[no-untyped-def]
    url, _, _ = served
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{url}case-studies/no-such-place/")
    assert missing.value.code == 404
    assert missing.value.headers["Content-Type"] == "text/html; charset=utf-8"
    body = missing.value.read().decode()
    html = urllib.request.urlopen(f"{url}404.html").read().decode()  # the built page itself
    assert body == html and RELOAD_PATH in body


@pytest.mark.parametrize(
    ("name", "rebuilds"),
    [
        ("news/.lock", False),
        ("news/archive/.2026-05.json.k2x9q1.tmp", False),
        ("news/.state.json.a8f3.tmp", False),
        ("news/archive/2026-05.json", True),
        ("news/state.json", True),
        ("case_studies/preston.yaml", True),
        ("case_studies/.preston.yaml.swp", False),  # an editor's, ignored by default
    ],
)
def test_news_runs_lock_and_temp_files_set_off_no_rebuild(
    name: str, rebuilds: bool, tmp_path: Path
) -> None:
    assert WatchFilter()(watchfiles.Change.added, str(tmp_path / name)) is rebuilds


@pytest.mark.browser
def test_an_edit_reloads_the_open_page(served, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    url, case_file, outcomes = served
    page = browser.new_page()
    watch = PageWatch(url.rstrip("/")).attach(page)
    page.goto(f"{url}case-studies/riverton/")
    assert "Riverton anchors buy local" in page.locator("h1").inner_text()

    started = time.monotonic()
    case_file.write_text(
        case_file.read_text().replace(
            "title: Riverton anchors buy local (fictional)", "title: Riverton buys even more"
        )
    )
    assert _wait_for(lambda: "even more" in page.locator("h1").inner_text())
    print(f"edit to reloaded page: {time.monotonic() - started:.1f} s")

    # A broken edit is reported; the last good page stays up and does not reload.
    builds = len(outcomes)
    case_file.write_text(case_file.read_text().replace("title:", "titel:", 1))
    assert _wait_for(lambda: len(outcomes) > builds)
    problems = outcomes[-1]
    assert isinstance(problems, BuildResult) and not problems.ok
    assert problems.problems[0].message == "unknown field 'titel'"
    assert "even more" in page.locator("h1").inner_text()
    assert [error for error in watch.console_errors if "__cwb_reload" not in error] == []
