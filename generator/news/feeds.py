"""Load and check the feeds registry (feeds.yaml) against its JSON Schema."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.load import Document, load_document
from generator.news.model import MAX_ITEMS_PER_MONTH, MAX_NEW_ITEMS_PER_RUN, Feed
from generator.paths import SCHEMA_DIR
from generator.problems import Problem
from generator.schema_check import SchemaCheck

log = logging.getLogger(__name__)

FEEDS_SCHEMA = SCHEMA_DIR / "feeds.schema.json"


@dataclass
class FeedsFile:
    """The feeds of a registry file, or the problems that stop it from being used."""

    path: Path
    feeds: list[Feed] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    allow_private_addresses: bool = False  # only tests and local labs set it

    @property
    def ok(self) -> bool:
        """Return whether the registry can be used."""
        return not self.problems


@cache
def feeds_schema() -> dict[str, Any]:
    """Return the feeds registry's JSON Schema."""
    schema: dict[str, Any] = json.loads(FEEDS_SCHEMA.read_text("utf-8"))
    return schema


@cache
def _feeds_check() -> SchemaCheck:
    return SchemaCheck(feeds_schema())


def load_feeds(path: Path) -> FeedsFile:
    """Read and check a feeds registry; problems are returned, never raised."""
    document = load_document(path)
    result = FeedsFile(path, problems=list(document.problems))
    if not document.ok:
        return result
    result.problems.extend(_feeds_check().problems(document))
    result.problems.extend(_duplicate_problems(document))
    if not result.problems:
        data = document.data
        defaults = (
            data.get("max_new_items_per_run", MAX_NEW_ITEMS_PER_RUN),
            data.get("max_items_per_month", MAX_ITEMS_PER_MONTH),
        )
        result.feeds = [_feed(entry, *defaults) for entry in data["feeds"]]
        result.allow_private_addresses = data.get("allow_private_addresses") is True
    result.problems.sort()
    return result


def _feed(entry: dict[str, Any], per_run: int, per_month: int) -> Feed:
    return Feed(
        name=" ".join(entry["name"].split()),
        url=entry["url"],
        homepage=entry["homepage"],
        verified=entry["verified"],
        pillars=tuple(entry.get("pillars", ())),
        keywords=tuple(entry.get("keywords", ())),
        language=entry.get("language", "en"),
        note=entry.get("note", ""),
        max_new_items_per_run=entry.get("max_new_items_per_run", per_run),
        max_items_per_month=entry.get("max_items_per_month", per_month),
    )


def _duplicate_problems(document: Document) -> list[Problem]:
    """Report a name or address given twice: either would merge two feeds' state and filter."""
    feeds = document.data.get("feeds")
    if not isinstance(feeds, list):
        return []
    problems: list[Problem] = []
    for key in ("name", "url"):
        first_seen: dict[str, int] = {}
        for index, entry in enumerate(feeds):
            value = entry.get(key) if isinstance(entry, dict) else None
            if not isinstance(value, str):
                continue
            normalised = " ".join(value.split()).casefold()
            if normalised in first_seen:
                line = document.locate(("feeds", first_seen[normalised], key))[0]
                problems.append(
                    document.problem(
                        ("feeds", index, key),
                        f"feeds[{index + 1}].{key} repeats '{value}'",
                        f"it is already given on line {line}: remove one of the two entries",
                    )
                )
            else:
                first_seen[normalised] = index
    return problems
