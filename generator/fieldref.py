"""The contributor guide's field reference, generated from the schema's descriptions.

Regenerate after changing the schema:  python -m generator.fieldref --update
(a test fails while CONTRIBUTING.md and the schema disagree).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from generator.paths import PACKAGE_DIR
from generator.schema_walk import walk

START = "<!-- field-reference:start (generated from the schema: do not edit by hand) -->"
END = "<!-- field-reference:end -->"
GUIDE = PACKAGE_DIR.parent / "CONTRIBUTING.md"


def field_reference(schema: dict[str, Any]) -> str:
    """Return a Markdown table of every field: name, required, kind and description."""
    rows = ["| Field | Required | Kind | What to write |", "| --- | --- | --- | --- |"]
    for field in walk(schema):
        description = (
            field.description.replace("|", "\\|")
            .replace("\n", " ")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
        )
        if "enum" in field.schema:
            description += " Allowed: " + ", ".join(f"`{value}`" for value in field.schema["enum"])
        rows.append(
            f"| `{field.dotted}` | {'yes' if field.required else 'no'} | {field.kind} "
            f"| {description} |"
        )
    return "\n".join(rows)


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
