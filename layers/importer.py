"""Import a user's file as a catalogue layer (``areal import FILE --as LAYER``).

::

    read (GeoPackage, GeoJSON, zipped Shapefile, GML, SOSI-derived GeoJSON, FGDB zip, CSV)
    -> column map (TOML) and automatic name matching -> value maps -> refuse rows with unknown codes
    -> repair + reproject (the loader's ``clean`` pipeline, the same as for every load)
    -> write atomically into the data directory where the catalogue looks for the layer

The file written holds the mapped, repaired features in EPSG:25833 (not yet clipped or
municipality-assigned), so :func:`areal.layers.loader.load` then yields exactly the layer a fetch yields.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.geo.crs import WORKING_CRS
from areal.geo.errors import LayerReadError, LayerValidationError, RuleError
from areal.geo.geometry import family_of, repair_geometries
from areal.geo.notes import Note, register
from areal.geo.plausibility import location_notes
from areal.layers import loader, registry, settings
from areal.layers._base import LayerSpec
from areal.layers.export import write_frame


@dataclass
class ColumnMap:
    """A column map: source column → canonical column, and per-column value maps.

    TOML form::

        [columns]
        "AREALFORMÅL" = "arealformal"
        "STATUS" = "arealbruksstatus"

        [values.arealbruksstatus]
        "Nåværende" = "1"
        "Framtidig" = "2"
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str = "(inline)"

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> "ColumnMap":
        """Read a column-map TOML file; entries must be strings."""
        path = Path(path)
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RuleError(f"column map {path}: {exc}") from exc
        unknown = set(doc) - {"columns", "values"}
        if unknown:
            raise RuleError(
                f"column map {path}: unknown section(s) {sorted(unknown)}; use [columns] and [values.<column>]"
            )
        cols = doc.get("columns", {})
        bad = [k for k, v in cols.items() if not isinstance(v, str)]
        if bad:
            raise RuleError(f"column map {path}: [columns] {bad[0]!r} must map to a column name (a string)")
        values = {}
        for col, m in doc.get("values", {}).items():
            if not isinstance(m, dict):
                raise RuleError(
                    f"column map {path}: [values.{col}] must be a table of 'source value' = 'code'"
                )
            values[col] = {str(k): str(v) for k, v in m.items()}
        return cls(dict(cols), values, str(path))


register(
    "import.codes_refused",
    lambda v: (
        f"{v['n']} row(s) with column {v['column']!r} not in the code list: "
        + ", ".join(f"{val!r} ({n}×)" for val, n in v["values"])
    ),
)


