"""The in-process builder against the plain `mkdocs build` route, and the build's safe swap."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

import generator.build as build_module
import generator.builder as builder_module
from benchmarks.corpus import write_clones
from generator.build import build_site, news_hooks, run_builder, swap_into_place
from generator.builder import build_in_process
from generator.paths import collect_files
from generator.problems import BuildError
from generator.render import render_site
from generator.search import index_site
from generator.validate import validate_files
from tests.project import ROOT, make_project, with_ctrl_c


class _Article(HTMLParser):
    """The article's text, its links and its Pagefind filters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text: list[str] = []
        self.links: list[str] = []
        self.filters: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "article":
            self.depth += 1
        if self.depth:
            if tag == "a" and values.get("href"):
                self.links.append(values["href"] or "")
            if values.get("data-pagefind-filter"):
                self.filters.append(values["data-pagefind-filter"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def _pages(site: Path) -> dict[str, tuple[str, list[str], list[str], str]]:
    """Return every built page by URL: article text (whitespace folded), links, filters, title."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        html = path.read_text("utf-8")
        article = _Article()
        article.feed(html)
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        pages[path.relative_to(site).as_posix()] = (
            " ".join("".join(article.text).split()),
            article.links,
            article.filters,
            title.group(1) if title else "",
        )
    return pages


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A project whose generated tree holds the shipped case studies and clones of them."""
    root = tmp_path_factory.mktemp("routes")
    corpus = write_clones(40, root / "corpus")  # 40 clones, and the shipped case studies
    for path in (ROOT / "case_studies").glob("*.yaml"):
        shutil.copy(path, corpus / path.name)
    paths = make_project(root, case_studies=corpus)
    validation = validate_files(collect_files([paths.case_studies]))
    assert validation.ok, validation.problems[:3]
    pages, latest, _ = news_hooks(paths)
    render_site(validation.case_studies, paths, extra_pages=pages, latest_news=latest)
    return paths


def test_both_routes_build_the_same_pages(generated, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(builder_module, "MIN_PAGES_TO_FORK", 1)  # the forked route too
    plain, in_process = tmp_path / "plain", tmp_path / "in-process"
    run_builder(generated, plain)
    build_in_process(generated, in_process, workers=2)
    files = sorted(p.relative_to(plain) for p in plain.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(in_process) for p in in_process.rglob("*") if p.is_file())
    before, after = _pages(plain), _pages(in_process)
    assert len(before) > 60
    for url, page in before.items():
        assert after[url] == page, url
    assert any(filters for _, _, filters, _ in before.values())
    # The search index sees the same pages with the same filters.
    index_site(plain)
    index_site(in_process)
    assert _pagefind_summary(plain) == _pagefind_summary(in_process)


def test_shared_navigation_gives_the_same_bytes(generated, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Material's navigation rendered once per folder: every file as if rendered per page."""
    shared, per_page = tmp_path / "shared", tmp_path / "per-page"
    build_in_process(generated, shared, workers=1)
    monkeypatch.setattr(builder_module, "SHARED_PARTIALS", ())
    build_in_process(generated, per_page, workers=1)
    files = sorted(p.relative_to(per_page) for p in per_page.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(shared) for p in shared.rglob("*") if p.is_file())
    for name in files:
        assert (shared / name).read_bytes() == (per_page / name).read_bytes(), name


def test_headings_written_without_markdown_match_python_markdown(generated) -> None:  # type: ignore[no-untyped-def]
    """Generated pages whose only Markdown is headings skip Python-Markdown: the same output."""
    import markdown
    from mkdocs.utils import meta

    config = builder_module._load_config(generated, generated.root / "site")
    md = markdown.Markdown(
        extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
    )
    headings = builder_module._Headings.matching(md)
    assert headings
    fast = 0
    for path in sorted(generated.generated.rglob("*.md")):
        text, _ = meta.get_data(path.read_text("utf-8"))
        done = headings.render(text)
        if done is None:
            continue
        fast += 1
        md.reset()
        builder_module._StashHtmlBlocks(md)._register(md)
        title = builder_module._ExtractTitleTreeprocessor()
        title._register(md)
        assert done[0] == md.convert(text), path
        assert done[1] == md.toc_tokens, path
        assert done[3] == title.title, path
    assert fast > 40  # every case study, at least
    # Anything else is left to Python-Markdown.
    assert headings.render("## A *stressed* heading\n") is None
    assert headings.render("## Heading\n\n- a list\n") is None
    assert headings.render("## Sources {: .wide }\n") is None


def _pagefind_summary(site: Path) -> tuple[int, list[str]]:
    import json

    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    languages = entry["languages"]
    pages = sum(language["page_count"] for language in languages.values())
    return pages, sorted(p.name.split("_")[0] for p in (site / "pagefind").iterdir())


def test_dirty_build_rebuilds_only_changed_pages(generated, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = tmp_path / "site"
    build_in_process(generated, site)
    page = site / "about" / "index.html"
    untouched = site / "glossary" / "index.html"
    os.utime(page, (1, 1))
    os.utime(untouched, (2_000_000_000, 2_000_000_000))
    build_in_process(generated, site, dirty=True)
    assert page.stat().st_mtime > 1
    assert untouched.stat().st_mtime == 2_000_000_000


def test_a_failing_worker_fails_the_build(generated, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(builder_module, "MIN_PAGES_TO_FORK", 1)
    original = builder_module._PageRenderer.populate
    parent = os.getpid()

    def populate(self, page):  # type: ignore[no-untyped-def]
        if os.getpid() != parent and page.file.src_uri.startswith("case-studies/"):
            raise ValueError("broken in a worker")
        original(self, page)

    monkeypatch.setattr(builder_module._PageRenderer, "populate", populate)
    with pytest.raises(BuildError, match="broken in a worker"):
        build_in_process(generated, tmp_path / "site", workers=2)


def test_swap_exchanges_the_sites(tmp_path: Path) -> None:
    site, staging = tmp_path / "site", tmp_path / ".site-building-1"
    site.mkdir()
    (site / "old.txt").write_text("old")
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    swap_into_place(staging, site)
    assert [p.name for p in site.iterdir()] == ["new.txt"]
    assert [p.name for p in staging.iterdir()] == ["old.txt"]  # the caller removes it


def test_interrupted_build_leaves_the_previous_site_and_no_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = make_project(tmp_path)
    paths.site.mkdir()
    (paths.site / "index.html").write_text("previous site")
    abandoned = tmp_path / ".site-building-999999999"  # a killed build's (no such process)
    abandoned.mkdir()
    (tmp_path / ".site-pagefind-2-999999999").mkdir()  # a killed build's search shard mirror

    def interrupted(paths_, site_dir: Path, *, dirty: bool = False) -> None:
        (site_dir / "half").mkdir(parents=True)
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "build_pages", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_site(paths, progress=lambda message: None)
    assert (paths.site / "index.html").read_text() == "previous site"
    assert not list(tmp_path.glob(".site-*"))


def test_ctrl_c_during_a_real_build_cleans_up(tmp_path: Path) -> None:
    """SIGINT at any moment of `build_site` leaves either site and never a staging folder."""
    paths = make_project(tmp_path)
    paths.site.mkdir()
    (paths.site / "index.html").write_text("previous site")
    script = (
        "import sys, pathlib; from generator.build import build_site; "
        "from generator.paths import ProjectPaths; "
        "build_site(ProjectPaths.at(pathlib.Path(sys.argv[1])),"
        " progress=lambda m: print(m, flush=True))"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=with_ctrl_c,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if "Material" in line:  # the builder is writing the staging folder
                time.sleep(0.2)
                break
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    assert (paths.site / "index.html").is_file()
    assert not list(tmp_path.glob(".site-*"))


def test_the_news_archive_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.news.archive as archive
    import generator.news.archive_check as archive_check
    import generator.news.pages as news_pages

    reads: list[Path] = []
    original = archive_check.read_month_checked

    def counted(path: Path, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(path)
        return original(path, **kwargs)

    monkeypatch.setattr(archive, "read_month_checked", counted)
    monkeypatch.setattr(news_pages, "read_month_checked", counted)
    paths = make_project(tmp_path)
    result = build_site(paths, progress=lambda message: None, index=False)
    assert result.ok
    months = list((paths.news / archive.ARCHIVE_DIR).glob("*.json"))
    assert len(reads) == len(months) and len(set(reads)) == len(reads)


def _search_page_state(page, url: str) -> tuple[str, list[str], str]:  # type: ignore[no-untyped-def]
    """Return what the search page shows at url: the status, every result's URL, the facets."""
    page.goto(url)
    page.wait_for_selector(".cwb-search-ready")
    page.wait_for_function(
        "/result/.test(document.querySelector('#cwb-search-status').textContent)"
    )
    more = page.locator(".cwb-more-results")
    while more.is_visible():
        shown = page.locator(".cwb-result").count()
        more.click()
        page.wait_for_function(f"document.querySelectorAll('.cwb-result').length > {shown}")
    status = page.locator("#cwb-search-status").inner_text()
    urls = page.eval_on_selector_all(".cwb-result h2 a", "links => links.map(a => a.pathname)")
    facets = " ".join(page.locator(".cwb-facets").inner_text().split())
    return status, sorted(urls), facets


@pytest.mark.browser
def test_a_sharded_index_finds_the_same_results_and_facets(generated, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Pagefind in three shards merged by search.js answers as the single index does."""
    from tests.browser import chromium
    from tests.servers import LocalServer

    single, sharded = tmp_path / "single", tmp_path / "sharded"
    build_in_process(generated, single)
    shutil.copytree(single, sharded)
    index_site(single, shards=1)
    index_site(sharded, shards=3)
    assert (sharded / "pagefind-3" / "pagefind-entry.json").is_file()
    assert not (single / "pagefind-2").exists()
    queries = ["?q=procurement", "?q=cooperative", "?q=land&pillar=Finance", "?type=case%20study"]
    seen: dict[str, list[tuple[str, list[str], str]]] = {query: [] for query in queries}
    with chromium() as browser:
        for site in (single, sharded):
            with LocalServer(site) as server:
                page = browser.new_page()
                for query in queries:
                    seen[query].append(_search_page_state(page, server.url(f"/search/{query}")))
                page.close()
    for query, (one, three) in seen.items():
        assert one == three, query
        assert one[1], query  # each query finds pages
        assert "(" in one[2], query  # and shows facet counts
    # Re-indexed in place with fewer shards (cwb serve), the extra bundles go.
    index_site(sharded, shards=1)
    assert (sharded / "pagefind" / "shards.json").read_text() == "[]"
    assert not list(sharded.glob("pagefind-*"))
    assert not list(tmp_path.glob(".site-pagefind-*"))
