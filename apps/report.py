"""PDF reports for the council: map, land account, conflicts, indicators, suitability, method.

Rendered offline: the map is drawn with matplotlib from the local layers (EPSG:25833), the PDF is
laid out with reportlab. Sections whose data are not passed in say *ikke tilgjengelig* and what to
run to get them, so a report never shows a made-up figure.

The builders (:func:`municipality_report`, :func:`site_report`) gather the inputs from the local
layers; :func:`render_report` only draws what it is given (conflict, indicator and suitability
results are passed in by the caller when those engines have run).
"""

from __future__ import annotations

import io
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from areal.apps.formatting import number
from areal.apps.labels import (
    column_titles,
    criterion_label,
    indicator_title,
    layer_title,
    localise_note,
    not_available,
    unit_title,
    vintage_text,
)
from areal.geo.land_account import COUNTY_ID

#: Layers drawn on report maps, bottom to top.
MAP_LAYERS = (
    "open_land",
    "forest",
    "mire",
    "lakes",
    "built_up",
    "ar5",
    "reindeer_pasture_outline",
    "reindeer_pastures",
    "wild_reindeer",
    "national_parks",
    "protected_areas",
    "business_areas",
)

TEXT = {
    "nb": {
        "title_muni": "Arealrapport for {name}",
        "title_site": "Arealrapport for område: {name}",
        "title_scenario": "Arealrapport for scenario: {name}",
        "made": "Laget {date} med Arealkart Trøndelag (areal). Koordinatsystem EPSG:25833 (EUREF89 UTM sone 33N).",
        "map": "Kart",
        "credits": "Kilder for kartlagene",
        "account": "Arealregnskap",
        "class": "Klasse",
        "county": "Trøndelag",
        "area": "Areal (ha)",
        "conflicts": "Arealkonflikter med lovgrunnlag",
        "indicators": "Indikatorer (med fylkesmedian)",
        "suitability": "Egnethet",
        "weights": "Vekter",
        "cr": "Konsistensratio (CR)",
        "cr_none": "ikke relevant (vektene er satt direkte, ikke med AHP)",
        "method": "Metode",
        "missing": "Manglende lag",
        "provenance": "Datagrunnlag (kilder, versjon, sjekksum, lisens, målestokk)",
        "na": "Ikke tilgjengelig",
        "na_conflicts": "Konfliktanalysen er ikke kjørt for denne rapporten. Kjør konfliktmotoren "
        "(`areal conflicts`, geo.conflicts.find_conflicts) og send resultatet med rapporten.",
        "na_indicators": "Indikatorene er ikke beregnet for denne rapporten. Kjør `areal indicators` og send "
        "resultatet med rapporten.",
        "na_suitability": "Egnethetsanalysen er ikke kjørt for denne rapporten. Kjør `areal suitability` med en "
        "profil og send resultatet med rapporten.",
        "legend_focus": "Rapportområde",
        "north": "N",
        "median": "Fylkesmedian",
        "value": "Verdi",
        "indicator": "Indikator",
        "rank": "Rangering",
        "criterion": "Kriterium",
        "profile": "Profil",
        "note": "Merk",
        "method_text": (
            "Arealene er beregnet i EPSG:25833 ved å skjære hvert arealklasselag med kommunepolygonene "
            "(landareal, Kartverket 2024). Lag som kan overlappe (verneområder og nasjonalparker, villreinområder, "
            "reinbeiter, næringsområder) er slått sammen først, slik at overlapp telles én gang. Fylkestallet er "
            "beregnet mot unionen av kommunene, og summen av kommunene er kontrollert mot det (±0,1 %). "
            "Framtidig eller foreslått næringsareal fordeles i rekkefølgen utbygd areal (N1000 tettbebyggelse, "
            "AR5 11/12, nåværende næringsareal), jordbruksareal (AR5 21–23, ellers AR50 eller N50 dyrket mark; "
            "kilde og målestokk står i merknadene), myr, skog og annen natur; hver "
            "kvadratmeter telles én gang. CO₂-utslipp ved omdisponering er arealet ganger utslippsfaktorene i "
            "data/emission_factors.toml (veiledende tall med kilde). N1000 er i målestokk 1:1 000 000 og egner "
            "seg for oversikt, ikke for enkelttomter. Et lag som mangler gir «ikke tilgjengelig», aldri 0."
        ),
    },
    "en": {
        "title_muni": "Land report for {name}",
        "title_site": "Land report for site: {name}",
        "title_scenario": "Land report for scenario: {name}",
        "made": "Made {date} with Arealkart Trøndelag (areal). Coordinate system EPSG:25833 (EUREF89 UTM zone 33N).",
        "map": "Map",
        "credits": "Sources of the map layers",
        "account": "Land account",
        "class": "Class",
        "county": "Trøndelag",
        "area": "Area (ha)",
        "conflicts": "Land-use conflicts with legal basis",
        "indicators": "Indicators (with county median)",
        "suitability": "Suitability",
        "weights": "Weights",
        "cr": "Consistency ratio (CR)",
        "cr_none": "not applicable (weights set directly, not by AHP)",
        "method": "Method",
        "missing": "Missing layers",
        "provenance": "Data used (sources, vintage, checksum, licence, scale)",
        "na": "Not available",
        "na_conflicts": "The conflict analysis was not run for this report. Run the conflict engine "
        "(`areal conflicts`, geo.conflicts.find_conflicts) and pass its result.",
        "na_indicators": "Indicators were not computed for this report. Run `areal indicators` and pass the result.",
        "na_suitability": "The suitability analysis was not run for this report. Run `areal suitability` with a "
        "profile and pass the result.",
        "legend_focus": "Report area",
        "north": "N",
        "median": "County median",
        "value": "Value",
        "indicator": "Indicator",
        "rank": "Rank",
        "criterion": "Criterion",
        "profile": "Profile",
        "note": "Note",
        "method_text": (
            "Areas are computed in EPSG:25833 by intersecting each class layer with the municipality land "
            "polygons (Kartverket 2024). Layers that may overlap are dissolved first so overlaps count once. The "
            "county total is computed against the union of the municipalities and the municipal sums are checked "
            "against it (±0.1 %). Planned or proposed business land is attributed in the order developed land, "
            "farmland, mire, forest, other nature; each square metre once. CO₂ of conversion = area × the "
            "emission factors in data/emission_factors.toml (indicative, sourced). N1000 is 1:1 000 000: an "
            "overview, not parcel data. A missing layer gives 'not available', never 0."
        ),
    },
}


