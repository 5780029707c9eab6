"""The source-link checker, against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import functools
import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main as cwb
from generator.http import USER_AGENT
from generator.links import LinkReport, LinkResult, Outcome, check_source_links
from generator.validate import validate_files
from tests.servers import Handler, LocalServer, Reply


def main(argv: list[str]) -> int:
    """Run `cwb links` with arguments; argparse's own exits (--help, bad values) as codes."""
    try:
        # The test server is on 127.0.0.1, which `cwb links` refuses unless told.
        return cwb(["links", "--allow-private-addresses", *argv])
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2


RIVERTON = Path(__file__).parent / "fixtures" / "valid" / "riverton.yaml"
TIMEOUT = 0.5  # the slow endpoint sleeps longer than this
SLOW = 3.0


class LinkServer(LocalServer):
    """The suite's server, with one route per kind of link."""

    def __init__(self) -> None:
        super().__init__()
        for path, route in ROUTES.items():
            self.routes[path] = functools.partial(_dispatch, route)

    def snapshot(self) -> list[tuple[str, str, str]]:
        """Return (method, path, User-Agent) of the requests received so far."""
        return [
            (seen.method, seen.path.split("?")[0], seen.headers.get("User-Agent", ""))
            for seen in list(self.requests)
        ]

    def asked(self, path: str, method: str) -> int:
        """Return how many requests so far asked for this path with this method."""
        return count(self.snapshot(), path, method)


def count(requests: list[tuple[str, str, str]], path: str, method: str) -> int:
    """Return how many of the requests asked for this path with this method."""
    return sum(1 for seen in requests if seen[:2] == (method, path))


Route = Callable[[Handler, str, int], None]  # handler, method, how many times asked before


def _status(code: int, **headers: str) -> Route:
    def route(handler: Handler, method: str, before: int) -> None:
        _answer(handler, code, headers)

    return route


def _then(*codes: int) -> Route:
    """Answer each code in turn (per method), repeating the last one."""

    def route(handler: Handler, method: str, before: int) -> None:
        _answer(handler, codes[min(before, len(codes) - 1)], {})

    return route


def _head_refused(handler: Handler, method: str, before: int) -> None:
    _answer(handler, 405 if method == "HEAD" else 200, {"Allow": "GET"})


def _slow(handler: Handler, method: str, before: int) -> None:
    time.sleep(SLOW)
    _answer(handler, 200, {})


ROUTES: dict[str, Route] = {
    "/ok": _status(200),
    "/not-found": _status(404),
    "/gone": _status(410),
    "/broken": _status(500),  # 500, then 500 again on the retry
    "/flaky": _then(500, 200),  # 500, then fine on the retry
    "/moved": _status(301, Location="/ok"),
    "/loop-a": _status(302, Location="/loop-b"),
    "/loop-b": _status(302, Location="/loop-a"),
    "/head-refused": _head_refused,
    "/forbidden": _status(403),
    "/login": _status(401),
    "/rate-limited": _status(429, **{"Retry-After": "3600"}),
    "/teapot": _status(418),
    "/slow": _slow,
}


def _dispatch(route: Route, handler: Handler) -> None:
    """Call a link route with the method and how many times it was asked before."""
    server = handler.server.owner
    assert isinstance(server, LinkServer)
    method, path = handler.command, handler.path.split("?")[0]
    before = count(server.snapshot(), path, method) - 1  # this request is recorded already
    route(handler, method, before)


def _answer(handler: Handler, code: int, headers: dict[str, str]) -> None:
    """Send a status, headers and (for GET) a short body."""
    body = f"<p>{code}</p>".encode()
    handler.reply(Reply(body, code, {**headers, "Content-Type": "text/html"}))


@pytest.fixture(scope="module")
def server() -> Iterator[LinkServer]:
    """Run the link server for the whole module."""
    with LinkServer() as running:
        yield running


