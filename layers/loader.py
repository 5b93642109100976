"""Read, validate, repair, reproject, clip and cache catalogue layers.

The pipeline is the same for every layer::

    find source files -> read -> rename -> filter (where) -> CRS -> validate schema
    -> repair geometries -> reproject to EPSG:25833 -> clip to county -> assign municipality -> cache

The cleaned result is cached as GeoParquet keyed by the SHA-256 of the source files (plus the
declaration and the layers it depends on), so a second load reads no source file. The cache is
GeoParquet 1.1 with a bbox covering column and Hilbert-sorted row groups
(:mod:`areal.layers.geoparquet`), so it can also be read by window or streamed by row
(:func:`parquet_sources`). A layer delivered as several files (AR5: one per municipality) is
cleaned and cached file by file, one part per file: never concatenated into one frame to be cut
against one mask.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.crs import WORKING_CRS
from areal.geo.errors import (
    ArealError,
    CRSMissingError,
    EmptyLayerError,
    LayerMissingError,
    LayerValidationError,
)
from areal.geo.geometry import family_of, repair_geometries
from areal.geo.notes import Note, register
from areal.layers import arenas as _arenas  # noqa: F401  (registers the catalogue reader)
from areal.layers import registry, settings
from areal.layers._base import COUNTY, COUNTY_MUNICIPALITIES, LayerSpec
from areal.layers.geoparquet import ParquetSource, read_layer, write_sorted
from areal.layers.readers import reader_for


def _farmland(data_dir, **kw):
    from areal.layers.farmland import build_farmland

    return build_farmland(data_dir, **kw)


COMPOSITES = {"composite_farmland": _farmland}
"""Layers built from other layers (``Source.reader`` names the builder), not read from a file."""

CACHE_VERSION = 4  # 4: sorted GeoParquet 1.1 with bbox covering; one part per source file


@dataclass
class LoadReport:
    """What happened while loading one layer; shown by ``areal layers`` and stored with the cache."""

    layer: str
    sources: list[str] = field(default_factory=list)
    origin: str = "data"  # "data" (data directory), "starter" (packaged extract), "project" (data/ folder)
    from_cache: bool = False
    n_read: int = 0
    n_features: int = 0
    n_filtered: int = 0
    n_outside_county: int = 0
    n_repaired: int = 0
    n_empty: int = 0
    n_coerced_columns: int = 0
    problems: list[Note] = field(default_factory=list)
    """Problems with the source's rows (codes of :data:`LOAD_NOTES`); ``str()`` is English."""

    def to_dict(self) -> dict:
        """Plain dict (JSON-serialisable): ``problems`` as English sentences, ``problem_notes`` structured."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "problems"}
        out["sources"] = list(self.sources)
        out["problems"] = [str(p) for p in self.problems]
        out["problem_notes"] = [Note.from_dict(p).to_dict() for p in self.problems]
        return out


def _examples(values) -> str:
    return ", ".join(repr(v) for v in values)


def _value_counts(pairs) -> str:
    return ", ".join(f"{v!r} ({n}×)" for v, n in pairs)


#: The problems a load notes about a source's rows: code -> English sentence (the apps render them
#: in the user's language, :mod:`areal.apps.fetch_text`).
LOAD_NOTES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "load.not_numeric": lambda v: (
        f"column {v['column']!r} should be {v['kind']} but holds {v['n']} non-numeric values "
        f"({_examples(v['examples'])})"
    ),
    "load.unreadable_column": lambda v: f"column {v['column']!r} cannot be read as {v['kind']}: {v['error']}",
    "load.codes_unknown": lambda v: (
        f"column {v['column']!r}: {v['n']} values not in the code list: {_value_counts(v['values'])}"
    ),
    "load.wrong_geometry": lambda v: (
        f"{v['n']} geometries are not {v['geometry_type']}: {dict((t, n) for t, n in v['found'])}"
    ),
    "load.not_cached": lambda v: f"not cached: {v['error']}",
}
for _code, _text in LOAD_NOTES.items():
    register(_code, _text)


# ---------------------------------------------------------------- locating sources


def _split_pattern(pattern: str, default_layer: str | None) -> tuple[str, str | None]:
    if "#" in pattern:
        path, layer = pattern.split("#", 1)
        return path, layer
    return pattern, default_layer


def find_sources(spec: LayerSpec, data_dir: Path) -> tuple[list[Path], str | None, str]:
    """Return the files of the first matching source pattern, their inner layer and their origin.

    Returns ``([], None, "")`` when no pattern matches.
    """
    for pattern in spec.source.patterns:
        pat, layer = _split_pattern(pattern, spec.source.layer)
        if pat.startswith("pkg:"):
            path = settings.project_data(*pat[4:].split("/"))
            if path.exists():
                return [path], layer, "project"
            continue
        hits = sorted(Path(p) for p in glob.glob(str(data_dir / pat)))
        hits = [h for h in hits if h.is_file() or h.suffix.lower() == ".gdb"]
        # a coverage record beside a source (layers.coverage) is not a source itself
        hits = [h for h in hits if not h.name.endswith(".coverage.geojson")]
        if hits:
            return hits, layer, "data"
    return [], None, ""


def expected_paths(spec: LayerSpec, data_dir: Path) -> list[str]:
    """The paths a layer is looked for at, for 'missing' messages."""
    out = []
    for pattern in spec.source.patterns:
        pat, _ = _split_pattern(pattern, spec.source.layer)
        out.append(f"(packaged) data/{pat[4:]}" if pat.startswith("pkg:") else str(data_dir / pat))
    return out


def starter_path(spec: LayerSpec) -> Path:
    """Path of the layer in the packaged starter extract (may not exist)."""
    return settings.starter_dir() / f"{spec.id}.parquet"


def how_to_get(spec: LayerSpec) -> str:
    """One sentence on how to obtain a missing layer."""
    if spec.fetch is not None:
        return f"run `areal fetch {spec.id}` ({spec.fetch.service}), or: {spec.fetch.manual}"
    return f"set {settings.ENV_DATA_DIR} to a folder holding the extracts (see the README, 'Data')"


# ---------------------------------------------------------------- checksums and cache keys


def _index_path(cache: Path) -> Path:
    return cache / "checksums.json"


def file_checksum(path: Path, cache: Path) -> str:
    """SHA-256 of a file, remembered by (size, mtime) so an unchanged file is not read again."""
    path = Path(path).resolve()
    st = path.stat()
    index_file = _index_path(cache)
    try:
        index = json.loads(index_file.read_text())
    except (OSError, ValueError):
        index = {}
    entry = index.get(str(path))
    if entry and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
        return entry[2]
    h = hashlib.sha256()
    if path.is_dir():  # a .gdb folder: hash its files
        for f in sorted(path.rglob("*")):
            if f.is_file():
                h.update(f.name.encode())
                h.update(f.read_bytes())
    else:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    digest = h.hexdigest()
    index[str(path)] = [st.st_size, st.st_mtime_ns, digest]
    _atomic_write_text(index_file, json.dumps(index))
    return digest


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dependencies(spec: LayerSpec) -> list[str]:
    deps = []
    if spec.clip_to_county:
        deps.append("county")
    if spec.assign_municipality:
        deps.append("municipalities_sea")
    if spec.source.reader == "test_arenas":
        deps.append("municipalities")
    return deps


def cache_key(spec: LayerSpec, data_dir: Path, cache: Path) -> str | None:
    """Key of the cleaned layer, or None when the layer has no source (missing)."""
    files, layer, origin = find_sources(spec, data_dir)
    if not files:
        return None
    county = (
        settings.county()
        if any(COUNTY in w or COUNTY_MUNICIPALITIES in w for w in spec.where.values())
        else ""
    )
    h = hashlib.sha256(f"v{CACHE_VERSION}|{spec!r}|{layer}|{origin}|{county}".encode())
    if "kommunenavn" in spec.columns:  # the official names table is part of the cleaned layer
        h.update(repr(sorted(_names_table().items())).encode())
    for f in files:
        h.update(file_checksum(f, cache).encode())
    for dep in _dependencies(spec):
        dep_spec = registry.get(dep)
        dep_key = cache_key(dep_spec, data_dir, cache)
        h.update((dep_key or f"starter:{dep}").encode())
    return h.hexdigest()[:32]


# ---------------------------------------------------------------- the pipeline


#: Official code columns and their width: numbers read from a numeric source (a CSV, a GeoJSON
#: number) lose their leading zeros (Oslo 0301 becomes 301); they are padded back.
CODE_WIDTHS = {"kommunenummer": 4, "fylkesnummer": 2}


def pad_codes(values: pd.Series, width: int) -> pd.Series:
    """Official codes as zero-padded text: ``301``, ``301.0`` and ``"301"`` become ``"0301"``.

    Missing values stay missing; text that is not a whole number is left as it is.

    Examples
    --------
    >>> pad_codes(pd.Series([301, 5001, None]), 4).tolist()
    ['0301', '5001', None]
    >>> pad_codes(pd.Series(["3", "50", "x"]), 2).tolist()
    ['03', '50', 'x']
    """

    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (int, np.integer)) or (
            isinstance(v, (float, np.floating)) and float(v).is_integer()
        ):
            return str(int(v)).zfill(width)
        t = str(v).strip()
        return t.zfill(width) if t.isdigit() else t

    return pd.Series([one(v) for v in values], index=values.index, dtype=object, name=values.name)


def _pad_code_columns(df: pd.DataFrame, spec: LayerSpec, report: LoadReport) -> pd.DataFrame:
    """Zero-pad the official code columns (before the ``where`` filter matches them)."""
    for col, width in CODE_WIDTHS.items():
        if col in df.columns and spec.columns.get(col) == "str":
            before = df[col]
            padded = pad_codes(before, width)
            if not before.astype(object).equals(padded):
                df = df.assign(**{col: padded})
                report.n_coerced_columns += 1
    return df


def _coerce_dtypes(df: pd.DataFrame, spec: LayerSpec, what: str, report: LoadReport) -> list[Note]:
    problems = []
    for col, kind in spec.columns.items():
        if col not in df.columns:
            continue
        s = df[col]
        try:
            if kind == "str" and not (pd.api.types.is_string_dtype(s) or s.dtype == object):
                if pd.api.types.is_float_dtype(s) and np.all(np.mod(s.dropna(), 1) == 0):
                    s = s.astype("Int64")
                df[col] = s.astype("string").astype(object).where(s.notna(), None)
                report.n_coerced_columns += 1
            elif kind in ("int", "float") and not pd.api.types.is_numeric_dtype(s):
                conv = pd.to_numeric(s, errors="coerce")
                bad = conv.isna() & s.notna()
                if bad.any():
                    examples = [_plain(v) for v in s[bad].unique()[:5]]
                    problems.append(
                        Note.of(
                            "load.not_numeric", column=col, kind=kind, n=int(bad.sum()), examples=examples
                        )
                    )
                else:
                    df[col] = conv
                    report.n_coerced_columns += 1
        except (TypeError, ValueError) as exc:
            problems.append(Note.of("load.unreadable_column", column=col, kind=kind, error=str(exc)))
    return problems


def _plain(value: Any) -> Any:
    """A value of a frame as a JSON-safe plain value (numpy scalars to Python ones)."""
    return value.item() if hasattr(value, "item") else value


def _check_code_lists(df: pd.DataFrame, spec: LayerSpec) -> list[Note]:
    problems = []
    for col, codes in spec.code_lists.items():
        if col not in df.columns or not codes:
            continue
        values = df[col].dropna().astype(str)
        unknown = values[~values.isin(list(codes))]
        if len(unknown):
            counts = [[str(v), int(n)] for v, n in unknown.value_counts().head(5).items()]
            problems.append(Note.of("load.codes_unknown", column=col, n=len(unknown), values=counts))
    return problems


def _check_geometry_types(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> list[Note]:
    want = family_of(spec.geometry_type)
    if want is None:
        return []
    types = pd.Series(gdf.geometry.geom_type).dropna()
    fam = types.map(family_of)
    wrong = types[fam != want]
    if len(wrong):
        found = [[str(t), int(n)] for t, n in wrong.value_counts().items()]
        return [Note.of("load.wrong_geometry", n=len(wrong), geometry_type=spec.geometry_type, found=found)]
    return []


def expand_where(regex: str, county: str | None = None) -> str:
    r"""A ``where`` expression with the county placeholders filled in for the run's county.

    Examples
    --------
    >>> print(expand_where("{county_municipalities}", "50"), expand_where("{county}", "3"))
    50\d\d 03
    >>> print(expand_where("{county}", "all"))
    \d\d
    """
    c = settings.county(county)
    return regex.replace(COUNTY_MUNICIPALITIES, settings.county_pattern(c)).replace(
        COUNTY, r"\d\d" if c == settings.ALL_COUNTIES else c
    )


def _apply_where(df: pd.DataFrame, spec: LayerSpec, what: str, report: LoadReport) -> pd.DataFrame:
    for col, regex in spec.where.items():
        regex = expand_where(regex)
        if col not in df.columns:
            continue  # reported by the schema check
        keep = df[col].astype(str).str.fullmatch(regex).fillna(False).to_numpy(bool)
        report.n_filtered += int((~keep).sum())
        df = df.loc[keep]
    return df


def _read_all(spec: LayerSpec, files: list[Path], layer: str | None, what: str) -> pd.DataFrame:
    """Read all source files; several files are brought to the first file's CRS and concatenated."""
    frames: list[pd.DataFrame] = []
    for f in files:
        reader = reader_for(f, spec.source)
        frame = reader(f, spec.source, layer, what)
        if isinstance(frame, gpd.GeoDataFrame) and frame.crs is None and spec.source.crs:
            frame = frame.set_crs(spec.source.crs)
        if spec.kind == "vector" and isinstance(frame, gpd.GeoDataFrame) and frame.crs is None and len(frame):
            raise CRSMissingError(
                f"{what}: {f} has no CRS (cannot transform naive geometries). Add a .prj / SRS to the file, "
                f"or re-export it in {WORKING_CRS.to_string()}."
            )
        if frames and isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
            frame = frame.to_crs(frames[0].crs)
        frames.append(frame)
    if len(frames) == 1:
        return frames[0]
    out = pd.concat(frames, ignore_index=True)
    return (
        gpd.GeoDataFrame(out, geometry=frames[0].geometry.name, crs=frames[0].crs)
        if spec.kind == "vector"
        else out
    )