@dataclass
class Suitability:
    """Suitability result to print: profile, weights, consistency ratio and a result table."""

    profile: str
    weights: Mapping[str, float]
    consistency_ratio: float | None = None
    table: pd.DataFrame | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ReportInputs:
    """Everything a report shows.

    Attributes
    ----------
    kind : {"municipality", "site", "scenario"}
    name : str
        Municipality name, site file name or scenario name (in the title).
    focus : GeoDataFrame
        The area the report is about (outlined on the map, frames the map).
    map_layers : dict
        Layer id -> frame to draw (only the part in view is drawn).
    attributions : dict
        Layer id -> credit line; every layer drawn must have one.
    account : DataFrame
        Rows of the land-account table: first column the class label, then value columns.
    conflicts, indicators : DataFrame, optional
        Conflict table (with a legal-basis column) and indicator table (with the county median).
    suitability : Suitability or list of Suitability, optional
    na_reasons : dict
        Section (``"conflicts"``, ``"indicators"``, ``"suitability"``) -> why it is not available
        and what to run (replaces the generic text).
    missing : list of str
        Missing-layer messages.
    notes : list of str
    provenance : DataFrame, optional
        The datasets used (:func:`areal.layers.provenance.manifest`): a section of the PDF.
    subtitle : str
        A line under the title (where the site came from).
    """

    kind: str
    name: str
    focus: gpd.GeoDataFrame
    map_layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    attributions: dict[str, str] = field(default_factory=dict)
    account: pd.DataFrame | None = None
    conflicts: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    suitability: Suitability | list[Suitability] | None = None
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    na_reasons: dict[str, str] = field(default_factory=dict)
    provenance: pd.DataFrame | None = None
    subtitle: str = ""


# ---------------------------------------------------------------- formatting


def fmt(value, digits: int = 1, lang: str = "nb") -> str:
    r"""A report figure: :func:`areal.apps.formatting.number`, text passed through, no value spelled out.

    >>> fmt(93829.04), fmt(float("nan"))
    ('93\xa0829,0', 'ikke tilgjengelig')
    """
    if isinstance(value, str):
        return value
    return number(value, digits, lang, missing=not_available(lang))


def _digits(col: str) -> int:
    return 3 if col.endswith("_share") else (0 if col.endswith("_co2_t") else 1)


# ---------------------------------------------------------------- map


def _nice_length(width_m: float) -> float:
    target = width_m / 4
    exp = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * exp <= target:
            return m * exp
    return exp


def _style(layer_id: str):
    from areal.layers import registry

    s = registry.get(layer_id).style
    return s.fill_color or s.color, s.color, registry.get(layer_id).title_nb


#: The base map under the report's layers, drawn from the N1000 layers the offline map uses:
#: id -> (kind, face colour, edge colour, line width). Land is the paper colour.
BASE_STYLE: Mapping[str, tuple[str, str, str, float]] = {
    "sea": ("fill", "#b3d4ea", "#7fb0d3", 0.3),
    "forest": ("fill", "#dcebd0", "none", 0.0),
    "lakes": ("fill", "#b3d4ea", "#7fb0d3", 0.2),
    "rivers": ("line", "none", "#7fb0d3", 0.4),
    "built_up": ("fill", "#e8c9c0", "#c99a8c", 0.3),
    "railway": ("line", "none", "#444444", 0.8),
    "roads": ("line", "none", "#e07b39", 0.6),
}
BASE_LAYERS = tuple(BASE_STYLE) + ("municipalities", "stations")
"""Layers :func:`base_layers` loads for the report map (with the starter extract as fallback)."""

_PAPER = "#f6f4ee"


def base_layers(data_dir=None) -> dict[str, gpd.GeoDataFrame]:
    """The N1000 context layers of the report map (sea, water, roads, built-up, names), as available."""
    from areal.apps.planner.data import AppData

    return dict(AppData.load(data_dir, only=list(BASE_LAYERS)).layers)


def _in_view(gdf: gpd.GeoDataFrame | None, view) -> gpd.GeoDataFrame | None:
    if gdf is None or len(gdf) == 0:
        return None
    part = gdf.iloc[gdf.sindex.query(view, predicate="intersects")]
    if len(part) == 0:
        return None
    return part.set_geometry(shapely.intersection(np.asarray(part.geometry.values, dtype=object), view))