@pytest.fixture(scope="module")
def limited() -> Iterator[LinkServer]:
    """A second server (another host to the checker) for the answers that ask us to wait."""
    with LinkServer() as running:
        yield running


@pytest.fixture(scope="module")
def refused_url() -> str:
    """Return an address on a port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/nobody-home"


def write_case_study(folder: Path, slug: str, urls: list[str], actor_url: str) -> Path:
    """Write a copy of the Riverton fixture whose sources (and one actor) use the given URLs."""
    text = RIVERTON.read_text(encoding="utf-8")
    text = text.replace("slug: riverton", f"slug: {slug}")
    text = text.replace("https://example.org/council", actor_url)
    head, rest = text.split("\nsources:\n", 1)
    tail = rest[rest.index("\ntags:") :]
    sources = []
    ids = ["riverton-report", "riverton-news"] + [f"source-{n}" for n in range(3, len(urls) + 1)]
    for source_id, url in zip(ids, urls, strict=False):
        sources.append(
            f"  - id: {source_id}\n"
            f"    title: A document at {source_id}\n"
            f"    publisher: The test server\n"
            f"    url: {json.dumps(url)}\n"
        )
    path = folder / f"{slug}.yaml"
    path.write_text(f"{head}\nsources:\n{''.join(sources)}{tail.lstrip(chr(10))}", "utf-8")
    return path


def line_of(path: Path, url: str) -> int:
    """Return the 1-based line on which a URL is written."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().endswith(json.dumps(url)) or line.strip().endswith(f" {url}"):
            return number
    raise AssertionError(f"{url} is not in {path}")


@dataclass
class Checked:
    """One check of two case studies, the files it read, and the requests it made."""

    report: LinkReport
    files: dict[str, Path]
    requests: list[tuple[str, str, str]]


