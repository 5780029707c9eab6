"""Checking tools from npm (Lighthouse, the Nu HTML Checker), installed outside the repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Never inside the checkout: node_modules would be hundreds of megabytes of someone else's code.
TOOLS = Path(os.environ.get("CWB_TOOLS", "/tmp/cwb-tools"))


def npm_tool(package: str, relative: str) -> Path:
    """Return TOOLS/relative, installing the npm package under TOOLS on first use."""
    path = TOOLS / relative
    if not path.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", package],
            check=True,
        )
    return path