def draw_map(
    inputs: ReportInputs, lang: str = "nb", when: date | None = None, size=(7.0, 6.2)
) -> tuple[bytes, list[str]]:
    """The report map: PNG bytes and the ids of the layers drawn (for the source credits).

    A base map of the N1000 layers (sea, forest, lakes, rivers, built-up, railway, roads; roads
    by category), the report's thematic layers over it, municipality borders and names, station
    names, the focus outline, a legend, a scale bar, a (grid) north arrow, the CRS and the date.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.patheffects as pe
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    t = TEXT[lang]
    when = when or date.today()
    x0, y0, x1, y1 = inputs.focus.total_bounds
    pad = max((x1 - x0), (y1 - y0)) * 0.25 + 2000
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    # the frame keeps the figure's aspect, so the map fills it
    aspect = size[0] / size[1]
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (w / aspect - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    view = shapely.box(x0, y0, x1, y1)
    fig, ax = plt.subplots(figsize=size, dpi=150)
    ax.set_facecolor(_PAPER)
    handles = []
    drawn = []
    layers = inputs.map_layers
    for lid, (kind, face, edge, lw) in BASE_STYLE.items():
        part = _in_view(layers.get(lid), view)
        if part is None:
            continue
        if lid == "roads" and "vegkategori" in part.columns:  # main roads wider
            main = part["vegkategori"].astype(str).isin(["E", "R"])
            part[~main].plot(ax=ax, color=edge, linewidth=lw, zorder=2)
            part[main].plot(ax=ax, color="#c0392b", linewidth=lw * 2.2, zorder=2)
        elif kind == "line":
            part.plot(ax=ax, color=edge, linewidth=lw, zorder=2, linestyle="-" if lid != "railway" else "--")
        else:
            part.plot(ax=ax, color=face, edgecolor=edge, linewidth=lw, zorder=1)
        title = _style(lid)[2] if lang != "en" else _title_en(lid)
        handles.append(
            Line2D([], [], color=edge, linewidth=max(lw * 2, 1.2), label=title)
            if kind == "line"
            else Patch(facecolor=face, edgecolor=edge if edge != "none" else face, label=title)
        )
        drawn.append(lid)
    for lid in MAP_LAYERS:
        part = _in_view(layers.get(lid), view)
        if part is None or lid in BASE_STYLE:
            continue
        fill, edge, title = _style(lid)
        part.plot(ax=ax, color=fill, edgecolor=edge, linewidth=0.3, alpha=0.45, zorder=3)
        handles.append(
            Patch(facecolor=fill, edgecolor=edge, alpha=0.45, label=title if lang != "en" else _title_en(lid))
        )
        drawn.append(lid)
    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    munis = layers.get("municipalities")
    if munis is not None:
        part = munis.iloc[munis.sindex.query(view, predicate="intersects")]
        if len(part):
            part.boundary.plot(ax=ax, color="#616161", linewidth=0.7, linestyle=(0, (4, 2)), zorder=4)
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#616161",
                    linestyle="--",
                    label=_style("municipalities")[2] if lang != "en" else _title_en("municipalities"),
                )
            )
            drawn.append("municipalities")
            clipped = _in_view(part, view.buffer(-0.06 * (x1 - x0)))
            names = [] if clipped is None else clipped[~clipped.geometry.is_empty]
            for name, pt in zip(
                [] if clipped is None else names["kommunenavn"],
                [] if clipped is None else shapely.point_on_surface(names.geometry.values),
            ):
                if view.buffer(-0.04 * (x1 - x0)).contains(pt):
                    ax.text(
                        pt.x,
                        pt.y,
                        str(name).upper(),
                        fontsize=6.5,
                        color="#424242",
                        ha="center",
                        va="center",
                        zorder=6,
                        path_effects=halo,
                        fontweight="bold",
                    )
    stations = _in_view(layers.get("stations"), view)
    if stations is not None and "navn" in stations.columns:
        for name, geom in zip(stations["navn"], stations.geometry.values):
            if geom is None or geom.is_empty or not isinstance(name, str):
                continue
            pt = shapely.point_on_surface(geom)
            ax.plot(pt.x, pt.y, marker="s", markersize=2.5, color="#222222", zorder=6)
            ax.text(
                pt.x + (x1 - x0) * 0.008,
                pt.y,
                name,
                fontsize=5.5,
                color="#222222",
                va="center",
                zorder=6,
                path_effects=halo,
            )
        drawn.append("stations")
    inputs.focus.boundary.plot(ax=ax, color="white", linewidth=3.4, zorder=7)
    inputs.focus.boundary.plot(ax=ax, color="#d50000", linewidth=1.6, zorder=8)
    handles.append(Patch(facecolor="none", edgecolor="#d50000", linewidth=1.6, label=t["legend_focus"]))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")  # geopandas names the CRS axes in English
    ax.set_ylabel("")
    # scale bar (lower left), in m or km with the language's number format
    length = _nice_length(x1 - x0)
    bx, by = x0 + (x1 - x0) * 0.05, y0 + (y1 - y0) * 0.06
    hh = (y1 - y0) * 0.012
    ax.add_patch(Rectangle((bx, by), length / 2, hh, facecolor="black", edgecolor="black", zorder=9))
    ax.add_patch(
        Rectangle((bx + length / 2, by), length / 2, hh, facecolor="white", edgecolor="black", zorder=9)
    )
    label = (
        f"{number(length / 1000, 0 if length % 1000 == 0 else 1, lang)} km"
        if length >= 1000
        else f"{number(length, 0, lang)} m"
    )
    ax.text(
        bx + length / 2,
        by + 2.2 * hh,
        label,
        ha="center",
        va="bottom",
        fontsize=7,
        zorder=9,
        path_effects=halo,
    )
    ax.annotate(
        t["north"],
        xy=(0.95, 0.95),
        xytext=(0.95, 0.85),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        arrowprops=dict(facecolor="black", width=3, headwidth=9, headlength=9),
        zorder=9,
    )
    ax.text(
        0.01,
        0.005,
        f"EPSG:25833 (EUREF89 UTM 33N) · {when.isoformat()}",
        transform=ax.transAxes,
        fontsize=6,
        va="bottom",
        bbox=dict(facecolor="white", alpha=0.8, edgecolor="none", pad=1),
        zorder=9,
    )
    ax.legend(handles=handles, loc="upper left", fontsize=5.5, framealpha=0.9).set_zorder(10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue(), drawn


def _title_en(layer_id: str) -> str:
    from areal.layers import registry

    return registry.get(layer_id).title_en


# ---------------------------------------------------------------- PDF


def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans (shipped with matplotlib) so Norwegian and Sami letters render."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    base = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    try:
        pdfmetrics.getFont("DejaVuSans")
    except KeyError:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(base / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(base / "DejaVuSans-Bold.ttf")))
    return "DejaVuSans", "DejaVuSans-Bold"


#: A cell holding a figure (or the "not available" text / a dash), right-aligned in report tables.
_FIGURE = re.compile(r"^(?:[−-]?[\d\u00a0 ]+(?:,\d+)?(?:\u00a0?%)?|–|-|ikke tilgjengelig|not available|)$")


def _table(df: pd.DataFrame, font: str, bold: str, col_widths=None):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [list(map(str, df.columns))] + [[str(v) for v in row] for row in df.itertuples(index=False)]
    tbl = Table(data, colWidths=col_widths, repeatRows=1)
    # figures right-aligned, words (names, legal bases) left-aligned
    numeric = [
        j for j in range(1, len(df.columns)) if all(_FIGURE.match(str(v)) for v in df.iloc[:, j]) and len(df)
    ]
    tbl.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eaf6")),
                *[("ALIGN", (j, 1), (j, -1), "RIGHT") for j in numeric],
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return tbl


@dataclass(frozen=True)
class PdfStyles:
    """The paragraph styles every PDF of the project uses (body 9 pt, small 7.5 pt, headings)."""

    font: str
    bold: str
    body: object
    small: object
    h1: object
    h2: object


def pdf_styles() -> PdfStyles:
    """The project's PDF paragraph styles, with the fonts that carry Norwegian and Sámi letters."""
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    font, bold = _fonts()
    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontName=font, fontSize=9, leading=12)
    return PdfStyles(
        font,
        bold,
        body,
        ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5),
        ParagraphStyle("h1", parent=ss["Heading1"], fontName=bold, fontSize=16),
        ParagraphStyle("h2", parent=ss["Heading2"], fontName=bold, fontSize=12, spaceBefore=8),
    )


