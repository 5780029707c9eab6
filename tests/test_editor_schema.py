"""The schema modeline on line 1 of each case study resolves, and editors' validator agrees.

check-jsonschema is what the pre-commit hook and many editors' integrations run: it must accept
the shipped case studies with the very schema their modeline names, and reject a broken one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
CASE_STUDIES = sorted((ROOT / "case_studies").glob("*.yaml"))
CHECK = [sys.executable, "-m", "check_jsonschema"]


def _schema_of(path: Path) -> Path:
    match = MODELINE.match(path.read_text("utf-8").splitlines()[0])
    assert match, f"{path.name}: line 1 is not the schema modeline"
    return (path.parent / match[1]).resolve()


@pytest.mark.parametrize("path", CASE_STUDIES, ids=[path.stem for path in CASE_STUDIES])
def test_modeline_names_the_project_schema(path: Path) -> None:
    assert _schema_of(path) == ROOT / "generator" / "schema" / "case-study.schema.json"


def test_check_jsonschema_accepts_the_shipped_case_studies() -> None:
    run = subprocess.run(
        [*CHECK, "--schemafile", str(_schema_of(CASE_STUDIES[0])), *map(str, CASE_STUDIES)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ok -- validation done" in run.stdout


def test_check_jsonschema_rejects_a_misspelt_field(tmp_path: Path) -> None:
    broken = tmp_path / "case_studies" / "preston.yaml"
    broken.parent.mkdir()
    shutil.copy(ROOT / "case_studies" / "preston.yaml", broken)
    broken.write_text(broken.read_text().replace("\ntitle:", "\ntitel:", 1))
    run = subprocess.run(
        [*CHECK, "--schemafile", str(_schema_of(CASE_STUDIES[0])), str(broken)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "titel" in run.stdout + run.stderr


def test_feeds_registry_passes_its_schema() -> None:
    feeds = ROOT / "feeds.yaml"
    schema = (feeds.parent / MODELINE.match(feeds.read_text().splitlines()[0])[1]).resolve()  # type: ignore[index]
    run = subprocess.run(
        [*CHECK, "--schemafile", str(schema), str(feeds)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
