"""Case-study places → inline SVG maps over a static base map, drawn at build time.

The base map (generator/assets/world-land.svg, from Natural Earth) uses the equirectangular
projection: x = lon + 180, y = 90 - lat, on a 360 x 150 viewBox. Places far apart (Europe,
North America, Brazil, Korea, say) get a map each, zoomed to their places, with east-west
distances scaled by the cosine of the latitude so that countries keep their shape. Markers that
would overlap are pushed apart (a line leads back to the true spot) and numbered; a key below
lists the numbers by the place's own name. A national programme (scale "nation") gets a square
marker and its own group in the key: it is not one spot. Past MAX_NUMBERED markers the maps show
plain dots: a key of thousands would help nobody.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from markupsafe import Markup, escape

VIEW_WIDTH, VIEW_HEIGHT = 360, 150  # the base map's own viewBox
PANEL_HEIGHT = 260  # a map's viewBox height; its width follows the region's shape
DENSE = 12  # a map of this many places or more gets a row of its own, and more room
MARKER_RADIUS = 11
DOT_RADIUS = 4
NEAR_DEGREES = 30  # places nearer than this (chained) share a map; further ones get their own
CELL_DEGREES = 5  # how finely places are gathered before that test; divides NEAR_DEGREES
MAX_NUMBERED = 60
RELAX_ROUNDS = 80

# UN M49 continents, by ISO 3166-1 alpha-2 code: names the maps and groups /places/.
_CONTINENTS = {
    "Africa": (
        "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR "
        "LY MG MW ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW"
    ),
    "Asia": (
        "AF AM AZ BH BD BT BN KH CN CY GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM "
        "NP KP OM PK PS PH QA SA SG KR LK SY TW TJ TH TL TR TM AE UZ VN YE"
    ),
    "Europe": (
        "AX AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG VA HU IS IE IM IT JE XK LV LI "
        "LT LU MT MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB"
    ),
    "North America": (
        "AI AG AW BS BB BZ BM BQ VG CA KY CR CU CW DM DO SV GL GD GP GT HT HN JM MQ MX MS NI PA "
        "PR BL KN LC MF PM VC SX TT TC US VI UM"
    ),
    "South America": "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",
    "Oceania": (
        "AS AU CX CC CK FJ PF GU HM KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV VU WF"
    ),
    "Antarctica": "AQ TF",
}
_CONTINENT_OF = {code: name for name, codes in _CONTINENTS.items() for code in codes.split()}


def continent(country_code: str) -> str:
    """Return the continent of an ISO 3166-1 alpha-2 country code ("Other" if unknown)."""
    return _CONTINENT_OF.get(country_code.upper(), "Other")


@dataclass(frozen=True)
class MapPoint:
    """One place on the map, linking to its page."""

    label: str  # the link's accessible name, e.g. "Preston: The Preston Model"
    lat: float
    lon: float
    href: str
    place: str = ""  # the short name in the key, e.g. "Preston"
    country: str = ""
    country_code: str = ""
    national: bool = False  # a nation-wide programme: its own marker and key, not a place's pin


@dataclass(frozen=True)
class _Panel:
    """One map: a box of longitude and latitude, and how it maps onto the viewBox."""

    west: float
    east: float
    south: float
    north: float
    height: float = PANEL_HEIGHT

    @property
    def width(self) -> float:
        stretch = math.cos(math.radians((self.north + self.south) / 2))
        ratio = (self.east - self.west) * stretch / (self.north - self.south)
        return round(self.height * ratio, 1)

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        x = (lon - self.west) / (self.east - self.west) * self.width
        y = (self.north - lat) / (self.north - self.south) * self.height
        return x, y


@dataclass
class _Drawn:
    """One panel's places in reading order, where they are and where their markers went."""

    panel: _Panel
    group: list[MapPoint]
    spots: list[tuple[float, float]]
    placed: list[tuple[float, float]]
    numbers: list[int]


def world_map(points: list[MapPoint], base_map_href: str, label: str) -> Markup:
    """Return the maps of these places with a linked marker each, and their key."""
    if not points:
        return Markup("")
    numbered = len(points) <= MAX_NUMBERED
    drawn = []
    for group in _regions(points):
        panel = _frame(group)
        spots = [panel.project(point.lat, point.lon) for point in group]
        order = sorted(range(len(group)), key=lambda i: (spots[i][1], spots[i][0]))
        group = [group[i] for i in order]
        spots = [spots[i] for i in order]
        placed = _relax(spots, panel.width, panel.height) if numbered else spots
        drawn.append(_Drawn(panel, group, spots, placed, [0] * len(group)))
    # Places first, panel by panel, then the national programmes: each key reads in order.
    number = 0
    for national in (False, True):
        for panel_drawn in drawn:
            for index, point in enumerate(panel_drawn.group):
                if point.national == national:
                    number += 1
                    panel_drawn.numbers[index] = number
    figures = [_panel_svg(item, numbered, base_map_href) for item in drawn]
    parts = [f'<div class="cwb-maps" role="group" aria-label="{escape(label)}">', *figures]
    parts.append("</div>")
    if numbered:
        parts.append(_key(drawn))
    return Markup("".join(parts))


