"""The pillar and indicator registries are data; the schemas that repeat their ids must agree."""

from __future__ import annotations

import json

from generator.model import PILLAR_SLUGS, load_indicators, load_pillars
from generator.paths import SCHEMA_DIR
from generator.schema_check import case_study_schema


def _metric_properties() -> dict[str, dict[str, object]]:
    properties: dict[str, dict[str, object]] = case_study_schema()["properties"]["metrics"][
        "items"
    ]["properties"]
    return properties


def test_pillar_slugs_agree_everywhere() -> None:
    registry = tuple(pillar.slug for pillar in load_pillars())
    schema = case_study_schema()
    feeds = json.loads((SCHEMA_DIR / "feeds.schema.json").read_text("utf-8"))
    feed_pillars = feeds["properties"]["feeds"]["items"]["properties"]["pillars"]["items"]
    assert registry == PILLAR_SLUGS
    assert tuple(schema["properties"]["pillars"]["properties"]) == registry
    assert tuple(_metric_properties()["pillar"]["enum"]) == registry  # type: ignore[arg-type]
    assert tuple(feed_pillars["enum"]) == registry


def test_indicator_ids_agree_with_the_schema() -> None:
    indicators = load_indicators()
    assert tuple(_metric_properties()["indicator"]["enum"]) == tuple(indicators)  # type: ignore[arg-type]


def test_every_indicator_is_well_formed() -> None:
    units = set(_metric_properties()["unit"]["enum"])  # type: ignore[arg-type]
    for indicator in load_indicators().values():
        assert indicator.pillar in PILLAR_SLUGS, indicator.id
        assert indicator.units and set(indicator.units) <= units, indicator.id
        assert len(indicator.how_to_read) > 40, indicator.id
