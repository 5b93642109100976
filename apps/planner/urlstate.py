"""A site geometry in a link: a compact, URL-safe text (``site=A...``) and back.

Coordinates are lon/lat rounded to 1e-5 degrees (about 1 m), delta-coded, zig-zag signed and
written as 5-bit groups in a URL-safe alphabet (``0-9A-Za-z-_``, nothing to percent-encode).
``P`` starts a point, ``A`` a polygon; rings are separated by ``.`` and the polygons of a
multipolygon by ``~``. A 4-corner polygon takes about 25 characters.

>>> code = encode_geometry({"type": "Polygon", "coordinates": [[[10.39, 63.43], [10.41, 63.43], [10.41, 63.44], [10.39, 63.43]]]})
>>> code
'Amfj_1mraZCWz300m-1_y3l-1'
>>> decode_geometry(code)["coordinates"][0][1]
[10.41, 63.43]
>>> decode_geometry(encode_geometry({"type": "Point", "coordinates": [10.395, 63.431]}))
{'type': 'Point', 'coordinates': [10.395, 63.431]}
"""

from __future__ import annotations

from typing import Any

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
SCALE = 1e5
MAX_VERTICES = 400
"""Sites with more vertices are not put into links (an uploaded parcel map stays in the session)."""


class SiteCodeError(ValueError):
    """A ``site=`` value that is not a geometry code."""


def _put(value: int, out: list[str]) -> None:
    v = (value << 1) ^ (value >> 63) if value < 0 else value << 1  # zig-zag
    v &= (1 << 64) - 1
    while True:
        chunk = v & 0x1F
        v >>= 5
        if v:
            out.append(ALPHABET[chunk | 0x20])
        else:
            out.append(ALPHABET[chunk])
            return


def _ring(coords: list, out: list[str], prev: list[int]) -> None:
    for x, y in ((c[0], c[1]) for c in coords):
        ix, iy = round(float(x) * SCALE), round(float(y) * SCALE)
        _put(ix - prev[0], out)
        _put(iy - prev[1], out)
        prev[0], prev[1] = ix, iy


def n_vertices(geom: dict[str, Any]) -> int:
    """Number of coordinate pairs of a GeoJSON Point / Polygon / MultiPolygon."""
    t = geom.get("type")
    if t == "Point":
        return 1
    if t == "Polygon":
        return sum(len(r) for r in geom["coordinates"])
    if t == "MultiPolygon":
        return sum(len(r) for p in geom["coordinates"] for r in p)
    return 0


def encode_geometry(geom: dict[str, Any]) -> str:
    """The link text of a GeoJSON Point, Polygon or MultiPolygon in lon/lat."""
    out: list[str] = []
    prev = [0, 0]
    t = geom.get("type")
    if t == "Point":
        out.append("P")
        _ring([geom["coordinates"]], out, prev)
        return "".join(out)
    if t not in ("Polygon", "MultiPolygon"):
        raise SiteCodeError(f"site code: a {t!r} cannot be put into a link (Point, Polygon, MultiPolygon)")
    polys = [geom["coordinates"]] if t == "Polygon" else geom["coordinates"]
    out.append("A")
    for pi, poly in enumerate(polys):
        if pi:
            out.append("~")
        for ri, ring in enumerate(poly):
            if ri:
                out.append(".")
            _ring(ring, out, prev)
    return "".join(out)


def _values(text: str) -> list[int]:
    vals, v, shift = [], 0, 0
    for ch in text:
        i = _INDEX.get(ch)
        if i is None:
            raise SiteCodeError(f"site code: {ch!r} is not part of a geometry code")
        v |= (i & 0x1F) << shift
        shift += 5
        if not i & 0x20:
            vals.append((v >> 1) ^ -(v & 1))
            v, shift = 0, 0
    if shift:
        raise SiteCodeError("site code: cut off in the middle of a number")
    if len(vals) % 2:
        raise SiteCodeError("site code: an odd number of coordinates")
    return vals


def decode_geometry(code: str) -> dict[str, Any]:
    """The GeoJSON geometry of a link text (raises :class:`SiteCodeError` for anything else)."""
    if not code or code[0] not in "PA":
        raise SiteCodeError(f"site code {code[:20]!r} does not start with P or A")
    prev = [0, 0]

    def ring(text: str) -> list[list[float]]:
        vals = _values(text)
        pts = []
        for k in range(0, len(vals), 2):
            prev[0] += vals[k]
            prev[1] += vals[k + 1]
            pts.append([prev[0] / SCALE, prev[1] / SCALE])
        return pts

    if code[0] == "P":
        pts = ring(code[1:])
        if len(pts) != 1:
            raise SiteCodeError("site code: a point has one coordinate pair")
        return {"type": "Point", "coordinates": pts[0]}
    polys = [[ring(r) for r in p.split(".")] for p in code[1:].split("~")]
    if any(len(r) < 4 for p in polys for r in p):
        raise SiteCodeError("site code: a polygon ring needs at least 4 points")
    if len(polys) == 1:
        return {"type": "Polygon", "coordinates": polys[0]}
    return {"type": "MultiPolygon", "coordinates": polys}
