"""Arealregnskap for a kommuneplan: one use case for ``areal plan-account``, the app's view and the PDF.

Reads the two plans (:func:`areal.layers.plan_files.read_plan`), loads what lies there now from the
data directory — AR5 (1:5 000) where present, else N50 Arealdekke (1:50 000), else N1000
(1:1 000 000), each only where the finer ones do not reach — and computes the account
(:func:`areal.geo.plan_account.plan_account`). The writers (CSV, XLSX, PDF) and the tables the
app shows are built here from the same :class:`PlanAccountResult`, so the CLI, the app and the PDF
give the same hectares.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.apps import formatting as fmt
from areal.geo.plan_account import (
    LAND_CLASSES,
    NOT_MAPPED,
    TABLES,
    Note,
    PlanAccount,
    ar5_land_classes,
    combine_land_sources,
    n50_land_classes,
    n1000_land_classes,
    plan_account,
)
from areal.layers._base import LayerSpec, Source
from areal.layers.plan_files import AREALBRUKSSTATUS, KP_AREALFORMAL, read_plan

#: N50 Arealdekke in the data directory (not a catalogue layer: only the plan account uses it, and
#: the extract here covers east Trondheim only).
N50_AREALDEKKE = LayerSpec(
    id="n50_arealdekke",
    title_nb="N50 Arealdekke",
    title_en="N50 land cover",
    theme="landcover",
    kind="vector",
    geometry_type="Polygon",
    publisher="Kartverket",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    vintage="before 2023",
    attribution="© Kartverket, N50 Arealdekke (CC BY 4.0)",
    source=Source(patterns=("landuse/n50_arealdekke_*.gpkg",), layer="arealdekke_all"),
    columns={"objtype": "str"},
    notes="Derived extract of east Trondheim (Ranheim–Vikhammer); DyrketMark = cultivated land.",
)


@dataclass(frozen=True)
class LandSource:
    """One land-class source as the account used it."""

    id: str  # "AR5", "N50", "N1000"
    scale: str
    attribution: str
    ha: float


SOURCE_INFO: Mapping[str, tuple[str, str]] = {
    "AR5": ("1:5 000", "© NIBIO, AR5 (CC BY 4.0)"),
    "N50": ("1:50 000", N50_AREALDEKKE.attribution),
    "N1000": ("1:1 000 000", "© Kartverket, N1000 (CC BY 4.0)"),
}

LAND_TITLES: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "fulldyrka": "Fulldyrka jord",
        "overflatedyrka": "Overflatedyrka jord",
        "innmarksbeite": "Innmarksbeite",
        "dyrka_mark": "Dyrka mark (N50)",
        "skog_saers_hoy": "Skog, særs høy bonitet",
        "skog_hoy": "Skog, høy bonitet",
        "skog_middels": "Skog, middels bonitet",
        "skog_lav": "Skog, lav bonitet",
        "skog_impediment": "Skog, impediment",
        "skog_hoy_saers_hoy": "Skog, høy og særs høy bonitet",
        "skog_produktiv": "Skog, produktiv",
        "skog_uten_bonitet": "Skog uten bonitet",
        "myr": "Myr",
        "apen_fastmark": "Åpen fastmark",
        "bebygd": "Bebygd",
        "samferdsel": "Samferdsel",
        "vann_is": "Vann, snø og is",
        "annet": "Annet",
        NOT_MAPPED: "Ikke kartlagt",
        "sum": "Sum",
    },
    "en": {
        "fulldyrka": "Fully cultivated land",
        "overflatedyrka": "Surface-cultivated land",
        "innmarksbeite": "Infield pasture",
        "dyrka_mark": "Cultivated land (N50)",
        "skog_saers_hoy": "Forest, very high site index",
        "skog_hoy": "Forest, high site index",
        "skog_middels": "Forest, medium site index",
        "skog_lav": "Forest, low site index",
        "skog_impediment": "Forest, unproductive",
        "skog_hoy_saers_hoy": "Forest, high and very high site index",
        "skog_produktiv": "Forest, productive",
        "skog_uten_bonitet": "Forest without site index",
        "myr": "Mire",
        "apen_fastmark": "Open firm ground",
        "bebygd": "Built-up",
        "samferdsel": "Transport",
        "vann_is": "Water, snow and ice",
        "annet": "Other",
        NOT_MAPPED: "Not mapped",
        "sum": "Total",
    },
}
TABLE_TITLES: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "reserve_current": "Arealreserve i gjeldende plan",
        "reserve_proposed": "Arealreserve i planforslaget",
        "new": "Nytt i planforslaget",
        "returned_lnf": "Tilbakeført til LNF",
        "removed_other": "Tatt ut til andre formål",
        "co2": "CO₂ etter arealklasse",
        "sources": "Kilder",
    },
    "en": {
        "reserve_current": "Plan reserve, current plan",
        "reserve_proposed": "Plan reserve, proposed plan",
        "new": "New in the proposed plan",
        "returned_lnf": "Returned to LNF",
        "removed_other": "Removed to other purposes",
        "co2": "CO₂ by land class",
        "sources": "Sources",
    },
}
_TEXT = {
    "nb": {
        "title": "Arealregnskap for kommuneplanens arealdel",
        "purpose": "Arealformål",
        "unit": "Hektar (ha), EPSG:25833. Arealreserve: områder med arealbruksstatus {status}.",
        "current": "Gjeldende plan",
        "proposed": "Planforslag",
        "kommune": "Kommune",
        "all": "Alle kommuner",
        "land_source": "Arealklasser (hva som ligger der i dag)",
        "not_mapped": "ikke kartlagt (ingen kilde dekker)",
        "factor": "Faktor (t CO₂/ha)",
        "no_factor": "ingen faktor",
        "empty": "Ingen arealer.",
        "made": "Laget {date} med areal plan-account.",
        "class": "Arealklasse",
        "t": "t CO₂",
        "note": "Merk",
        "co2_note": "Tall i parentes: hektar av en arealklasse uten utslippsfaktor (ikke regnet med i t CO₂). "
        "Faktorer: data/emission_factors.toml (engangsutslipp ved nedbygging).",
    },
    "en": {
        "title": "Land account (arealregnskap) of the municipal master plan",
        "purpose": "Land-use purpose",
        "unit": "Hectares (ha), EPSG:25833. Plan reserve: areas with land-use status {status}.",
        "current": "Current plan",
        "proposed": "Proposed plan",
        "kommune": "Municipality",
        "all": "All municipalities",
        "land_source": "Land classes (what lies there now)",
        "not_mapped": "not mapped (no source covers it)",
        "factor": "Factor (t CO₂/ha)",
        "no_factor": "no factor",
        "empty": "No areas.",
        "made": "Made {date} with areal plan-account.",
        "class": "Land class",
        "t": "t CO₂",
        "note": "Note",
        "co2_note": "Figures in brackets: hectares of a land class without an emission factor (not counted in "
        "t CO₂). Factors: data/emission_factors.toml (one-off release on conversion).",
    },
}


def text(key: str, lang: str = "nb") -> str:
    """A fixed phrase of the account's outputs."""
    return _TEXT.get(lang, _TEXT["nb"])[key]