@dataclass
class ImportReport:
    """What an import did: facts and structured notes, rendered by ``areal import`` in the user's language.

    Attributes
    ----------
    layer, file, target : str
        The layer id, the file imported and the file written.
    n_read, n_written : int
        Rows read from the file and rows written (the rest refused).
    mapped : dict
        Source column → the layer's column, for every column renamed.
    values_mapped : dict
        Column → how many values a column map's ``[values.<column>]`` replaced.
    n_repaired, n_empty : int
        Invalid geometries repaired; empty geometries kept as empty.
    refused : list of Note
        ``import.codes_refused`` per column: ``column``, ``n`` rows, ``values`` ([value, rows] pairs,
        the five most frequent).
    n_refused : int
        Rows left out for a code outside the code list.
    n_outside_county : int
        Features outside Trøndelag (left out when the layer is loaded).
    problems : list of Note
        The location check's and the loader's problems (``location.*``, ``load.*`` codes).
    coverage : str
        The coverage file written beside a partial layer (where it is mapped), or ``""``.

    Examples
    --------
    >>> r = ImportReport("ar5", "a.gpkg", "ar5/x.gpkg", 3, 2, n_refused=1)
    >>> r.refused.append(Note.of("import.codes_refused", column="arealtype", n=1, values=[["99", 1]]))
    >>> r.lines()[0], r.lines()[1]
    ("a.gpkg → layer 'ar5': 3 features read, 2 written to ar5/x.gpkg", "refused 1 row(s) with column 'arealtype' not in the code list: '99' (1×)")
    >>> r.to_dict()["refused"][0]["code"]
    'import.codes_refused'
    """

    layer: str
    file: str
    target: str = ""
    n_read: int = 0
    n_written: int = 0
    mapped: dict[str, str] = field(default_factory=dict)
    values_mapped: dict[str, int] = field(default_factory=dict)
    n_repaired: int = 0
    n_empty: int = 0
    refused: list[Note] = field(default_factory=list)
    n_refused: int = 0
    n_outside_county: int = 0
    problems: list[Note] = field(default_factory=list)
    coverage: str = ""

    def to_dict(self) -> dict:
        """A JSON-safe dict (the notes as :meth:`~areal.geo.notes.Note.to_dict`)."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("refused", "problems")}
        out["refused"] = [Note.from_dict(n).to_dict() for n in self.refused]
        out["problems"] = [Note.from_dict(n).to_dict() for n in self.problems]
        return out

    def lines(self) -> list[str]:
        """The report in English sentences (for library users; ``areal import`` renders it in the user's language)."""
        out = [
            f"{self.file} → layer {self.layer!r}: {self.n_read} features read, {self.n_written} written to {self.target}"
        ]
        for src, dst in self.mapped.items():
            out.append(f"mapped column {src!r} → {dst!r}")
        for col, n in self.values_mapped.items():
            out.append(f"mapped {n} value(s) in column {col!r}")
        if self.n_repaired:
            out.append(f"repaired {self.n_repaired} invalid geometries")
        if self.n_empty:
            out.append(f"{self.n_empty} empty geometries kept as empty")
        for r in self.refused:
            out.append(f"refused {r}")
        if self.n_outside_county:
            out.append(
                f"{self.n_outside_county} features lie outside Trøndelag (left out when the layer is loaded)"
            )
        out += [f"problem: {p}" for p in self.problems]
        if self.coverage:
            out.append(f"coverage (where the layer is mapped) written to {self.coverage}")
        return out


def _fold(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'AREALFORMÅL' ~ 'arealformal' ~ 'areal_formål'."""
    s = unicodedata.normalize(
        "NFKD", str(name).replace("ø", "o").replace("Ø", "o").replace("æ", "ae").replace("Æ", "ae")
    )
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", s.lower())


def normalise_columns(
    df: pd.DataFrame, spec: LayerSpec, extra: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename columns to the layer's canonical names; return the frame and what was renamed.

    Order: the explicit map ``extra``; the layer's ``rename``; then a tolerant match of the
    required columns and rename targets ignoring case, accents and separators, also on the last
    part of nested GML names (``arealplanId_..._kommunenummer`` → ``kommunenummer``).
    """
    mapping: dict[str, str] = {}
    cols = [c for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    for src, dst in (extra or {}).items():
        if src not in df.columns:
            raise LayerValidationError(
                f"column map names column {src!r}, which is not in the file; columns are: {cols}",
                [f"no column {src!r}"],
            )
        mapping[src] = dst
    wanted = {_fold(k): v for k, v in spec.rename.items()}
    for c in list(spec.columns) + list(spec.rename.values()) + list(spec.derive):
        wanted.setdefault(_fold(c), c)
    taken = set(mapping.values()) | {c for c in cols if c in spec.columns}
    for c in cols:
        if c in mapping or c in spec.columns:
            continue
        key = _fold(c)
        target: str | None = wanted.get(key)
        if target is None:
            tail = re.split(r"[_.|/]", str(c))[-1]
            target = wanted.get(_fold(tail)) if tail != c else None
        if target and target != c and target not in taken:
            mapping[c] = target
            taken.add(target)
    return df.rename(columns=mapping), mapping


def _read(path: Path, layer: str | None, spec: LayerSpec) -> pd.DataFrame:
    from areal.layers.readers import read_csv
    from areal.layers.safe_open import open_vector

    if path.suffix.lower() in (".csv", ".txt"):
        frame = read_csv(path, spec.source, None, f"import of {path}")
        if isinstance(frame, gpd.GeoDataFrame) and frame.crs is None and spec.source.crs:
            frame = frame.set_crs(spec.source.crs)  # the coordinates are in the layer's declared CRS
        return frame
    if spec.source.reader and path.suffix.lower() == ".json":
        from areal.layers.readers import READERS

        return READERS[spec.source.reader](path, spec.source, None, f"import of {path}")
    family = family_of(spec.geometry_type) if spec.geometry_type else None
    # Several layers or datasets in the file: the one of the layer's geometry family, else refused
    # with the list (--layer NAME chooses); never silently the first.
    return expand_objects(open_vector(path, layer=layer, family=family, name=str(path)))


def expand_objects(df: pd.DataFrame) -> pd.DataFrame:
    """Columns holding JSON objects (a saved OGC API Features page: ``arealplanId``) as flat columns.

    >>> out = expand_objects(pd.DataFrame({"arealplanId": ['{"kommunenummer": "5001", "planidentifikasjon": "1"}']}))
    >>> list(out.columns), out.loc[0, "kommunenummer"]
    (['kommunenummer', 'planidentifikasjon'], '5001')
    """
    import json

    out = df
    for c in list(df.columns):
        vals = df[c]
        if c == getattr(df, "_geometry_column_name", None) or not (
            vals.dtype == object or pd.api.types.is_string_dtype(vals)
        ):
            continue
        sample = vals.dropna()
        if not len(sample) or not all(isinstance(v, (str, dict)) for v in sample.head(20)):
            continue
        if not all(isinstance(v, dict) or str(v).lstrip().startswith("{") for v in sample.head(20)):
            continue
        try:
            parsed = [
                v if isinstance(v, dict) else (json.loads(v) if isinstance(v, str) else {}) for v in vals
            ]
        except ValueError:
            continue
        keys = list(dict.fromkeys(k for d in parsed if isinstance(d, dict) for k in d))
        if not keys:
            continue
        out = out.drop(columns=c)
        for k in keys:
            name = k if k not in out.columns else f"{c}.{k}"
            out[name] = [d.get(k) if isinstance(d, dict) else None for d in parsed]
    return out


def target_path(spec: LayerSpec, data_dir: Path, file: Path) -> Path:
    """Where an imported layer is written.

    The fetch target when it has no placeholders, else a name that the layer's first data-directory source pattern matches.
    """
    if spec.fetch is not None and "{" not in spec.fetch.target:
        return data_dir / spec.fetch.target
    stem = re.sub(r"[^\w\-]+", "_", file.stem.split(".")[0])
    for pattern in spec.source.patterns:
        pat = pattern.split("#")[0]
        if pat.startswith("pkg:"):
            continue
        p = Path(pat)
        name = p.name.replace("*", f"import_{stem}", 1).replace("*", "")
        if spec.source.x is None and Path(name).suffix.lower() not in (".gpkg",):
            continue
        return data_dir / p.parent / name
    raise LayerValidationError(f"layer {spec.id!r}: no writable source pattern in {spec.source.patterns}")


def import_file(
    file: str | os.PathLike,
    layer_id: str,
    *,
    data_dir: str | os.PathLike | None = None,
    column_map: ColumnMap | str | os.PathLike | Mapping[str, str] | None = None,
    inner_layer: str | None = None,
    strict: bool = False,
) -> ImportReport:
    """Import ``file`` as catalogue layer ``layer_id`` into the data directory.

    Parameters
    ----------
    file : path
        GeoPackage, GeoJSON (also SOSI-derived, with SOSI names), zipped Shapefile/FGDB/GML, GML, CSV.
    layer_id : str
        Target layer (``areal layers`` lists them).
    data_dir : path, optional
        Destination data directory (default :func:`areal.layers.settings.data_dir`).
    column_map : ColumnMap, path of a TOML column map, or dict, optional
        Non-standard column names (and value maps) → the layer's schema.
    inner_layer : str, optional
        Layer inside a multi-layer file.
    strict : bool
        Refuse the whole file (raise) instead of leaving out rows with codes outside the code list.

    Returns
    -------
    ImportReport

    Raises
    ------
    LayerReadError, LayerValidationError
        The message names the file, column and value.
    """
    spec = registry.get(layer_id)
    if spec.kind == "raster":
        raise LayerValidationError(
            f"{layer_id!r} is a raster layer: copy the GeoTIFF to one of {spec.source.patterns}"
        )
    path = Path(file)
    if not path.exists():
        raise LayerReadError(f"import: {path} does not exist")
    ddir = settings.data_dir(data_dir)
    if column_map is None:
        cmap = ColumnMap()
    elif isinstance(column_map, ColumnMap):
        cmap = column_map
    elif isinstance(column_map, Mapping):
        cmap = ColumnMap(dict(column_map))
    else:
        cmap = ColumnMap.from_toml(column_map)
    report = ImportReport(layer_id, str(path))
    raw = _read(path, inner_layer, spec)
    if spec.kind == "vector" and spec.source.x is None and not isinstance(raw, gpd.GeoDataFrame):
        raise LayerValidationError(
            f"{path}: a table without geometries; layer {layer_id!r} needs {spec.geometry_type or 'geometries'}: "
            "give a GeoPackage, GeoJSON, zipped Shapefile or GML",
            ["no geometry column"],
        )
    if isinstance(raw, gpd.GeoDataFrame) and len(raw):
        g = np.asarray(raw.geometry.values)
        if (shapely.is_missing(g) | shapely.is_empty(g)).all():
            raise LayerValidationError(
                f"{path}: holds no geometries (all {len(raw)} are empty)", ["no geometries"]
            )
    if spec.kind == "vector" and isinstance(raw, gpd.GeoDataFrame):
        _check_family(raw, spec, path)  # lines or points into a polygon layer (and the reverse): refused
    report.n_read = len(raw)
    df, mapped = normalise_columns(raw, spec, cmap.columns)
    report.mapped = mapped
    # the layer's own rename (SOSI short names) is applied here too, so value maps see canonical names
    df = df.rename(columns={k: v for k, v in spec.rename.items() if k in df.columns})
    for col, vmap in cmap.values.items():
        if col not in df.columns:
            raise LayerValidationError(
                f"{path}: [values.{col}] in {cmap.source}, but the file has no column {col!r}"
            )
        s = df[col].astype(object)
        hit = s.astype(str).isin(list(vmap))
        df[col] = s.where(~hit, s.astype(str).map(vmap))
        report.values_mapped[col] = int(hit.sum())
    if spec.source.x is not None and isinstance(df, gpd.GeoDataFrame) and df.crs is not None:
        # a point file for a coordinate-table layer: the coordinates come from the geometry
        pts = df.geometry.to_crs(spec.source.crs or WORKING_CRS)
        for xy, values in ((spec.source.x, pts.x), (spec.source.y, pts.y)):
            if xy is not None and xy not in df.columns:
                df[xy] = values
    missing = [c for c in spec.columns if c not in df.columns and c not in spec.derive]
    if missing:
        present = [c for c in raw.columns if c != "geometry"]
        raise LayerValidationError(
            f"{path}: cannot import as {layer_id!r}: missing column(s) {missing}; columns in the file: {present}. "
            f'Add a column map: [columns] "<your column>" = "{missing[0]}"',
            [f"missing column {c!r}" for c in missing],
        )
    # refuse rows whose codes are not in the code list (after deriving, as the loader would)
    tmp = loader.derive_columns(df, spec)
    bad_rows = pd.Series(False, index=df.index)
    for col, codes in spec.code_lists.items():
        if col not in tmp.columns or not codes:
            continue
        vals = tmp[col].map(loader.code_text)
        bad = vals.notna() & ~vals.isin(list(codes))
        if bad.any():
            counts = [[str(v), int(n)] for v, n in vals[bad].value_counts().head(5).items()]
            refused = Note.of("import.codes_refused", column=col, n=int(bad.sum()), values=counts)
            if strict:
                raise LayerValidationError(f"{path}: {refused}", [str(refused)])
            report.refused.append(refused)
            bad_rows |= bad
    report.n_refused = int(bad_rows.sum())
    if len(df) and bad_rows.all():
        raise LayerValidationError(
            f"{path}: every row was refused: " + "; ".join(map(str, report.refused)),
            [str(r) for r in report.refused],
        )
    df = df.loc[~bad_rows]
    if spec.kind == "vector" and isinstance(df, gpd.GeoDataFrame):
        if df.crs is not None:  # swapped axes, outside Norway, whole globe: refused; outside Trøndelag: noted
            report.problems += location_notes(df, str(path))
    if spec.kind == "vector":
        if df.crs is None:
            from areal.geo.errors import CRSMissingError

            raise CRSMissingError(
                f"{path} has no CRS (cannot transform naive geometries); add a .prj or re-export in EPSG:25833"
            )
        gdf = gpd.GeoDataFrame(df, geometry=df.geometry.name, crs=df.crs)
        gdf, rep = repair_geometries(gdf, family_of(spec.geometry_type))
        report.n_repaired += rep.n_invalid
        report.n_empty += rep.n_empty
        if not gdf.crs.equals(WORKING_CRS):
            gdf, rep2 = repair_geometries(gdf.to_crs(WORKING_CRS), family_of(spec.geometry_type))
            report.n_repaired += rep2.n_invalid
        df = gdf
    # validate with the loader's own pipeline (the same checks as every load)

    lrep = loader.LoadReport(layer_id, sources=[str(path)])
    county = loader.load("county", ddir) if spec.clip_to_county else None
    munis = loader.load("municipalities_sea", ddir) if spec.assign_municipality else None
    loader.clean(
        df.copy(),
        spec,
        f"import of {path} as {layer_id!r}",
        lrep,
        county=county,
        municipalities=munis,
        strict=strict,
    )
    report.n_outside_county = lrep.n_outside_county
    report.problems += lrep.problems
    out = target_path(spec, ddir, path)
    if spec.source.x is not None:  # CSV layer with coordinates: write lon/lat in the source's CRS
        g = df.to_crs(spec.source.crs or WORKING_CRS)
        table = pd.DataFrame(g.drop(columns=g.geometry.name))
        table[spec.source.x] = g.geometry.x
        table[spec.source.y] = g.geometry.y
        write_frame(table, out.with_suffix(".csv"))
        out = out.with_suffix(".csv")
    else:
        write_frame(df, out, layer=spec.source.layer or spec.id)
        if spec.coverage.kind != "county" and len(df):
            # A partial layer (AR5 of one area) is mapped where the imported file is: say so, so a
            # site elsewhere is "not mapped", not "no farmland".
            from areal.layers.coverage import write_sidecar

            geoms = np.asarray(df.geometry.values)
            sidecar = write_sidecar(
                out,
                shapely.union_all(shapely.make_valid(geoms[~shapely.is_empty(geoms)])),
                description=f"imported from {path.name}",
            )
            report.coverage = str(sidecar)
    report.target = str(out)
    report.n_written = len(df)
    return report


def _check_family(df: gpd.GeoDataFrame, spec: LayerSpec, path: Path) -> None:
    """Refuse geometries of another family than the layer's (lines or points into a polygon layer ...)."""
    want = family_of(spec.geometry_type) if spec.geometry_type else None
    if want is None:
        return
    types = pd.Series(df.geometry.geom_type).dropna()
    wrong = types[types.map(family_of) != want]
    if len(wrong):
        found = ", ".join(f"{n} {t}" for t, n in wrong.value_counts().items())
        raise LayerValidationError(
            f"{path}: cannot import as {spec.id!r}, a {want} layer ({spec.geometry_type}): the file holds {found}",
            [f"{len(wrong)} geometries are not {want}s"],
        )
