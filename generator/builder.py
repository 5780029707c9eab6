"""Build the generated docs tree with MkDocs in this process, through its Python API.

The generated pages are mostly HTML that the generator already wrote: charts, tables,
citations. Given to `mkdocs build`, Python-Markdown and MkDocs each parse that HTML again with
Python's html.parser, which costs far more than the page itself. This builder does what
`mkdocs build` does, through MkDocs' own functions and Material's templates, with two
differences:

- Generated pages skip the round trip: their top-level HTML blocks go straight into Python-
  Markdown's stash of raw HTML (where its own block parser would have put them, verbatim), and
  only what is left (front matter, headings, filter spans) is parsed as Markdown, by one
  Markdown instance reused for every page. Hand-written pages (content/) take the usual route.
- Material's navigation (the sidebar and the tabs, half of its page template's work) is the
  same HTML on every page outside the navigation in the same folder: it is rendered once per
  folder and reused (a case study is never in the navigation).
- Both cores work: after one shared load of the configuration, files and navigation, the
  process forks and each process renders and writes its share of the pages.

`mkdocs.yml` stays builder-neutral (no hooks): the same tree still builds with a plain
`mkdocs build` (generator/build.py: run_builder), and tests check both routes give the same pages.
"""

from __future__ import annotations

import html as html_module
import logging
import os
import posixpath
import re
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import jinja2
import markdown
from jinja2.runtime import Context
from markdown.extensions import toc as toc_module
from markdown.preprocessors import Preprocessor
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import (
    Page,
    _ExtractAnchorsTreeprocessor,
    _ExtractTitleTreeprocessor,
    _RelativePathTreeprocessor,
)
from mkdocs.structure.toc import get_toc
from mkdocs.utils import clean_directory

from generator.parallel import worker_count
from generator.paths import ProjectPaths
from generator.problems import BuildError

log = logging.getLogger(__name__)

# Below this many pages, a second process costs more than it saves.
MIN_PAGES_TO_FORK = 200

_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9]*)(?=[\s/>])")
_ID = re.compile(r"""\sid=["']([^"']+)["']""")


def build_in_process(
    paths: ProjectPaths,
    site_dir: Path,
    *,
    dirty: bool = False,
    workers: int | None = None,
) -> None:
    """Build the generated docs tree into site_dir with MkDocs and Material, in this process.

    `dirty` rebuilds only the pages whose Markdown is newer than their HTML (as `mkdocs build
    --dirty`, but the pages in the navigation are always read, so titles stay right).
    `workers` (default: every core) processes render the pages. Raises BuildError on failure.
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    errors = _ErrorLog()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(errors)
    try:
        config = _load_config(paths, site_dir)
        hand_written = {
            path.relative_to(paths.content).as_posix()
            for path in paths.content.rglob("*.md")
            if path.is_file()
        }
        _build(config, hand_written, dirty=dirty, workers=workers or worker_count())
    except Exception as error:  # MkDocs and plugins raise many kinds; all mean a failed build
        raise BuildError(f"MkDocs failed: {errors.text(error)}") from error
    finally:
        mkdocs_log.removeHandler(errors)


class _ErrorLog(logging.Handler):
    """Collect MkDocs' error messages, which say why a build failed better than its exception."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def text(self, error: BaseException) -> str:
        return "\n".join([*self.messages, str(error)])


def _load_config(paths: ProjectPaths, site_dir: Path) -> MkDocsConfig:
    """Load mkdocs.yml as `mkdocs build` run in the project root would."""
    with open(paths.mkdocs_config, "rb") as stream:
        config = load_config(config_file=stream, site_dir=str(site_dir))
    # Relative snippet folders are relative to the working directory of `mkdocs build`.
    snippets = config.mdx_configs.get("pymdownx.snippets")
    if snippets and "base_path" in snippets:
        bases = snippets["base_path"]
        bases = [bases] if isinstance(bases, str) else bases
        snippets["base_path"] = [str(paths.root / base) for base in bases]
    return config


