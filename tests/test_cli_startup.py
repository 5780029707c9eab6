"""`cwb validate` starts fast and loads only what it uses, on any operating system.

A contributor runs it many times an hour, and on Windows: it must load no HTTP client, feed
parser, HTML sanitiser, site builder or file watcher, and nothing of ours may need fcntl.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.conftest import ROOT

# What `cwb validate` has no use for; fcntl is POSIX-only (the archive locks with filelock).
NOT_FOR_VALIDATE = ("httpx", "feedparser", "nh3", "fcntl", "mkdocs", "watchfiles")

# Runs `cwb validate` on the shipped case studies and reports, for every module above that
# got imported, which file imported it.
PROBE = textwrap.dedent(
    """\
    import json, sys, traceback

    WATCHED = set(sys.argv[1].split(","))
    importers = {}

    class Recorder:
        def find_spec(self, name, path=None, target=None):
            top = name.partition(".")[0]
            if top in WATCHED and top not in importers:
                frames = [f.filename for f in traceback.extract_stack()[:-1]
                          if "importlib" not in f.filename]
                importers[top] = frames[-1] if frames else "?"
            return None

    for name in WATCHED:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, Recorder())
    from generator.cli import main
    code = main(["validate"])
    print(json.dumps({"code": code, "importers": importers}))
    """
)


def test_validate_imports_nothing_it_does_not_use() -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(NOT_FOR_VALIDATE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_ACTIONS": ""},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    outcome = json.loads(run.stdout.splitlines()[-1])
    assert outcome["code"] in (0, 1)  # the shipped case studies may be mid-edit: it ran
    importers: dict[str, str] = outcome["importers"]
    # The standard library's subprocess module imports fcntl on POSIX (and _winapi on
    # Windows): that is portable. No module of ours, and no other library, may import it.
    if importers.get("fcntl", "").endswith(os.path.join("", "subprocess.py")):
        del importers["fcntl"]
    assert importers == {}


def test_the_news_package_does_not_load_its_parts() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, generator.news; "
            "print(sorted(m for m in sys.modules if m.startswith('generator.news.')))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
