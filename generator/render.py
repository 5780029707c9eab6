"""Records → the generated Markdown docs tree that the site builder turns into HTML.

Which pages exist and what each shows is decided here; how text becomes HTML is `markup`'s
business, and writing only what changed is `write`'s.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from generator.aliases import alias_marker
from generator.charts import (
    amount,
    breaks,
    change,
    compare_chart,
    figure_text,
    metric_chart,
    period,
    when,
)
from generator.compare import comparisons, measured_once
from generator.export import export_files
from generator.history import Release, data_release, last_changes, project_version
from generator.maps import MapPoint, continent, world_map
from generator.markup import country_name, page_url, root_prefix, template_environment
from generator.model import CaseStudy, Metric, Pillar, load_indicators, load_pillars
from generator.parallel import map_in_processes, paused_gc
from generator.paths import PACKAGE_DIR, TEMPLATES_DIR, ProjectPaths
from generator.related import related_lists
from generator.reuse_context import reuse_globals
from generator.spreadsheet import FORMULA_NOTE
from generator.write import (
    RenderReport,
    remove_stale,
    sync_tree,
    write_files,
    write_if_changed,
)

log = logging.getLogger(__name__)

ASSETS_DIR = PACKAGE_DIR / "assets"
THEME_DIR = PACKAGE_DIR / "theme"  # Material overrides, copied to build/theme (custom_dir)
# Pagefind filters, in the order the search page shows them: (key, label).
SEARCH_FACETS = (
    ("type", "Type"),
    ("pillar", "Pillar"),
    ("country", "Country"),
    ("place", "Place"),
    ("year", "Year"),
    ("actor type", "Actor type"),
)
SEARCH_TYPES = ("case study", "pillar", "news", "guide")
# Places per pillar page: the shipped site fits on one page; 10,000 case studies make ~120.
PILLAR_PAGE_SIZE = 50
# Pages indexed under the other names of what they mention (CLT, co-op): see aliases.py.
ALIASED_TEMPLATES = frozenset({"case_study.md.j2", "pillar.md.j2"})
TYPE_GUIDE_MARKER = '\n<span hidden data-pagefind-filter="type:guide"></span>\n'


LatestNews = Callable[[int, "str | None"], list[Any]]
# Rendered case-study pages by slug, with the inputs they were rendered from.
PageCache = dict[str, tuple[object, str]]


@dataclass(frozen=True)
class SiteSettings:
    """What the templates need from mkdocs.yml."""

    repository: str
    branch: str
    site_url: str

    @classmethod
    def read(cls, config: Path) -> SiteSettings:
        """Read the settings from the builder's configuration file."""
        data: dict[str, Any] = yaml.safe_load(config.read_text("utf-8")) or {}
        extra = data.get("extra") or {}
        return cls(
            repository=str(extra.get("repository", "")).rstrip("/"),
            branch=str(extra.get("branch", "main")),
            site_url=str(data.get("site_url", "")),
        )


@dataclass(frozen=True)
class PillarPageLink:
    """One page of a pillar's list of places, for the pagination links."""

    number: int
    url: str  # from the site root
    first_place: str
    last_place: str


@dataclass(frozen=True)
class PillarEntry:
    """One case study's work under one pillar, for the pillar pages."""

    case_study: CaseStudy
    summary: str
    initiatives: tuple[Any, ...]
    metrics: tuple[Metric, ...]


# --- the renderer ------------------------------------------------------------------------------