def _build(config: MkDocsConfig, hand_written: set[str], *, dirty: bool, workers: int) -> None:
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    if not dirty:
        clean_directory(config.site_dir)

    files = get_files(config)
    env = config.theme.get_env()
    files.add_files_from_theme(env, config)
    files = config.plugins.on_files(files, config=config)
    set_exclusions(files, config)
    nav = get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)

    doc_files = files.documentation_pages()
    pages: list[Page] = []
    for file in doc_files:
        if file.page is None:
            Page(None, file, config)
        assert file.page is not None
        pages.append(file.page)

    renderer = _PageRenderer(config, files, hand_written)
    # Every page shows the navigation's titles (and its neighbours'): read those first. A
    # generated page's title is in its front matter, so rendering it can wait for its share.
    in_nav = {id(page) for page in nav.pages}
    rendered: set[int] = set()
    for page in nav.pages:
        page.read_source(config)
        if "title" not in page.meta:
            renderer.populate(page)
            rendered.add(id(page))
    env = config.plugins.on_env(env, config=config, files=files)
    _share_navigation(env, nav)

    def build_share(share: Sequence[Page]) -> None:
        for page in share:
            if id(page) not in rendered:
                renderer.populate(page)
            mkdocs_build._build_page(page, config, doc_files, nav, env)
            if id(page) not in in_nav:
                page.content = None  # written: free the memory (a page is ~50 KB of HTML)
                page.toc = get_toc([])

    def build_rest() -> None:  # the parent's extra share, while its children render pages
        files.copy_static_files(dirty=dirty)
        for template in config.theme.static_templates:
            mkdocs_build._build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            mkdocs_build._build_extra_template(template, files, config, nav)

    todo = [page for page in pages if not dirty or page.file.is_modified()]
    _in_processes(
        build_share, todo, workers if len(todo) >= MIN_PAGES_TO_FORK else 1, first=build_rest
    )

    for page in pages:
        page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
    config.plugins.on_post_build(config=config)


# Material's partials whose HTML depends on the page only through where it sits in the navigation.
SHARED_PARTIALS = ("partials/nav.html", "partials/tabs.html")


def _share_navigation(env: jinja2.Environment, nav: Navigation) -> None:
    """Render the navigation partials once per folder for pages outside the navigation.

    They mark the current page and its sections as active, which only pages in the navigation
    are; their links are relative to the page's folder. So every page outside the navigation
    whose URL no navigation page lies under gets the same HTML as others in its folder.
    """
    nav_urls = [page.url for page in nav.pages]
    cache: dict[tuple[str, str, object], str] = {}

    def shared(name: str, render: Callable[[Context], Iterator[str]]) -> Callable[..., Any]:
        def root_render_func(context: Context) -> Iterator[str]:
            page = context.get("page")
            url = getattr(page, "url", None)
            if (
                not isinstance(url, str)
                or getattr(page, "parent", None) is not None
                or any(other.startswith(url) for other in nav_urls)
            ):
                yield from render(context)
                return
            key = (name, posixpath.dirname(url.rstrip("/")), context.get("base_url"))
            html = cache.get(key)
            if html is None:
                html = cache[key] = "".join(render(context))
            yield html

        return root_render_func

    for name in SHARED_PARTIALS:
        try:
            template = env.get_template(name)
        except jinja2.TemplateNotFound:
            continue
        template.root_render_func = shared(name, template.root_render_func)


def _in_processes(
    work: Callable[[Sequence[Page]], None],
    pages: list[Page],
    workers: int,
    *,
    first: Callable[[], None],
) -> None:
    """Run work over pages split between this process and workers - 1 forked children.

    This process runs `first` before its share; its share is the smaller for it.
    """
    if workers < 2 or not hasattr(os, "fork"):
        first()
        work(pages)
        return
    children: dict[int, int] = {}  # pid → read end of the pipe that carries its error
    try:
        for number in range(1, workers):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: render its share, report, leave without cleanup
                os.close(read)
                status = 0
                try:
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    work(pages[number::workers])
                except BaseException:  # everything must reach the parent
                    os.write(write, traceback.format_exc().encode("utf-8", "replace"))
                    status = 1
                finally:
                    logging.shutdown()
                    os._exit(status)
            os.close(write)
            children[pid] = read
        first()
        work(pages[0::workers])
        failures = []
        for pid, read in list(children.items()):
            message = _read_all(read)
            _, status = os.waitpid(pid, 0)
            del children[pid]
            if status != 0:
                failures.append(message.strip() or f"a builder process ended with {status}")
        if failures:
            raise BuildError("a builder process failed:\n" + failures[0])
    finally:
        for pid, read in children.items():  # interrupted or failed: stop the others
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
            os.close(read)


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