def pdf_escape(s: object) -> str:
    """Text for a reportlab Paragraph (its mini-markup): ``&``, ``<`` and ``>`` escaped."""
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_report(
    inputs: ReportInputs, out: str | os.PathLike, *, lang: str = "nb", when: date | None = None
) -> Path:
    """Write the PDF report of ``inputs`` to ``out`` (atomically) and return the path."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, Spacer

    t = TEXT[lang]
    when = when or date.today()
    st = pdf_styles()
    font, bold, body, small, h1, h2 = st.font, st.bold, st.body, st.small, st.h1, st.h2
    esc = pdf_escape

    title = t[f"title_{'muni' if inputs.kind == 'municipality' else inputs.kind}"].format(name=inputs.name)
    story = [Paragraph(esc(title), h1)]
    if inputs.subtitle:
        story.append(Paragraph(esc(inputs.subtitle), body))
    story.append(Paragraph(esc(t["made"].format(date=when.isoformat())), small))
    story += [Paragraph(t["map"], h2)]
    png, drawn = draw_map(inputs, lang, when)
    story.append(Image(io.BytesIO(png), width=16.5 * cm, height=16.5 * cm * 6.2 / 7.0))
    missing_credit = [lid for lid in drawn if lid not in inputs.attributions]
    if missing_credit:
        raise ValueError(f"report map draws {missing_credit} without a source credit (attributions)")
    credits = [f"{layer_title(lid, lang)}: {inputs.attributions[lid]}" for lid in drawn]
    story.append(Paragraph(f"<b>{t['credits']}:</b> " + esc("; ".join(credits)), small))

    story.append(Paragraph(t["account"], h2))
    if inputs.account is not None and len(inputs.account):
        widths = [7.5 * cm] + [(16.5 - 7.5) * cm / (len(inputs.account.columns) - 1)] * (
            len(inputs.account.columns) - 1
        )
        story.append(_table(inputs.account, font, bold, widths))
    else:
        story.append(Paragraph(t["na"], body))

    story.append(Paragraph(t["conflicts"], h2))
    if inputs.na_reasons.get("conflicts_note") and inputs.conflicts is not None:
        story.append(Paragraph(esc(inputs.na_reasons["conflicts_note"]), body))
    if inputs.conflicts is not None:
        story.append(_table(inputs.conflicts, font, bold))
    else:
        story.append(
            Paragraph(f"{t['na']}. " + esc(inputs.na_reasons.get("conflicts", t["na_conflicts"])), body)
        )

    story.append(Paragraph(t["indicators"], h2))
    if inputs.indicators is not None:
        story.append(_table(inputs.indicators, font, bold))
    else:
        story.append(
            Paragraph(f"{t['na']}. " + esc(inputs.na_reasons.get("indicators", t["na_indicators"])), body)
        )

    story.append(Paragraph(t["suitability"], h2))
    suits = (
        inputs.suitability
        if isinstance(inputs.suitability, list)
        else ([inputs.suitability] if inputs.suitability is not None else [])
    )
    for s in suits:
        # CR is read against 0,100: three decimals
        cr = fmt(s.consistency_ratio, 3, lang) if s.consistency_ratio is not None else t["cr_none"]
        story.append(Paragraph(esc(f"{t['profile']}: {s.profile}. {t['cr']}: {cr}."), body))
        wt = pd.DataFrame(
            {
                t["criterion"]: [s.labels.get(k, k) for k in s.weights],
                t["weights"]: [fmt(v, 2, lang) for v in s.weights.values()],
            }
        )
        story.append(_table(wt, font, bold))
        if s.table is not None:
            story.append(Spacer(1, 4))
            story.append(_table(s.table, font, bold))
        story.append(Spacer(1, 6))
    if not suits:
        story.append(
            Paragraph(f"{t['na']}. " + esc(inputs.na_reasons.get("suitability", t["na_suitability"])), body)
        )

    if inputs.missing:
        story.append(Paragraph(t["missing"], h2))
        for m in inputs.missing:
            story.append(Paragraph("• " + esc(m), small))
    if inputs.provenance is not None and len(inputs.provenance):
        story.append(Paragraph(t["provenance"], h2))
        story.append(_table(provenance_rows(inputs.provenance, lang), font, bold, PROVENANCE_WIDTHS))
    story.append(Paragraph(t["method"], h2))
    story.append(Paragraph(esc(t["method_text"]), body))
    for note in inputs.notes:
        story.append(Paragraph(f"{t['note']}: " + esc(localise_note(note, lang)), small))

    return write_pdf(story, out, title=title, pagesize=A4, margins_cm=(2.2, 1.8))


def write_pdf(
    story: list, out: str | os.PathLike, *, title: str, pagesize, margins_cm: tuple[float, float]
) -> Path:
    """Lay out a reportlab ``story`` as a PDF at ``out``, atomically (every PDF the program writes).

    ``margins_cm`` is (left and right, top and bottom). The document goes to a temporary file next
    to ``out`` (:func:`areal.layers.export.atomic_path`) that replaces ``out`` when it is complete.
    """
    from areal.layers.export import atomic_path
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    side, top = margins_cm
    with atomic_path(out, ".pdf") as tmp:
        SimpleDocTemplate(
            str(tmp),
            pagesize=pagesize,
            leftMargin=side * cm,
            rightMargin=side * cm,
            topMargin=top * cm,
            bottomMargin=top * cm,
            title=title,
            author="Arealkart Trøndelag",
        ).build(story)
    return Path(out)


# ---------------------------------------------------------------- builders


def _account_rows(values: Mapping[str, Mapping[str, float]], columns: list[str], lang: str) -> pd.DataFrame:
    """Rows 'class label | value per subject' for the columns that exist in every subject."""
    titles = column_titles(lang)
    t = TEXT[lang]
    rows = []
    for col in columns:
        rows.append(
            [titles.get(col, col), *[fmt(v.get(col, np.nan), _digits(col), lang) for v in values.values()]]
        )
    return pd.DataFrame(rows, columns=[t["class"], *values])


def _labels(lang: str) -> dict[str, str]:
    nb = lang != "en"
    return {
        "pair": "Konflikt" if nb else "Conflict",
        "severity": "Grad" if nb else "Severity",
        "ha": "Areal (ha)" if nb else "Area (ha)",
        "basis": "Lovgrunnlag" if nb else "Legal basis",
        "indicator": "Indikator" if nb else "Indicator",
        "unit": "Enhet" if nb else "Unit",
        "value": "Verdi" if nb else "Value",
        "rank": "Rang (av 38)" if nb else "Rank (of 38)",
        "median": "Fylkesmedian" if nb else "County median",
        "site": "Område" if nb else "Site",
        "muni": "Kommune" if nb else "Municipality",
        "score": "Egnethet" if nb else "Score",
        "none": "ingen konflikt funnet" if nb else "no conflict found",
    }


def conflict_rows(result, knr: str | None = None, lang: str = "nb") -> pd.DataFrame:
    """The conflict table: one row per rule that applied (pair, severity, hectares, legal basis).

    With ``knr`` only the pieces in that municipality count. Rules with no overlap are left out;
    when nothing overlaps a single row says so. Rules whose layer is missing or does not cover the
    area follow with "ikke kartlagt" in the hectare column: not mapped is not 0 ha.
    """
    from areal.apps.labels import (
        pair_text,
        pair_title,
        rule_basis,
        rules_by_pair,
        severity_title,
        status_text,
    )

    lab = _labels(lang)
    polys = result.polygons
    if knr is not None:
        polys = polys[polys["kommunenummer"].astype(str) == str(knr)]
    ha = polys.groupby("pair", sort=False)["area_ha"].sum() if len(polys) else pd.Series(dtype=float)
    rows = [
        [
            pair_title(r, lang),
            severity_title(r.severity, lang),
            fmt(float(ha[r.pair]), 1, lang),
            rule_basis(r, lang),
        ]
        for r in result.rules
        if float(ha.get(r.pair, 0.0)) > 0
    ]
    summary = result.summary() if hasattr(result, "summary") else None
    gaps = (
        summary[(summary["status"] == "not_mapped") & summary["area_ha"].isna()]
        if summary is not None and "status" in summary
        else []
    )
    if not rows and not len(gaps):
        rows = [[lab["none"], "", fmt(0.0, 1, lang), ""]]
    by_pair = {**rules_by_pair(), **{r.pair: r for r in result.rules}}
    for _, g in getattr(gaps, "iterrows", lambda: [])():
        rule = by_pair.get(g["pair"])
        rows.append(
            [
                pair_title(rule, lang) if rule else pair_text(g["pair"], lang),
                severity_title(g["severity"], lang),
                status_text("not_mapped", g["reason"], lang),
                rule_basis(rule, lang) if rule else g["basis"],
            ]
        )
    return pd.DataFrame(rows, columns=[lab["pair"], lab["severity"], lab["ha"], lab["basis"]])


PROVENANCE_WIDTHS = [114, 72, 62, 62, 58, 132]
"""Column widths (pt) of the PDF's provenance table: it fits the A4 text width."""
_PROVENANCE_WRAP = [25, 15, 13, 13, 12, 28]


