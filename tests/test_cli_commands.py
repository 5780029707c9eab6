"""Every command as a person meets it when something is off: exact text and exit status.

Outside a project, on a busy port, with every feed unreachable, and stopped with Ctrl+C
(a real SIGINT sent to a real `cwb` process).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from generator.cli import EXIT_STATUSES, main
from tests.conftest import ROOT
from tests.project import make_project, with_ctrl_c

RIVERTON = ROOT / "tests" / "fixtures" / "valid" / "riverton.yaml"
ENV = {**os.environ, "GITHUB_ACTIONS": "", "PYTHONUNBUFFERED": "1"}


def no_project(where: Path, alternative: str = "") -> str:
    return (
        "no knowledge-base project here (looked for case_studies/ or mkdocs.yml in "
        f"{where} and its parents); run cwb inside the project's folder{alternative}"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A minimal project: a case_studies/ folder with one valid case study."""
    folder = tmp_path / "project"
    (folder / "case_studies").mkdir(parents=True)
    shutil.copy(RIVERTON, folder / "case_studies" / "riverton.yaml")
    return folder


# --- outside a project ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "alternative"),
    [
        (["validate"], ", or name the files: cwb validate PATH ..."),
        (["links"], ", or name the files: cwb links PATH ..."),
        (["new", "kirklees"], ", or say where: cwb new SLUG --case-studies DIR"),
        (["build"], ""),
        (["serve"], ""),
        (["news"], ""),
        (["news", "--feeds", "feeds.yaml"], ""),
    ],
)
def test_every_command_outside_a_project_says_so_alike(
    argv: list[str],
    alternative: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "feeds.yaml").write_text("feeds: []\n")
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"cwb {argv[0]}: error: {no_project(Path.cwd(), alternative)}\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["feeds.yaml"]  # nothing written


def test_commands_find_the_project_from_a_folder_below_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    below = project / "case_studies"
    monkeypatch.chdir(below)
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("1 case study valid (")
    assert main(["new", "kirklees"]) == 0
    assert (project / "case_studies" / "kirklees.yaml").is_file()
    assert not (below / "case_studies").exists()


def test_new_with_case_studies_needs_no_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "kirklees", "--case-studies", "drafts"]) == 0
    assert capsys.readouterr().out.startswith("Created drafts/kirklees.yaml.")


def test_news_without_its_feeds_file_is_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    assert main(["news"]) == 2
    assert capsys.readouterr().err == "cwb news: error: no such file: feeds.yaml\n"
    assert main(["news", "--feeds", "elsewhere.yaml"]) == 2
    assert capsys.readouterr().err == "cwb news: error: no such file: elsewhere.yaml\n"
    assert not (project / "news").exists()


def test_build_without_mkdocs_yml_says_what_is_missing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    assert main(["build"]) == 2
    assert capsys.readouterr().err == (
        f"cwb build: error: no mkdocs.yml in {project}: the site needs its configuration; "
        "run cwb inside a full checkout of the knowledge base\n"
    )


# --- exit statuses are documented ---------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(EXIT_STATUSES))
def test_help_states_the_exit_statuses(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert f"Exit status: {EXIT_STATUSES[command]}." in text


def test_the_readme_states_the_same_exit_statuses() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## The command line", 1)[1].split("\n## ", 1)[0]
    rows = {
        line.split("`")[1].split()[1]: line.rstrip(" |").rsplit(" | ", 1)[1]
        for line in section.splitlines()
        if line.startswith("| `cwb ")
    }
    assert rows == EXIT_STATUSES


# --- cwb serve on a busy port -------------------------------------------------------------------


def test_serve_on_a_busy_port_says_which_and_how_to_choose(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port), "--site-dir", str(tmp_path / "site")])
    assert not (tmp_path / "site").exists()  # said before anything was built
    assert code == 1
    assert capsys.readouterr().err == (
        f"cwb serve: error: port {port} is already in use (is another cwb serve running?); "
        f"stop that, or choose another port: cwb serve --port {port + 1}\n"
    )
    assert not (tmp_path / "site").exists()


def test_serve_refuses_a_port_that_cannot_exist(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--port", "70000"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "cwb serve: error: argument --port: 70000 is not a port: use 1 to 65535, e.g. 8001"
    )


# --- cwb news when no feed answers --------------------------------------------------------------


def write_feeds(project: Path, urls: list[str]) -> None:
    entries = [
        {"name": f"Feed {n}", "url": url, "homepage": "https://example.org/", "verified": True}
        for n, url in enumerate(urls, start=1)
    ]
    # The feeds live on 127.0.0.1: only a feeds file that allows it may reach them.
    data = {"feeds": entries, "allow_private_addresses": True}
    (project / "feeds.yaml").write_text(yaml.safe_dump(data), "utf-8")


