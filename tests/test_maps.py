"""The SVG maps: panels follow the places, markers are named by their number, keys are distinct."""

from __future__ import annotations

import re
from collections import Counter

from generator.maps import MAX_NUMBERED, MapPoint, continent, world_map

# (place, country code, country, lat, lon, national)
PLACES = [
    ("Riverton", "GB", "United Kingdom", 53.5, -2.25, False),
    ("Lochside", "GB", "United Kingdom", 56.49, -4.2, True),
    ("Lochside", "GB", "United Kingdom", 56.49, -4.2, True),
    ("Spreeburg", "DE", "Germany", 52.52, 13.4, False),
    ("Lakeview", "US", "United States", 41.5, -81.7, False),
    ("Riviere", "CA", "Canada", 45.5, -73.6, False),
    ("Praia", "BR", "Brazil", -22.9, -42.8, False),
    ("Palmeiras", "BR", "Brazil", -3.7, -38.5, False),
    ("Kayal", "IN", "India", 8.5, 76.9, False),
    ("Hangang", "KR", "South Korea", 37.6, 127.0, False),
    ("Aotearoa", "NZ", "New Zealand", -41.3, 174.8, True),
    ("Southland", "AU", "Australia", -37.8, 145.0, True),
]


def _points() -> list[MapPoint]:
    return [
        MapPoint(
            f"{place}: programme {index}",
            lat,
            lon,
            f"../case-studies/case-{index}/",
            place=place,
            country=country,
            country_code=code,
            national=national,
        )
        for index, (place, code, country, lat, lon, national) in enumerate(PLACES)
    ]


def test_panels_are_computed_from_where_the_places_are() -> None:
    html = str(world_map(_points(), "world.svg", "Map"))
    panels = re.findall(r'<svg class="cwb-map[^"]*"[^>]*aria-label="([^"]+)"', html)
    assert panels == [
        "Canada and United States: 2 case studies",
        "Brazil: 2 case studies",
        "Germany and United Kingdom: 4 case studies",
        "India: 1 case study",
        "South Korea: 1 case study",
        "Australia and New Zealand: 2 case studies",
    ]
    only_europe = [point for point in _points() if point.country_code in {"GB", "DE"}]
    assert str(world_map(only_europe, "w.svg", "M")).count('<svg class="cwb-map') == 1


def test_each_marker_is_a_link_whose_name_starts_with_its_number() -> None:
    html = str(world_map(_points(), "world.svg", "Map"))
    links = re.findall(r'<a href="[^"]+" aria-label="([^"]+)">.*?>(\d+)</text></a>', html)
    assert len(links) == len(PLACES)
    for name, number in links:
        assert name.startswith(f"{number}. "), (name, number)
    assert sorted(int(number) for _, number in links) == list(range(1, len(PLACES) + 1))


def test_national_programmes_are_squares_in_their_own_key_group() -> None:
    html = str(world_map(_points(), "world.svg", "Map"))
    national = sum(1 for place in PLACES if place[5])
    assert html.count('<rect class="cwb-map-nation"') == national
    assert html.count('<circle class="cwb-map-dot"') == len(PLACES) - national
    groups = re.findall(r'<p class="cwb-map-key-title">([^<]+)</p><ol[^>]*>(.*?)</ol>', html)
    assert [title for title, _ in groups] == ["Places", "National programmes"]
    national_key = re.findall(r"<a [^>]+>([^<]+)</a>", groups[1][1])
    assert national_key == [
        "Lochside: programme 1",
        "Lochside: programme 2",
        "Southland",
        "Aotearoa",
    ]
    # Places are numbered first, then national programmes: each key reads in order.
    numbers = [int(n) for _, ol in groups for n in re.findall(r'<li value="(\d+)"', ol)]
    assert numbers == list(range(1, len(PLACES) + 1))


def test_key_entries_are_distinct_and_use_the_place_name() -> None:
    html = str(world_map(_points(), "world.svg", "Map"))
    entries = re.findall(r'<li value="\d+"><a [^>]+>([^<]+)</a>', html)
    assert len(entries) == len(PLACES)
    assert Counter(entries).most_common(1)[0][1] == 1
    assert "Riverton" in entries  # a place's own name where it is the only case study there


def test_past_the_numbered_limit_markers_are_plain_and_named() -> None:
    points = [
        MapPoint(f"Place {i}: p", 50 + i % 7, -3 + i % 11, f"p{i}/", place=f"Place {i}")
        for i in range(MAX_NUMBERED + 1)
    ]
    html = str(world_map(points, "world.svg", "Map"))
    assert "cwb-map-key" not in html
    assert '<text class="cwb-map-number' not in html
    assert html.count('aria-label="Place ') == len(points)


def test_continents_follow_un_m49() -> None:
    assert [continent(code) for code in ("GB", "BR", "IN", "KR", "NZ", "CA", "ZA", "XX")] == [
        "Europe",
        "South America",
        "Asia",
        "Asia",
        "Oceania",
        "North America",
        "Africa",
        "Other",
    ]
