"""Turn Natural Earth's 1:110m land TopoJSON (npm package world-atlas) into the site's base map.

Run once, when the base map should change:
    npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python tools/make_world_map.py package/land-110m.json generator/assets/world-land.svg

Natural Earth is in the public domain. The map uses the equirectangular projection that
generator/maps.py uses to place case studies, on a 360 x 180 viewBox (x = lon + 180,
y = 90 - lat), cropped of Antarctica (below 60° S).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

SOUTH_LIMIT = -60


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _unwrap(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make longitudes continuous where a ring crosses the antimeridian (e.g. Russia, Fiji)."""
    unwrapped = [ring[0]]
    offset = 0.0
    for (previous, _), (lon, lat) in itertools.pairwise(ring):
        if lon - previous > 180:
            offset -= 360
        elif previous - lon > 180:
            offset += 360
        unwrapped.append((lon + offset, lat))
    return unwrapped


def _paths(ring: list[tuple[float, float]]) -> list[str]:
    """Return the ring's path, and a copy shifted by 360° when it spills past an edge."""
    ring = _unwrap(ring)
    lons = [lon for lon, _ in ring]
    shifts = [0.0] + ([-360.0] if max(lons) > 180 else []) + ([360.0] if min(lons) < -180 else [])
    return [_path([(lon + shift, lat) for lon, lat in ring]) for shift in shifts]


def _path(ring: list[tuple[float, float]]) -> str:
    coords = []
    last = None
    for lon, lat in ring:
        point = (round(lon + 180, 1), round(90 - lat, 1))
        if point != last:
            coords.append(f"{point[0]:g} {point[1]:g}")
            last = point
    return "M" + "L".join(coords) + "Z" if len(coords) > 2 else ""


def main(source: str, target: str) -> None:
    topology = json.loads(Path(source).read_text())
    arcs = _decode_arcs(topology)
    parts = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for indexes in polygon:
                ring = _ring(arcs, indexes)
                if max(lat for _, lat in ring) < SOUTH_LIMIT:
                    continue
                parts.extend(_paths(ring))
    height = 90 - SOUTH_LIMIT
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 {height}" '
        f'aria-hidden="true"><path fill="#c5cec2" '
        f'd="{"".join(parts)}"/></svg>\n'
    )
    Path(target).write_text(svg)
    print(f"wrote {target}: {len(svg) // 1024} KB")


if __name__ == "__main__":
    main(*sys.argv[1:3])
