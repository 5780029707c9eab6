"""Golden generated Markdown and open-data exports for the sample corpus in tests/fixtures/valid/.

Compare:     pytest tests/test_golden.py tests/test_export.py
Regenerate:  make golden   (python -m tests.golden --update), then review the diff.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from generator.export import export_files
from generator.paths import collect_files
from generator.render import Renderer, SiteSettings
from generator.validate import validate_files

HERE = Path(__file__).parent
SAMPLE = HERE / "fixtures" / "valid"
GOLDEN = HERE / "golden"
SETTINGS = SiteSettings(
    repository="https://github.com/example/cwb", branch="main", site_url="https://example.org/"
)


def render_sample() -> dict[str, str]:
    """Return the generated pages and fragments of the sample corpus."""
    result = validate_files(collect_files([SAMPLE]))
    if result.problems:
        raise SystemExit("\n".join(problem.format_text() for problem in result.problems))
    renderer = Renderer(result.case_studies, SETTINGS)
    pages = dict(renderer.pages())
    pages.update({f"fragments/{name}": text for name, text in renderer.fragments().items()})
    return pages


def export_sample() -> dict[str, str]:
    """Return the open-data files of the sample corpus (data/...)."""
    return export_files(validate_files(collect_files([SAMPLE])).case_studies, SETTINGS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden/")
    if not parser.parse_args().update:
        parser.error("pass --update to rewrite the golden files")
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, text in {**render_sample(), **export_sample()}.items():
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    print(f"wrote {len(list(GOLDEN.rglob('*.md')))} golden files into {GOLDEN}")


if __name__ == "__main__":
    main()
