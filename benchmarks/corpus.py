"""Write a benchmark corpus of N valid case studies, reproducibly.

    python -m benchmarks.corpus 1000 /tmp/corpus-1000            # synthetic (seeded)
    python -m benchmarks.corpus 1000 /tmp/clones-1000 --clones   # clones of the shipped ones
    python -m benchmarks.corpus 7727 /tmp/sources --sources      # one case study, 7,727 sources

Clones are the shipped case studies copied round-robin under new slugs and place names, with
their real stories, sources and figures (`related` emptied, so no clone points at another).

Varied pillars (1 to 5), countries, scales, actors, metrics (0 to 5, 1 to 8 values each) and
text lengths (a story of 2 to 12 paragraphs), so pages weigh what real ones would.

`--sources` writes one synthetic case study with N sources instead: the cost of one large file
(issue 16: 7,727 sources is about what fits in the loader's 512 KB).
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

from generator.model import PILLAR_SLUGS

COUNTRIES = {
    "GB": (54.0, -2.5),
    "US": (39.8, -98.6),
    "ES": (40.4, -3.7),
    "IT": (42.8, 12.5),
    "DE": (51.2, 10.4),
    "FR": (46.6, 2.2),
    "NL": (52.1, 5.3),
    "IE": (53.4, -8.2),
    "CA": (56.1, -106.3),
    "AU": (-25.3, 133.8),
    "BR": (-14.2, -51.9),
    "ZA": (-30.6, 22.9),
    "IN": (20.6, 78.9),
    "JP": (36.2, 138.3),
    "SE": (60.1, 18.6),
    "PT": (39.4, -8.2),
}
WORDS = [
    "anchor",
    "institutions",
    "council",
    "hospital",
    "university",
    "spend",
    "local",
    "supply",
    "chain",
    "procurement",
    "co-operative",
    "worker",
    "ownership",
    "living",
    "wage",
    "community",
    "land",
    "trust",
    "credit",
    "union",
    "pension",
    "fund",
    "investment",
    "social",
    "enterprise",
    "commons",
    "regeneration",
    "jobs",
    "training",
    "apprenticeships",
    "housing",
    "energy",
    "municipal",
    "bank",
    "democratic",
    "economy",
    "wealth",
    "recirculate",
    "neighbourhood",
    "partnership",
    "strategy",
    "review",
    "analysis",
    "contracts",
    "suppliers",
    "small",
    "businesses",
    "social",
    "value",
]
ACTOR_TYPES = (
    "local-government",
    "health",
    "education",
    "cooperative",
    "foundation",
    "business",
    "nonprofit",
    "financial",
    "housing",
    "community-group",
)
ROLES = ("lead", "anchor-institution", "partner", "funder", "enterprise", "adviser")
UNITS = ("GBP-million", "EUR-million", "USD-million", "percent", "jobs", "people", "count")


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 6)))


def case_study(index: int, rng: random.Random) -> dict[str, object]:
    """Return one valid synthetic case study."""
    slug = f"place-{index:05d}"
    country = rng.choice(list(COUNTRIES))
    lat, lon = COUNTRIES[country]
    start = rng.randint(1995, 2024)
    source_ids = [f"source-{n}" for n in range(1, rng.randint(2, 8))]
    pillars = rng.sample(PILLAR_SLUGS, rng.randint(1, 5))
    return {
        "slug": slug,
        "title": (f"Synthetic place {index}: " + _sentence(rng, rng.randint(3, 8))[:-1])[:110],
        "place": {
            "name": f"Place {index}",
            "region": f"Region {index % 97}",
            "country": country,
            "coordinates": {
                "lat": round(lat + rng.uniform(-4, 4), 4),
                "lon": round(lon + rng.uniform(-6, 6), 4),
            },
        },
        "scale": rng.choice(("town", "city", "city-region", "region")),
        "period": {"start": start},
        "status": "ongoing",
        "featured": index < 6,
        "summary": _sentence(rng, rng.randint(15, 40)),
        "story": "\n\n".join(_paragraph(rng) for _ in range(rng.randint(2, 12))),
        "pillars": {
            slug_: {
                "summary": _sentence(rng, rng.randint(8, 25)),
                "initiatives": [
                    {
                        "title": _sentence(rng, 4)[:-1],
                        "year": rng.randint(start, 2025),
                        "description": _paragraph(rng),
                        "sources": rng.sample(source_ids, rng.randint(1, len(source_ids))),
                    }
                    for _ in range(rng.randint(1, 4))
                ],
            }
            for slug_ in pillars
        },
        "actors": [
            {
                "name": f"Organisation {index}-{n}",
                "type": rng.choice(ACTOR_TYPES),
                "role": rng.choice(ROLES),
                "note": _sentence(rng, rng.randint(5, 15)),
            }
            for n in range(rng.randint(1, 8))
        ],
        "metrics": [
            {
                "label": _sentence(rng, rng.randint(3, 8))[:-1],
                "unit": rng.choice(UNITS),
                "pillar": rng.choice(pillars),
                "source": rng.choice(source_ids),
                "values": [
                    {"year": year, "value": round(rng.uniform(1, 500), 1)}
                    for year in sorted(
                        rng.sample(range(start, 2026), min(rng.randint(1, 8), 2026 - start))
                    )
                ],
            }
            for _ in range(rng.randint(0, 5))
        ],
        "lessons": [_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(1, 5))],
        "related": [f"place-{rng.randrange(max(index, 1)):05d}"] if index else [],
        "sources": [
            {
                "id": source_id,
                "title": _sentence(rng, 6)[:-1],
                "publisher": "Synthetic Press",
                "url": f"https://example.org/{slug}/{source_id}",
                "date": str(rng.randint(2000, 2025)),
            }
            for source_id in source_ids
        ],
        "tags": rng.sample(["anchors", "procurement", "co-operatives", "land", "finance"], 2),
        "last_reviewed": "2026-01-15",
    }


def write_corpus(count: int, folder: Path, *, seed: int = 2026) -> Path:
    """Write count case studies into folder (emptied first); return the folder."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    header = "# yaml-language-server: $schema=../generator/schema/case-study.schema.json\n"
    for index in range(count):
        data = case_study(index, rng)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        (folder / f"{data['slug']}.yaml").write_text(header + text, "utf-8")
    return folder