_NOTES = {
    "nb": {
        "plan_overlap": "{what}: {area} der planens områder overlapper er telt én gang (for området med "
        "reservestatus, deretter lavere arealformålskode)",
        "land_overlap": "{what}: {area} der arealklassene overlapper er telt én gang (bebygd, så jordbruk, "
        "myr, skog og annet først)",
        "repaired": "{what}: {n} ugyldige polygoner reparert",
        "n1000_missing": "N1000 mangler {layers}",
        "rp_codes": "{what}: en reguleringsplan (RpArealformålOmråde); arealformålskodene er ikke kommuneplankoder",
        "land": "arealklassene",
    },
    "en": {
        "plan_overlap": "{what}: {area} where the plan's areas overlap counted once (for the area with reserve "
        "status, then the lower land-use code)",
        "land_overlap": "{what}: {area} where the land classes overlap counted once (built-up, then farmland, "
        "mire, forest and others first)",
        "repaired": "{what}: {n} invalid polygon(s) repaired",
        "n1000_missing": "N1000 without {layers}",
        "rp_codes": "{what}: a regulation plan (RpArealformålOmråde); its land-use codes are not master-plan codes",
        "land": "land classes",
    },
}


def _small_area(m2: float, lang: str) -> str:
    if m2 < 1000:
        return f"{fmt.number(m2, 4 if m2 < 1 else 1, lang)}{fmt.NBSP if lang != 'en' else ' '}m²"
    return fmt.area_m2_auto(m2, lang)


