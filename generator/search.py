"""Index the built site with Pagefind, whose binary ships inside the `pagefind[bin]` wheel."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from generator.problems import BuildError

log = logging.getLogger(__name__)

# Index the article only: Material's header, navigation and footer repeat on every page.
ROOT_SELECTOR = "article.md-content__inner"
# Permalink anchors, citation numbers and "read more" links are noise in excerpts.
EXCLUDE_SELECTORS = ".headerlink, .md-source-file, .cwb-edit, .cwb-search, .cwb-cite, .cwb-more"


def index_site(site_dir: Path) -> None:
    """Write the Pagefind index into site_dir/pagefind/; raise BuildError if it fails."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--quiet",
        "--root-selector",
        ROOT_SELECTOR,
        "--exclude-selectors",
        EXCLUDE_SELECTORS,
        "--force-language",
        "en",
        # Pages only: with directory URLs every page is an index.html; this leaves out 404.html.
        "--glob",
        "**/index.html",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BuildError(
            f"Pagefind failed (exit {completed.returncode}):\n"
            f"{completed.stderr.strip() or completed.stdout.strip()}"
        )