def provenance_rows(prov: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """The provenance table of a PDF: one row per dataset, each checksum shortened to 12 characters."""
    import textwrap

    nb = lang != "en"

    def short(v: str) -> str:
        parts = [p for p in str(v).split("; ") if p]
        return "\n".join(f"{p.split('=')[1][:12]}…" if "=" in p else p for p in parts)

    out = pd.DataFrame(
        {
            ("Datasett" if nb else "Dataset"): (
                prov["dataset"]
                if nb or "layer" not in prov
                else [layer_title(lid, "en") if lid else d for lid, d in zip(prov["layer"], prov["dataset"])]
            ),
            ("Utgiver" if nb else "Publisher"): prov["publisher"],
            ("Versjon, hentet" if nb else "Vintage, fetched"): [
                vintage_text(v, lang) + (f" / {f[:10]}" if f else "")
                for v, f in zip(prov["vintage"], prov["fetched"])
            ],
            ("Lisens" if nb else "Licence"): prov["licence"],
            ("Målestokk" if nb else "Scale"): prov["scale"],
            "SHA-256": [short(v) or ("ikke kartlagt" if nb else "not mapped") for v in prov["sha256"]],
        }
    )
    for col, width in zip(out.columns, _PROVENANCE_WRAP):
        out[col] = out[col].map(
            lambda v, w=width: v if "\n" in str(v) else "\n".join(textwrap.wrap(str(v), w))
        )
    # the headings wrap too (bold type is wider: "Vintage, fetched" ran into "Licence")
    wrap = {
        c: "\n".join(textwrap.wrap(c, w, break_long_words=False))
        for c, w in zip(out.columns, _PROVENANCE_WRAP)
    }
    return out.rename(columns=wrap)


def _para_table(df: pd.DataFrame) -> pd.DataFrame:
    """Wrap long legal-basis text so the PDF table stays inside the page."""
    import textwrap

    out = df.copy()
    for c in out.columns:
        out[c] = out[c].map(lambda v: "\n".join(textwrap.wrap(str(v), 48)) if len(str(v)) > 48 else v)
    return out


def indicator_rows(result, knr: str, lang: str = "nb") -> pd.DataFrame:
    """The municipality's indicators: value, rank among the 38 and the county median."""
    lab = _labels(lang)
    row = result.row(knr)
    summ = result.summary.set_index("id")
    rows = []
    for ind in result.indicators:
        r = row[f"{ind.id}_rank"]
        rows.append(
            [
                indicator_title(ind, lang),
                unit_title(ind.unit, lang),
                fmt(float(row[ind.id]), ind.digits, lang),
                "–" if pd.isna(r) else str(int(r)),
                fmt(float(summ.loc[ind.id, "median"]), ind.digits, lang),
            ]
        )
    return pd.DataFrame(
        rows, columns=[lab["indicator"], lab["unit"], lab["value"], lab["rank"], lab["median"]]
    )


def site_indicator_rows(values: Mapping[str, float], result, lang: str = "nb") -> pd.DataFrame:
    """A site's (scenario's) indicators next to the county median of the municipalities."""
    lab = _labels(lang)
    summ = result.summary.set_index("id")
    rows = [
        [
            indicator_title(i, lang),
            unit_title(i.unit, lang),
            fmt(float(values[i.id]), i.digits, lang),
            fmt(float(summ.loc[i.id, "median"]), i.digits, lang),
        ]
        for i in result.indicators
        if i.id in values
    ]
    return pd.DataFrame(rows, columns=[lab["indicator"], lab["unit"], lab["value"], lab["median"]])


def suitability_sections(
    runs: Mapping,
    knr: str | None = None,
    lang: str = "nb",
    n: int = 3,
    weights: Mapping[str, float] | None = None,
) -> list[Suitability]:
    """One :class:`Suitability` per profile run: weights, AHP consistency ratio, best sites.

    With ``knr`` the best sites of that municipality, else the county's best ``n`` sites.
    """
    lab = _labels(lang)
    out = []
    for name, run in runs.items():
        prof = run.profile
        sites = run.sites
        if knr is not None:
            sites = sites[sites["kommunenummer"].astype(str) == str(knr)].sort_values("site_rank")
        else:
            sites = sites[sites["site_rank"] == 1].sort_values("mean_score", ascending=False)
        sites = sites.head(n)
        table = pd.DataFrame(
            {
                "#": range(1, len(sites) + 1),
                lab["muni"]: sites["kommunenavn"].tolist(),
                lab["score"]: [fmt(v, 2, lang) for v in sites["mean_score"]],
                lab["ha"]: [fmt(v, 1, lang) for v in sites["area_ha"]],
            }
        )
        if len(table) == 0:
            table = pd.DataFrame(
                {
                    "#": ["–"],
                    lab["muni"]: [
                        f"ingen område ≥ {prof.threshold:g} over ≥ {prof.min_area_ha:g} ha"
                        if lang == "nb"
                        else f"no site ≥ {prof.threshold:g} over ≥ {prof.min_area_ha:g} ha"
                    ],
                    lab["score"]: [""],
                    lab["ha"]: [""],
                }
            )
        w = dict(weights) if weights else dict(prof.weights)
        title = f"{prof.title_nb if lang == 'nb' else prof.title_en} ({number(run.resolution, 0, lang)} m)"
        labels = {c.id: criterion_label(c, lang) for c in prof.criteria}
        out.append(Suitability(title, w, prof.ahp.cr if prof.ahp is not None else None, table, labels))
    return out


#: A sides of rules that describe new land use, not an existing interest.
_NEW_USE = ("business_areas", "test_arenas")


def existing_conflict_rows(
    ind_inputs, focus: gpd.GeoDataFrame, knr: str, lang: str = "nb"
) -> pd.DataFrame | None:
    """Conflicts between the mapped interests inside one municipality, one row per rule that applies.

    Every rule whose A side is an existing layer (not new business land or a test area) is run
    with that layer, clipped to the municipality, as the proposal. None when no such layer is present.
    """
    from areal.geo.conflicts import find_conflicts

    rules = ind_inputs.rules
    if rules is None:
        return None
    area = shapely.union_all(np.asarray(focus.geometry.values, dtype=object))
    frames, last = [], None
    for a_layer in sorted({r.a_layer for r in rules.rules} - set(_NEW_USE)):
        layer = ind_inputs.layers.get(a_layer)
        if layer is None or not len(layer):
            continue
        part = layer.iloc[layer.sindex.query(area, predicate="intersects")]
        if not len(part):
            continue
        part = part.set_geometry(shapely.intersection(np.asarray(part.geometry.values, dtype=object), area))
        part = part[~part.geometry.is_empty]
        needed = {r.b_layer for r in rules.rules_for(a_layer)}
        present = {k: v for k, v in ind_inputs.layers.items() if k in needed and v is not None}
        if not present:
            continue
        res = find_conflicts(part, present, rules, as_layer=a_layer, municipalities=ind_inputs.municipalities)
        last = conflict_rows(res, knr, lang)  # one "no conflict" row when nothing overlaps
        frames.append(last[last.iloc[:, 3] != ""])
    found = [f for f in frames if len(f)]
    return pd.concat(found, ignore_index=True) if found else last


def _analyses(data_dir, business_areas, profile_resolution: float):
    from areal.apps.usecases.indicators import compute_indicator_table

    return compute_indicator_table(
        data_dir, profile_resolution=profile_resolution, business_areas=business_areas
    )


def municipality_report(
    knr: str,
    data_dir=None,
    *,
    lang: str = "nb",
    profiles: list[str] | None = None,
    business_areas=None,
    profile_resolution: float = 250.0,
) -> ReportInputs:
    """Inputs of a municipality report.

    The account next to the county's, conflicts of its planned business land with legal basis, its indicators with rank and county median, the suitability profiles
    (weights, consistency ratio, best sites in the municipality), and the map.
    """
    from areal.apps.usecases.account import compute_account
    from areal.geo.errors import unknown_name
    from areal.geo.indicators import CONFLICT_LAYER, conflicts_of, planned_business_areas

    acc, inputs = compute_account(data_dir)
    tab = acc.table.set_index("kommunenummer")
    if knr not in tab.index or knr == COUNTY_ID:
        raise unknown_name(
            f"{knr!r} is not one of the 38 municipalities: "
            f"{', '.join(i for i in tab.index if i != COUNTY_ID)}",
            "municipality",
            knr,
            [i for i in tab.index if i != COUNTY_ID],
        )
    result, ind_inputs = _analyses(data_dir, business_areas, profile_resolution)
    if business_areas is not None:  # the account shown must rest on the same business areas
        acc = ind_inputs.account
        tab = acc.table.set_index("kommunenummer")
    row, county = tab.loc[knr], tab.loc[COUNTY_ID]
    cols = [c for c in acc.table.columns[2:]]
    name = str(row["kommunenavn"])
    account = _account_rows({name: row.to_dict(), TEXT[lang]["county"]: county.to_dict()}, cols, lang)
    munis = inputs.municipalities
    focus = munis[munis["kommunenummer"].astype(str) == knr]
    na: dict[str, str] = {}
    conflicts = None
    if ind_inputs.layers.get(CONFLICT_LAYER) is not None and len(planned_business_areas(ind_inputs)):
        res, missing = conflicts_of(
            ind_inputs, planned_business_areas(ind_inputs), CONFLICT_LAYER, key=f"planned:{CONFLICT_LAYER}"
        )
        conflicts = _para_table(conflict_rows(res, knr, lang))
    else:
        # no planned business land to check: the conflicts between the interests already mapped
        # in the municipality (farmland × reindeer routes, protected areas × fish farms, ...)
        conflicts = existing_conflict_rows(ind_inputs, focus, knr, lang)
        na["conflicts_note"] = _na_text("no_business", lang) + " " + _na_text("existing", lang)
        if conflicts is None:
            na["conflicts"] = _na_text("no_business", lang)
        else:
            conflicts = _para_table(conflicts)
    runs = {k: v for k, v in ind_inputs.suitability.items() if profiles is None or k in profiles}
    suit = suitability_sections(runs, knr, lang)
    if not suit:
        na["suitability"] = _na_text("no_profile_run", lang)
    summ = result.summary
    missing_msgs = [_missing_layer_text(m.layer, lang) for m in acc.missing_layers]
    ind_titles = {i.id: indicator_title(i, lang) for i in result.indicators}
    missing_msgs += [
        _na_text("indicator", lang).format(title=ind_titles.get(r["id"], r["id"]))
        for _, r in summ[summ["status"] != "ok"].iterrows()
    ]
    layers_for_map = {k: v for k, v in ind_inputs.layers.items() if k in MAP_LAYERS}
    layers_for_map.update(base_layers(data_dir))
    return ReportInputs(
        kind="municipality",
        name=f"{name} ({knr})",
        focus=focus,
        map_layers={**layers_for_map, "municipalities": munis},
        attributions={**inputs.attributions(), **_credits(layers_for_map)},
        account=account,
        conflicts=conflicts,
        indicators=indicator_rows(result, knr, lang),
        suitability=suit,
        missing=list(dict.fromkeys(missing_msgs)),
        notes=list(acc.notes),
        na_reasons=na,
        provenance=inputs.provenance(data_dir),
    )


_NA_TEXT = {
    "no_business": (
        "Næringsområdene i kommuneplanene (arealformål 1300) finnes ikke i datamappen, så planlagt "
        "næringsareal kan ikke sjekkes mot konfliktreglene. Se «Kartlag og kilder» i appen for hvordan "
        "laget hentes.",
        "The business areas of the municipal plans (land use 1300) are not in the data folder, so planned "
        "business land cannot be checked against the conflict rules. See 'Layers and sources' in the app.",
    ),
    "existing": (
        "Tabellen viser i stedet konfliktene mellom interesser som allerede er kartlagt i kommunen "
        "(regler der side A er et eksisterende lag).",
        "The table shows the conflicts between interests already mapped in the municipality instead "
        "(rules whose A side is an existing layer).",
    ),
    "no_profile_run": (
        "Ingen egnethetsprofil kunne beregnes med lagene i datamappen.",
        "No suitability profile could be computed with the layers in the data folder.",
    ),
    "no_profile_chosen": (
        "Ingen egnethetsprofil er valgt for denne rapporten.",
        "No suitability profile was chosen for this report.",
    ),
    "indicator": ("{title}: ikke beregnet (data mangler)", "{title}: not computed (data missing)"),
    "rules_unchecked": (
        "{title}: mangler i datamappen; konfliktreglene for laget er ikke sjekket",
        "{title}: missing from the data folder; its conflict rules were not checked",
    ),
    "missing_layer": (
        "{title}: mangler i datamappen; tall som bygger på laget vises som «ikke tilgjengelig», aldri 0",
        "{title}: missing from the data folder; figures resting on it show as 'not available', never 0",
    ),
}


def _na_text(key: str, lang: str) -> str:
    nb, en = _NA_TEXT[key]
    return en if lang == "en" else nb


def _missing_layer_text(layer_id: str, lang: str) -> str:
    return _na_text("missing_layer", lang).format(title=layer_title(layer_id, lang))


def _municipality_names(site: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame, lang: str) -> str:
    geom = shapely.union_all(np.asarray(site.geometry.values, dtype=object))
    hit = municipalities.iloc[municipalities.sindex.query(geom, predicate="intersects")]
    names = sorted(hit["kommunenavn"].astype(str))
    return ", ".join(names) or ("utenfor kommunene" if lang != "en" else "outside the municipalities")


def _where(site: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame, name: str, kind: str, lang: str) -> str:
    """The line under a site report's title: its area, the municipalities it lies in and its source."""
    from areal.apps.formatting import area_ha

    geom = shapely.union_all(np.asarray(site.geometry.values, dtype=object))
    names = _municipality_names(site, municipalities, lang)
    what = {"scenario": ("Scenario", "Scenario"), "site": ("Område", "Site")}[
        kind if kind == "scenario" else "site"
    ]
    src = ("kilde", "source")
    nb = lang != "en"
    return (
        f"{what[0 if nb else 1]} {'i' if nb else 'in'} {names} · {area_ha(geom.area / 10_000, lang)} · "
        f"{src[0 if nb else 1]}: {name}"
    )


def _credits(layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, str]:
    from areal.layers import registry

    return {lid: registry.get(lid).attribution for lid in layers}


def site_report(
    site: gpd.GeoDataFrame,
    name: str,
    data_dir=None,
    *,
    kind: str = "site",
    lang: str = "nb",
    profiles: list[str] | None = None,
    weights: Mapping[str, float] | None = None,
    business_areas=None,
    profile_resolution: float = 250.0,
) -> ReportInputs:
    """Inputs of a site (or scenario) report.

    The account of the area itself, its conflicts with legal basis, the indicators that make sense for one area next to the county median, the suitability
    profiles asked for (weights, consistency ratio, the county's best sites), the map around it.
    """
    from areal.apps.usecases.account import site_account
    from areal.geo.indicators import CONFLICT_LAYER, conflicts_of, scenario_indicator_metric
    from areal.geo.land_account import missing_layers
    from areal.geo.scenario import Scenario
    from areal.layers.account_inputs import load_account_inputs

    inputs = load_account_inputs(data_dir)
    row = site_account(site, inputs.layers, inputs.remedies).iloc[0]
    cols = ["area_ha", *[c for c in row.index if c != "area_ha"]]
    account = _account_rows({TEXT[lang]["area"]: row.to_dict()}, cols, lang)
    account.iloc[0, 0] = TEXT[lang]["area"]
    missing = [_missing_layer_text(m.layer, lang) for m in missing_layers(inputs.layers, inputs.remedies)]
    result, ind_inputs = _analyses(data_dir, business_areas, profile_resolution)
    res, conf_missing = conflicts_of(ind_inputs, site, CONFLICT_LAYER)
    missing += [
        _na_text("rules_unchecked", lang).format(title=layer_title(lid, lang)) for lid in conf_missing
    ]
    values = scenario_indicator_metric(ind_inputs, result.indicators)(Scenario(name, site))
    na: dict[str, str] = {}
    runs = {k: v for k, v in ind_inputs.suitability.items() if profiles and k in profiles}
    suit = suitability_sections(runs, None, lang, weights=weights)
    if not suit:
        na["suitability"] = _na_text("no_profile_chosen", lang)
    layers_for_map = {k: v for k, v in ind_inputs.layers.items() if k in MAP_LAYERS}
    layers_for_map.update(base_layers(data_dir))
    where = _municipality_names(site, inputs.municipalities, lang)
    return ReportInputs(
        kind=kind,
        name=where if kind == "site" else name,  # a site's title names its place, not its file
        focus=site,
        map_layers={**layers_for_map, "municipalities": inputs.municipalities},
        attributions={**inputs.attributions(), **_credits(layers_for_map)},
        account=account,
        conflicts=_para_table(conflict_rows(res, None, lang)),
        subtitle=_where(site, inputs.municipalities, name, kind, lang),
        indicators=site_indicator_rows(values, result, lang),
        suitability=suit,
        missing=list(dict.fromkeys(missing)),
        na_reasons=na,
        provenance=inputs.provenance(data_dir),
    )


def scenario_note(scenario, lang: str = "nb") -> str:
    """The line of a scenario report that names its profile and weights, in words of ``lang``.

    >>> from types import SimpleNamespace
    >>> scenario_note(SimpleNamespace(profile="data_centre", weights={"substation": 0.35}))
    'Scenarioets egnethetsprofil: Datasenter; vekter: transformatorstasjon med ledig kapasitet (≥ 5 MW) 0,35'
    """
    from areal.layers.project_data import load_profile, profile_names

    nb = lang != "en"
    title, labels = scenario.profile or "–", {}
    if scenario.profile in profile_names():
        prof = load_profile(scenario.profile)
        title = prof.title_nb if nb else prof.title_en
        labels = {c.id: criterion_label(c, lang) for c in prof.criteria}
    weights = ", ".join(f"{labels.get(k, k)} {fmt(v, 2, lang)}" for k, v in (scenario.weights or {}).items())
    head = "Scenarioets egnethetsprofil" if nb else "The scenario's suitability profile"
    return f"{head}: {title}" + (f"; {'vekter' if nb else 'weights'}: {weights}" if weights else "")


def scenario_report(
    scenario,
    data_dir=None,
    *,
    lang: str = "nb",
    profiles: list[str] | None = None,
    business_areas=None,
    profile_resolution: float = 250.0,
) -> ReportInputs:
    """Inputs of a saved scenario's report: ``areal report --scenario`` and the app's scenario tab.

    A site report of the scenario's area titled with its name, its suitability section from the
    scenario's own profile and weights (or ``profiles``), and a note naming them.
    """
    from areal.layers.project_data import profile_names

    chosen = list(profiles or []) or ([scenario.profile] if scenario.profile else [])
    known = [p for p in chosen if p in profile_names()]
    inputs = site_report(
        scenario.proposal,
        scenario.name,
        data_dir,
        kind="scenario",
        lang=lang,
        profiles=known,
        weights=scenario.weights or None,
        business_areas=business_areas,
        profile_resolution=profile_resolution,
    )
    if scenario.profile or scenario.weights:
        inputs.notes.append(scenario_note(scenario, lang))
    return inputs
