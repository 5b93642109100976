"""Reading a kommuneplan (or a plan proposal) for the arealregnskap: GML, SOSI, GeoPackage, GeoJSON, OGC API JSON.

Every file goes through :func:`areal.layers.safe_open.open_vector` (type from the content, one
driver, no network). What each format looks like, from the real samples in
``official-samples/kommuneplan`` (see its PROVENANCE.md):

* **SOSI-GML** (Kommuneplan / Reguleringsplanforslag 5.0): features ``KpArealformålOmråde`` (or
  ``RpArealformålOmråde`` for a regulation plan) with ``arealformål``, ``arealbruksstatus`` and the
  nested ``arealplanId/NasjonalArealplanId/administrativEnhet/.../kommunenummer``, which GDAL
  flattens to ``kommunenummer``. A file holding one ``Arealplan`` lends its ``kommunenummer`` to the
  areas that lack one. Regulation plans carry no arealbruksstatus.
* **SOSI**: ``..KPAREALFORMÅL`` (``..RPAREALFORMÅL``), ``..AREALST``, ``..KOMM``, ``..PLANID``
  (read by the SOSI reader registered in :mod:`areal.layers.safe_open`).
* **The plan database's OGC API Features** (``nap.ft.dibk.no/services/rest/kommuneplaner``): a
  GeoJSON FeatureCollection whose ``arealformål`` and ``arealbruksstatus`` are *strings* and whose
  ``arealplanId`` is an object ``{kommunenummer, landkode, planidentifikasjon}`` (the "(flat)"
  collections have them as plain properties). The schema is from the service's feature catalogue;
  no raw response is published (the service needs Norge digitalt credentials), so whether the
  strings are codes (``"1300"``) or names (``"Næringsbebyggelse"``) is **unverified**: both are
  read. Without a ``crs`` member the coordinates are CRS84, as OGC API Features defaults to.
* **GeoPackage / GeoJSON / Shapefile exports** with any of these column names (case, accents and
  separators do not matter: ``KPAREALFORMAL``, ``AREALST`` as in ArcGIS exports).

The result has the columns :func:`areal.geo.plan_account.check_plan` needs: ``arealformal``,
``arealbruksstatus``, ``kommunenummer`` (plus ``planidentifikasjon`` and ``omradenavn`` when given).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from areal.geo.errors import EmptyLayerError, InputFileError, InputGeometryError
from areal.layers.importer import _fold

#: SOSI KpArealformål (pbl 2008) code -> name. From the SOSI Plan 4.5 / Kommuneplan 5.0 code list
#: as published by Kartverket; no code-list file of it is among the official samples here, so the
#: names are unverified. Codes outside the list are still read (shown as "arealformål NNNN").
KP_AREALFORMAL: dict[str, str] = {
    "1001": "Bebyggelse og anlegg",
    "1110": "Boligbebyggelse",
    "1120": "Fritidsbebyggelse",
    "1130": "Sentrumsformål",
    "1140": "Kjøpesenter",
    "1150": "Forretninger",
    "1160": "Offentlig eller privat tjenesteyting",
    "1170": "Fritids- og turistformål",
    "1180": "Råstoffutvinning",
    "1300": "Næringsbebyggelse",
    "1400": "Idrettsanlegg",
    "1500": "Andre typer bebyggelse og anlegg",
    "1600": "Uteoppholdsareal",
    "1700": "Grav- og urnelund",
    "1800": "Kombinert bebyggelse og anleggsformål",
    "2001": "Samferdselsanlegg og teknisk infrastruktur",
    "2010": "Veg",
    "2020": "Bane",
    "2030": "Lufthavn",
    "2040": "Havn",
    "2050": "Hovednett for sykkel",
    "2060": "Kollektivnett",
    "2070": "Kollektivknutepunkt",
    "2080": "Parkering",
    "2100": "Trasé for teknisk infrastruktur",
    "2800": "Kombinerte formål for samferdselsanlegg og teknisk infrastruktur",
    "3001": "Grønnstruktur",
    "3020": "Naturområde",
    "3030": "Turdrag",
    "3040": "Friområde",
    "3050": "Park",
    "3800": "Kombinerte grønnstrukturformål",
    "4001": "Forsvaret",
    "4010": "Ulike typer militære formål",
    "4020": "Skytefelt/øvingsområde",
    "4030": "Forlegning/leir",
    "4800": "Kombinerte militærformål",
    "5001": "Landbruks-, natur- og friluftsformål samt reindrift (LNFR)",
    "5100": "LNFR-areal for nødvendige tiltak for landbruk og reindrift",
    "5200": "LNFR-areal for spredt bolig-, fritids- eller næringsbebyggelse",
    "5210": "Spredt boligbebyggelse",
    "5220": "Spredt fritidsbebyggelse",
    "5230": "Spredt næringsbebyggelse",
    "6001": "Bruk og vern av sjø og vassdrag med tilhørende strandsone",
    "6100": "Ferdsel",
    "6200": "Farleder",
    "6300": "Fiske",
    "6400": "Akvakultur",
    "6500": "Drikkevann",
    "6600": "Naturområde i sjø og vassdrag",
    "6700": "Friluftsområde i sjø og vassdrag",
    "6800": "Kombinerte formål i sjø og vassdrag",
}
#: SOSI Arealbruksstatus (``official-samples/kommuneplan/codelists/gmkav_Arealbruksstatus.gml``).
AREALBRUKSSTATUS: dict[str, str] = {"1": "Nåværende", "2": "Framtidig", "3": "Videreutvikling av nåværende"}

_ALIASES: dict[str, tuple[str, ...]] = {
    "arealformal": ("arealformal", "kparealformal", "rparealformal", "arealformaal", "formal"),
    "arealbruksstatus": ("arealbruksstatus", "arealst", "arealstatus", "status"),
    "kommunenummer": ("kommunenummer", "komm", "kommunenr", "knr"),
    "planidentifikasjon": ("planidentifikasjon", "planid"),
    "omradenavn": ("omradenavn", "feltnavn", "navn"),
}
_FEATURE_LAYERS = ("KpArealformålOmråde", "RpArealformålOmråde")
_NAMES = {_fold(v): k for k, v in KP_AREALFORMAL.items()}
_STATUS_NAMES = {_fold(v): k for k, v in AREALBRUKSSTATUS.items()} | {_fold("Fremtidig"): "2"}


def _rename(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical column names (first match wins; nested GML names by their last part)."""
    geom = getattr(df, "_geometry_column_name", None)
    mapping: dict[str, str] = {}
    for dst, aliases in _ALIASES.items():
        if dst in df.columns:
            continue
        for c in df.columns:
            if c == geom or c in mapping:
                continue
            tail = re.split(r"[_.|/]", str(c))[-1]
            if _fold(c) in aliases or _fold(tail) in aliases:
                mapping[c] = dst
                break
    return df.rename(columns=mapping)