class _PageRenderer:
    """Read and render pages as MkDocs does, generated ones without the HTML round trip."""

    def __init__(self, config: MkDocsConfig, files: Files, hand_written: set[str]) -> None:
        self.config = config
        self.files = files
        self.hand_written = hand_written
        self._markdown: markdown.Markdown | None = None
        self._headings: _Headings | Literal[False] | None = None  # False: not this config

    def populate(self, page: Page) -> None:
        """Read page's source and render its content (mkdocs.commands.build._populate_page)."""
        config, files = self.config, self.files
        config._current_page = page
        try:
            page = config.plugins.on_pre_page(page, config=config, files=files)
            page.read_source(config)
            assert page.markdown is not None
            page.markdown = config.plugins.on_page_markdown(
                page.markdown, page=page, config=config, files=files
            )
            if page.file.src_uri in self.hand_written:
                page.render(config, files)
            else:
                self._render_generated(page)
            page.content = config.plugins.on_page_content(
                page.content or "", page=page, config=config, files=files
            )
        except Exception as error:
            raise BuildError(f"Error reading page '{page.file.src_uri}': {error}") from error
        finally:
            config._current_page = None

    def _render_generated(self, page: Page) -> None:
        """Page.render, with the page's HTML blocks stashed as raw HTML before parsing.

        Where all that is left besides the HTML blocks is plain headings (as the templates
        write them), they are written here as Python-Markdown and its toc extension would
        (the same bytes, tested), and Python-Markdown is not run at all.
        """
        assert page.markdown is not None
        if self._headings is None:
            self._headings = _Headings.matching(self._md())
        done = self._headings.render(page.markdown) if self._headings else None
        if done is not None:
            page.content, toc_tokens, ids, title = done
            page.toc = get_toc(toc_tokens)
            page._title_from_render = title
            page.present_anchor_ids = ids
            if logging.getLogger("mkdocs").getEffectiveLevel() > logging.DEBUG:
                page.links_to_anchors = {}
            return
        md = self._md()
        md.reset()
        stash = _StashHtmlBlocks(md)
        stash._register(md)
        anchors = _ExtractAnchorsTreeprocessor(page.file, self.files, self.config)
        anchors._register(md)
        relative = _RelativePathTreeprocessor(page.file, self.files, self.config)
        relative._register(md)
        title = _ExtractTitleTreeprocessor()
        title._register(md)
        assert page.markdown is not None
        page.content = md.convert(page.markdown)
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = title.title
        page.present_anchor_ids = anchors.present_anchor_ids | stash.present_anchor_ids
        if logging.getLogger("mkdocs").getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative.links_to_anchors

    def _md(self) -> markdown.Markdown:
        if self._markdown is None:
            self._markdown = markdown.Markdown(
                extensions=self.config["markdown_extensions"],
                extension_configs=self.config["mdx_configs"] or {},
            )
        return self._markdown


class _StashHtmlBlocks(Preprocessor):  # type: ignore[misc]  # markdown is untyped
    """Move whole top-level HTML blocks into the raw-HTML stash, unparsed.

    A block is taken only where Python-Markdown would take the same one verbatim: it starts a
    line after a blank line with a block-level tag, ends a line with the matching end tag, and
    a blank line (or the end) follows. Anything else is left for Python-Markdown's own parser.
    """

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.present_anchor_ids: set[str] = set()

    def _register(self, md: markdown.Markdown) -> None:
        # After whitespace normalisation (30), before Python-Markdown's HTML block parser (20).
        md.preprocessors.register(self, "cwb_stash_html_blocks", 25)

    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        for block, line in _split_blocks(lines, self.md.is_block_level):
            if block is None:
                result.append(line)
            else:
                self.present_anchor_ids.update(_ID.findall(block))
                result += ["", self.md.htmlStash.store(block), ""]
        return result


def _split_blocks(
    lines: list[str], is_block_level: Callable[[str], bool], *, relaxed: bool = False
) -> Iterator[tuple[str | None, str]]:
    """Yield (an HTML block, "") for each block _StashHtmlBlocks takes, (None, line) otherwise.

    A block followed by a blank line keeps the newline after it, as Python-Markdown's own
    HTML block parser stores it. `relaxed` (for _Headings, whose output is compared with
    Python-Markdown's) also takes blocks that touch a heading or another block.
    """

    def starts_block(number: int) -> bool:
        start = _START_TAG.match(lines[number])
        return start is not None and is_block_level(start.group(1))

    def apart(number: int, after_block: bool) -> bool:
        if number < 0 or number >= count or not lines[number].strip():
            return True
        if not relaxed:
            return False
        return (
            after_block
            or _HEADING.fullmatch(lines[number]) is not None
            or (number > index and starts_block(number))
        )

    index, count = 0, len(lines)
    after_block = False  # the line before index ends a block
    while index < count:
        line = lines[index]
        start = _START_TAG.match(line)
        if start is not None and is_block_level(start.group(1)) and apart(index - 1, after_block):
            end = _block_end(lines, index, start.group(1).lower())
            if end is not None and apart(end + 1, False):
                blank_after = end + 1 < count and not lines[end + 1].strip()
                yield "\n".join(lines[index : end + 1]) + ("\n" if blank_after else ""), ""
                index = end + 1
                after_block = True
                continue
        yield None, line
        index += 1
        after_block = False