class Renderer:
    """Render every generated page of the site from validated case studies."""

    def __init__(
        self,
        case_studies: Iterable[CaseStudy],
        settings: SiteSettings,
        *,
        latest_news: LatestNews | None = None,
        page_cache: PageCache | None = None,
        release: Release | None = None,
        history: Mapping[str, str] | None = None,
    ) -> None:
        self.case_studies = sorted(case_studies, key=lambda case: (case.title.lower(), case.slug))
        self.by_slug = {case.slug: case for case in self.case_studies}
        self.pillars = load_pillars()
        self.settings = settings
        self.latest_news = latest_news or (lambda limit, pillar: [])
        # Only the live preview keeps pages between builds; a build holds none of them.
        self.live = page_cache is not None
        self.page_cache: PageCache = {} if page_cache is None else page_cache
        # An edited template makes every cached page stale.
        self.template_stamp = tuple(
            sorted((path.name, path.stat().st_mtime_ns) for path in TEMPLATES_DIR.rglob("*.j2"))
        )
        self.comparisons = comparisons(self.case_studies)
        self.shared_indicators = frozenset(c.indicator.id for c in self.comparisons)
        indicators = load_indicators()
        self.related = related_lists(self.case_studies, self.pillars, indicators)
        self.env = template_environment(
            TEMPLATES_DIR,
            pillars=self.pillars,
            settings=settings,
            chart=metric_chart,
            change=change,
            period=period,
            when=when,
            amount=amount,
            figure_text=figure_text,
            breaks=breaks,
            compare_chart=compare_chart,
            shared_indicators=self.shared_indicators,
            indicators=indicators,
            csv_formula_note=FORMULA_NOTE,
            # Citations, downloads and dates (issue 20): generator/reuse_context.py.
            **reuse_globals(self.case_studies, settings, release, history),
        )
        self.history: Mapping[str, str] = self.env.globals["history"]  # type: ignore[assignment]

    def pages(self) -> dict[str, str]:
        """Return every generated page as {docs-tree path: text}, e.g. for the golden tests.

        A build writes the pages with write_pages instead, so they are never all in memory.
        """
        keys, jobs = self._jobs()
        results = self._render_jobs(jobs, None)
        pages = {job.doc_path: text or "" for job, (_, text) in zip(jobs, results, strict=True)}
        self._remember(keys, jobs, [text for _, text in results])
        for case in self.case_studies:
            pages.setdefault(f"case-studies/{case.slug}.md", self.page_cache[case.slug][1])
        return pages

    def write_pages(
        self, root: Path, report: RenderReport, *, skip: Collection[str] = ()
    ) -> set[str]:
        """Write every generated page under root, rewriting only what changed; return their
        paths (relative to root). Pages in skip are left to the caller.

        The workers write the pages they render and send back only whether each changed, so
        memory stays flat however many case studies there are. With a page cache (the live
        preview), case-study pages whose inputs did not change are not rendered again, and
        the cache keeps the text of the ones that were.
        """
        keys, jobs = self._jobs()
        jobs = [job for job in jobs if job.doc_path not in skip]
        results = self._render_jobs(jobs, root)
        rendered: set[str] = set()
        for job, (written, _) in zip(jobs, results, strict=True):
            rendered.add(job.doc_path)
            _count(report, root / job.doc_path, written=written)
        if not self.live:
            return rendered
        self._remember(keys, jobs, [text for _, text in results])
        for case in self.case_studies:
            doc_path = f"case-studies/{case.slug}.md"
            if doc_path not in rendered and doc_path not in skip:
                rendered.add(doc_path)
                changed = write_if_changed(root / doc_path, self.page_cache[case.slug][1])
                _count(report, root / doc_path, written=changed)
        return rendered

    def _jobs(self) -> tuple[dict[str, object], list[_Job]]:
        """Return each case study's page key and the pages to render.

        Pages are independent once the shared lists are computed, so they render as jobs
        spread over the cores; case-study pages whose inputs did not change come from the cache.
        """
        keys = {case.slug: self._case_page_key(case) for case in self.case_studies}
        stale = [
            case
            for case in self.case_studies
            if self.page_cache.get(case.slug, (None, ""))[0] != keys[case.slug]
        ]
        jobs = [
            _Job(
                "case_study.md.j2",
                f"case-studies/{case.slug}.md",
                {"case": case, "related": self.related[case.slug]},
                case.slug,
            )
            for case in stale
        ]
        entries = self._pillar_entries()
        for pillar in self.pillars:
            jobs += self._pillar_jobs(pillar, entries[pillar.slug])
        jobs += [
            _Job(
                "case_studies_index.md.j2",
                "case-studies/index.md",
                {"map": self._map("case-studies/index.md")},
            ),
            _Job("pillars_index.md.j2", "pillars/index.md", {"entries": entries}),
            _Job("data.md.j2", "data/index.md", {"comparisons": self.comparisons}),
            _Job(
                "compare.md.j2",
                "compare/index.md",
                {
                    "comparisons": self.comparisons,
                    "measured_once": measured_once(self.case_studies),
                },
            ),
            _Job(
                "places.md.j2",
                "places/index.md",
                {
                    "continents": self._by_continent(),
                    "countries": self._by_country(),
                    "map": self._map("places/index.md"),
                },
            ),
            _Job(
                "search.md.j2",
                "search/index.md",
                {
                    "facets": SEARCH_FACETS,
                    "fixed": {
                        "pillar": [pillar.short_title for pillar in self.pillars],
                        "type": list(SEARCH_TYPES),
                    },
                },
            ),
        ]
        return keys, jobs

    def _remember(self, keys: dict[str, object], jobs: list[_Job], texts: list[str | None]) -> None:
        """Keep the case-study pages just rendered in the cache; forget removed case studies."""
        for job, text in zip(jobs, texts, strict=True):
            if job.slug is not None and text is not None:
                self.page_cache[job.slug] = (keys[job.slug], text)
        for slug in set(self.page_cache) - set(keys):
            del self.page_cache[slug]

    def _render_jobs(self, jobs: list[_Job], root: Path | None) -> list[tuple[bool, str | None]]:
        """Render jobs on every core; each worker is handed this renderer and the jobs once.

        With a root, workers write the pages there and return (changed, text only if the
        page cache needs it); without, they return (False, text).
        """
        return map_in_processes(
            _render_job, range(len(jobs)), initializer=_start_worker, initargs=(self, jobs, root)
        )

    def fragments(self) -> dict[str, str]:
        """Return the snippets the hand-written home page includes, as {file name: text}."""
        featured = [case for case in self.case_studies if case.featured] or self.case_studies[:6]
        return {
            "pillar-cards.md": self._render("fragments/pillar_cards.md.j2", "index.md"),
            "featured-case-studies.md": self._render(
                "fragments/featured.md.j2",
                "index.md",
                featured=featured[:6],
                total=len(self.case_studies),
            ),
            "latest-news.md": self._render(
                "fragments/latest_news.md.j2",
                "index.md",
                news=self.latest_news(5, None),
                # With no news yet, home shows what the site does have (issue 19).
                recent=sorted(
                    self.case_studies,
                    key=lambda case: (case.last_reviewed, case.slug),
                    reverse=True,
                )[:5],
            ),
        }

    def _case_page_key(self, case: CaseStudy) -> object:
        """Return everything a case-study page is made from: itself, related cases, comparisons."""
        related = tuple(
            (entry.case.slug, entry.case.title, entry.case.place, entry.reason)
            for entry in self.related[case.slug]
        )
        # A figure links to /compare/ only while another place shares its indicator.
        shared = tuple(
            metric.indicator
            for metric in case.metrics
            if metric.indicator in self.shared_indicators
        )
        changed = self.history.get(case.path.name)
        return (case, related, shared, changed, self.settings, self.template_stamp)

    def _render(self, template: str, doc_path: str, **context: Any) -> str:
        root = root_prefix(doc_path)
        text = self.env.get_template(template).render(
            root=root, case_studies=self.case_studies, by_slug=self.by_slug, **context
        )
        if template in ALIASED_TEMPLATES:
            text += alias_marker(text)
        return text

    def _pillar_entries(self) -> dict[str, list[PillarEntry]]:
        entries: dict[str, list[PillarEntry]] = defaultdict(list)
        for case in sorted(self.case_studies, key=lambda c: (c.place.name.lower(), c.slug)):
            for work in case.pillars:
                metrics = tuple(metric for metric in case.metrics if metric.pillar == work.pillar)
                entries[work.pillar].append(
                    PillarEntry(case, work.summary, work.initiatives, metrics)
                )
        return {pillar.slug: entries[pillar.slug] for pillar in self.pillars}

    def _pillar_jobs(self, pillar: Pillar, entries: list[PillarEntry]) -> list[_Job]:
        """Return a pillar's pages: PILLAR_PAGE_SIZE places each, so none grows without bound."""
        chunks = [
            entries[start : start + PILLAR_PAGE_SIZE]
            for start in range(0, len(entries), PILLAR_PAGE_SIZE)
        ] or [[]]
        paths = [f"pillars/{pillar.slug}.md"] + [
            f"pillars/{pillar.slug}/page-{number}.md" for number in range(2, len(chunks) + 1)
        ]
        pagination = [
            PillarPageLink(
                number,
                page_url(path),
                chunk[0].case_study.place.name if chunk else "",
                chunk[-1].case_study.place.name if chunk else "",
            )
            for number, (path, chunk) in enumerate(zip(paths, chunks, strict=True), start=1)
        ]
        return [
            _Job(
                "pillar.md.j2",
                path,
                {
                    "pillar": pillar,
                    "entries": chunk,
                    "total": len(entries),
                    "page": number,
                    "pagination": pagination if len(chunks) > 1 else [],
                    "news": self.latest_news(5, pillar.slug) if number == 1 else [],
                },
            )
            for number, (path, chunk) in enumerate(zip(paths, chunks, strict=True), start=1)
        ]

    def _by_country(self) -> list[tuple[str, str, list[CaseStudy]]]:
        countries: dict[str, list[CaseStudy]] = defaultdict(list)
        for case in self.case_studies:
            countries[case.place.country].append(case)
        named = [(country_name(code), code, cases) for code, cases in countries.items()]
        return [
            (name, code, sorted(cases, key=lambda c: (c.place.name.lower(), c.slug)))
            for name, code, cases in sorted(named)
        ]

    def _by_continent(self) -> list[tuple[str, list[tuple[str, str, list[CaseStudy]]]]]:
        continents: dict[str, list[tuple[str, str, list[CaseStudy]]]] = defaultdict(list)
        for entry in self._by_country():
            continents[continent(entry[1])].append(entry)
        return sorted(continents.items(), key=lambda item: (item[0] == "Other", item[0]))

    def _map(self, doc_path: str) -> Markup:
        root = root_prefix(doc_path)
        points = [
            MapPoint(
                f"{case.place.name}: {case.title}",
                case.place.lat,
                case.place.lon,
                f"{root}case-studies/{case.slug}/",
                place=case.place.name,
                country=country_name(case.place.country),
                country_code=case.place.country,
                national=case.scale == "nation",
            )
            for case in self.case_studies
        ]
        return world_map(
            points,
            f"{root}assets/world-land.svg",
            f"Map of {len(points)} case stud{'y' if len(points) == 1 else 'ies'}; "
            "each marker links to one",
        )


