"""The files that make each release citable (issue 20): CITATION.cff valid against the CFF
1.2.0 schema vendored in tools/cff/, .zenodo.json agreeing with it, and the release workflow
whose zip step is run here on a real build."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from generator.build import BuildResult

ROOT = Path(__file__).resolve().parent.parent
CFF_SCHEMA = ROOT / "tools" / "cff" / "schema-1.2.0.json"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def cff(text: str | None = None) -> dict[str, Any]:
    data = yaml.safe_load(text if text is not None else (ROOT / "CITATION.cff").read_text("utf-8"))
    # YAML dates come back as dates; the schema, like cffconvert, checks them as text.
    loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return loaded


def cff_errors(data: dict[str, Any]) -> list[str]:
    schema = json.loads(CFF_SCHEMA.read_text("utf-8"))
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    return [error.message for error in validator.iter_errors(data)]


def test_citation_cff_is_valid_cff_1_2_0() -> None:
    assert cff_errors(cff()) == []


def test_a_broken_citation_cff_is_caught() -> None:
    data = cff()
    del data["authors"]
    data["licence"] = "CC-BY-4.0"  # British spelling: not a CFF key
    assert len(cff_errors(data)) == 2


def test_versions_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert cff()["version"] == project["version"]


def test_zenodo_metadata_agrees_with_citation_cff() -> None:
    zenodo = json.loads((ROOT / ".zenodo.json").read_text("utf-8"))
    cited = cff()
    assert zenodo["title"] == cited["title"]
    assert zenodo["keywords"] == cited["keywords"]
    assert [creator["name"] for creator in zenodo["creators"]] == [
        author["name"] for author in cited["authors"]
    ]
    assert zenodo["upload_type"] == cited["type"] == "dataset"
    assert zenodo["license"] == "cc-by-4.0" and "CC-BY-4.0" in cited["license"]


def workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    return loaded


def step(name: str) -> dict[str, Any]:
    steps = workflow()["jobs"]["data"]["steps"]
    found: dict[str, Any] = next(item for item in steps if item.get("name") == name)
    return found


def test_release_workflow_runs_on_version_tags_with_the_whole_history() -> None:
    flow = workflow()
    assert flow[True] == {"push": {"tags": ["v[0-9]*"]}}  # YAML 1.1 reads `on:` as True
    job = flow["jobs"]["data"]
    assert job["permissions"] == {"contents": "write"}
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    assert step("cwb build")["run"] == "cwb build"
    assert "gh release" in step("Create the release, or add the zip to it")["run"]


def run_step(name: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    output = cwd / "github-output"
    output.touch()
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step(name)["run"]],
        cwd=cwd,
        env={**os.environ, "GITHUB_OUTPUT": str(output), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_version_check_refuses_a_tag_that_differs(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "CITATION.cff"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    version = cff()["version"]
    name = "The tag, pyproject.toml and CITATION.cff name one version"
    assert run_step(name, tmp_path, TAG=f"v{version}").returncode == 0
    refused = run_step(name, tmp_path, TAG="v99.0.0")
    assert refused.returncode == 1 and "::error::tag v99.0.0" in refused.stdout


def test_the_zip_holds_the_built_data(built_site: tuple[Path, BuildResult], tmp_path: Path) -> None:
    site, _ = built_site
    (tmp_path / "site").symlink_to(site)
    completed = run_step("Zip the data", tmp_path, TAG="v9.9.9")
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "github-output").read_text() == "name=cwb-data-v9.9.9.zip\n"
    with zipfile.ZipFile(tmp_path / "cwb-data-v9.9.9.zip") as archive:
        names = set(archive.namelist())
    expected = {
        path.relative_to(site / "data").as_posix()
        for path in (site / "data").rglob("*")
        if path.is_file() and path.name != "index.html"
    }
    assert {name for name in names if not name.endswith("/")} == expected
    assert {"datapackage.json", "case-studies.json", "case-studies.csv"} <= names
    assert "case-studies/preston/figure-1.svg" in names and "index.html" not in names