def code_text(v) -> str | None:
    """A code as text: ``2.0`` -> ``"2"``, missing -> None (codes read as floats from a file).

    >>> code_text(2.0), code_text("21"), code_text(float("nan"))
    ('2', '21', None)
    """
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def derive_columns(df: pd.DataFrame, spec: LayerSpec) -> pd.DataFrame:
    """Add the layer's derived columns (:attr:`LayerSpec.derive`: a column from another by a code map).

    A derived column already in ``df`` is kept; the result is a new frame. Used by :func:`clean`
    and by the importer's code-list check, so both derive alike.
    """
    out = df
    for new, (src, mapping) in spec.derive.items():
        if new not in out.columns and src in out.columns:
            out = out.copy() if out is df else out
            codes = out[src].map(code_text)
            out[new] = codes.map(lambda c, m=mapping: m.get(c) if c is not None else None)
    return out


def _names_table() -> dict[str, str]:
    """Official municipality names (``data/municipality_names.toml``), Norwegian first."""
    import tomllib

    with open(settings.project_data("municipality_names.toml"), "rb") as f:
        return {str(k): str(v) for k, v in tomllib.load(f).get("names", {}).items()}


def _official_names(df: pd.DataFrame) -> pd.DataFrame:
    """``kommunenavn`` in its official Norwegian and Sámi form (a search for "Røros" finds 5025)."""
    if "kommunenavn" not in df.columns or "kommunenummer" not in df.columns:
        return df
    from areal.geo.names import official_names

    df = df.copy()
    df["kommunenavn"] = official_names(df["kommunenummer"], df["kommunenavn"], _names_table())
    return df


