"""Area analysis use case: one area, one context, a status per dataset, for the CLI, the app, the PDF and the API.

:func:`run_area_analysis` loads the layers the context's rules name (a missing layer is "ikke
kartlagt", a layer that fails to load an "error" with its one-line message), runs
:func:`areal.geo.area_analysis.analyse_area` and returns the result; :func:`display_rows` turns
it into the rows every view shows, numbers through :mod:`areal.apps.formatting` so the app, the
CLI, the PDF and the API's text give the same hectares digit for digit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
from areal.apps import formatting as F
from areal.geo.area_analysis import STATUSES, AreaAnalysis, ContextTable, analyse_area
from areal.geo.errors import ArealError, LayerMissingError
from areal.geo.rules import RuleTable, split_selector

#: Status titles (nb, en), after DOK-arealanalyse's groups.
STATUS_TITLES: Mapping[str, tuple[str, str]] = {
    "hit_red": ("Treff – må håndteres", "Hit – must be handled"),
    "hit_yellow": ("Treff – må sjekkes", "Hit – must be checked"),
    "no_hit": ("Ingen treff", "No hit"),
    "not_relevant": ("Ikke relevant", "Not relevant"),
    "not_mapped": ("Ikke kartlagt", "Not mapped"),
    "error": ("Feil", "Error"),
}

#: Column titles of :func:`display_rows` (nb, en).
COLUMN_TITLES: Mapping[str, tuple[str, str]] = {
    "title": ("Datasett", "Dataset"),
    "status": ("Status", "Status"),
    "area": ("Areal treff", "Area hit"),
    "share": ("Andel", "Share"),
    "buffer": ("I buffer", "In buffer"),
    "zone": ("I sone", "In zone"),
    "distance": ("Avstand", "Distance"),
    "basis": ("Lovgrunnlag", "Legal basis"),
    "guidance": ("Veiledning", "Guidance"),
    "quality": ("Målestokk, årgang", "Scale, vintage"),
}

#: Vintage phrases of the layer catalogue in Norwegian (the catalogue writes them in English).
_VINTAGE_NB = {
    "continuously updated": "løpende oppdatert",
    "current master plans": "gjeldende kommuneplaner",
    "about 2020": "ca. 2020",
    "2026 copy": "kopi 2026",
    "Dec 2025": "des. 2025",
}


def _message(r: Mapping, lang: str, context_title: str) -> str:
    """The row's note in ``lang`` (geo/ writes English ids and notes; a planner reads these)."""
    status, layer, msg = r["status"], r["layer"], str(r.get("message") or "")
    if status == "not_mapped":
        if lang == "en":
            return f"not in the data directory: `areal fetch {layer}` or `areal import FILE --as {layer}`"
        return f"finnes ikke i datakatalogen: hent med `areal fetch {layer}` eller `areal import FIL --as {layer}`"
    if status == "not_relevant":
        return (
            f"not part of the context {context_title}"
            if lang == "en"
            else f"ikke en del av konteksten {context_title}"
        )
    if msg == "only in the requested buffer":
        return msg if lang == "en" else "bare i bufferen"
    share = r.get("covered_share")
    if msg.startswith(("outside_coverage", "partly_mapped")) and not F.is_missing(share):
        if lang == "en":
            return f"the layer is mapped on {F.percent(share, lang, 0)} of the area"
        return f"datasettet er kartlagt for {F.percent(share, lang, 0)} av området"
    return msg


def status_title(status: str, lang: str = "nb") -> str:
    """Title of a status in ``lang``."""
    nb, en = STATUS_TITLES.get(status, (status, status))
    return en if lang == "en" else nb


def load_contexts(path: str | os.PathLike | None = None, rules: RuleTable | None = None) -> ContextTable:
    """Read ``data/contexts.toml`` (or ``path``), checked against the rule table."""
    from areal.layers.project_data import load_contexts as _load

    return _load(path, rules)