def test_news_with_no_feed_reachable_says_so_once(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_feeds(project, ["http://127.0.0.1:9/feed", "http://127.0.0.1:1/feed"])
    monkeypatch.chdir(project)
    assert main(["news"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == (
        "cwb news: No feed could be reached — is this machine offline? "
        "The news archive was not changed."
    )
    assert (out + err).count("the connection was refused") == 2  # each failure once
    assert sorted(err.splitlines()) == [
        "Feed 1: network error (0.0 s)",
        "Feed 2: network error (0.0 s)",
    ]
    assert not (project / "news" / "state.json").exists()


def test_news_with_an_invalid_feeds_file_prints_each_problem_once(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "feeds.yaml").write_text(
        "feeds:\n  - name: A feed\n    url: https://x.org/feed\n"
        "    homepage: https://x.org/\n    verifed: true\n"
    )
    monkeypatch.chdir(project)
    assert main(["news"]) == 1
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("feeds.yaml:")] == [
        "feeds.yaml:5:5: error: unknown field 'verifed' in feeds[1]",
    ]
    assert out.splitlines()[-1] == (
        f"cwb news: nothing was fetched: {project / 'feeds.yaml'} has problems"
    )


# --- Ctrl+C -------------------------------------------------------------------------------------


class Running:
    """A `cwb` process whose stderr is read line by line as it comes."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", *argv],
            cwd=cwd,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=with_ctrl_c,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"never saw {what}; stderr: {''.join(self.lines)}")
            time.sleep(0.05)

    def close(self) -> None:
        """Make sure the process is gone and its pipes closed."""
        self.process.kill()
        self.process.wait()
        self._reader.join(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def interrupt(self) -> tuple[int, str]:
        """Send SIGINT, as Ctrl+C does; return the exit status and everything on stderr."""
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=60)
        finally:
            self.process.kill()
        self._reader.join(timeout=10)
        return code, "".join(self.lines)


@pytest.fixture
def running() -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for process in started:
        process.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX; Windows sends CTRL_C_EVENT")
def test_ctrl_c_during_build_leaves_the_site_as_it_was(
    tmp_path: Path, running: list[Running]
) -> None:
    folder = tmp_path / "case_studies"
    folder.mkdir()
    shutil.copy(RIVERTON, folder / "riverton.yaml")
    root = make_project(tmp_path / "project", case_studies=folder).root
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site")
    build = Running(["build", "--case-studies", str(folder), "--site-dir", str(site)], root)
    running.append(build)
    build.wait_for(lambda: any(line.startswith("Rendered ") for line in build.lines), "render")
    code, err = build.interrupt()
    assert code == 130
    assert err.splitlines()[-1] == "Interrupted; the site was not changed."
    assert "Traceback" not in err
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".site")] == []
    assert (site / "index.html").read_text() == "the previous site"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX; Windows sends CTRL_C_EVENT")
def test_ctrl_c_during_news_leaves_the_archive_as_it_was(
    project: Path, running: list[Running]
) -> None:
    received = threading.Event()

    # A feed that accepts the connection and never answers: the run is busy fetching.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def accept() -> None:
            connection, _ = listener.accept()
            received.set()
            time.sleep(30)
            connection.close()

        threading.Thread(target=accept, daemon=True).start()
        write_feeds(project, [f"http://127.0.0.1:{port}/feed"])
        news = Running(["news"], project)
        running.append(news)
        news.wait_for(received.is_set, "the feed request")
        code, err = news.interrupt()
    assert code == 130
    assert err.splitlines()[-1] == "Interrupted; the news archive was not changed."
    assert "Traceback" not in err
    assert sorted(path.name for path in (project / "news").iterdir()) == [".lock"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX; Windows sends CTRL_C_EVENT")
def test_ctrl_c_stops_serve_in_one_line(tmp_path: Path, running: list[Running]) -> None:
    folder = tmp_path / "case_studies"
    folder.mkdir()
    shutil.copy(RIVERTON, folder / "riverton.yaml")
    root = make_project(tmp_path / "project", case_studies=folder).root
    site = tmp_path / "site"
    serve = Running(
        ["serve", "--port", "0", "--case-studies", str(folder), "--site-dir", str(site)], root
    )
    running.append(serve)
    serve.wait_for(lambda: any("Serving the site at" in line for line in serve.lines), "serving")
    url = next(line for line in serve.lines if "Serving the site at" in line).split()[4]
    # A missing page gets the site's own 404 page, with status 404.
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{url}no/such/page/")
    assert missing.value.code == 404
    assert (site / "404.html").read_bytes().split(b"</body>")[0] in missing.value.read()
    code, err = serve.interrupt()
    assert code == 130
    assert err.splitlines()[-1] == (
        f"Stopped; {os.path.relpath(site, root)} holds the last good build."
    )
    assert "Traceback" not in err
