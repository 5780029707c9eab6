"""Case-study places → inline SVG maps over a static base map, drawn at build time.

The base map (generator/assets/world-land.svg, from Natural Earth) uses the equirectangular
projection: x = lon + 180, y = 90 - lat, on a 360 x 150 viewBox. Places far apart (Europe and
North America, say) get a map each, zoomed to their places, with east-west distances scaled by
the cosine of the latitude so that countries keep their shape. Markers that would overlap are
pushed apart (a line leads back to the true spot) and numbered; a key below lists the numbers.
Past MAX_NUMBERED markers the maps show plain dots: a key of thousands would help nobody.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup, escape

VIEW_WIDTH, VIEW_HEIGHT = 360, 150  # the base map's own viewBox
PANEL_WIDTH = 400  # each map's viewBox width: about its width in CSS pixels on a desktop
MARKER_RADIUS = 11
DOT_RADIUS = 4
GAP_DEGREES = 30  # places further apart in longitude than this get separate maps
MAX_NUMBERED = 60
RELAX_ROUNDS = 80


@dataclass(frozen=True)
class MapPoint:
    """One place on the map, linking to its page."""

    label: str  # the link's accessible name, e.g. "Preston: The Preston Model"
    lat: float
    lon: float
    href: str
    place: str = ""  # the short name in the key, e.g. "Preston"
    country: str = ""


@dataclass(frozen=True)
class _Panel:
    """One map: a box of longitude and latitude, and how it maps onto the viewBox."""

    west: float
    east: float
    south: float
    north: float

    @property
    def height(self) -> float:
        stretch = math.cos(math.radians((self.north + self.south) / 2))
        ratio = (self.north - self.south) / ((self.east - self.west) * stretch)
        return round(PANEL_WIDTH * ratio, 1)

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        x = (lon - self.west) / (self.east - self.west) * PANEL_WIDTH
        y = (self.north - lat) / (self.north - self.south) * self.height
        return x, y


def world_map(points: list[MapPoint], base_map_href: str, label: str) -> Markup:
    """Return the maps of these places with a linked marker each, and their key."""
    if not points:
        return Markup("")
    groups = _regions(points)
    numbered = len(points) <= MAX_NUMBERED
    number = 0
    figures, key = [], []
    for group in groups:
        panel = _frame(group)
        spots = [panel.project(point.lat, point.lon) for point in group]
        order = sorted(range(len(group)), key=lambda i: (spots[i][1], spots[i][0]))
        group = [group[i] for i in order]
        spots = [spots[i] for i in order]
        placed = _relax(spots, panel.height) if numbered else spots
        numbers = list(range(number + 1, number + len(group) + 1))
        number += len(group)
        figures.append(_panel_svg(panel, group, spots, placed, numbers, numbered, base_map_href))
        key += [
            f'<li value="{n}"><a href="{escape(point.href)}">{escape(point.place or point.label)}'
            "</a></li>"
            for n, point in zip(numbers, group, strict=True)
        ]
    parts = [f'<div class="cwb-maps" role="group" aria-label="{escape(label)}">', *figures]
    parts.append("</div>")
    if numbered:
        parts.append(f'<ol class="cwb-map-key" aria-label="Key to the map">{"".join(key)}</ol>')
    return Markup("".join(parts))


def _regions(points: list[MapPoint]) -> list[list[MapPoint]]:
    """Split the places where longitudes leave a gap wider than GAP_DEGREES, west to east."""
    ordered = sorted(points, key=lambda point: point.lon)
    groups = [[ordered[0]]]
    for point in ordered[1:]:
        if point.lon - groups[-1][-1].lon > GAP_DEGREES:
            groups.append([])
        groups[-1].append(point)
    return groups


def _frame(group: list[MapPoint]) -> _Panel:
    """Return a box around the places, with a margin, at least a few degrees each way."""
    west, east = min(p.lon for p in group), max(p.lon for p in group)
    south, north = min(p.lat for p in group), max(p.lat for p in group)
    pad_lon = max(3.0, (east - west) * 0.18)
    pad_lat = max(2.5, (north - south) * 0.18)
    west, east = max(-180.0, west - pad_lon), min(180.0, east + pad_lon)
    south, north = max(-60.0, south - pad_lat), min(90.0, north + pad_lat)
    # Neither a sliver nor a tower: keep the box between 1:2 and 1:1 (height to width).
    panel = _Panel(west, east, south, north)
    if panel.height > PANEL_WIDTH:
        grow = (panel.height / PANEL_WIDTH - 1) * (east - west) / 2
        panel = _Panel(max(-180.0, west - grow), min(180.0, east + grow), south, north)
    elif panel.height < PANEL_WIDTH / 2:
        grow = (PANEL_WIDTH / 2 / panel.height - 1) * (north - south) / 2
        panel = _Panel(west, east, max(-60.0, south - grow), min(90.0, north + grow))
    return panel


def _relax(spots: list[tuple[float, float]], height: float) -> list[tuple[float, float]]:
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
            placed[index][0] = min(
                max(placed[index][0], MARKER_RADIUS), PANEL_WIDTH - MARKER_RADIUS
            )
            placed[index][1] = min(max(placed[index][1], MARKER_RADIUS), height - MARKER_RADIUS)
        if not moved:
            break
    return [(x, y) for x, y in placed]


def _panel_svg(
    panel: _Panel,
    group: list[MapPoint],
    spots: list[tuple[float, float]],
    placed: list[tuple[float, float]],
    numbers: list[int],
    numbered: bool,
    base_map_href: str,
) -> str:
    height = panel.height
    countries = sorted({point.country for point in group if point.country})
    name = ", ".join(countries) or "Places"
    parts = [
        f'<svg class="cwb-map" viewBox="0 0 {PANEL_WIDTH} {height}" role="group" '
        f'aria-label="{escape(name)}: {len(group)} case stud{"y" if len(group) == 1 else "ies"}">',
        # The base map's box for this panel, stretched so that east-west distances shrink
        # with the cosine of the latitude.
        f'<svg x="0" y="0" width="{PANEL_WIDTH}" height="{height}" preserveAspectRatio="none" '
        f'viewBox="{panel.west + 180:.3f} {90 - panel.north:.3f} '
        f'{panel.east - panel.west:.3f} {panel.north - panel.south:.3f}" aria-hidden="true">'
        f'<image href="{escape(base_map_href)}" x="0" y="0" width="{VIEW_WIDTH}" '
        f'height="{VIEW_HEIGHT}" preserveAspectRatio="none"/></svg>',
    ]
    for (x, y), (px, py) in zip(spots, placed, strict=True):
        if math.hypot(px - x, py - y) > MARKER_RADIUS * 0.6:
            parts.append(
                f'<line class="cwb-map-leader" x1="{x:.1f}" y1="{y:.1f}" x2="{px:.1f}" '
                f'y2="{py:.1f}"/><circle class="cwb-map-spot" cx="{x:.1f}" cy="{y:.1f}" r="2"/>'
            )
    for point, (px, py), number in zip(group, placed, numbers, strict=True):
        marker = (
            f'<circle class="cwb-map-dot" cx="{px:.1f}" cy="{py:.1f}" r="{MARKER_RADIUS}"/>'
            f'<text class="cwb-map-number" x="{px:.1f}" y="{py:.1f}" aria-hidden="true">'
            f"{number}</text>"
            if numbered
            else f'<circle class="cwb-map-dot" cx="{px:.1f}" cy="{py:.1f}" r="{DOT_RADIUS}"/>'
        )
        parts.append(
            f'<a href="{escape(point.href)}" aria-label="{escape(point.label)}">'
            f"<title>{escape(point.label)}</title>{marker}</a>"
        )
    parts.append(
        f'<text class="cwb-map-title" x="8" y="{height - 8:.1f}" aria-hidden="true">'
        f"{escape(name)}</text></svg>"
    )
    return "".join(parts)