def note_text(note: str, lang: str = "nb") -> str:
    r"""A note of the account in ``lang`` (a plain string note is shown as it is).

    >>> from areal.geo.plan_account import Note
    >>> note_text(Note("x", "plan_overlap", what="kpa.gml", m2=0.0067), "nb")
    'kpa.gml: 0,0067\xa0m² der planens områder overlapper er telt én gang (for området med reservestatus, deretter lavere arealformålskode)'
    """
    kind = getattr(note, "kind", None)
    t = _NOTES.get(lang, _NOTES["nb"])
    if kind not in t:
        return str(note)
    v = dict(note.values)
    v["what"] = v.get("what") or t["land"]
    if "m2" in v:
        v["area"] = _small_area(float(v["m2"]), lang)
    return t[kind].format(**v)


def formal_title(code: str, lang: str = "nb") -> str:
    """``"1300 Næringsbebyggelse"``; a code outside the list as ``"1169 arealformål 1169"``.

    >>> formal_title("1300"), formal_title("sum")
    ('1300 Næringsbebyggelse', 'Sum')
    """
    if code == "sum":
        return LAND_TITLES[lang]["sum"]
    name = KP_AREALFORMAL.get(code)
    return (
        f"{code} {name}"
        if name
        else f"{code} ({'arealformål' if lang == 'nb' else 'land-use purpose'} {code})"
    )


@dataclass
class PlanAccountResult:
    """An account with what it was made from (plan names, land sources, municipality names)."""

    account: PlanAccount
    current_name: str
    proposed_name: str
    kommune: str | None = None
    land_sources: list[LandSource] = field(default_factory=list)
    municipality_names: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def municipalities(self) -> list[str]:
        """The municipalities of the account, sorted."""
        return self.account.municipalities

    def municipality_title(self, knr: str | None, lang: str = "nb") -> str:
        """``"Trondheim (5001)"``; ``None`` is all municipalities together."""
        if knr is None:
            return text("all", lang)
        name = self.municipality_names.get(knr)
        return f"{name} ({knr})" if name else f"{text('kommune', lang)} {knr}"

    def provenance(self, lang: str = "nb") -> str:
        """One line naming the land-class sources, their scale and how much each covers."""
        parts = []
        for s in self.land_sources:
            if s.id == NOT_MAPPED:
                if s.ha < 0.005:  # slivers along polygon edges, not a gap in the map
                    continue
                parts.append(f"{fmt.area_ha(s.ha, lang)} {text('not_mapped', lang)}")
            else:
                # slivers where a coarser map fills gaps between the finer one's polygons
                ha = (
                    fmt.area_ha(s.ha, lang)
                    if s.ha >= 0.005
                    else ("under 0,01 ha" if lang == "nb" else "under 0.01 ha")
                )
                parts.append(f"{s.id} ({s.scale}, {s.attribution}) {ha}")
        return f"{text('land_source', lang)}: " + "; ".join(parts)

    def to_dict(self) -> dict:
        """The figures as plain data (for ``--json`` and the app)."""
        acc = self.account
        out = {
            "current": self.current_name,
            "proposed": self.proposed_name,
            "reserve_status": list(acc.reserve_status),
            "municipalities": {k: self.municipality_names.get(k, "") for k in self.municipalities},
            "land_sources": [s.__dict__ for s in self.land_sources],
            "tables": {},
            "co2_t": {},
            "notes": list(acc.notes),
            "warnings": list(self.warnings),
        }
        for kind in TABLES:
            t = acc.table(kind)
            out["tables"][kind] = {
                f: {c: float(v) for c, v in row.items() if v != 0}
                for f, row in t.iterrows()
                if row.sum() != 0
            }
        co2 = acc.co2()
        for kind in TABLES:
            t = co2[f"{kind}_t"]
            out["co2_t"][kind] = {
                c: float(v) for c, v in t.items() if np.isfinite(v) and co2.loc[c, f"{kind}_ha"] > 0
            }
        return out


# ---------------------------------------------------------------- inputs


def plan_database_recordings(kommune: str) -> tuple[Path, Path] | None:
    """The shipped plan-database recordings (current, proposed) of ``kommune``, or None.

    The live service (``nap.ft.dibk.no``, OGC API Features) needs Norge digitalt credentials;
    the recordings are made-up plans in its schema (``data/plan_database/README.md``).

    >>> [p.name for p in plan_database_recordings("5001")]
    ['kpa_5001_gjeldende.json', 'kpa_5001_forslag.json']
    >>> plan_database_recordings("5035") is None
    True
    """
    import areal.data

    d = Path(areal.data.__file__).parent / "plan_database"
    cur, prop = d / f"kpa_{kommune}_gjeldende.json", d / f"kpa_{kommune}_forslag.json"
    return (cur, prop) if cur.exists() and prop.exists() else None


