"""`cwb serve` as an author uses it: edit a case study, and the open page reloads by itself."""

from __future__ import annotations

import json
import logging
import select
import shutil
import socket
import struct
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
from generator.problems import BuildError, Problem
from generator.serve import (
    NOT_FOUND_PAGE,
    RELOAD_PATH,
    ReloadSignal,
    WatchFilter,
    make_server,
    problems_payload,
    serve,
)
from tests.browser import PageWatch, serious_violations
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


# The key is quoted in the message "unknown field '…'": markup a contributor typed, shown as text.
PAYLOAD = "<img src=x onerror=window.cwbRan=1>"


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_broken_build_is_shown_on_the_open_page_until_it_is_fixed(
    served,  # type: ignore[no-untyped-def]
    browser: Browser,
    scheme: str,
) -> None:
    url, case_file, outcomes = served
    good = case_file.read_text()
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    watch = PageWatch(url.rstrip("/")).attach(page)
    page.goto(f"{url}case-studies/riverton/")
    overlay = page.locator("#cwb-problems")
    assert overlay.count() == 0

    # Break it: a misspelt key and a key holding markup, two problems in one file.
    builds = len(outcomes)
    case_file.write_text(good.replace("title:", "titel:", 1) + f'"{PAYLOAD}": 1\n')
    assert _wait_for(lambda: len(outcomes) > builds)
    result = outcomes[-1]
    assert isinstance(result, BuildResult) and not result.ok
    assert _wait_for(lambda: overlay.count() == 1), "no overlay after the broken build"
    assert overlay.get_attribute("role") == "alert"
    assert ("cwb-dark" in (overlay.get_attribute("class") or "")) is (scheme == "dark")
    text = overlay.inner_text()
    for problem in result.problems:  # the same problems the terminal prints, each with its place
        assert f"{problem.display_path()}:{problem.line}:{problem.column}" in text
        assert problem.message in text
        assert not problem.hint or problem.hint in text
    assert "unknown field 'titel'" in text
    assert f"unknown field '{PAYLOAD}'" in text  # shown as typed ...
    assert page.evaluate("window.cwbRan") is None  # ... and never run
    assert overlay.locator("img").count() == 0
    assert "Riverton anchors buy local" in page.locator("h1").inner_text()  # the last good page
    box = overlay.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
    assert serious_violations(page) == []  # contrast in this colour scheme, the button's name

    # Its dismiss button is reached by keyboard and hides it.
    close = overlay.get_by_role("button", name="Hide the problems")
    close.focus()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Hide the problems"
    )
    page.keyboard.press("Enter")
    assert overlay.count() == 0

    # A page opened while the build is broken shows the problems at once.
    page.reload()
    assert _wait_for(lambda: overlay.count() == 1), "no overlay on a page opened while broken"

    # Fix it: the page reloads with the new build and the overlay is gone.
    builds = len(outcomes)
    case_file.write_text(good.replace("anchors buy local", "anchors buy locally"))
    assert _wait_for(lambda: len(outcomes) > builds)
    assert isinstance(outcomes[-1], BuildResult) and outcomes[-1].ok
    assert _wait_for(lambda: "buy locally" in page.locator("h1").inner_text())
    assert overlay.count() == 0
    assert [error for error in watch.console_errors if "__cwb_reload" not in error] == []
    context.close()


def _first_event(url: str) -> str:
    with urllib.request.urlopen(f"{url.rstrip('/')}{RELOAD_PATH}", timeout=10) as stream:
        lines = []
        while (line := stream.readline().decode()) != "\n":
            lines.append(line)
    return "".join(lines)


def test_a_page_that_connects_learns_at_once_whether_the_build_is_good(served) -> None:  # type: ignore[no-untyped-def]
    url, case_file, outcomes = served
    assert _first_event(url).startswith("event: good\n")  # a page cut off while broken reloads
    builds = len(outcomes)
    case_file.write_text(case_file.read_text().replace("title:", "titel:", 1))
    assert _wait_for(lambda: len(outcomes) > builds)
    event = _first_event(url)
    assert event.startswith("event: problems\ndata: ")
    data = json.loads(event.split("data: ", 1)[1])
    assert data["problems"][0]["message"] == "unknown field 'titel'"


def test_the_problems_payload_is_the_terminals_text_made_printable(tmp_path: Path) -> None:
    case = tmp_path / "x.yaml"
    result = BuildResult(problems=[Problem(case, 3, 5, "bad \x1b[31mred", "write 'a'")])
    assert problems_payload(result) == [
        {
            "file": Problem(case, 3, 5, "").display_path(),
            "line": 3,
            "column": 5,
            "message": "bad \\x1b[31mred",
            "hint": "write 'a'",
        }
    ]
    assert problems_payload(BuildError("no mkdocs.yml"))[0]["message"] == (
        "the site could not be built: no mkdocs.yml"
    )


# --- the server under hostile or careless clients (issue 16, item 10) --------------------------
# The real server on 127.0.0.1, a small site, raw sockets; a short idle timeout and a small cap
# so that the tests wait seconds, not the defaults.