def clean(
    raw: pd.DataFrame,
    spec: LayerSpec,
    what: str,
    report: LoadReport,
    *,
    county: gpd.GeoDataFrame | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Run the cleaning pipeline on a frame already read from its source(s).

    Also used by ``areal import`` and the fetchers, so every path yields the same cleaned layer.
    """
    report.n_read += len(raw)
    if len(raw) == 0:
        raise EmptyLayerError(f"{what}: the source holds no features ({', '.join(report.sources)})")
    df = derive_columns(raw.rename(columns={k: v for k, v in spec.rename.items() if k in raw.columns}), spec)
    missing = [c for c in spec.columns if c not in df.columns]
    if missing:
        present = [c for c in df.columns if c != "geometry"]
        raise LayerValidationError(
            f"{what}: unknown column set in {', '.join(report.sources)}: missing required column(s) "
            f"{missing}; columns present: {present}. Map them with a column map (see `areal import --help`).",
            [f"missing column {c!r}" for c in missing],
        )
    df = _pad_code_columns(df, spec, report)
    df = _apply_where(df, spec, what, report)
    df = _official_names(df)
    problems = _coerce_dtypes(df, spec, what, report)
    problems += _check_code_lists(df, spec)
    if spec.kind == "vector":
        gdf = gpd.GeoDataFrame(df, geometry=df.geometry.name, crs=df.crs)
        if gdf.crs is None:
            raise CRSMissingError(
                f"{what}: {', '.join(report.sources)} has no CRS (cannot transform naive geometries)."
            )
        # Validity is judged in the source CRS (that is where the publisher's defects are), and
        # again after reprojection, which can create new self-intersections on very thin parts.
        gdf, rep = repair_geometries(gdf, family_of(spec.geometry_type))
        report.n_repaired += rep.n_invalid
        report.n_empty += rep.n_empty
        if not gdf.crs.equals(WORKING_CRS):
            gdf, rep2 = repair_geometries(gdf.to_crs(WORKING_CRS), family_of(spec.geometry_type))
            report.n_repaired += rep2.n_invalid
        problems += _check_geometry_types(gdf, spec)
        if spec.clip_to_county and county is not None:
            gdf = _clip_to(gdf, county, spec, report)
        if spec.assign_municipality and municipalities is not None:
            gdf = assign_municipality(gdf, municipalities)
        df = gdf
    report.problems += problems
    if strict and problems:
        raise LayerValidationError(
            f"{what}: {len(problems)} schema problem(s): " + "; ".join(map(str, problems)),
            [str(p) for p in problems],
        )
    report.n_features = len(df)
    return df.reset_index(drop=True)


def _clip_to(
    gdf: gpd.GeoDataFrame, county: gpd.GeoDataFrame, spec: LayerSpec, report: LoadReport
) -> gpd.GeoDataFrame:
    if len(gdf) == 0:
        return gdf
    # The mask is cut to this frame's extent first (one municipality's file against the
    # county: a small mask, quick to prepare and to test against).
    x0, y0, x1, y1 = gdf.total_bounds
    # grown by a metre: a single point (or points on one line) has an empty bounding box
    mask = shapely.union_all(
        shapely.clip_by_rect(np.asarray(county.geometry.values), x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0)
    )
    shapely.prepare(mask)
    geoms = gdf.geometry.values
    if family_of(spec.geometry_type) == "point":
        keep = shapely.intersects(mask, np.asarray(geoms)) | shapely.is_empty(np.asarray(geoms))
        report.n_outside_county += int((~keep).sum())
        return gdf.loc[keep]
    inside = shapely.within(np.asarray(geoms), mask)
    touches = shapely.intersects(mask, np.asarray(geoms))
    report.n_outside_county += int((~touches).sum())
    out = gdf.loc[touches].copy()
    cut = ~inside[touches]
    if cut.any():
        g = np.asarray(out.geometry.values).copy()
        g[cut] = shapely.intersection(g[cut], mask)
        out[out.geometry.name] = gpd.GeoSeries(g, index=out.index, crs=out.crs)
    return out


def assign_municipality(gdf: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``kommunenummer``/``kommunenavn`` (2024) by point-in-polygon; nearest polygon as a fallback.

    Existing columns of those names are kept as ``*_kilde`` (the source's own, possibly outdated, value).
    """
    out = gdf.copy()
    for col in ("kommunenummer", "kommunenavn"):
        if col in out.columns:
            out = out.rename(columns={col: f"{col}_kilde"})
    pts = out.geometry.representative_point()
    muni = municipalities[["kommunenummer", "kommunenavn", municipalities.geometry.name]]
    tree = shapely.STRtree(np.asarray(muni.geometry.values))
    idx_pt, idx_m = tree.query(np.asarray(pts.values), predicate="within")
    knr = np.full(len(out), None, dtype=object)
    knv = np.full(len(out), None, dtype=object)
    knr[idx_pt] = muni["kommunenummer"].to_numpy()[idx_m]
    knv[idx_pt] = muni["kommunenavn"].to_numpy()[idx_m]
    lost = np.flatnonzero(pd.isna(knr) & ~shapely.is_empty(np.asarray(pts.values)))
    if len(lost):
        near = tree.nearest(np.asarray(pts.values)[lost])
        knr[lost] = muni["kommunenummer"].to_numpy()[near]
        knv[lost] = muni["kommunenavn"].to_numpy()[near]
    out["kommunenummer"] = knr
    out["kommunenavn"] = knv
    return out


# ---------------------------------------------------------------- public API


def load(
    layer_id: str | LayerSpec,
    data_dir: str | os.PathLike | None = None,
    *,
    cache: bool = True,
    strict: bool = False,
    cache_dir: str | os.PathLike | None = None,
    use_starter: bool = True,
    _keep: bool = True,
) -> pd.DataFrame:
    """Load one catalogue layer, cleaned, in EPSG:25833.

    Parameters
    ----------
    layer_id : str or LayerSpec
        A registered layer id (see ``areal layers``), or a declaration not in the registry
        (used for imports and tests).
    data_dir : path, optional
        Data directory; default :func:`areal.layers.settings.data_dir`.
    cache : bool
        Read and write the GeoParquet cache.
    strict : bool
        Raise :class:`LayerValidationError` on any schema problem instead of reporting it.
    use_starter : bool
        Fall back to the packaged starter extract when the data directory lacks the layer.

    Returns
    -------
    GeoDataFrame (vector) or DataFrame (table), with ``.attrs["load_report"]`` (a dict).

    Raises
    ------
    LayerMissingError, LayerReadError, EmptyLayerError, CRSMissingError, LayerValidationError
    """
    spec = layer_id if isinstance(layer_id, LayerSpec) else registry.get(layer_id)
    layer_id = spec.id
    if spec.kind == "raster":
        raise TypeError(f"{layer_id!r} is a raster layer: use layers.loader.raster_path({layer_id!r})")
    ddir = settings.data_dir(data_dir)
    cdir = settings.cache_dir(cache_dir)
    what = f"layer {layer_id!r}"
    if spec.source.reader in COMPOSITES:
        # a layer built from other layers (farmland from AR5, AR50 or N50): they are cached, it is not
        return COMPOSITES[spec.source.reader](ddir, cache=cache, cache_dir=cdir)
    files, inner, origin = find_sources(spec, ddir)
    if not files:
        sp = starter_path(spec)
        if use_starter and sp.exists():
            gdf = _official_names(gpd.read_parquet(sp))
            rep = LoadReport(
                layer_id,
                sources=[f"starter extract: {sp.name}"],
                origin="starter",
                n_read=len(gdf),
                n_features=len(gdf),
            )
            gdf.attrs["load_report"] = rep.to_dict()
            return gdf
        raise LayerMissingError(
            f"{what} is missing: no file at {' or '.join(expected_paths(spec, ddir))}. To get it, {how_to_get(spec)}.",
            key="layer_missing",
            params={"layer": layer_id, "paths": expected_paths(spec, ddir)},
        )
    key = cache_key(spec, ddir, cdir) if cache else None
    cpath = cdir / "layers" / f"{layer_id}-{key}.parquet" if key else None
    per_file = spec.kind == "vector" and len(files) > 1
    if cpath is not None and cpath.exists():
        try:
            df = _read_cache(cpath, spec)
            rep_dict = json.loads(cpath.with_suffix(".json").read_text())
            rep_dict["from_cache"] = True
            df.attrs["load_report"] = rep_dict
            return df
        except (OSError, ValueError):
            pass  # a damaged cache entry is rebuilt below
    report = LoadReport(
        layer_id, sources=[str(f) + (f"#{inner}" if inner else "") for f in files], origin=origin
    )
    county = load("county", ddir, cache=cache, cache_dir=cdir) if spec.clip_to_county else None
    munis = None
    if spec.assign_municipality:
        munis = load("municipalities_sea", ddir, cache=cache, cache_dir=cdir)
    if per_file:
        # one file at a time (AR5: one municipality): cleaned, clipped and cached on its own
        df = _load_per_file(spec, files, inner, what, report, county, munis, strict, cpath, keep=_keep)
        if df is None:  # streaming use: the parts are on disk, nothing is held
            return None
    else:
        raw = _read_all(spec, files, inner, what)
        df = clean(raw, spec, what, report, county=county, municipalities=munis, strict=strict)
        if cpath is not None:
            _write_cache([df], report, cpath, len(df))
    df.attrs["load_report"] = report.to_dict()
    return df


def _load_per_file(spec, files, inner, what, report, county, munis, strict, cpath, *, keep: bool):
    """Clean a multi-file layer file by file, writing each part to the cache as soon as it is clean.

    With ``keep=False`` (streaming use) no part is held after it is written and None is returned.
    """
    import shutil

    if cpath is not None:
        cpath.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cpath.parent, prefix=".tmp-")) if cpath is not None else None
    kept, n_features, n_parts = [], 0, 0
    try:
        for f in files:
            raw = _read_all(spec, [f], inner, what)
            if len(raw) == 0:  # a municipality without features adds nothing
                continue
            part = clean(raw, spec, what, report, county=county, municipalities=munis, strict=strict)
            n_features += len(part)
            if tmp is not None:
                write_sorted(part, tmp / f"part-{n_parts:04d}.parquet")
            n_parts += 1
            if keep or tmp is None:
                kept.append(part)
        if n_parts == 0:
            raise EmptyLayerError(f"{what}: the source holds no features ({', '.join(report.sources)})")
        report.n_features = n_features
        if tmp is not None:
            _replace_cache(tmp, report, cpath)
            tmp = None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    if not kept:
        return None
    df = pd.concat(kept, ignore_index=True)
    return gpd.GeoDataFrame(df, geometry=kept[0].geometry.name, crs=kept[0].crs)