@pytest.fixture(scope="module")
def checked(
    server: LinkServer,
    limited: LinkServer,
    refused_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Checked:
    """Check two case studies that use every kind of link once (and one link twice)."""
    folder = tmp_path_factory.mktemp("case_studies")
    first = [
        "/ok",
        "/not-found",
        "/gone",
        "/broken",
        "/flaky",
        "/moved",
        "/loop-a",
        "/head-refused",
    ]
    second = ["/forbidden", "/login", "/teapot", "/slow", "/ok?a=1|b=2"]
    files = {
        "alpha": write_case_study(
            folder, "alpha", [server.url(p) for p in first], server.url("/ok")
        ),
        "beta": write_case_study(
            folder,
            "beta",
            [server.url(p) for p in second] + [limited.url("/rate-limited"), refused_url],
            server.url("/ok"),
        ),
    }
    broken = folder / "broken.yaml"
    broken.write_text("slug: broken\ntitle: [unclosed\n", encoding="utf-8")
    files["broken"] = broken
    before = len(server.snapshot())
    report = check_source_links(
        [files["alpha"], files["beta"], broken],
        timeout=TIMEOUT,
        concurrency=8,
        retry_delay=0,
        allow_private_addresses=True,
    )
    return Checked(report, files, server.snapshot()[before:])


def test_the_case_studies_are_valid_and_only_local_links_are_checked(checked: Checked) -> None:
    result = validate_files([checked.files["alpha"], checked.files["beta"]])
    assert result.ok, [problem.format_text() for problem in result.problems]
    # The story's Markdown links (example.org) are not sources: nothing left this machine.
    assert all(r.url.startswith("http://127.0.0.1:") for r in checked.report.results)


def by_url(report: LinkReport) -> dict[str, LinkResult]:
    """Index a report's results by URL."""
    return {result.url: result for result in report.results}


@pytest.mark.parametrize(
    ("path", "outcome", "said"),
    [
        ("/ok", Outcome.OK, ""),
        ("/moved", Outcome.OK, ""),
        ("/flaky", Outcome.OK, ""),
        ("/head-refused", Outcome.OK, ""),
        ("/ok?a=1|b=2", Outcome.OK, ""),
        ("/not-found", Outcome.DEAD, "HTTP 404 Not Found"),
        ("/gone", Outcome.DEAD, "HTTP 410 Gone"),
        ("/broken", Outcome.DEAD, "HTTP 500 Internal Server Error"),
        ("/loop-a", Outcome.DEAD, "more than 5 redirects (a redirect loop?)"),
        ("/slow", Outcome.DEAD, f"no answer within {TIMEOUT:g} s"),
        ("/forbidden", Outcome.UNCHECKED, "HTTP 403 Forbidden: the site refused the checker"),
        ("/login", Outcome.UNCHECKED, "HTTP 401 Unauthorized: the site refused the checker"),
        ("/rate-limited", Outcome.UNCHECKED, "HTTP 429 Too Many Requests: the site refused"),
        ("/teapot", Outcome.UNCHECKED, "HTTP 418"),
    ],
)
def test_each_kind_of_link_is_classified(
    checked: Checked,
    server: LinkServer,
    limited: LinkServer,
    path: str,
    outcome: Outcome,
    said: str,
) -> None:
    report = checked.report
    result = by_url(report)[(limited if path == "/rate-limited" else server).url(path)]
    assert result.outcome is outcome
    assert result.error.startswith(said)
    assert bool(result.error) is (outcome is not Outcome.OK)


def test_a_refused_connection_is_dead(checked: Checked, refused_url: str) -> None:
    result = by_url(checked.report)[refused_url]
    assert result.outcome is Outcome.DEAD
    assert result.status is None
    assert result.error == "the connection was refused"


def test_statuses_and_redirect_targets_are_recorded(checked: Checked, server: LinkServer) -> None:
    results = by_url(checked.report)
    assert results[server.url("/not-found")].status == 404
    assert results[server.url("/broken")].status == 500
    assert results[server.url("/forbidden")].status == 403
    assert results[server.url("/moved")].status == 200
    assert results[server.url("/moved")].final_url == server.url("/ok")
    assert results[server.url("/ok")].final_url == ""
    assert results[server.url("/slow")].status is None


def test_dead_links_are_retried_once_and_good_ones_are_not(checked: Checked) -> None:
    requests = checked.requests
    assert count(requests, "/broken", "HEAD") == 2
    assert count(requests, "/not-found", "HEAD") == 2
    assert count(requests, "/flaky", "HEAD") == 2
    # /ok, /ok?a=1|b=2 (a distinct URL) and the end of /moved's redirect.
    assert count(requests, "/ok", "HEAD") == 3
    assert count(requests, "/forbidden", "HEAD") == 1


def test_get_is_used_only_when_head_is_refused(checked: Checked) -> None:
    requests = checked.requests
    assert count(requests, "/head-refused", "HEAD") == 1
    assert count(requests, "/head-refused", "GET") == 1
    assert count(requests, "/forbidden", "GET") == 1  # 403 to HEAD: GET gets a second chance
    assert count(requests, "/not-found", "GET") == 0
    assert count(requests, "/ok", "GET") == 0


def test_every_request_names_the_checker(checked: Checked) -> None:
    assert {agent for _, _, agent in checked.requests} == {USER_AGENT}


def test_each_url_is_checked_once_and_every_use_is_kept(
    checked: Checked, server: LinkServer
) -> None:
    report, files = checked.report, checked.files
    ok = by_url(report)[server.url("/ok")]
    # /ok is alpha's first source and both files' actor link.
    assert [(usage.path, usage.field) for usage in ok.used_in] == [
        (files["alpha"], "actors[1].url"),
        (files["alpha"], "sources[0].url"),
        (files["beta"], "actors[1].url"),
    ]
    assert len(report.results) == len({result.url for result in report.results}) == 15


def test_lines_point_at_the_url_in_the_file(
    checked: Checked, server: LinkServer, refused_url: str
) -> None:
    report, files = checked.report, checked.files
    results = by_url(report)
    for name, url in [
        ("alpha", server.url("/not-found")),
        ("alpha", server.url("/loop-a")),
        ("beta", server.url("/slow")),
        ("beta", refused_url),
    ]:
        (usage,) = results[url].used_in
        assert usage.path == files[name]
        assert usage.line == line_of(files[name], url)


def test_files_with_problems_are_skipped(checked: Checked) -> None:
    report, files = checked.report, checked.files
    assert report.skipped == [files["broken"]]
    assert all(usage.path != files["broken"] for r in report.results for usage in r.used_in)


def test_the_report_sorts_links_into_dead_and_unchecked(
    checked: Checked, server: LinkServer, limited: LinkServer, refused_url: str
) -> None:
    report = checked.report
    assert {result.url for result in report.dead} == {
        server.url(p) for p in ["/not-found", "/gone", "/broken", "/loop-a", "/slow"]
    } | {refused_url}
    assert {result.url for result in report.unchecked} == {
        server.url(p) for p in ["/forbidden", "/login", "/teapot"]
    } | {limited.url("/rate-limited")}
    assert report.exit_code == 1
    assert report.summary() == (
        "15 links in 2 case studies: 6 dead, 4 could not be checked, 5 fine"
    )


def test_the_markdown_report_has_a_row_per_use_with_file_and_line(
    checked: Checked,
    server: LinkServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report, files = checked.report, checked.files
    monkeypatch.chdir(files["alpha"].parent.parent)
    folder = files["alpha"].parent.name
    markdown = report.format_markdown()
    dead, unchecked = markdown.split("### Dead links")[1].split("### Could not check")
    url = server.url("/not-found")
    line = line_of(files["alpha"], url)
    row = f"| {folder}/alpha.yaml:{line} | [`{url}`]({url}) | HTTP 404 Not Found |"
    assert row in dead.splitlines()
    assert "| Case study | URL | What happened |" in dead
    assert server.url("/forbidden") in unchecked
    assert server.url("/forbidden") not in dead
    assert server.url("/flaky") not in markdown  # fine links are not listed
    assert f"- `{folder}/broken.yaml`" in markdown.split("### Skipped files")[1]
    for table_row in (line for line in markdown.splitlines() if line.startswith("| ")):
        assert len(re.findall(r"(?<!\\)\|", table_row)) == 4, table_row  # three cells each
    places = [row.split(" | ")[0][2:] for row in dead.splitlines() if row.startswith(f"| {folder}")]
    assert places == sorted(
        places, key=lambda place: (place.split(":")[0], int(place.split(":")[1]))
    )
    assert len(places) == 6


def test_a_pipe_in_a_url_does_not_break_the_table(server: LinkServer, tmp_path: Path) -> None:
    url = server.url("/not-found?a=1|b=2")
    path = write_case_study(tmp_path, "pipes", [url], server.url("/ok"))
    report = check_source_links(
        [path], timeout=TIMEOUT, retry_delay=0, allow_private_addresses=True
    )
    (row,) = [line for line in report.format_markdown().splitlines() if "a=1" in line]
    assert "[`" + url.replace("|", "\\|") + "`](" + url.replace("|", "%7C") + ")" in row
    assert len(re.findall(r"(?<!\\)\|", row)) == 4


def test_a_clean_report_says_so_and_exits_0(server: LinkServer, tmp_path: Path) -> None:
    path = write_case_study(
        tmp_path, "clean", [server.url("/ok"), server.url("/moved")], server.url("/forbidden")
    )
    report = check_source_links(
        [path], timeout=TIMEOUT, retry_delay=0, allow_private_addresses=True
    )
    assert report.dead == []
    assert [result.url for result in report.unchecked] == [server.url("/forbidden")]
    assert report.exit_code == 0
    markdown = report.format_markdown()
    assert "### Dead links" not in markdown
    assert "### Could not check" in markdown


def test_no_links_at_all_is_a_clean_report(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text("slug: bare\ntitle: No links\n", encoding="utf-8")
    report = check_source_links([path])
    assert (report.results, report.skipped, report.exit_code) == ([], [], 0)
    assert "Every link answered." in report.format_markdown()


def test_main_writes_the_markdown_report_and_returns_1_on_dead_links(
    server: LinkServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "case_studies"
    folder.mkdir()
    path = write_case_study(
        folder, "gamma", [server.url("/ok"), server.url("/gone")], server.url("/ok")
    )
    output = tmp_path / "report.md"
    code = main([str(folder), "--output", str(output), "--timeout", str(TIMEOUT)])
    assert code == 1
    written = output.read_text(encoding="utf-8")
    assert "### Dead links" in written
    assert server.url("/gone") in written
    printed = capsys.readouterr().out
    assert f"{path}:{line_of(path, server.url('/gone'))}: dead: {server.url('/gone')}" in printed
    assert printed.rstrip().splitlines()[-1].startswith("2 links in 1 case study: 1 dead")


def test_main_returns_0_when_no_link_is_dead(server: LinkServer, tmp_path: Path) -> None:
    path = write_case_study(tmp_path, "delta", [server.url("/ok")], server.url("/ok"))
    output = tmp_path / "report.md"
    assert main([str(path), "--output", str(output)]) == 0
    assert "Every link answered." in output.read_text(encoding="utf-8")


def test_main_reads_case_studies_by_default(
    server: LinkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "case_studies").mkdir()
    write_case_study(tmp_path / "case_studies", "epsilon", [server.url("/ok")], server.url("/ok"))
    monkeypatch.chdir(tmp_path)
    before = server.asked("/ok", "HEAD")
    assert main([]) == 0
    assert server.asked("/ok", "HEAD") == before + 1


def test_main_reports_usage_errors_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 2  # a folder without case studies
    assert "no .yaml files" in capsys.readouterr().err
    assert main(["--timeout", "soon"]) == 2
    assert "invalid float value" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "--output FILE" in capsys.readouterr().out


def test_a_site_that_asks_to_wait_is_left_alone(tmp_path: Path) -> None:
    polite = LinkServer()
    polite.thread.start()
    try:
        path = write_case_study(
            tmp_path, "zeta", [polite.url("/rate-limited"), polite.url("/ok")], polite.url("/ok")
        )
        # One at a time, in file order: the 429 (Retry-After: 3600) comes before /ok's turn.
        report = check_source_links(
            [path], timeout=TIMEOUT, concurrency=1, retry_delay=0, allow_private_addresses=True
        )
        assert polite.asked("/rate-limited", "HEAD") == 1
        assert polite.asked("/ok", "HEAD") == 0  # the same site: not asked again this run
    finally:
        polite.httpd.shutdown()
        polite.httpd.server_close()
    ok = by_url(report)[polite.url("/ok")]
    assert ok.outcome is Outcome.UNCHECKED
    assert re.fullmatch(r"not checked: the site asked us to wait until \d\d:\d\d UTC", ok.error)
    assert report.exit_code == 0  # nothing a person could confirm as dead


def test_links_to_private_addresses_are_not_requested_by_default(
    server: LinkServer, tmp_path: Path
) -> None:
    # The weekly workflow runs on a cloud runner: a case study must not make it reach inside.
    path = write_case_study(tmp_path, "inside", [server.url("/ok")], server.url("/ok"))
    before = len(server.snapshot())
    report = check_source_links([path], timeout=TIMEOUT, retry_delay=0)
    assert server.snapshot()[before:] == []  # nothing was sent
    [result] = report.results
    assert result.outcome is Outcome.UNCHECKED  # not dead: no issue is filed for it
    assert "127.0.0.1, a loopback address" in result.error
    assert report.exit_code == 0