IDLE = 1.0
CAP = 6


@pytest.fixture
def site_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><p>home</p></body></html>")
    (site / NOT_FOUND_PAGE).write_text("<html><body><p>no such page</p></body></html>")
    (site / "big.bin").write_bytes(b"x" * (16 << 20))  # far more than the socket buffers hold
    server = make_server(site, "127.0.0.1", 0, ReloadSignal(), timeout=IDLE, max_connections=CAP)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], site
    server.shutdown()
    server.server_close()


def _ask(port: int, request: bytes) -> bytes:
    """Send a raw request and return everything the server answers before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _quiet(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    """Assert that no traceback reached stderr and nothing was logged as a warning or worse."""
    assert "Traceback" not in capsys.readouterr().err
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert not [r for r in caplog.records if r.exc_info]


def _settled(threads: int, timeout: float = 10.0) -> bool:
    return _wait_for(lambda: threading.active_count() <= threads, timeout)


@pytest.mark.parametrize(
    "path", ["/%00", "/index.html%00.png", "/a/%00/", "/%ED%A0%80", "/%ED%A0%80.html"]
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_path_no_file_can_have_is_answered_400_quietly(
    site_server,
    method: str,
    path: str,
    capsys,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    port, _ = site_server
    caplog.set_level(logging.DEBUG, logger="generator.serve")
    answer = _ask(port, f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert _status(answer) == 400
    assert _status(_ask(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")) == 200  # still serving
    _quiet(capsys, caplog)


def test_an_over_long_request_line_is_answered_414_and_a_long_name_404(
    site_server,
    capsys,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    port, _ = site_server
    caplog.set_level(logging.DEBUG, logger="generator.serve")
    long_path = "/" + "a" * 6000
    assert _status(_ask(port, f"GET {long_path} HTTP/1.1\r\n\r\n".encode())) == 414
    assert _status(_ask(port, f"GET /{'a' * 70_000} HTTP/1.1\r\n\r\n".encode())) == 414
    # A name longer than the file system allows (255 bytes), in a short request: not found.
    answer = _ask(port, f"GET /{'b' * 300}.html HTTP/1.1\r\n\r\n".encode())
    assert _status(answer) == 404 and b"no such page" in answer
    nested = "/".join(["c" * 250] * 15)  # 3,764 characters, under the limit
    assert _status(_ask(port, f"HEAD /{nested}/ HTTP/1.1\r\n\r\n".encode())) == 404
    _quiet(capsys, caplog)


def test_a_symlink_out_of_the_site_is_not_followed(site_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port, site = site_server
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the site")
    (site / "secret.txt").symlink_to(secret)
    (site / "elsewhere").symlink_to(tmp_path)
    for path in ("/secret.txt", "/elsewhere/secret.txt", "/elsewhere/"):
        answer = _ask(port, f"GET {path} HTTP/1.1\r\n\r\n".encode())
        assert _status(answer) == 404 and b"outside the site" not in answer, path


def test_clients_that_leave_mid_answer_leave_no_traceback(
    site_server,
    capsys,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    port, _ = site_server
    caplog.set_level(logging.DEBUG, logger="generator.serve")
    threads = threading.active_count()
    for _ in range(10):
        conn = socket.create_connection(("127.0.0.1", port), timeout=10)
        conn.sendall(b"GET /big.bin HTTP/1.1\r\n\r\n")
        assert conn.recv(4096).startswith(b"HTTP/1.0 200")
        # Reset rather than a polite close: the server's next write fails at once.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    assert _settled(threads), "the handler threads did not finish"
    left = [r for r in caplog.records if "left or stalled" in r.getMessage()]
    assert left, "the early departures were not noticed at all"
    _quiet(capsys, caplog)


def test_idle_connections_are_capped_and_closed_after_the_timeout(
    site_server,
    capsys,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    port, _ = site_server
    caplog.set_level(logging.DEBUG, logger="generator.serve")
    threads = threading.active_count()
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(40)]
    answers: dict[socket.socket, bytes] = {}
    most = 0
    started = time.monotonic()
    try:
        while len(answers) < len(idle) and time.monotonic() - started < IDLE * 4 + 10:
            most = max(most, threading.active_count())
            ready, _, _ = select.select([c for c in idle if c not in answers], [], [], 0.02)
            for conn in ready:
                answers[conn] = conn.recv(4096)  # the server answered 503, or closed it
    finally:
        for conn in idle:
            conn.close()
    assert most == threads + CAP  # a thread for each of CAP connections, not one more
    assert len(answers) == len(idle), "idle connections were left open"
    busy = [answer for answer in answers.values() if answer]
    assert all(answer.startswith(b"HTTP/1.0 503") for answer in busy)
    # Those beyond the cap are told at once; the rest are closed when idle too long (and a
    # slot so freed may take one more before it is refused).
    assert len(busy) >= len(idle) - 2 * CAP
    assert _settled(threads)
    assert _status(_ask(port, b"GET / HTTP/1.1\r\n\r\n")) == 200
    assert [r for r in caplog.records if "timed out" in r.getMessage()]
    _quiet(capsys, caplog)
