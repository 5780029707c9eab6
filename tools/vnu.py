"""The Nu HTML Checker on the built site: errors in the markup the project writes.

    make vnu            (builds first; run from the project folder)

Material's own template markup has known errors (autocomplete on its hidden checkbox toggles,
an empty tabindex on navigation labels, a label for a hidden toggle): those are listed and left
aside; any other error fails. vnu-jar is installed with npm into /tmp/cwb-tools; needs Java.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from npm_tools import npm_tool

# Errors in Material for MkDocs' templates, not in what this project writes.
MATERIAL = (
    "Attribute “autocomplete” is only allowed when the input type is",
    "Bad value “” for attribute “tabindex” on element “label”",
    "The value of the “for” attribute of the “label” element must be the ID of a non-hidden",
)


def vnu() -> Path:
    """Return vnu.jar, installing it on first use."""
    return npm_tool("vnu-jar", "node_modules/vnu-jar/build/dist/vnu.jar")


def main(site: Path) -> int:
    """Check every page; print the project's errors; return 1 if there are any."""
    pages = sorted(str(path) for path in site.rglob("*.html"))
    completed = subprocess.run(
        ["java", "-jar", str(vnu()), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
    )
    messages = json.loads(completed.stderr or completed.stdout or '{"messages": []}')["messages"]
    ours = [m for m in messages if not any(known in m.get("message", "") for known in MATERIAL)]
    for message in ours:
        where = message.get("url", "").split(str(site), 1)[-1]
        print(f"{where}:{message.get('lastLine', '?')}: {message.get('message')}")
    print(
        f"{len(pages)} pages: {len(ours)} errors ({len(messages) - len(ours)} in Material's markup)"
    )
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "site")))