def _replace_cache(folder: Path, report: LoadReport, cpath: Path) -> None:
    """Move a finished folder of parts into place as the cache entry ``cpath``."""
    import shutil

    _remove_old_entries(report.layer, cpath)
    if cpath.exists():
        shutil.rmtree(cpath, ignore_errors=True) if cpath.is_dir() else cpath.unlink()
    os.replace(folder, cpath)
    _atomic_write_text(cpath.with_suffix(".json"), json.dumps(report.to_dict()))


def _remove_old_entries(layer: str, cpath: Path) -> None:
    import shutil

    for old in cpath.parent.glob(f"{layer}-*.parquet"):
        if old != cpath:
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)


def _part_paths(cpath: Path) -> list[Path]:
    """The per-file parts of a cache entry (a folder named like a cache file), in source order."""
    return sorted(cpath.glob("part-*.parquet"))


def _read_cache(cpath: Path, spec: LayerSpec) -> pd.DataFrame:
    if spec.kind != "vector":
        return pd.read_parquet(cpath)
    if cpath.is_dir():
        parts = [read_layer(p) for p in _part_paths(cpath)]
        if not parts:
            raise ValueError(f"empty cache folder {cpath}")
        df = pd.concat(parts, ignore_index=True)
        return gpd.GeoDataFrame(df, geometry=parts[0].geometry.name, crs=parts[0].crs)
    return read_layer(cpath)