def _municipality_names(data_dir) -> dict[str, str]:
    from areal.layers import loader

    try:
        munis = loader.load("municipalities", data_dir)
    except Exception:  # noqa: BLE001 - names are a nicety: the numbers are shown without them
        return {}
    return dict(zip(munis["kommunenummer"].astype(str), munis["kommunenavn"].astype(str)))


def _load(spec_or_id, data_dir, use_starter: bool):
    from areal.geo.errors import LayerMissingError
    from areal.layers import loader

    try:
        return loader.load(spec_or_id, data_dir, use_starter=use_starter)
    except LayerMissingError:
        return None


def _window(spec_or_id, data_dir, extent):
    """The layer's rows whose envelope meets ``extent`` only, streamed from its GeoParquet cache.

    AR5 for a county is millions of polygons: only the row groups under the plans are read
    (:meth:`areal.layers.geoparquet.ParquetSource.window`); the cache is built on first use.
    """
    from areal.geo.errors import LayerMissingError
    from areal.layers import loader

    if extent is None or extent.is_empty:
        return _load(spec_or_id, data_dir, False)
    try:
        sources = loader.parquet_sources(spec_or_id, data_dir)
    except LayerMissingError:
        return None
    frames = [f for f in (s.window(tuple(extent.bounds)) for s in sources) if len(f)]
    if not frames:
        return None
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def load_land_classes(
    extent, data_dir: str | os.PathLike | None = None, *, use_starter: bool = True
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """What lies inside ``extent`` now, from AR5, else N50 Arealdekke, else N1000 (each m² from one source).

    Returns
    -------
    (GeoDataFrame, list of str)
        ``land_class``, ``source`` polygons (:func:`areal.geo.plan_account.combine_land_sources`)
        and notes. Absent sources are skipped; where none reaches, the account says "ikke kartlagt".
    """
    frames, notes = [], []
    ar5 = _window("ar5", data_dir, extent)
    if ar5 is not None and len(ar5):
        frames.append(ar5_land_classes(ar5))
    n50 = _window(N50_AREALDEKKE, data_dir, extent)
    if n50 is not None and len(n50):
        frames.append(n50_land_classes(n50))
    n1000 = {
        lid: _load(lid, data_dir, use_starter) for lid in ("built_up", "mire", "forest", "open_land", "lakes")
    }
    present = {k: v for k, v in n1000.items() if v is not None}
    if present:
        frames.append(n1000_land_classes(present))
        if len(present) < len(n1000):
            absent = ", ".join(sorted(set(n1000) - set(present)))
            notes.append(Note(f"N1000 without {absent}", "n1000_missing", layers=absent))
    land, more = combine_land_sources(frames, extent)
    return land, notes + more


def read_plans(
    current, proposed, *, kommune: str | None = None, names: tuple[str | None, str | None] = (None, None)
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, tuple[str, str]]:
    """The two plans as frames (paths are read with :func:`read_plan`; frames pass through)."""
    out, labels = [], []
    for plan, name in zip((current, proposed), names):
        if isinstance(plan, (str, os.PathLike)):
            labels.append(name or Path(plan).name)
            out.append(read_plan(plan, kommune=kommune, name=name or str(plan)))
        else:
            labels.append(name or "plan")
            out.append(plan)
    return out[0], out[1], (labels[0], labels[1])


def compute_plan_account(
    current,
    proposed,
    *,
    kommune: str | None = None,
    data_dir: str | os.PathLike | None = None,
    reserve_status: tuple[str, ...] = ("2",),
    default_status: str | None = None,
    land: gpd.GeoDataFrame | None = None,
    names: tuple[str | None, str | None] = (None, None),
) -> PlanAccountResult:
    """Read (or take) the two plans, load the land classes under them, and account.

    Parameters
    ----------
    current, proposed : path-like or GeoDataFrame
        The plans (files: GML, SOSI, GeoPackage, GeoJSON, plan database JSON).
    kommune : str, optional
        Keep this municipality only; lend it to areas without a number.
    land : GeoDataFrame, optional
        Land classes to use instead of the data directory's (tests, the app's cache).
    names : (str, str), optional
        How the plans are named in messages and outputs (default their file names).
    """
    from areal.layers.project_data import load_emission_factors

    cur, prop, labels = read_plans(current, proposed, kommune=kommune, names=names)
    if kommune is not None:
        cur = cur[cur["kommunenummer"].astype(str) == kommune] if "kommunenummer" in cur else cur
        prop = prop[prop["kommunenummer"].astype(str) == kommune] if "kommunenummer" in prop else prop
    notes: list[str] = []
    if land is None:
        from areal.geo.crs import to_working_crs

        both = [g for g in (cur, prop) if len(g) and g.crs is not None]
        extent = (
            shapely.union_all(
                np.concatenate(
                    [np.asarray(to_working_crs(g, "plan").geometry.make_valid().values) for g in both]
                )
            )
            if both
            else None
        )
        land, notes = load_land_classes(extent, data_dir)
    factors = {c: ef.factor for c, ef in load_emission_factors().factors.items()}
    acc = plan_account(
        cur,
        prop,
        land,
        reserve_status=reserve_status,
        emission_factors=factors,
        names=labels,
        default_status=default_status,
    )
    acc.notes[:0] = notes
    src = acc.sources.set_index("source")["ha"] if len(acc.sources) else pd.Series(dtype=float)
    order = [s for s in ("AR5", "N50", "N1000") if s in src.index] + [
        s for s in src.index if s not in SOURCE_INFO
    ]
    sources = [LandSource(s, *SOURCE_INFO.get(s, ("", "")), float(src[s])) for s in order]
    warnings = []
    for g, label in ((cur, labels[0]), (prop, labels[1])):
        if getattr(g, "attrs", {}).get("kind") == "rp":
            warnings.append(
                f"{label}: a reguleringsplan (RpArealformålOmråde): its arealformål codes are not kommuneplan codes"
            )
    return PlanAccountResult(
        acc, labels[0], labels[1], kommune, sources, _municipality_names(data_dir), warnings
    )


# ---------------------------------------------------------------- tables for people


def display_table(
    result: PlanAccountResult,
    kind: str,
    kommune: str | None = None,
    lang: str = "nb",
    *,
    used_only: bool = True,
) -> pd.DataFrame:
    """One table as the app and the PDF show it: titled rows and columns, numbers as text.

    ``used_only`` drops land-class columns that hold under 0.05 ha (shown as 0,0) in every table
    (the CSV and XLSX keep all).
    """
    t = result.account.table(kind, kommune, totals=True)
    cols = _used_columns(result, kommune) if used_only else list(LAND_CLASSES)
    t = t[[*cols, "sum"]]
    out = pd.DataFrame(
        {text("purpose", lang): [formal_title(i, lang) for i in t.index]}
        | {LAND_TITLES[lang][c]: [fmt.number(v, 1, lang) for v in t[c]] for c in t.columns}
    )
    return out


def _used_columns(result: PlanAccountResult, kommune: str | None) -> list[str]:
    used = set()
    for kind in TABLES:
        s = result.account.table(kind, kommune).sum(axis=0)
        used |= set(s[s >= 0.05].index)  # smaller shows as 0,0: a sliver
    return [c for c in LAND_CLASSES if c in used]


def co2_table(result: PlanAccountResult, kommune: str | None = None, lang: str = "nb") -> pd.DataFrame:
    """Land classes with hectares in any table: factor and t CO₂-eq per table (``ingen faktor`` where none)."""
    co2 = result.account.co2(kommune)
    used = _used_columns(result, kommune)
    rows = []
    for c in used:
        row = {text("class", lang): LAND_TITLES[lang][c]}
        f = co2.loc[c, "factor"]
        row[text("factor", lang)] = fmt.number(f, 0, lang) if np.isfinite(f) else text("no_factor", lang)
        for kind in TABLES:
            ha, t = co2.loc[c, f"{kind}_ha"], co2.loc[c, f"{kind}_t"]
            row[TABLE_TITLES[lang][kind]] = (
                fmt.number(t, 0, lang)
                if np.isfinite(t)
                else (f"({fmt.area_ha(ha, lang)})" if ha > 0 else fmt.number(0, 0, lang))
            )
        rows.append(row)
    total = {text("class", lang): LAND_TITLES[lang]["sum"], text("factor", lang): ""}
    for kind in TABLES:
        total[TABLE_TITLES[lang][kind]] = fmt.number(np.nansum(co2[f"{kind}_t"]), 0, lang)
    rows.append(total)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- writers


def long_frame(result: PlanAccountResult, lang: str = "nb") -> pd.DataFrame:
    """Every table per municipality and land-class source in long form, with titles (the CSV).

    Rows under 0.5 m² (slivers between a finer map's polygons, 0.0000 ha at the CSV's precision) are left out.
    """
    df = result.account.long()
    df = df[df["ha"] >= 0.00005].reset_index(drop=True)
    co2 = result.account.co2()
    factor = co2["factor"]
    df.insert(1, "tabell", df["table"].map(TABLE_TITLES[lang]))
    df.insert(3, "kommunenavn", df["kommunenummer"].map(result.municipality_names).fillna(""))
    df.insert(5, "arealformal_navn", [KP_AREALFORMAL.get(c, "") for c in df["arealformal"]])
    df["arealklasse"] = df["land_class"].map(LAND_TITLES[lang])
    df["co2_t"] = df["ha"] * df["land_class"].map(factor)
    return df


def write_csv(result: PlanAccountResult, path: str | os.PathLike, lang: str = "nb") -> Path:
    """The long table as CSV (UTF-8 with BOM for Excel; ``;`` separated, decimal comma for nb)."""
    p = Path(path)
    df = long_frame(result, lang)
    sep, dec = (";", ",") if lang == "nb" else (",", ".")
    from areal.layers.export import write_csv as write_table

    return write_table(df, p, index=False, sep=sep, decimal=dec, float_format="%.4f", encoding="utf-8-sig")


def _sheet_name(title: str) -> str:
    return "".join(c for c in title if c not in "[]:*?/\\")[:31]


def write_xlsx(result: PlanAccountResult, path: str | os.PathLike, lang: str = "nb") -> Path:
    """One sheet per table (arealformål rows × land-class columns with sums, per municipality and all), CO₂ and sources."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    blocks = [None] + (result.municipalities if len(result.municipalities) > 1 else [])
    for kind in TABLES:
        ws = wb.create_sheet(_sheet_name(TABLE_TITLES[lang][kind]))
        ws.append([TABLE_TITLES[lang][kind]])
        ws["A1"].font = bold
        ws.append([text("unit", lang).format(status=", ".join(_status_names(result, lang)))])
        for knr in blocks:
            ws.append([])
            ws.append(
                [
                    result.municipality_title(
                        knr
                        if knr
                        else (result.municipalities[0] if len(result.municipalities) == 1 else None),
                        lang,
                    )
                ]
            )
            ws.cell(ws.max_row, 1).font = bold
            t = result.account.table(kind, knr, totals=True)
            ws.append([text("purpose", lang), *[LAND_TITLES[lang][c] for c in t.columns]])
            for c in ws[ws.max_row]:
                c.font = bold
            for code, row in t.iterrows():
                ws.append([formal_title(code, lang), *[round(float(v), 4) for v in row]])
                for c in ws[ws.max_row][1:]:
                    c.number_format = "#,##0.0"
        ws.column_dimensions["A"].width = 48
    ws = wb.create_sheet(_sheet_name(TABLE_TITLES[lang]["co2"]))
    co2 = result.account.co2()
    ws.append(
        [
            text("class", lang),
            text("factor", lang),
            *[f"{TABLE_TITLES[lang][k]} (ha)" for k in TABLES],
            *[f"{TABLE_TITLES[lang][k]} (t CO₂)" for k in TABLES],
        ]
    )
    for c in ws[1]:
        c.font = bold
    for cls, row in co2.iterrows():
        ws.append(
            [LAND_TITLES[lang][cls], None if not np.isfinite(row["factor"]) else float(row["factor"])]
            + [round(float(row[f"{k}_ha"]), 4) for k in TABLES]
            + [None if not np.isfinite(row[f"{k}_t"]) else round(float(row[f"{k}_t"]), 1) for k in TABLES]
        )
    ws.column_dimensions["A"].width = 36
    ws = wb.create_sheet(_sheet_name(TABLE_TITLES[lang]["sources"]))
    ws.append([text("current", lang), result.current_name])
    ws.append([text("proposed", lang), result.proposed_name])
    ws.append([result.provenance(lang)])
    for s in result.land_sources:
        ws.append([s.id, s.scale, s.attribution, round(s.ha, 4)])
    for note in result.account.notes + result.warnings:
        ws.append([f"{text('note', lang)}: {note_text(note, lang)}"])
    from areal.layers.export import atomic_path

    p = Path(path)
    with atomic_path(p) as tmp:
        wb.save(tmp)
    return p


def _status_names(result: PlanAccountResult, lang: str) -> list[str]:
    return [f"{s} {AREALBRUKSSTATUS[s].lower()}" for s in result.account.reserve_status]


def render_pdf(result: PlanAccountResult, lang: str = "nb") -> bytes:
    """The account as a PDF (A4 landscape): the four tables and CO₂ per municipality, and the provenance line."""
    from areal.apps.report import _fonts
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer

    font, bold = _fonts()
    styles = getSampleStyleSheet()
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontName=bold, fontSize=15)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontName=bold, fontSize=11)
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName=font, fontSize=8.5, leading=11)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.2 * cm,
        title=text("title", lang),
    )
    story = [
        Paragraph(text("title", lang), h1),
        Paragraph(
            f"{text('current', lang)}: {_esc(result.current_name)} · {text('proposed', lang)}: {_esc(result.proposed_name)}",
            body,
        ),
        Paragraph(text("unit", lang).format(status=", ".join(_status_names(result, lang))), body),
        Paragraph(_esc(result.provenance(lang)), body),
    ]
    for note in result.account.notes + result.warnings:
        story.append(Paragraph(_esc(f"{text('note', lang)}: {note_text(note, lang)}"), body))
    blocks = (
        result.municipalities
        if len(result.municipalities) > 1
        else [result.municipalities[0]]
        if result.municipalities
        else []
    )
    if len(result.municipalities) > 1:
        blocks = [None, *blocks]
    for n, knr in enumerate(blocks):
        if n:
            story.append(PageBreak())
        story.append(Spacer(1, 0.3 * cm))
        story.append(Paragraph(_esc(result.municipality_title(knr, lang)), h1))
        # a heading stays on the page of its table
        for kind in TABLES:
            t = display_table(result, kind, knr, lang)
            content = _pdf_table(t, font, bold) if len(t) > 1 else Paragraph(text("empty", lang), body)
            story.append(KeepTogether([Paragraph(TABLE_TITLES[lang][kind], h2), content]))
        story.append(
            KeepTogether(
                [
                    Paragraph(TABLE_TITLES[lang]["co2"], h2),
                    _pdf_table(co2_table(result, knr, lang), font, bold),
                    Paragraph(text("co2_note", lang), body),
                ]
            )
        )
    story.append(Spacer(1, 0.4 * cm))
    story.append(Paragraph(text("made", lang).format(date=date.today().isoformat()), body))
    doc.build(story)
    return buf.getvalue()


def _pdf_table(df: pd.DataFrame, font: str, bold: str):
    """The report's table style, left-aligned, with the sum row in bold."""
    from areal.apps.report import _table
    from reportlab.platypus import TableStyle

    tbl = _table(df, font, bold)
    tbl.hAlign = "LEFT"
    tbl.setStyle(TableStyle([("FONTNAME", (0, -1), (-1, -1), bold)]))
    return tbl


def _esc(s: str) -> str:
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_outputs(result: PlanAccountResult, out_dir: str | os.PathLike, lang: str = "nb") -> list[Path]:
    """``arealregnskap.csv``, ``arealregnskap.xlsx`` and ``arealregnskap.pdf`` in ``out_dir``."""
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    pdf = d / "arealregnskap.pdf"
    from areal.layers.export import atomic_path

    data = render_pdf(result, lang)  # rendered in memory first, then moved into place whole
    with atomic_path(pdf) as tmp:
        tmp.write_bytes(data)
    return [
        write_csv(result, d / "arealregnskap.csv", lang),
        write_xlsx(result, d / "arealregnskap.xlsx", lang),
        pdf,
    ]


__all__ = [
    "LAND_TITLES",
    "PlanAccountResult",
    "TABLE_TITLES",
    "co2_table",
    "compute_plan_account",
    "display_table",
    "formal_title",
    "note_text",
    "text",
    "load_land_classes",
    "plan_database_recordings",
    "long_frame",
    "render_pdf",
    "write_csv",
    "write_outputs",
    "write_xlsx",
]
