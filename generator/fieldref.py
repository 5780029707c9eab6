"""The contributor guide's field reference, generated from the schema's descriptions.

Regenerate after changing the schema:  python -m generator.fieldref --update
(a test fails while CONTRIBUTING.md and the schema disagree).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.paths import PACKAGE_DIR
from generator.schema_walk import Field, walk

START = "<!-- field-reference:start (generated from the schema: do not edit by hand) -->"
END = "<!-- field-reference:end -->"
GUIDE = PACKAGE_DIR.parent / "CONTRIBUTING.md"


# Objects whose keys each hold the same kind of group (every pillar is a pillarWork): their
# fields are listed once, under a placeholder, not once per key (issue 21).
SHARED: dict[tuple[str, ...], str] = {("pillars",): "<pillar>"}


def field_reference(schema: dict[str, Any]) -> str:
    """Return a Markdown table of every field: name, required, kind and description."""
    rows = ["| Field | Required | Kind | What to write |", "| --- | --- | --- | --- |"]
    shared: list[str] = []  # the shared fields, listed once after the keys that hold them
    for field in walk(schema):
        found = _shared_path(field, schema)
        if found is not None:
            prefix, dotted = found
            row = _row(dotted, field.required, field.kind, _description(field))
            if not shared:
                shared.append(_placeholder_row(schema, prefix))
            if row not in shared:
                shared.append(row)
            continue
        if shared and not any(field.path[: len(prefix)] == prefix for prefix in SHARED):
            rows.extend(shared)
            shared = []
        rows.append(_row(field.dotted, field.required, field.kind, _description(field)))
    rows.extend(shared)
    return "\n".join(rows)


def _shared_path(field: Field, schema: dict[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """Return the shared group and the field's name with its key as a placeholder, or None."""
    for prefix, placeholder in SHARED.items():
        depth = len(prefix)
        if (
            field.path[:depth] == prefix
            and len(field.path) > depth + 1
            and field.path[depth] in _keys(schema, prefix)
        ):
            named = Field((*prefix, placeholder, *field.path[depth + 1 :]), {}, False)
            return prefix, named.dotted
    return None


def _placeholder_row(schema: dict[str, Any], prefix: tuple[str, ...]) -> str:
    keys = ", ".join(f"`{key}`" for key in _keys(schema, prefix))
    return _row(
        ".".join((*prefix, SHARED[prefix])),
        False,
        "group of fields",
        f"Any of {keys}: each holds the fields below, listed once here.",
    )


def _keys(schema: dict[str, Any], path: tuple[str, ...]) -> list[str]:
    node = schema
    for part in path:
        node = node["properties"][part]
    return list(node.get("properties", {}))


def _description(field: Field) -> str:
    description = (
        field.description.replace("|", "\\|")
        .replace("\n", " ")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )
    if "enum" in field.schema:
        description += " Allowed: " + ", ".join(f"`{value}`" for value in field.schema["enum"])
    return description


def _row(dotted: str, required: bool, kind: str, description: str) -> str:
    return f"| `{dotted}` | {'yes' if required else 'no'} | {kind} | {description} |"


def replace_section(text: str, section: str) -> str:
    """Return text with the part between the markers replaced by section."""
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    if not rest:
        raise ValueError(f"the guide has no '{START}' marker")
    return f"{before}{START}\n{section}\n{END}{after}"


def main() -> None:
    from generator.schema_check import case_study_schema

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the section in place")
    parser.add_argument("--guide", type=Path, default=GUIDE)
    args = parser.parse_args()
    updated = replace_section(args.guide.read_text("utf-8"), field_reference(case_study_schema()))
    if args.update:
        args.guide.write_text(updated, "utf-8")
    else:
        print(field_reference(case_study_schema()))


if __name__ == "__main__":
    main()
