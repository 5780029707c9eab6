"""Typed records for case studies and pillars, built from validated data."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from generator.paths import INDICATORS_FILE, PILLARS_FILE

PILLAR_SLUGS = ("procurement", "workforce", "land-and-property", "finance", "plural-ownership")


@dataclass(frozen=True)
class Pillar:
    """One of the five pillars of community wealth building (CLES)."""

    slug: str
    title: str
    short_title: str
    description: str
    cles_wording: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """A document that a case study relies on, cited by id."""

    id: str
    title: str
    publisher: str
    url: str
    date: str | None = None
    note: str | None = None  # an editorial remark, shown beside the link, never in it
    language: str | None = None  # BCP 47, only when not English: the title stays as published
    title_en: str | None = None  # an English gloss of a title in another language


@dataclass(frozen=True)
class Ending:
    """When and how an initiative or a whole case study ended or changed hands."""

    year: int
    how: str  # closed, sold, transferred, merged, demutualised, replaced, paused
    note: str
    source: str
    date: str | None = None


@dataclass(frozen=True)
class Initiative:
    """One concrete thing done under a pillar."""

    title: str
    year: int
    description: str
    sources: tuple[str, ...]
    ended: Ending | None = None


@dataclass(frozen=True)
class PillarWork:
    """What a place did under one pillar."""

    pillar: str
    summary: str
    initiatives: tuple[Initiative, ...]


@dataclass(frozen=True)
class Actor:
    """An organisation involved, and the part it played."""

    name: str
    type: str
    role: str
    note: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class MetricValue:
    """One year's value of a metric."""

    year: int
    value: float
    label: str | None = None  # the period as the source names it, e.g. 2016/17
    source: str | None = None
    qualifier: str | None = None  # "more than", "about", …: said before the number
    note: str | None = None  # what this one value is, e.g. "first share offer"
    definition_changed: str | None = None  # counted differently from this value on


@dataclass(frozen=True)
class Metric:
    """A figure tracked over years, with its source."""

    label: str
    unit: str
    pillar: str
    source: str
    values: tuple[MetricValue, ...]
    note: str | None = None
    indicator: str | None = None  # a shared indicator's id, comparable across places
    area: str | None = None  # where and whose figure, e.g. "Lancashire (Preston's anchors)"
    measures: str | None = None  # how it is counted, shared by places counting alike


@dataclass(frozen=True)
class Indicator:
    """A figure defined once so that places measuring it can be compared."""

    id: str
    label: str
    pillar: str
    units: tuple[str, ...]
    how_to_read: str


@dataclass(frozen=True)
class Account:
    """What one source says about a disputed fact."""

    says: str
    source: str


@dataclass(frozen=True)
class Disagreement:
    """A fact on which sources differ, with every account."""

    about: str
    accounts: tuple[Account, ...]


@dataclass(frozen=True)
class Place:
    """Where the work happened."""

    name: str
    country: str
    lat: float
    lon: float
    region: str | None = None


@dataclass(frozen=True)
class Relation:
    """Another case study named as related, with the contributor's reason when written."""

    slug: str
    reason: str | None = None