SHIPPED = Path(__file__).resolve().parent.parent / "case_studies"


def write_clones(count: int, folder: Path, *, shipped: Path = SHIPPED) -> Path:
    """Write count clones of the shipped case studies into folder (emptied first)."""
    originals = [yaml.safe_load(path.read_text("utf-8")) for path in sorted(shipped.glob("*.yaml"))]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    header = "# yaml-language-server: $schema=../generator/schema/case-study.schema.json\n"
    for index in range(count):
        data = dict(originals[index % len(originals)])
        number = f"{index:05d}"
        data["slug"] = f"{data['slug'][:54]}-{number}"  # the schema's limits: 60, 120, 80
        data["title"] = f"{data['title'][:112]} ({number})"
        place = dict(data["place"])
        place["name"] = f"{place['name'][:74]} {number}"
        data["place"] = place
        data["related"] = []
        data["featured"] = index < 6
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        (folder / f"{data['slug']}.yaml").write_text(header + text, "utf-8")
    return folder


def write_many_sources(count: int, folder: Path, *, seed: int = 2026) -> Path:
    """Write one synthetic case study with count sources into folder (emptied first).

    The sources are short, one line each, so that 7,727 of them fit in the loader's 512 KB;
    the case study's own sources are kept, so its figures and initiatives still cite them.
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = case_study(0, random.Random(seed))
    sources = data.pop("sources")
    extra = count - len(sources)  # type: ignore[arg-type]  # a list, typed object here
    header = "# yaml-language-server: $schema=../generator/schema/case-study.schema.json\n"
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    text += yaml.safe_dump({"sources": sources}, sort_keys=False, width=100)
    text += "".join(
        f'- {{id: s{n},title: T{n:03},publisher: Pp,url: "http://e.o/{n}"}}\n'
        for n in range(max(extra, 0))
    )
    (folder / f"{data['slug']}.yaml").write_text(header + text, "utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--clones", action="store_true", help="clone the shipped case studies")
    parser.add_argument(
        "--sources", action="store_true", help="one case study with COUNT sources instead"
    )
    args = parser.parse_args()
    if args.sources:
        write_many_sources(args.count, args.folder)
        print(f"wrote one case study with {args.count} sources into {args.folder}")
        return
    (write_clones if args.clones else write_corpus)(args.count, args.folder)
    print(f"wrote {args.count} case studies into {args.folder}")


if __name__ == "__main__":
    main()