def _key(drawn: list[_Drawn]) -> str:
    """Return the key: places, then national programmes, each entry by the place's own name."""
    entries = sorted(
        (number, point)
        for item in drawn
        for number, point in zip(item.numbers, item.group, strict=True)
    )
    names = Counter(point.place or point.label for _, point in entries)
    groups = []
    for national, title in ((False, "Places"), (True, "National programmes")):
        items = [
            f'<li value="{n}"><a href="{escape(point.href)}">'
            f"{escape(_key_name(point, names))}</a></li>"
            for n, point in entries
            if point.national == national
        ]
        if items:
            groups.append(
                f'<div class="cwb-map-key-group"><p class="cwb-map-key-title">{title}</p>'
                f'<ol class="cwb-map-key{" cwb-map-key--national" if national else ""}" '
                f'aria-label="{title} on the map">{"".join(items)}</ol></div>'
            )
    return f'<div class="cwb-map-keys">{"".join(groups)}</div>'


def _key_name(point: MapPoint, names: Counter[str]) -> str:
    name = point.place or point.label
    # Two case studies in one place (Scotland's Act and its land reform) need their titles.
    return point.label if names[name] > 1 else name


def _regions(points: list[MapPoint]) -> list[list[MapPoint]]:
    """Group places chained by distances under NEAR_DEGREES, each group a map, west to east."""
    # Cluster cells of CELL_DEGREES, not points: thousands of places share a few hundred cells.
    cells: dict[tuple[int, int], list[MapPoint]] = defaultdict(list)
    for point in points:
        cells[(math.floor(point.lat / CELL_DEGREES), math.floor(point.lon / CELL_DEGREES))].append(
            point
        )
    keys = sorted(cells)
    parent = {key: key for key in keys}

    def find(key: tuple[int, int]) -> tuple[int, int]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    per_bucket = NEAR_DEGREES // CELL_DEGREES
    buckets: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for key in keys:
        buckets[(key[0] // per_bucket, key[1] // per_bucket)].append(key)
    for key in keys:
        by, bx = key[0] // per_bucket, key[1] // per_bucket
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for other in buckets.get((by + dy, bx + dx), ()):
                    if other > key and _near(key, other):
                        parent[find(other)] = find(key)
    groups: dict[tuple[int, int], list[MapPoint]] = defaultdict(list)
    for key in keys:
        groups[find(key)] += cells[key]
    return sorted(groups.values(), key=lambda group: min(point.lon for point in group))


def _near(one: tuple[int, int], other: tuple[int, int]) -> bool:
    """Say whether two cells' centres are nearer than NEAR_DEGREES."""
    stretch = math.cos(math.radians((one[0] + other[0] + 1) * CELL_DEGREES / 2))
    distance = math.hypot(one[0] - other[0], (one[1] - other[1]) * stretch) * CELL_DEGREES
    return distance < NEAR_DEGREES


def _frame(group: list[MapPoint]) -> _Panel:
    """Return a box around the places, with a margin, wide enough to show the land around."""
    west, east = min(p.lon for p in group), max(p.lon for p in group)
    south, north = min(p.lat for p in group), max(p.lat for p in group)
    pad_lon = max(7.0, (east - west) * 0.18)
    pad_lat = max(5.0, (north - south) * 0.18)
    west, east = max(-180.0, west - pad_lon), min(180.0, east + pad_lon)
    south, north = max(-60.0, south - pad_lat), min(85.0, north + pad_lat)
    # Many places get a taller viewBox: the same markers then take less of it.
    height = PANEL_HEIGHT
    if len(group) >= DENSE:
        height = round(PANEL_HEIGHT * min(2.0, math.sqrt(len(group) / 6)))
    # Neither a sliver nor a tower: keep the box between 1:1 and 2:1 (width to height).
    panel = _Panel(west, east, south, north, height)
    if panel.width < height:
        grow = (height / panel.width - 1) * (east - west) / 2
        panel = _Panel(max(-180.0, west - grow), min(180.0, east + grow), south, north, height)
    elif panel.width > 2 * height:
        grow = (panel.width / height / 2 - 1) * (north - south) / 2
        panel = _Panel(west, east, max(-60.0, south - grow), min(85.0, north + grow), height)
    return panel


def _relax(
    spots: list[tuple[float, float]], width: float, height: float
) -> list[tuple[float, float]]:
    """Push overlapping markers apart, each held by a weak pull to its true spot."""
    placed = [list(spot) for spot in spots]
    least = MARKER_RADIUS * 2 + 2
    for _ in range(RELAX_ROUNDS):
        moved = False
        cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for index, (x, y) in enumerate(placed):
            cells[(int(x // least), int(y // least))].append(index)
        for index, (x, y) in enumerate(placed):
            cx, cy = int(x // least), int(y // least)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for other in cells.get((cx + dx, cy + dy), ()):
                        if other <= index:
                            continue
                        ox, oy = placed[other]
                        distance = math.hypot(ox - x, oy - y)
                        if distance >= least:
                            continue
                        if distance < 1e-6:  # the same spot: part them along a fixed angle
                            angle = 2.4 * other
                            ux, uy, distance = math.cos(angle), math.sin(angle), 0.0
                        else:
                            ux, uy = (ox - x) / distance, (oy - y) / distance
                        push = (least - distance) / 2
                        placed[index][0] -= ux * push
                        placed[index][1] -= uy * push
                        placed[other][0] += ux * push
                        placed[other][1] += uy * push
                        moved = True
        for index, (x, y) in enumerate(spots):
            placed[index][0] += (x - placed[index][0]) * 0.02
            placed[index][1] += (y - placed[index][1]) * 0.02
            placed[index][0] = min(max(placed[index][0], MARKER_RADIUS), width - MARKER_RADIUS)
            placed[index][1] = min(max(placed[index][1], MARKER_RADIUS), height - MARKER_RADIUS)
        if not moved:
            break
    return [(x, y) for x, y in placed]


def _panel_name(group: list[MapPoint]) -> str:
    """Name a map by its countries when few, else by its continents."""
    countries = sorted({point.country or point.country_code for point in group} - {""})
    if 0 < len(countries) <= 2:
        return " and ".join(countries)
    continents = sorted({continent(point.country_code) for point in group} - {"Other"})
    return " and ".join(continents) or ", ".join(countries) or "Places"


def _panel_svg(drawn: _Drawn, numbered: bool, base_map_href: str) -> str:
    panel, group = drawn.panel, drawn.group
    width, height = panel.width, panel.height
    name = _panel_name(group)
    dense = " cwb-map--dense" if len(group) >= DENSE else ""
    count = f"{len(group)} case stud{'y' if len(group) == 1 else 'ies'}"
    parts = [
        # --cwb-w lets the panels of one row share a height (cwb.css): no gap under a short one.
        f'<svg class="cwb-map{dense}" viewBox="0 0 {width} {height}" style="--cwb-w: {width:.0f}" '
        f'role="group" aria-label="{escape(name)}: {count}">',
        # The base map's box for this panel, stretched so that east-west distances shrink
        # with the cosine of the latitude.
        f'<svg x="0" y="0" width="{width}" height="{height}" preserveAspectRatio="none" '
        f'viewBox="{panel.west + 180:.3f} {90 - panel.north:.3f} '
        f'{panel.east - panel.west:.3f} {panel.north - panel.south:.3f}" aria-hidden="true">'
        f'<image href="{escape(base_map_href)}" x="0" y="0" width="{VIEW_WIDTH}" '
        f'height="{VIEW_HEIGHT}" preserveAspectRatio="none"/></svg>',
    ]
    for (x, y), (px, py) in zip(drawn.spots, drawn.placed, strict=True):
        if math.hypot(px - x, py - y) > MARKER_RADIUS * 0.6:
            parts.append(
                f'<line class="cwb-map-leader" x1="{x:.1f}" y1="{y:.1f}" x2="{px:.1f}" '
                f'y2="{py:.1f}"/><circle class="cwb-map-spot" cx="{x:.1f}" cy="{y:.1f}" r="2"/>'
            )
    for point, (px, py), number in zip(group, drawn.placed, drawn.numbers, strict=True):
        parts.append(_marker(point, px, py, number if numbered else None))
    parts.append(
        f'<text class="cwb-map-title" x="8" y="{height - 8:.1f}" aria-hidden="true">'
        f"{escape(name)}</text></svg>"
    )
    return "".join(parts)


def _marker(point: MapPoint, x: float, y: float, number: int | None) -> str:
    """Return a place's linked marker: a numbered pin, or a square for a national programme."""
    kind = "nation" if point.national else "dot"
    # The link's name starts with the number the marker shows (WCAG 2.5.3, label in name).
    name = point.label + (", national programme" if point.national else "")
    if number is None:
        r = DOT_RADIUS
        shape = f'<circle class="cwb-map-dot" cx="{x:.1f}" cy="{y:.1f}" r="{r}"/>'
        if point.national:
            shape = (
                f'<rect class="cwb-map-nation" x="{x - r:.1f}" y="{y - r:.1f}" '
                f'width="{2 * r}" height="{2 * r}"/>'
            )
        return f'<a href="{escape(point.href)}" aria-label="{escape(name)}">{shape}</a>'
    r = MARKER_RADIUS
    name = f"{number}. {name}"
    shape = f'<circle class="cwb-map-dot" cx="{x:.1f}" cy="{y:.1f}" r="{r}"/>'
    if point.national:
        shape = (
            f'<rect class="cwb-map-nation" x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" '
            f'height="{2 * r}" rx="3"/>'
        )
    return (
        f'<a href="{escape(point.href)}" aria-label="{escape(name)}">'
        f"<title>{escape(name)}</title>{shape}"
        f'<text class="cwb-map-number cwb-map-number--{kind}" x="{x:.1f}" y="{y:.1f}" '
        f'aria-hidden="true">{number}</text></a>'
    )