def dataset_title(selector: str, rules: RuleTable, lang: str = "nb") -> str:
    """Title of a dataset: its layer's title, and the class label for ``layer:class``."""
    from areal.layers import registry

    layer, cls = split_selector(selector)
    try:
        spec = registry.get(layer)
        title = spec.title_en if lang == "en" else spec.title_nb
    except (KeyError, ArealError):
        title = layer
    if cls is None:
        return title
    cdef = rules.classes.get(selector)
    label = cdef.label if (cdef is not None and cdef.label and lang != "en") else cls.replace("_", " ")
    return f"{title}: {label}"


def read_area(path: str | os.PathLike) -> gpd.GeoDataFrame:
    """Read an area file (GeoJSON, GeoPackage, shapefile ...; polygons, points or lines) into EPSG:25833.

    The file is opened by :func:`areal.layers.safe_open.open_vector` (type from the content, no
    network) and its location is checked like a proposal's.
    """
    from areal.geo.crs import to_working_crs
    from areal.geo.errors import CRSMissingError, EmptyLayerError, InputGeometryError, adding
    from areal.geo.plausibility import check_location
    from areal.layers.safe_open import open_vector

    p = Path(path)
    file = {"path": str(p)}
    with adding(**file):
        try:
            gdf = open_vector(p, name=f"area file {p.name}")
        except EmptyLayerError:
            raise InputGeometryError(
                f"area file {p.name} holds no geometries", key="empty", params=file
            ) from None
        if len(gdf) == 0:
            raise InputGeometryError(f"area file {p.name} holds no features", key="empty", params=file)
        if gdf.crs is None:
            raise CRSMissingError(
                f"area file {p.name} has no CRS: cannot transform naive geometries", key="no_crs", params=file
            )
        gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
        if len(gdf) == 0:
            raise InputGeometryError(
                f"area file {p.name} holds no geometries (all are empty)", key="empty", params=file
            )
        warnings = check_location(gdf, f"area file {p.name}")
        gdf = to_working_crs(gdf, p.name)
    gdf.attrs["warnings"] = warnings
    return gdf


def run_area_analysis(
    area: gpd.GeoDataFrame,
    context: str = "reguleringsplan",
    *,
    buffer_m: float = 0.0,
    data_dir: str | os.PathLike | None = None,
    layers: Mapping[str, gpd.GeoDataFrame | None] | None = None,
    rules: RuleTable | None = None,
    contexts: ContextTable | None = None,
    load: bool = True,
) -> AreaAnalysis:
    """Analyse ``area`` in ``context``: the one implementation behind CLI, app, PDF and API.

    Parameters
    ----------
    area : GeoDataFrame
        Polygons (or points/lines, tested for contact), any CRS with a CRS set.
    context : str
        A context of ``data/contexts.toml``.
    buffer_m : float
        Requested buffer (m).
    data_dir : path-like, optional
        Data directory (default: ``AREAL_DATA_DIR``).
    layers : mapping, optional
        Layers already loaded (the app's); those not given are loaded from ``data_dir``.
    rules, contexts : optional
        Rule table and context table (default: the shipped ones).
    load : bool
        Load the layers not in ``layers`` from ``data_dir``; False (the app, whose layers are
        loaded at start): those are not mapped.
    """
    from areal.layers import loader, registry
    from areal.layers.project_data import load_rules

    rules = rules if rules is not None else load_rules()
    contexts = contexts if contexts is not None else load_contexts(rules=rules)
    ctx = contexts.get(context)
    wanted = {split_selector(s)[0] for s in ctx.datasets}
    have: dict[str, gpd.GeoDataFrame | None] = dict(layers or {})
    not_mapped: dict[str, str] = {}
    errors: dict[str, str] = {}
    vintages: dict[str, str] = {}
    for lid in sorted(wanted):
        try:
            vintages[lid] = registry.get(lid).vintage
        except (KeyError, ArealError):
            pass
        if have.get(lid) is not None:
            continue
        if not load:
            have[lid] = None
            not_mapped[lid] = f"layer {lid!r} is not loaded"
            continue
        try:
            have[lid] = loader.load(lid, data_dir)
        except LayerMissingError:
            # no path in the message: the API and the public app show it
            have[lid] = None
            not_mapped[lid] = (
                f"layer {lid!r} is not in the data directory: `areal fetch {lid}` or `areal import FILE --as {lid}`"
            )
        except (ArealError, OSError, ValueError) as exc:
            have[lid] = None
            errors[lid] = f"{lid}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    from areal.layers.coverage import coverages

    present = [lid for lid in sorted(wanted) if have.get(lid) is not None]
    munis = have.get("municipalities")
    if munis is None and load:
        try:
            munis = loader.load("municipalities", data_dir)
        except (ArealError, OSError):
            munis = None
    return analyse_area(
        area,
        have,
        rules,
        contexts,
        context,
        buffer_m=buffer_m,
        vintages=vintages,
        not_mapped=not_mapped,
        errors=errors,
        coverage=coverages(present, data_dir, frames=have),
        municipalities=munis,
    )


