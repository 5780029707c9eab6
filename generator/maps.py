"""Case-study places → an inline SVG map over a static base map, drawn at build time.

The base map (generator/assets/world-land.svg, from Natural Earth) uses the same
equirectangular projection: x = lon + 180, y = 90 - lat, on a 360 x 150 viewBox.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

VIEW_WIDTH, VIEW_HEIGHT = 360, 150


@dataclass(frozen=True)
class MapPoint:
    """One place on the map, linking to its page."""

    label: str
    lat: float
    lon: float
    href: str


def world_map(points: list[MapPoint], base_map_href: str, label: str) -> Markup:
    """Return an SVG map with a linked dot per point; the base map loads as a cached image."""
    parts = [
        f'<svg class="cwb-map" viewBox="0 0 {VIEW_WIDTH} {VIEW_HEIGHT}" role="group" '
        f'aria-label="{escape(label)}">',
        f'<image href="{escape(base_map_href)}" x="0" y="0" width="{VIEW_WIDTH}" '
        f'height="{VIEW_HEIGHT}" preserveAspectRatio="none"/>',
    ]
    for point in points:
        x, y = point.lon + 180, 90 - point.lat
        parts.append(
            f'<a href="{escape(point.href)}" aria-label="{escape(point.label)}">'
            f'<circle class="cwb-map-dot" cx="{x:.2f}" cy="{y:.2f}" r="2.2">'
            f"<title>{escape(point.label)}</title></circle></a>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
