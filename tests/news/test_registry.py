"""The shipped feeds.yaml and its JSON Schema."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.model import PILLAR_SLUGS
from generator.news.feeds import FEEDS_SCHEMA, load_feeds

REPO = Path(__file__).resolve().parents[2]
FEEDS_TABLE = REPO / "docs" / "feeds.md"  # which feed addresses were seen elsewhere


def test_shipped_feeds_file_is_valid() -> None:
    registry = load_feeds(REPO / "feeds.yaml")
    assert registry.problems == []
    assert len(registry.feeds) >= 20
    assert all(feed.url.startswith("https://") for feed in registry.feeds)


def test_feeds_file_names_its_schema_on_line_one() -> None:
    first = (REPO / "feeds.yaml").read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=generator/schema/feeds.schema.json"


def test_general_feeds_are_filtered_and_guesses_marked() -> None:
    feeds = {feed.name: feed for feed in load_feeds(REPO / "feeds.yaml").feeds}
    assert feeds["Scottish Government news"].keywords
    assert feeds["Barcelona City Council news"].keywords
    for name in ("CLES", "Power to Change", "Labsus", "Co-operatives UK"):
        assert feeds[name].verified is False
    assert feeds["Co-operative News"].verified is True


def test_verified_flags_follow_the_feeds_table() -> None:
    rows = [
        line.split("|")
        for line in FEEDS_TABLE.read_text("utf-8").splitlines()
        if line.startswith("| ") and "://" in line
    ]
    seen = {row[2].strip(): row[3].strip().startswith("seen") for row in rows}
    feeds = {feed.url: feed.verified for feed in load_feeds(REPO / "feeds.yaml").feeds}
    assert feeds == seen


def test_schema_is_draft7_strict_and_described() -> None:
    schema = json.loads(FEEDS_SCHEMA.read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"

    def walk(node: dict[str, object], where: str) -> None:
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, where
        properties = node.get("properties", {})
        assert isinstance(properties, dict)
        for name, child in properties.items():
            assert child.get("description"), f"{where}.{name} has no description"
            walk(child, f"{where}.{name}")
        items = node.get("items")
        if isinstance(items, dict):
            walk(items, f"{where}[]")

    walk(schema, "feeds.yaml")
    pillar_enum = schema["properties"]["feeds"]["items"]["properties"]["pillars"]["items"]["enum"]
    assert tuple(pillar_enum) == PILLAR_SLUGS


def test_duplicate_feeds_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    entry = {
        "name": "Same",
        "url": "https://example.org/feed",
        "homepage": "https://e.org/",
        "verified": True,
    }
    path.write_text(yaml.safe_dump({"feeds": [entry, {**entry, "name": "same "}]}), "utf-8")
    messages = [problem.message for problem in load_feeds(path).problems]
    assert messages == [
        "feeds[2].name repeats 'same '",
        "feeds[2].url repeats 'https://example.org/feed'",
    ]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("- a list\n", "mapping"),
        ("feeds: []\n", "at least 1"),
        ("feeds:\n  - name: x\n    url: &a https://e.org/f\n", "anchors"),
    ],
)
def test_broken_registries_are_problems_not_crashes(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(textwrap.dedent(text), "utf-8")
    registry = load_feeds(path)
    assert not registry.ok and registry.feeds == []
    assert any(fragment in problem.message for problem in registry.problems), registry.problems