def _code(value, names: dict[str, str]):
    """A code from a code (``1300``, ``1300.0``, ``"1300 Næringsbebyggelse"``) or a name; else the value."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return pd.NA
    text = str(value).strip()
    m = re.match(r"^(\d{1,4})(?:\.0+)?(?:\b|$)", text)
    if m:
        return m.group(1)
    return names.get(_fold(text), text)


def _nested_plan_id(df: pd.DataFrame) -> pd.DataFrame:
    """``arealplanId`` as a JSON object (OGC API JSON read by GDAL): its kommunenummer and planidentifikasjon."""
    col = next((c for c in df.columns if _fold(c) == "arealplanid"), None)
    if col is None:
        return df
    parsed = []
    for v in df[col]:
        if isinstance(v, dict):
            parsed.append(v)
            continue
        try:
            obj = json.loads(v) if isinstance(v, str) else {}
        except ValueError:
            obj = {}
        parsed.append(obj if isinstance(obj, dict) else {})
    df = df.copy()
    for key in ("kommunenummer", "planidentifikasjon"):
        if key not in df.columns:
            df[key] = [p.get(key) for p in parsed]
    return df


def _open(path: Path, name: str, layer: str | None) -> gpd.GeoDataFrame:
    from areal.layers.safe_open import open_vector

    if layer is not None:
        return open_vector(path, layer=layer, family="polygon", name=name)
    for cand in _FEATURE_LAYERS:
        try:
            return open_vector(path, layer=cand, name=name)
        except InputFileError as exc:
            # GDAL formats: "layer ... not found"; SOSI: "no layer ..." (the OBJTYPE is absent)
            missing = (exc.key == "ambiguous" and "not found" in str(exc)) or exc.key == "layer"
            if not missing:
                raise
            layers = exc.details.get("layers", "")
    try:
        return open_vector(path, family="polygon", name=name)
    except InputFileError as exc:
        if exc.key == "ambiguous":
            raise InputFileError(
                f"{name}: no KpArealformålOmråde or RpArealformålOmråde layer; layers in the file are: "
                f"{exc.details.get('layers', layers)} (choose one with --layer NAME)",
                "ambiguous",
                {**exc.details, "layers": exc.details.get("layers", layers), "plan": True},
            ) from None
        raise


def _plan_kommune(path: Path, name: str) -> str | None:
    """The kommunenummer of the file's one ``Arealplan`` (SOSI-GML), or None."""
    from areal.layers.safe_open import open_vector

    try:
        plans = open_vector(path, layer="Arealplan", name=name, read_geometry=False)
    except (InputFileError, EmptyLayerError):
        return None
    plans = _rename(plans)
    if "kommunenummer" not in plans.columns:
        return None
    values = plans["kommunenummer"].dropna().astype(str).str.strip().unique()
    return str(values[0]) if len(values) == 1 else None


