"""A small reader for SOSI, the Norwegian text format for map data (``.sos``).

Planners receive kommuneplaner, reguleringsplaner and AR5 as SOSI files. Debian's GDAL has a SOSI
driver, the GDAL inside pyogrio's wheels does not, and GDAL's driver refuses a file whose bytes
do not match its ``..TEGNSETT`` (Naturbase's export, re-encoded to UTF-8): so this module reads
SOSI itself. What it handles, each checked on real files (N50 Kartdata, Naturbase):

* **encoding**: UTF-8 when the bytes decode as UTF-8, else the ``..TEGNSETT`` of the header
  (``ISO8859-10``, ``ISO8859-1``, ``ANSI``/``WINDOWS-1252``, ``DOSN8``, the 7-bit ``ND7``/``DECN7``);
  CRLF or LF line ends;
* **coordinates**: ``..KOORDSYS`` → EPSG (21–26 EUREF89 UTM 31–36, 31–36 ED50 UTM, 1–8 NGO1948,
  84 EUREF89 geographic), ``..ENHET`` scaling and ``..ORIGO-NØ`` offset; ``..NØ`` (north east) and
  ``..NØH`` lines, several ``..NØ`` blocks per object, ``...KP`` node marks;
* **objects**: ``.PUNKT``, ``.SVERM``, ``.KURVE``/``.LINJE``, ``.BUEP`` (arc through three points,
  densified), ``.FLATE`` built from ``..REF`` to the curves' ids, with holes in parentheses and
  reversed references ``:-id``;
* **attributes**: every ``..NAME value`` as text under its SOSI name (``OBJTYPE``, ``NAVN``,
  ``KPAREALFORMÅL``, ``RPAREALFORMÅL``, ``AREALST``, ``ARTYPE`` ...), quotes removed, repeated
  attributes joined by ``,``, nested ``...NAME`` under their own name (``PLANID``, ``KOMM``; the
  parent's name is prefixed on a clash).

:func:`read_sosi` returns one geometry family per call (areas by default); the safe opener
(:func:`areal.layers.safe_open.open_vector`) reads ``.sos`` files through it, so
``areal import PLAN.sos --as LAYER`` works like any other format.

Examples
--------
>>> text = '''.HODE
... ..TEGNSETT UTF-8
... ..TRANSPAR
... ...KOORDSYS 23
... ...ORIGO-NØ 0 0
... ...ENHET 0.01
... .KURVE 1:
... ..OBJTYPE Grense
... ..NØ
... 700000000 30000000
... 700000000 30010000
... 700010000 30010000
... 700000000 30000000
... .FLATE 2:
... ..OBJTYPE KpArealformålOmråde
... ..KPAREALFORMÅL 1300
... ..AREALST 2
... ..REF :1
... ..NØ
... 700002000 30008000
... .SLUTT'''
>>> gdf = read_sosi_text(text)
>>> gdf.crs.to_epsg(), gdf.loc[0, "KPAREALFORMÅL"], gdf.loc[0, "AREALST"], gdf.area.round(1).tolist()
(25833, '1300', '2', [5000.0])
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from areal.geo.errors import EmptyLayerError, InputFileError
from pyproj import CRS

KOORDSYS_EPSG: dict[int, int] = {
    **{i: 27390 + i for i in range(1, 9)},  # NGO1948 akse I–VIII
    **{20 + z: 25800 + 30 + z for z in range(1, 7)},  # EUREF89 UTM 31–36
    **{30 + z: 23000 + 30 + z for z in range(1, 7)},  # ED50 UTM 31–36
    84: 4258,  # EUREF89 geographic (degrees)
}
"""SOSI ``..KOORDSYS`` codes and their EPSG CRS (the codes of the SOSI standard's coordinate part)."""

_TEGNSETT: dict[str, str] = {
    "ISO8859-10": "iso8859_10",
    "ISO8859-1": "iso8859_1",
    "ANSI": "cp1252",
    "WINDOWS-1252": "cp1252",
    "DOSN8": "cp865",
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
}
# 7-bit Norwegian (ND7 / DECN7): ASCII with [\]{|} standing for ÆØÅæøå
_ND7 = str.maketrans({"[": "Æ", "\\": "Ø", "]": "Å", "{": "æ", "|": "ø", "}": "å"})

POINT_TYPES = {"PUNKT", "SVERM", "TEKST"}
LINE_TYPES = {"KURVE", "LINJE", "BUEP", "BUE", "SIRKELP"}
AREA_TYPES = {"FLATE"}
_GEOMETRY_KEYS = {"NØ", "NØH", "REF", "KP"}


@dataclass
class SosiObject:
    """One object of a SOSI file as parsed (before its geometry is built)."""

    kind: str
    id: int
    attrs: dict[str, str] = field(default_factory=dict)
    coords: list[tuple[float, float]] = field(default_factory=list)
    ref: list[str] = field(default_factory=list)
    line: int = 0


def _refuse(name: str, problem: str, **details) -> InputFileError:
    return InputFileError(f"{name}: SOSI file: {problem}", "broken", {"file": name, **details})


def decode(data: bytes, name: str = "SOSI file") -> tuple[str, str]:
    r"""The text of a SOSI file and the encoding used.

    UTF-8 is tried first: bytes in ISO 8859-10 with Norwegian letters are never valid UTF-8,
    while a file re-encoded to UTF-8 may still declare ``..TEGNSETT ISO8859-10``.

    >>> decode(".HODE\r\n..TEGNSETT ISO8859-10\r\n..NAVN Nærøy\r\n".encode("iso8859_10"))[1]
    'iso8859_10'
    >>> decode(".HODE\n..TEGNSETT ISO8859-10\n..NAVN Nærøy\n".encode("utf-8"))[1]
    'utf-8'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:4096].decode("latin-1")
    m = re.search(r"^\.\.TEGNSETT\s+(\S+)", head, re.M)
    declared = m.group(1).upper() if m else ""
    try:
        text = data.decode("utf-8")
        if declared in ("ND7", "DECN7") and text.isascii():
            return text.translate(_ND7), "nd7"
        return text, "utf-8"
    except UnicodeDecodeError:
        pass
    if declared in ("ND7", "DECN7"):
        return data.decode("ascii", errors="replace").translate(_ND7), "nd7"
    codec = _TEGNSETT.get(declared)
    if codec is None:
        if declared:
            raise _refuse(
                name,
                f"..TEGNSETT {declared} is not supported (known: {', '.join(sorted(_TEGNSETT))}, ND7)",
                value=declared,
            )
        codec = "iso8859_10"  # the SOSI default for files without a declaration
    return data.decode(codec, errors="strict"), codec


def _value(raw: str) -> str:
    raw = raw.strip()
    if raw[:1] in ('"', "'"):
        q = raw[0]
        end = raw.find(q, 1)
        return raw[1:end] if end > 0 else raw[1:]
    # "!" starts a comment outside quotes
    return raw.split("!", 1)[0].strip()


def _numbers(line: str) -> list[float]:
    out = []
    for tok in line.split("...", 1)[0].split():
        try:
            out.append(float(tok))
        except ValueError:
            break
    return out


_OBJ = re.compile(r"^\.([A-ZÆØÅ]+)(?:\s+(-?\d+)\s*:)?")
_ATTR = re.compile(r"^(\.{2,})([^\s.][^\s]*)\s*(.*)$")


def parse(text: str, name: str = "SOSI file") -> tuple[dict[str, str], list[SosiObject]]:
    """Header attributes and objects of a SOSI text (geometry not yet built)."""
    header: dict[str, str] = {}
    objects: list[SosiObject] = []
    cur: SosiObject | None = None
    in_header = False
    mode = ""  # "coords", "ref" or "" : what continuation lines belong to
    npc = 2
    parent = ""
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line.startswith(".") and not line.startswith(".."):
            m = _OBJ.match(line)
            word = m.group(1) if m else line[1:].split()[0]
            mode, parent = "", ""
            if word == "SLUTT":
                cur = None
                break
            in_header = word == "HODE"
            if m and m.group(2) is not None and not in_header:
                cur = SosiObject(word, int(m.group(2)), line=lineno)
                objects.append(cur)
            else:
                cur = None  # .HODE, .DEF, .OBJDEF: not objects
            continue
        a = _ATTR.match(line)
        if a:
            dots, key, rest = len(a.group(1)), a.group(2), a.group(3)
            if key in ("NØ", "NØH"):
                mode, npc = "coords", 3 if key == "NØH" else 2
                if cur is not None and rest:
                    _add_coords(cur, rest, npc)
                continue
            if key == "REF":
                mode = "ref"
                if cur is not None:
                    cur.ref += rest.split("!", 1)[0].split()
                continue
            mode = ""
            target = header if in_header else (cur.attrs if cur is not None else None)
            if target is None:
                continue
            if dots == 2:
                parent = key
            elif parent and key in target and key != parent:
                key = f"{parent}.{key}"
            val = _value(rest)
            if not val and dots == 2:
                continue  # a group head (..OMRÅDEPLANSTATUS): its parts follow
            target[key] = f"{target[key]},{val}" if key in target and val and not in_header else val
            continue
        if cur is None:
            continue
        if mode == "coords":
            _add_coords(cur, line, npc)
        elif mode == "ref":
            cur.ref += line.split("!", 1)[0].split()
    return header, objects


def _add_coords(obj: SosiObject, line: str, npc: int) -> None:
    nums = _numbers(line)
    for i in range(0, len(nums) - npc + 1, npc):
        obj.coords.append((nums[i], nums[i + 1]))


def crs_of(header: dict[str, str], name: str = "SOSI file") -> CRS:
    """The EPSG CRS of ``..KOORDSYS``; an unknown or missing code is refused with its value."""
    raw = header.get("KOORDSYS", "")
    try:
        code = int(raw.split()[0])
    except (ValueError, IndexError):
        raise _refuse(name, f"no ..KOORDSYS in the header (found {raw!r}): the CRS is unknown") from None
    if code not in KOORDSYS_EPSG:
        raise _refuse(
            name,
            f"..KOORDSYS {code} is not supported (known: {', '.join(map(str, sorted(KOORDSYS_EPSG)))})",
            value=code,
        )
    return CRS.from_epsg(KOORDSYS_EPSG[code])


def _scale(header: dict[str, str], name: str) -> tuple[float, float, float]:
    try:
        unit = float(header.get("ENHET", "1").split()[0])
        origo = header.get("ORIGO-NØ", "0 0").split()
        n0, e0 = float(origo[0]), float(origo[1])
    except (ValueError, IndexError):
        raise _refuse(
            name, f"unreadable ..ENHET {header.get('ENHET')!r} or ..ORIGO-NØ {header.get('ORIGO-NØ')!r}"
        ) from None
    if not (math.isfinite(unit) and unit > 0):
        raise _refuse(name, f"..ENHET must be a positive number, got {header.get('ENHET')!r}")
    return unit, n0, e0


def _arc(p: np.ndarray, n: int = 16) -> np.ndarray:
    """Points along the circular arc through three points (a straight line when they are collinear)."""
    (x1, y1), (x2, y2), (x3, y3) = p[:3]
    d = 2 * (x1 * (y2 - y3) + x2 * (y3 - y1) + x3 * (y1 - y2))
    if abs(d) < 1e-12:
        return p
    ux = ((x1**2 + y1**2) * (y2 - y3) + (x2**2 + y2**2) * (y3 - y1) + (x3**2 + y3**2) * (y1 - y2)) / d
    uy = ((x1**2 + y1**2) * (x3 - x2) + (x2**2 + y2**2) * (x1 - x3) + (x3**2 + y3**2) * (x2 - x1)) / d
    r = math.hypot(x1 - ux, y1 - uy)
    a1, a2, a3 = (math.atan2(y - uy, x - ux) for x, y in p[:3])

    def ccw_span(a, b):
        return (b - a) % (2 * math.pi)

    # go the way that passes the middle point, and keep the three given points exactly
    sign = 1.0 if ccw_span(a1, a2) <= ccw_span(a1, a3) else -1.0
    span1 = ccw_span(a1, a2) if sign > 0 else ccw_span(a2, a1)
    span2 = ccw_span(a2, a3) if sign > 0 else ccw_span(a3, a2)
    t1 = a1 + sign * np.linspace(0, span1, n // 2, endpoint=False)
    t2 = a2 + sign * np.linspace(0, span2, n // 2, endpoint=False)
    xy = np.column_stack([ux + r * np.cos(np.r_[t1, t2]), uy + r * np.sin(np.r_[t1, t2])])
    return np.vstack([xy, p[2:3]])


def _line_coords(obj: SosiObject, unit: float, n0: float, e0: float) -> np.ndarray:
    c = np.asarray(obj.coords, dtype=float).reshape(-1, 2)
    xy = np.column_stack([c[:, 1] * unit + e0, c[:, 0] * unit + n0])  # north east -> x y
    if obj.kind in ("BUEP", "BUE") and len(xy) == 3:
        xy = _arc(xy)
    return xy


def _ref_groups(tokens: list[str], name: str, obj: SosiObject) -> list[list[int]]:
    """``:1 :-2 (:5 :6)`` → [[1, -2], [5, 6]]: the outer boundary first, then one list per hole."""
    groups: list[list[int]] = [[]]
    depth = 0
    for tok in tokens:
        for part in re.findall(r"\(|\)|:-?\d+|-?\d+", tok):
            if part == "(":
                groups.append([])
                depth += 1
            elif part == ")":
                depth -= 1
            else:
                groups[-1 if depth else 0].append(int(part.lstrip(":")))
    if depth != 0:
        raise _refuse(name, f"FLATE {obj.id} (line {obj.line}): unbalanced parentheses in ..REF")
    return groups


def _faces(ids: list[int], lines: dict[int, np.ndarray], name: str, obj: SosiObject) -> shapely.Geometry:
    parts = []
    for i in ids:
        xy = lines.get(abs(i))
        if xy is None:
            raise _refuse(
                name, f"FLATE {obj.id} (line {obj.line}) refers to curve {abs(i)}, which is not in the file"
            )
        if len(xy) >= 2:
            parts.append(shapely.LineString(xy[::-1] if i < 0 else xy))
    if not parts:
        return shapely.Polygon()
    # Polygonising the noded curves needs no ring order or direction: the reversed refs only
    # tell the standard's orientation, which shapely does not need.
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(parts))))
    return shapely.union_all(faces) if len(faces) else shapely.Polygon()


def build(
    header: dict[str, str], objects: list[SosiObject], name: str = "SOSI file", layer: str | None = None
) -> gpd.GeoDataFrame:
    """Geometries for one family of objects; see :func:`read_sosi` for ``layer``."""
    kinds = {o.kind for o in objects}
    wanted = _select(objects, kinds, layer, name)
    crs = crs_of(header, name)
    unit, n0, e0 = _scale(header, name)
    lines = {o.id: _line_coords(o, unit, n0, e0) for o in objects if o.kind in LINE_TYPES}
    rows, geoms, problems = [], [], []
    for o in wanted:
        if o.kind in AREA_TYPES:
            groups = _ref_groups(o.ref, name, o)
            g = _faces(groups[0], lines, name, o)
            for hole in groups[1:]:
                g = shapely.difference(g, _faces(hole, lines, name, o))
            if g.is_empty:
                problems.append(f"FLATE {o.id} (line {o.line}): its curves do not close a ring")
        elif o.kind in LINE_TYPES:
            xy = lines[o.id]
            g = shapely.LineString(xy) if len(xy) >= 2 else shapely.LineString()
        else:
            c = np.asarray(o.coords, dtype=float).reshape(-1, 2)
            pts = np.column_stack([c[:, 1] * unit + e0, c[:, 0] * unit + n0])
            if o.kind == "SVERM":
                g = shapely.MultiPoint(pts)
            elif len(pts):
                g = shapely.Point(pts[0])
            else:
                g = shapely.Point()
        rows.append({"sosi_type": o.kind, "sosi_id": o.id, **o.attrs})
        geoms.append(g)
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)
    gdf.attrs["sosi"] = {
        "header": dict(header),
        "problems": problems,
        "counts": {k: sum(o.kind == k for o in objects) for k in sorted(kinds)},
    }
    return gdf


def _select(objects: list[SosiObject], kinds: set[str], layer: str | None, name: str) -> list[SosiObject]:
    if layer is None:
        for family in (AREA_TYPES, LINE_TYPES, POINT_TYPES - {"TEKST"}):
            hit = [o for o in objects if o.kind in family]
            if hit:
                return hit
        raise EmptyLayerError(f"{name}: the SOSI file holds no PUNKT, KURVE or FLATE object")
    up = {"POLYGON": "FLATE", "LINE": "KURVE", "POINT": "PUNKT"}.get(layer.upper(), layer.upper())
    families = {"FLATE": AREA_TYPES, "KURVE": LINE_TYPES, "PUNKT": POINT_TYPES - {"TEKST"}}
    if up in families:
        return [o for o in objects if o.kind in families[up]]
    hit = [o for o in objects if o.attrs.get("OBJTYPE") == layer]
    if not hit:
        objtypes = sorted({o.attrs.get("OBJTYPE", "") for o in objects} - {""})
        raise InputFileError(
            f"{name}: no layer {layer!r}; a SOSI file has FLATE, KURVE, PUNKT and these OBJTYPEs: "
            f"{', '.join(objtypes)}",
            "layer",
            {"file": name, "layer": layer},
        )
    return hit


def read_sosi_text(text: str, layer: str | None = None, name: str = "SOSI file") -> gpd.GeoDataFrame:
    """Read SOSI from a string (see :func:`read_sosi`)."""
    header, objects = parse(text, name)
    return build(header, objects, name, layer)


def read_sosi(path: str | Path, layer: str | None = None, *, name: str | None = None) -> gpd.GeoDataFrame:
    """Read a SOSI file.

    Parameters
    ----------
    path : path
    layer : str, optional
        ``"FLATE"``, ``"KURVE"`` or ``"PUNKT"`` (one geometry family; also ``"polygon"``,
        ``"line"``, ``"point"``), or an ``OBJTYPE`` value (``"Naturvernområde"``). Default: the
        areas, else the curves, else the points.
    name : str, optional
        How the file is named in messages.

    Returns
    -------
    GeoDataFrame
        Columns ``sosi_type``, ``sosi_id`` and every SOSI attribute as text, in the CRS of
        ``..KOORDSYS``; ``attrs["sosi"]`` holds the header, object counts and the objects whose
        geometry could not be built; ``attrs["input"]["encoding"]`` the encoding read.

    Raises
    ------
    InputFileError
        Unknown ``..KOORDSYS`` or ``..TEGNSETT``, a ``..REF`` to a curve that is not in the file,
        an unknown ``layer``.
    EmptyLayerError
        No object of the requested kind.
    """
    p = Path(path)
    name = name or str(p)
    text, encoding = decode(p.read_bytes(), name)
    gdf = read_sosi_text(text, layer, name)
    if len(gdf) == 0:
        raise EmptyLayerError(f"{name}: no {layer or 'PUNKT, KURVE or FLATE'} objects")
    gdf.attrs["input"] = {
        "format": "sosi",
        "layer": layer,
        "driver": "areal.layers.sosi",
        "encoding": encoding,
    }
    return gdf


def _safe_reader(path: Path, name: str, layer: str | None) -> gpd.GeoDataFrame:
    from areal.layers.safe_open import check_finite

    gdf = read_sosi(path, layer, name=name)
    check_finite(gdf, name)
    return gdf


def register() -> None:
    """Let :func:`areal.layers.safe_open.open_vector` read ``.sos`` files with this reader."""
    from areal.layers.safe_open import register_kind

    register_kind("sosi", _safe_reader)


register()