@dataclass(frozen=True)
class _Job:
    """One page to render: its template, where it goes, and what it shows."""

    template: str
    doc_path: str
    context: dict[str, Any]
    slug: str | None = None  # a case study's page, which the page cache keeps


# One worker's renderer, jobs and target folder, set by the pool's initializer when it starts.
_worker: tuple[Renderer, list[_Job], Path | None] | None = None


def _start_worker(renderer: Renderer, jobs: list[_Job], root: Path | None) -> None:
    global _worker
    _worker = (renderer, jobs, root)


def _render_job(index: int) -> tuple[bool, str | None]:
    """Render one job in a worker that _start_worker prepared; write it if given a folder."""
    if _worker is None:
        raise RuntimeError("render jobs run only in workers started by Renderer._render_jobs")
    renderer, jobs, root = _worker
    job = jobs[index]
    text = renderer._render(job.template, job.doc_path, **job.context)
    if root is None:
        return False, text
    written = write_if_changed(root / job.doc_path, text)
    return written, text if renderer.live and job.slug is not None else None


def _count(report: RenderReport, path: Path, *, written: bool) -> None:
    if written:
        report.written.append(path)
    else:
        report.unchanged += 1


def _content_files(content: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if not content.is_dir():
        return files
    for path in sorted(content.rglob("*")):  # rglob enters no linked folder
        # A build refuses links first (ProjectPaths.linked_inputs); never read one regardless.
        if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
            relative = path.relative_to(content).as_posix()
            data = path.read_bytes()
            if path.suffix == ".md":
                text = data.decode("utf-8", errors="replace")
                marker = TYPE_GUIDE_MARKER + alias_marker(text, _front_matter_aliases(text))
                data = data.rstrip(b"\n") + b"\n" + marker.encode()
            files[relative] = data
    return files


def _front_matter_aliases(text: str) -> tuple[str, ...]:
    """Return a guide's own `search_aliases:` from its front matter (names that find it)."""
    if not text.startswith("---\n"):
        return ()
    end = text.find("\n---", 4)
    try:
        meta = yaml.safe_load(text[4:end]) if end > 0 else None
    except yaml.YAMLError:
        return ()  # MkDocs reports a broken front matter itself
    aliases = meta.get("search_aliases") if isinstance(meta, dict) else None
    return tuple(str(name) for name in aliases) if isinstance(aliases, list) else ()


def _asset_files() -> dict[str, bytes]:
    return {
        f"assets/{path.name}": path.read_bytes()
        for path in sorted(ASSETS_DIR.iterdir())
        if path.is_file()
    }


def _theme_files() -> dict[str, bytes]:
    return {
        path.relative_to(THEME_DIR).as_posix(): path.read_bytes()
        for path in sorted(THEME_DIR.rglob("*"))
        if path.is_file()
    }


def render_site(
    case_studies: list[CaseStudy],
    paths: ProjectPaths,
    *,
    extra_pages: Mapping[str, str | bytes] | None = None,
    latest_news: LatestNews | None = None,
    page_cache: PageCache | None = None,
) -> RenderReport:
    """Write the generated docs tree and the home page's fragments; return what changed."""
    history = last_changes(paths.case_studies)
    release = data_release(
        project_version(paths.root),
        (case.last_reviewed for case in case_studies),
        history.values(),
    )
    renderer = Renderer(
        case_studies,
        SiteSettings.read(paths.mkdocs_config),
        latest_news=latest_news,
        page_cache=page_cache,
        release=release,
        history=history,
    )
    report = RenderReport()
    extra = extra_pages or {}
    with paused_gc():
        rendered = renderer.write_pages(paths.generated, report, skip=extra.keys())
    files: dict[str, str | bytes] = {
        path: data
        for path, data in {**_content_files(paths.content), **_asset_files()}.items()
        if path not in rendered
    }
    files.update(export_files(renderer.case_studies, renderer.settings, release=release))
    files.update(extra)
    write_files(paths.generated, files, report)
    remove_stale(paths.generated, rendered | files.keys(), report)
    sync_tree(paths.fragments, renderer.fragments(), report)
    sync_tree(paths.generated.parent / "theme", _theme_files(), report)
    log.debug(
        "rendered %d files (%d unchanged, %d removed)",
        len(report.written),
        report.unchanged,
        len(report.removed),
    )
    return report