def read_plan(
    path: str | os.PathLike,
    *,
    kommune: str | None = None,
    layer: str | None = None,
    name: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the arealformål areas of a plan into the columns of :func:`areal.geo.plan_account.check_plan`.

    Parameters
    ----------
    path : path-like
        GML, SOSI, GeoPackage, GeoJSON (also an OGC API Features response), Shapefile, or a zip of one.
    kommune : str, optional
        Municipality number for areas that carry none (and the only one kept when they do).
    layer : str, optional
        Layer to read; default the ``KpArealformålOmråde`` / ``RpArealformålOmråde`` layer, else the
        file's one polygon layer.
    name : str, optional
        How the file is named in messages (the upload name in the app).

    Returns
    -------
    GeoDataFrame
        ``arealformal``, ``arealbruksstatus`` (NA for a regulation plan), ``kommunenummer``,
        ``planidentifikasjon``, ``omradenavn``, geometry; in the file's CRS (the account
        reprojects). ``attrs["input"]`` says format and layer; ``attrs["kind"]`` is ``"kp"`` or ``"rp"``.

    Raises
    ------
    InputFileError, InputGeometryError
        One line naming the file and the problem (a missing column names the columns present).
    """
    p = Path(path)
    name = name or str(p)
    try:
        gdf = _open(p, name, layer)
    except EmptyLayerError as exc:
        raise InputGeometryError(str(exc)) from None
    info = dict(gdf.attrs.get("input", {}))
    if gdf.crs is None:
        raise InputGeometryError(f"{name}: the plan has no CRS (cannot place its areas)")
    gdf = _rename(_nested_plan_id(gdf))
    if "arealformal" not in gdf.columns:
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        raise InputGeometryError(
            f"{name}: no arealformål column (arealformål, KPAREALFORMÅL, RPAREALFORMÅL); columns present: {cols}"
        )
    kind = (
        "rp"
        if (info.get("layer") or "").startswith("Rp") or any(_fold(c) == "rparealformal" for c in gdf.columns)
        else "kp"
    )
    out = gpd.GeoDataFrame(
        {
            "arealformal": gdf["arealformal"].map(lambda v: _code(v, _NAMES)).astype("string"),
            "arealbruksstatus": (
                gdf["arealbruksstatus"].map(lambda v: _code(v, _STATUS_NAMES)).astype("string")
                if "arealbruksstatus" in gdf.columns
                else pd.Series(pd.NA, index=gdf.index, dtype="string")
            ),
            "kommunenummer": (
                gdf["kommunenummer"].map(lambda v: pd.NA if pd.isna(v) else str(v).strip()).astype("string")
                if "kommunenummer" in gdf.columns
                else pd.Series(pd.NA, index=gdf.index, dtype="string")
            ),
            "planidentifikasjon": gdf.get("planidentifikasjon", pd.Series(pd.NA, index=gdf.index)).astype(
                "string"
            ),
            "omradenavn": gdf.get("omradenavn", pd.Series(pd.NA, index=gdf.index)).astype("string"),
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    knr = out["kommunenummer"].str.replace(r"\.0$", "", regex=True).str.zfill(4)
    if knr.isna().any() and info.get("format") == "gml":
        from_plan = _plan_kommune(p, name)
        if from_plan is not None:
            knr = knr.fillna(from_plan)
    if kommune is not None:
        kommune = str(kommune).strip()
        valid = knr.str.fullmatch(r"\d{4}").fillna(False).astype(bool)
        present = set(knr[valid]) - {kommune}
        if present and not knr.isin([kommune]).any() and valid.all():
            raise InputGeometryError(
                f"{name}: no area of municipality {kommune}; the plan holds {', '.join(sorted(present))}"
            )
        # areas of other municipalities are left out; areas without a (valid) number get the given one
        out = out[(~valid | (knr == kommune)).to_numpy()].copy()
        knr = pd.Series(kommune, index=out.index, dtype="string")
    out["kommunenummer"] = knr
    out.attrs["input"] = info
    out.attrs["kind"] = kind
    return out.reset_index(drop=True)


__all__ = ["AREALBRUKSSTATUS", "KP_AREALFORMAL", "read_plan"]