def _write_cache(parts: list[pd.DataFrame], report: LoadReport, cpath: Path, n_features: int) -> None:
    """Write a cache entry: a sorted GeoParquet file, or a folder of parts (one per source file)."""
    import shutil

    report.n_features = n_features
    cpath.parent.mkdir(parents=True, exist_ok=True)
    _remove_old_entries(report.layer, cpath)
    tmp = Path(tempfile.mkdtemp(dir=cpath.parent, prefix=".tmp-"))
    try:
        vector = all(isinstance(d, gpd.GeoDataFrame) for d in parts)
        if len(parts) == 1:
            out = tmp / "layer.parquet"
            write_sorted(parts[0], out) if vector else parts[0].to_parquet(out)
        else:
            out = tmp / "parts"
            out.mkdir()
            for i, d in enumerate(parts):
                write_sorted(d, out / f"part-{i:04d}.parquet")
        os.replace(out, cpath)
        _atomic_write_text(cpath.with_suffix(".json"), json.dumps(report.to_dict()))
    except Exception as exc:  # a column pyarrow cannot store: keep working uncached, say so
        report.problems.append(Note.of("load.not_cached", error=f"{type(exc).__name__}: {exc}"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def parquet_sources(
    layer_id: str | LayerSpec,
    data_dir: str | os.PathLike | None = None,
    *,
    cache_dir: str | os.PathLike | None = None,
) -> list[ParquetSource]:
    """The cached layer as streaming sources: one :class:`ParquetSource` per cached file or part.

    The layer is loaded (and cached) first when needed. A layer delivered per municipality (AR5)
    gives one source per municipality; engines read them window by window or row by row
    (:func:`areal.geo.overlay.flat_overlay`) instead of holding the whole layer.

    Raises
    ------
    LayerMissingError
        When the layer has no source in the data directory (the starter extract is not streamed).
    """
    spec = layer_id if isinstance(layer_id, LayerSpec) else registry.get(layer_id)
    layer_id = spec.id
    ddir = settings.data_dir(data_dir)
    cdir = settings.cache_dir(cache_dir)
    key = cache_key(spec, ddir, cdir)
    if key is None:
        raise LayerMissingError(
            f"layer {layer_id!r} is missing: no file at {' or '.join(expected_paths(spec, ddir))}. To get it, {how_to_get(spec)}.",
            key="layer_missing",
            params={"layer": layer_id, "paths": expected_paths(spec, ddir)},
        )
    cpath = cdir / "layers" / f"{layer_id}-{key}.parquet"
    if not cpath.exists():
        load(spec, ddir, cache_dir=cdir, use_starter=False, _keep=False)
    if not cpath.exists():
        raise LayerMissingError(f"layer {layer_id!r} could not be cached at {cpath}")
    return [ParquetSource(p) for p in (_part_paths(cpath) if cpath.is_dir() else [cpath])]


def raster_path(layer_id: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Path of a raster layer's file, or raise :class:`LayerMissingError`."""
    spec = registry.get(layer_id)
    if spec.kind != "raster":
        raise TypeError(f"{layer_id!r} is a {spec.kind} layer, not a raster")
    ddir = settings.data_dir(data_dir)
    files, _, _ = find_sources(spec, ddir)
    if not files:
        raise LayerMissingError(
            f"layer {layer_id!r} is missing: no file at {' or '.join(expected_paths(spec, ddir))}. To get it, {how_to_get(spec)}.",
            key="layer_missing",
            params={"layer": layer_id, "paths": expected_paths(spec, ddir)},
        )
    return files[0]


@dataclass
class LayerStatus:
    """One row of ``areal layers``."""

    spec: LayerSpec
    status: str  # "loaded", "starter", "missing", "error"
    count: int | None = None
    total: float | None = None
    unit: str = ""
    message: str = ""
    report: dict | None = None


def status(layer_id: str | LayerSpec, data_dir: str | os.PathLike | None = None, **kw) -> LayerStatus:
    """Load a layer and summarise it; never raises for a missing or broken layer."""
    spec = layer_id if isinstance(layer_id, LayerSpec) else registry.get(layer_id)
    layer_id = spec.id
    try:
        if spec.kind == "raster":
            import rasterio

            path = raster_path(layer_id, data_dir)
            with rasterio.open(path) as src:
                return LayerStatus(
                    spec, "loaded", src.width * src.height, float(abs(src.res[0])), "m cells", str(path)
                )
        df = load(spec, data_dir, **kw)
    except LayerMissingError as exc:
        return LayerStatus(spec, "missing", message=str(exc))
    except (ArealError, OSError) as exc:
        return LayerStatus(spec, "error", message=f"{type(exc).__name__}: {exc}")
    rep = df.attrs.get("load_report", {})
    st = "starter" if rep.get("origin") == "starter" else "loaded"
    if spec.kind == "table" or not isinstance(df, gpd.GeoDataFrame):
        return LayerStatus(spec, st, len(df), None, "", report=rep)
    fam = family_of(spec.geometry_type)
    if fam == "polygon" or spec.geometry_type == "Mixed":
        # Overlapping features (the two Snøhetta wild-reindeer areas) cover their ground once.
        from areal.geo.overlay import flatten

        total, unit = float(shapely.area(flatten(df.geometry).geoms).sum()) / 1e6, "km²"
    elif fam == "line":
        total, unit = float(df.geometry.length.sum()) / 1e3, "km"
    else:
        total, unit = None, ""
    return LayerStatus(spec, st, len(df), total, unit, report=rep)