@dataclass(frozen=True)
class CaseStudy:
    """One validated case study."""

    slug: str
    path: Path
    title: str
    place: Place
    scale: str
    start: int
    end: int | None
    status: str
    summary: str
    story: str
    pillars: tuple[PillarWork, ...]
    actors: tuple[Actor, ...]
    metrics: tuple[Metric, ...]
    lessons: tuple[str, ...]
    sources: tuple[Source, ...]
    last_reviewed: str
    related: tuple[Relation, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    tags: tuple[str, ...] = ()
    featured: bool = False
    ended: Ending | None = None
    source_numbers: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def pillar_slugs(self) -> tuple[str, ...]:
        """Return the slugs of the pillars this case study works on, in registry order."""
        return tuple(work.pillar for work in self.pillars)

    @property
    def period(self) -> str:
        """Return the period as readers see it, e.g. '2013 – ongoing'."""
        return f"{self.start} – {self.end if self.end is not None else 'ongoing'}"

    # Pages look sources up by the id a figure or initiative cites: a scan of `sources` per
    # citation made a case study with thousands of sources quadratic (issue 16, item 9).
    @cached_property
    def source_by_id(self) -> dict[str, Source]:
        """Return the sources by id."""
        return {source.id: source for source in self.sources}

    @property
    def numbered_sources(self) -> list[tuple[int, Source]]:
        """Return (number, source) pairs in the order of their numbers (`source_numbers`)."""
        by_id = self.source_by_id
        numbers = sorted(self.source_numbers.items(), key=lambda item: item[1])
        return [(number, by_id[source_id]) for source_id, number in numbers]


def case_study_from_data(data: dict[str, Any], path: Path) -> CaseStudy:
    """Build a CaseStudy from data that passed validation."""
    place = data["place"]
    sources = tuple(Source(**source) for source in data["sources"])
    case = CaseStudy(
        slug=data["slug"],
        path=path,
        title=data["title"],
        place=Place(
            name=place["name"],
            country=place["country"],
            region=place.get("region"),
            lat=float(place["coordinates"]["lat"]),
            lon=float(place["coordinates"]["lon"]),
        ),
        scale=data["scale"],
        # JSON Schema counts 2015.0 as a whole number; the pages show 2015.
        start=int(data["period"]["start"]),
        end=int(data["period"]["end"]) if "end" in data["period"] else None,
        status=data["status"],
        summary=data["summary"].strip(),
        story=data["story"],
        pillars=tuple(
            PillarWork(
                pillar=slug,
                summary=data["pillars"][slug]["summary"].strip(),
                initiatives=tuple(
                    Initiative(
                        title=item["title"],
                        year=int(item["year"]),
                        description=item["description"],
                        sources=tuple(item["sources"]),
                        ended=_ending(item.get("ended")),
                    )
                    for item in data["pillars"][slug]["initiatives"]
                ),
            )
            for slug in PILLAR_SLUGS
            if slug in data["pillars"]
        ),
        actors=tuple(Actor(**actor) for actor in data["actors"]),
        metrics=tuple(
            Metric(
                label=metric["label"],
                unit=metric["unit"],
                pillar=metric["pillar"],
                source=metric["source"],
                note=metric.get("note"),
                indicator=metric.get("indicator"),
                area=metric.get("area"),
                measures=metric.get("measures"),
                values=tuple(
                    MetricValue(**{**value, "year": int(value["year"])})
                    for value in sorted(metric["values"], key=_by_year)
                ),
            )
            for metric in data["metrics"]
        ),
        lessons=tuple(data["lessons"]),
        sources=sources,
        last_reviewed=data["last_reviewed"],
        related=tuple(_relation(item) for item in data.get("related", ())),
        disagreements=tuple(
            Disagreement(
                about=item["about"],
                accounts=tuple(Account(**account) for account in item["accounts"]),
            )
            for item in data.get("disagreements", ())
        ),
        tags=tuple(data.get("tags", ())),
        featured=bool(data.get("featured", False)),
        ended=_ending(data.get("ended")),
    )
    return replace(case, source_numbers=_source_numbers(case))


def _relation(item: str | dict[str, str]) -> Relation:
    """Read a `related` entry: a bare slug, or a slug with its reason."""
    if isinstance(item, str):
        return Relation(item)
    return Relation(item["slug"], item["reason"])


def _source_numbers(case: CaseStudy) -> dict[str, int]:
    """Number the sources in the order a reader first meets them on the case study's page.

    The page cites them in the header (how the work ended), the key figures, the initiatives
    (and how each ended) and the disagreements; sources never cited come last, in file order.
    """
    cited: list[str] = []
    if case.ended:
        cited.append(case.ended.source)
    for metric in case.metrics:
        cited.append(metric.source)
        cited += [value.source for value in metric.values if value.source]
    for work in case.pillars:
        for item in work.initiatives:
            cited += item.sources
            if item.ended:
                cited.append(item.ended.source)
    for disagreement in case.disagreements:
        cited += [account.source for account in disagreement.accounts]
    order = dict.fromkeys([*cited, *(source.id for source in case.sources)])
    return {source_id: number for number, source_id in enumerate(order, start=1)}


def _ending(data: dict[str, Any] | None) -> Ending | None:
    return Ending(**{**data, "year": int(data["year"])}) if data else None


def _by_year(value: dict[str, Any]) -> int:
    return int(value["year"])


@cache
def load_pillars() -> tuple[Pillar, ...]:
    """Return the five pillars from the registry file, in their fixed order."""
    text = PILLARS_FILE.read_text("utf-8")
    return tuple(
        Pillar(
            slug=entry["slug"],
            title=entry["title"],
            short_title=entry["short_title"],
            description=" ".join(entry["description"].split()),
            cles_wording=" ".join(entry["cles_wording"].split()),
            synonyms=tuple(entry["synonyms"]),
        )
        for entry in yaml.safe_load(text)
    )


@cache
def load_indicators() -> dict[str, Indicator]:
    """Return the shared indicators from their registry file, by id, in registry order."""
    entries = yaml.safe_load(INDICATORS_FILE.read_text("utf-8"))
    return {
        entry["id"]: Indicator(
            id=entry["id"],
            label=entry["label"],
            pillar=entry["pillar"],
            units=tuple(entry["units"]),
            how_to_read=" ".join(entry["how_to_read"].split()),
        )
        for entry in entries
    }