def _block_end(lines: list[str], first: int, tag: str) -> int | None:
    """Return the line on which the element opened on lines[first] closes, if it ends it."""
    opening = re.compile(rf"<{tag}(?=[\s/>])|</{tag}\s*>", re.IGNORECASE)
    depth = 0
    for number in range(first, len(lines)):
        line = lines[number]
        for match in opening.finditer(line):
            depth += -1 if match.group().startswith("</") else 1
            if depth == 0:
                return number if match.end() == len(line.rstrip()) else None
    return None


# A line that is a heading and nothing else for Python-Markdown: its text holds no inline
# syntax (backslash escapes of punctuation and a few entities aside) and it may end with an
# attr_list id. Anything else sends the page through Python-Markdown.
_HEADING = re.compile(
    r"(?P<hashes>#{1,6}) (?P<text>(?:[^\s\\`*_\[\]<>!&{}|#]|\\[-()!.#+]|"
    r"&(?:amp|lt|gt|quot|#39);| (?=[^\s{]))+)(?: \{: #(?P<id>[A-Za-z][\w-]*) \})?"
)
_ESCAPE = re.compile(r"\\(.)")
_RISKY = ("\t", "\r", "\x02", "\x03", "--8<--")  # tabs, line ends, stash marks, snippets
_SPACES_LINE = re.compile(r"\n +\n")  # Python-Markdown empties lines of spaces


class _Headings:
    """Write a generated page's headings as Python-Markdown and its toc extension do."""

    def __init__(self, toc: Any, is_block_level: Callable[[str], bool]) -> None:
        self.toc = toc
        self.is_block_level = is_block_level

    @classmethod
    def matching(cls, md: markdown.Markdown) -> _Headings | Literal[False]:
        """Return a writer for md's configuration, or False where it differs from ours."""
        registry = md.treeprocessors  # a Registry: no .get
        toc = registry["toc"] if "toc" in registry else None  # noqa: SIM401
        expected = {
            "base_level": 0,
            "sep": "-",
            "use_anchors": False,
            "use_permalinks": True,
            "permalink_class": "headerlink",
            "permalink_title": "Permanent link",
            "permalink_leading": False,
            "toc_top": 1,
            "toc_bottom": 6,
            "marker": "[TOC]",
        }
        if toc is None or getattr(toc, "slugify", None) is not toc_module.slugify:
            return False
        if any(getattr(toc, name, None) != value for name, value in expected.items()):
            return False
        if "attr_list" not in md.treeprocessors:
            return False
        return cls(toc, md.is_block_level)

    def render(self, text: str) -> tuple[str, list[Any], set[str], str | None] | None:
        """Return (HTML, toc tokens, ids, title) for text, or None if it is not that simple."""
        if any(risky in text for risky in _RISKY) or _SPACES_LINE.search(f"\n{text}\n"):
            return None
        parts: list[str] = []
        headings: list[tuple[int, str, str | None, int]] = []  # level, HTML, id, part
        ids: set[str] = set()
        for block, line in _split_blocks(text.split("\n"), self.is_block_level, relaxed=True):
            if block is not None:
                ids.update(_ID.findall(block))
                parts.append(block)
                continue
            if not line:
                continue
            match = _HEADING.fullmatch(line)
            if match is None:
                return None
            inner = _ESCAPE.sub(r"\1", match["text"])
            headings.append((len(match["hashes"]), inner, match["id"], len(parts)))
            parts.append("")
        used = {given for _, _, given, _ in headings if given}
        flat: list[dict[str, Any]] = []
        for level, inner, given, part in headings:
            anchor = given or toc_module.unique(
                toc_module.slugify(html_module.unescape(inner), "-"), used
            )
            parts[part] = (
                f'<h{level} id="{anchor}">{inner}<a class="headerlink" href="#{anchor}" '
                f'title="Permanent link">&para;</a></h{level}>'
            )
            flat.append(
                {"level": level, "id": anchor, "name": inner, "html": inner, "data-toc-label": ""}
            )
        ids.update(token["id"] for token in flat)
        title = None
        if headings and headings[0][3] == 0 and headings[0][0] == 1:
            title = html_module.unescape(headings[0][1])
        return "\n".join(parts).strip(), toc_module.nest_toc_tokens(flat), ids, title
