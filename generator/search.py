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
# Headings' permalink anchors ("¶") and the site's own chrome are noise in results.
EXCLUDE_SELECTORS = ".headerlink, .md-source-file, .cwb-edit"


def index_site(site_dir: Path) -> None:
    """Write the Pagefind index into site_dir/pagefind/; raise BuildError if it fails."""
    command = [
        sys.executable, "-m", "pagefind", "--site", str(site_dir), "--quiet",
        "--root-selector", ROOT_SELECTOR, "--exclude-selectors", EXCLUDE_SELECTORS,
        "--force-language", "en",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BuildError(f"Pagefind failed (exit {completed.returncode}):\n"
                         f"{completed.stderr.strip() or completed.stdout.strip()}")
