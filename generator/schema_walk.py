"""Walk the case-study JSON Schema field by field, for the scaffold and the field reference."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    """One property of the schema, where it sits and what it expects."""

    path: tuple[str, ...]  # "[]" stands for "each item of a list"
    schema: dict[str, Any]
    required: bool

    @property
    def name(self) -> str:
        """Return the property's own name."""
        return self.path[-1]

    @property
    def dotted(self) -> str:
        """Return the path as the field reference shows it, e.g. sources[].url."""
        return ".".join(self.path).replace(".[]", "[]")

    @property
    def description(self) -> str:
        """Return the description a contributor sees in the editor."""
        return str(self.schema.get("description", ""))

    @property
    def kind(self) -> str:
        """Return the JSON type in words: text, whole number, list of …, group of fields."""
        kind = self.schema.get("type")
        if kind == "array":
            items = self.schema.get("items", {})
            inner = {"object": "groups of fields", "string": "texts"}.get(
                items.get("type"), "items"
            )
            return f"list of {inner}"
        return {
            "string": "text",
            "integer": "whole number",
            "number": "number",
            "boolean": "true or false",
            "object": "group of fields",
        }.get(str(kind), str(kind))


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Return a subschema with a local $ref replaced by its target (description kept)."""
    reference = schema.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return schema
    target: Any = root
    for part in reference[2:].split("/"):
        target = target[part]
    merged = dict(target)
    if "description" in schema:
        merged["description"] = schema["description"]
    return merged


def walk(root: dict[str, Any]) -> Iterator[Field]:
    """Yield every property of the schema, depth first, in the schema's own order."""
    yield from _walk(root, root, ())


def _walk(schema: dict[str, Any], root: dict[str, Any], prefix: tuple[str, ...]) -> Iterator[Field]:
    required = set(schema.get("required", ()))
    for name, child in schema.get("properties", {}).items():
        child = resolve(child, root)
        field = Field((*prefix, name), child, name in required)
        yield field
        if child.get("type") == "object":
            yield from _walk(child, root, field.path)
        elif child.get("type") == "array":
            items = resolve(child.get("items", {}), root)
            if items.get("type") == "object":
                yield from _walk(items, root, (*field.path, "[]"))
