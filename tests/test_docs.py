"""The documentation stays in step with the code: the field reference and the commands."""

from __future__ import annotations

import json
import re

from generator.cli import _parser
from generator.fieldref import END, GUIDE, START, field_reference
from generator.schema_check import case_study_schema
from tests.conftest import ROOT

SCHEMA_MODELINE = "# yaml-language-server: $schema=../generator/schema/case-study.schema.json"


def test_field_reference_matches_the_schema() -> None:
    text = GUIDE.read_text("utf-8")
    section = text[text.index(START) + len(START) : text.index(END)].strip()
    assert section == field_reference(case_study_schema()), (
        "CONTRIBUTING.md is out of date: run python -m generator.fieldref --update"
    )


def test_every_schema_field_is_described() -> None:
    reference = field_reference(case_study_schema())
    for row in reference.splitlines()[2:]:
        assert not row.endswith("|  |"), row


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) >= {"validate", "build", "serve", "news", "new"}
    for name in commands:
        assert re.search(rf"`cwb {name}\b", readme), f"cwb {name} is not in README.md"


def test_readme_names_the_test_command_that_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "make test" in readme and "make test" in ci


def test_the_initiative_fields_are_listed_once_for_every_pillar() -> None:
    schema = case_study_schema()
    pillars = schema["properties"]["pillars"]["properties"]
    assert len({pillar["$ref"] for pillar in pillars.values()}) == 1  # all the same group
    reference = field_reference(schema)
    names = re.findall(r"^\| `([^`]+)`", reference, flags=re.MULTILINE)
    assert len(names) == len(set(names)), "a field is listed twice"
    assert "pillars.<pillar>.initiatives[].title" in names
    assert not any(name.startswith("pillars.procurement.") for name in names)
    for pillar in pillars:  # each pillar still has its own row, saying what it is
        assert f"pillars.{pillar}" in names
    assert "`pillars.&lt;pillar&gt;`" not in reference  # the placeholder is code, not escaped


def test_github_dev_and_codespaces_check_and_preview_without_an_install() -> None:
    recommended = json.loads((ROOT / ".vscode" / "extensions.json").read_text("utf-8"))
    assert "redhat.vscode-yaml" in recommended["recommendations"]
    for case_file in sorted((ROOT / "case_studies").glob("*.yaml")):  # what that extension reads
        first = case_file.read_text("utf-8").splitlines()[0]
        assert first == SCHEMA_MODELINE, f"{case_file.name} does not start with the schema line"
    container = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text("utf-8"))
    assert "python:1-3.11" in container["image"]
    assert container["postCreateCommand"] == "make setup"
    assert container["postAttachCommand"] == "make serve"
    assert container["forwardPorts"] == [8000]  # cwb serve's default port
    guide = GUIDE.read_text("utf-8")
    path_1 = guide[guide.index("## Path 1") : guide.index("## Path 2")]
    assert "press the **`.`**" in path_1 and "Codespaces" in path_1 and "@recommended" in path_1