def _quality(row: Mapping, lang: str) -> str:
    scale = row.get("scale")
    parts = []
    if scale is not None and not F.is_missing(scale):
        parts.append("1:" + F.count(scale, lang))
    if row.get("vintage"):
        v = str(row["vintage"])
        parts.append(v if lang == "en" else _VINTAGE_NB.get(v, v))
    return ", ".join(parts) or F.MISSING


def display_rows(result: AreaAnalysis, rules: RuleTable, lang: str = "nb") -> list[dict[str, str]]:
    """The rows every view shows: one per dataset, every value already text in ``lang``.

    Hectares through :func:`areal.apps.formatting.area_ha`, distances through
    :func:`~areal.apps.formatting.distance` at the dataset's scale; a figure that was not
    measured (not mapped, not relevant, error) shows as ``–``, never 0.
    """
    out = []
    ctx_title = result.context.title_en if lang == "en" else result.context.title_nb
    for r in result.results.to_dict(orient="records"):
        measured = r["status"] in ("hit_red", "hit_yellow", "no_hit")
        scale = None if F.is_missing(r.get("scale")) else int(r["scale"])
        msg = _message(r, lang, ctx_title)
        out.append(
            {
                "dataset": r["dataset"],
                "status_id": r["status"],
                "title": dataset_title(r["dataset"], rules, lang),
                "status": status_title(r["status"], lang),
                "area": F.area_ha(r["area_ha"], lang) if measured else F.MISSING,
                "share": F.percent(r["share"], lang) if measured else F.MISSING,
                "buffer": F.area_ha(r["buffer_ha"], lang) if measured and result.buffer_m > 0 else F.MISSING,
                "zone": F.area_ha(r["zone_ha"], lang) if measured else F.MISSING,
                "distance": F.distance(r["distance_m"], lang, scale=scale) if measured else F.MISSING,
                "basis": r.get("basis") or "",
                "guidance": (r.get("guidance_en") if lang == "en" else r.get("guidance_nb")) or "",
                "quality": _quality(r, lang),
                "message": msg,
            }
        )
    return out


def summary_line(result: AreaAnalysis, lang: str = "nb") -> str:
    """One line: context, area, buffer and the count per status."""
    c = result.counts()
    title = result.context.title_en if lang == "en" else result.context.title_nb
    counts = ", ".join(f"{status_title(s, lang)}: {c[s]}" for s in STATUSES if c[s])
    names = ", ".join(f"{n} ({k})" for k, n in result.municipalities)
    where = (" in " if lang == "en" else " i ") + names if names else ""
    if lang == "en":
        head = f"Area analysis ({title}): area {F.area_ha(result.area_ha, lang)}{where}, buffer {F.metres(result.buffer_m, lang)}"
    else:
        head = f"Arealanalyse ({title}): areal {F.area_ha(result.area_ha, lang)}{where}, buffer {F.metres(result.buffer_m, lang)}"
    return f"{head}. {counts}"
