"""Refresh the vendored axe-core that the browser tests inject (issue 19).

    python3 tools/vendor_axe.py            (the version pinned below)
    python3 tools/vendor_axe.py 4.15.0     (move the pin: edit AXE_VERSION too)

The suite must run on a fresh machine with a slow or closed network, so the single file it needs,
axe.min.js, is committed in tests/vendor/axe-core/ with axe-core's licence (MPL-2.0) and the
version it came from. This script fetches the npm package with `npm pack` (no node_modules, no
install scripts) and copies those files over.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

AXE_VERSION = "4.14.1"
VENDOR = Path(__file__).resolve().parent.parent / "tests" / "vendor" / "axe-core"
FILES = ("axe.min.js", "LICENSE", "LICENSE-3RD-PARTY.txt")


def main(version: str) -> int:
    """Fetch axe-core@version from npm and copy its script and licences into VENDOR."""
    with tempfile.TemporaryDirectory() as folder:
        packed = subprocess.run(
            ["npm", "pack", "--silent", f"axe-core@{version}"],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
        with tarfile.open(Path(folder) / packed) as archive:
            archive.extractall(folder, filter="data")
        VENDOR.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(Path(folder) / "package" / name, VENDOR / name)
    (VENDOR / "VERSION").write_text(f"{version}\n", encoding="utf-8")
    print(f"axe-core {version} copied into {VENDOR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else AXE_VERSION))
