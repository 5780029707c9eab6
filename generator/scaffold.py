"""`cwb new SLUG`: a case-study file written from the schema, ready to fill in.

Every field carries its description as a comment; required values are `TODO` placeholders
that `cwb validate` reports, one by one, until they are replaced; optional fields are
commented out. Text placeholders are quoted (`"TODO: title"`); number placeholders are a bare
`TODO` with a comment (`lat: TODO  # a number from -90 to 90, without quotes`), so that
typing the number over the word gives a number, not the text "53.76".
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

from generator.model import PILLAR_SLUGS
from generator.paths import RESERVED_SLUGS
from generator.problems import PLACEHOLDER, CwbError, quote
from generator.schema_check import case_study_schema
from generator.schema_walk import resolve

MODELINE = "# yaml-language-server: $schema=../generator/schema/case-study.schema.json"
WIDTH = 96


class ScaffoldError(CwbError):
    """The case study cannot be scaffolded (bad slug, or the file exists)."""


def valid_slug(text: str) -> bool:
    """Return whether text may be a slug, and so a file and page name (the schema's rule)."""
    rule = case_study_schema()["properties"]["slug"]
    return (
        re.fullmatch(rule["pattern"], text) is not None
        and rule["minLength"] <= len(text) <= rule["maxLength"]
    )


def reserved_slug(slug: str) -> tuple[str, str] | None:
    """Return the message and hint for a slug that names a page of the site, or None."""
    if slug not in RESERVED_SLUGS:
        return None
    return (
        f"the slug {quote(slug)} is taken by a page of the site (case-studies/{slug}.md)",
        f"choose another slug (and file name); reserved: {', '.join(sorted(RESERVED_SLUGS))}",
    )


def check_slug(slug: str) -> None:
    """Raise ScaffoldError unless the slug is a valid file and page name."""
    if reserved := reserved_slug(slug):
        raise ScaffoldError(f"{reserved[0]}: {reserved[1]}")
    if not valid_slug(slug):
        raise ScaffoldError(
            f"{quote(slug, 60)} is not a valid slug: use 2 to 60 lower-case letters, digits "
            "and single hyphens, e.g. kirklees or north-ayrshire"
        )


def scaffold_text(slug: str, schema: dict[str, Any]) -> str:
    """Return the YAML text of a new case study for the given slug."""
    check_slug(slug)
    lines = [
        MODELINE,
        f"# New case study: {slug}. Replace every {PLACEHOLDER} with what it asks for, delete",
        "# the comments you no longer need, and run `cwb validate` until it reports no problem.",
        "# Every figure needs a source: list it under `sources` and cite its id.",
        "",
    ]
    _emit_object(schema, schema, lines, indent=0, slug=slug)
    return "\n".join(lines).rstrip() + "\n"


def create_case_study(folder: Path, slug: str, schema: dict[str, Any]) -> Path:
    """Write folder/SLUG.yaml, refusing to overwrite an existing file."""
    text = scaffold_text(slug, schema)
    path = folder / f"{slug}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as stream:  # "x": never overwrite
            stream.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists: edit it, or choose another slug") from None
    return path


def _comment(text: str, indent: int, *, optional: bool) -> list[str]:
    prefix = " " * indent + "# "
    already_says = text.lower().startswith("optional")
    words = ("(optional) " if optional and not already_says else "") + text
    return textwrap.wrap(
        words, WIDTH - len(prefix), initial_indent=prefix, subsequent_indent=prefix
    )


def _placeholder(name: str, schema: dict[str, Any]) -> str:
    if schema.get("type") in ("number", "integer"):
        return f"{PLACEHOLDER}  # {_number_wanted(schema)}"
    if "enum" in schema:
        return f'"{PLACEHOLDER}: one of {", ".join(map(str, schema["enum"]))}"'
    return f'"{PLACEHOLDER}: {name.replace("_", " ")}"'


def _number_wanted(schema: dict[str, Any]) -> str:
    kind = "a year" if schema.get("type") == "integer" else "a number"
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None and max(abs(low), abs(high)) < 10_000:
        kind += f" from {low} to {high}"  # a bound of a million million says nothing
    return f"{kind}, without quotes"


def _emit_object(
    schema: dict[str, Any],
    root: dict[str, Any],
    lines: list[str],
    *,
    indent: int,
    slug: str | None = None,
) -> None:
    required = set(schema.get("required", ()))
    for name, child in schema.get("properties", {}).items():
        child = resolve(child, root)
        optional = name not in required
        lines.extend(_comment(str(child.get("description", "")), indent, optional=optional))
        block: list[str] = []
        if name == "slug" and slug is not None:
            block.append(" " * indent + f"slug: {slug}")
        elif name == "pillars" and indent == 0:
            _emit_pillars(child, root, block)
        else:
            _emit_value(name, child, root, block, indent=indent)
        if optional:
            block = [line[:indent] + "# " + line[indent:] for line in block]
        lines.extend(block)
        if indent == 0:
            lines.append("")


def _emit_value(
    name: str, schema: dict[str, Any], root: dict[str, Any], lines: list[str], *, indent: int
) -> None:
    pad = " " * indent
    kind = schema.get("type")
    if kind == "object":
        lines.append(f"{pad}{name}:")
        _emit_object(schema, root, lines, indent=indent + 2)
    elif kind == "array":
        lines.append(f"{pad}{name}:")
        items = resolve(schema.get("items", {}), root)
        if items.get("type") == "object":
            item_lines: list[str] = []
            _emit_object(items, root, item_lines, indent=indent + 4)
            first_key = next(
                i for i, line in enumerate(item_lines) if not line.lstrip().startswith("#")
            )
            line = item_lines[first_key]
            item_lines[first_key] = f"{pad}  - {line[indent + 4 :]}"
            lines.extend(item_lines)
        else:
            lines.append(f"{pad}  - {_placeholder(name, items)}")
    elif kind == "boolean":
        lines.append(f"{pad}{name}: false")
    elif name == "story":
        lines += [f"{pad}{name}: |", f"{pad}  {PLACEHOLDER}: the story, in Markdown paragraphs."]
    else:
        lines.append(f"{pad}{name}: {_placeholder(name, schema)}")


def _emit_pillars(schema: dict[str, Any], root: dict[str, Any], lines: list[str]) -> None:
    lines.append("pillars:")
    lines.extend(
        _comment(
            "Keep one block per pillar the place worked on, named by its slug: "
            + ", ".join(PILLAR_SLUGS)
            + ". Copy the procurement block for each other pillar.",
            2,
            optional=False,
        )
    )
    work = resolve(schema["properties"]["procurement"], root)
    _emit_value("procurement", work, root, lines, indent=2)
