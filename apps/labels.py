"""What the views (CLI, app, reports) call the results of ``areal.geo``: titles, "not available", descriptions.

``geo/`` returns ids and numbers; the words a user reads live here, in Norwegian bokmål (the
default) and English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

NOT_AVAILABLE = "ikke tilgjengelig"
"""Shown in Norwegian for a figure whose layer is missing (never 0)."""

NOT_AVAILABLE_TEXT = {"nb": NOT_AVAILABLE, "en": "not available"}

#: Titles of the land-account classes (:data:`areal.geo.land_account.CLASSES`): id -> (nb, en).
CLASS_TITLES: Mapping[str, tuple[str, str]] = {
    "forest": ("Skog (N1000)", "Forest (N1000)"),
    "mire": ("Myr (N1000)", "Mire (N1000)"),
    "open_land": ("Åpent område (N1000)", "Open land (N1000)"),
    "built_up": ("Tettbebyggelse (N1000)", "Built-up (N1000)"),
    "fresh_water": ("Ferskvann, innsjøer (N1000)", "Fresh water, lakes (N1000)"),
    "farmland": ("Jordbruksareal (AR5, ellers AR50/N50)", "Farmland (AR5, else AR50/N50)"),
    "ar5_forest": ("Skog (AR5 30)", "Forest (AR5 30)"),
    "ar5_mire": ("Myr (AR5 60)", "Mire (AR5 60)"),
    "ar5_developed": ("Bebygd og samferdsel (AR5 11–12)", "Built-up and transport (AR5 11–12)"),
    "protected": ("Verneområder og nasjonalparker", "Protected areas and national parks"),
    "reindeer_pasture": ("Reinbeiteland", "Reindeer pasture land"),
    "wild_reindeer": ("Villreinområder", "Wild-reindeer areas"),
    "business_existing": ("Næringsområder, nåværende", "Business areas, existing"),
    "business_planned": ("Næringsområder, framtidige", "Business areas, planned"),
    "business_further": ("Næringsområder, videreutvikling", "Business areas, further development"),
}

#: Titles of the conversion categories (:data:`areal.geo.land_account.CONVERSION_CATEGORIES`).
CONVERSION_TITLES: Mapping[str, tuple[str, str]] = {
    "developed": ("allerede utbygd", "already developed"),
    "farmland": ("jordbruksareal", "farmland"),
    "mire": ("myr", "mire"),
    "forest": ("skog", "forest"),
    "other": ("annen natur", "other nature"),
}

_TARGETS = (
    ("planned", "Framtidig næringsareal", "Planned business land"),
    ("proposal", "Forslag", "Proposal"),
    ("site", "Område", "Site"),
)


def not_available(lang: str = "nb") -> str:
    """The "not available" text in ``lang``."""
    return NOT_AVAILABLE_TEXT["en" if lang == "en" else "nb"]


def class_title(class_id: str, lang: str = "nb") -> str:
    """Title of an account class (the id itself when it has none)."""
    nb, en = CLASS_TITLES.get(class_id, (class_id, class_id))
    return en if lang == "en" else nb


def column_titles(lang: str = "nb") -> dict[str, str]:
    """Readable labels of the account columns, in Norwegian (``"nb"``) or English (``"en"``).

    Examples
    --------
    >>> column_titles("nb")["proposal_on_forest_ha"], column_titles("en")["wild_reindeer_ha"]
    ('Forslag på skog (ha)', 'Wild-reindeer areas (ha)')
    """
    from areal.geo.land_account import CLASSES, CONVERSION_CATEGORIES

    nb = lang != "en"
    out = {"land_ha": "Landareal (ha)" if nb else "Land area (ha)"}
    for c in CLASSES:
        out[f"{c.id}_ha"] = f"{class_title(c.id, lang)} (ha)"
        # the share of the zone the class's layer maps (a partial layer: the rest is not mapped)
        out[f"{c.id}_mapped_share"] = (
            f"{class_title(c.id, lang)}, andel kartlagt" if nb else f"{class_title(c.id, lang)}, share mapped"
        )
    for prefix, nb_name, en_name in _TARGETS:
        name = nb_name if nb else en_name
        out[f"{prefix}_total_ha"] = f"{name}, totalt (ha)" if nb else f"{name}, total (ha)"
        for cat in CONVERSION_CATEGORIES:
            cat_nb, cat_en = CONVERSION_TITLES[cat]
            out[f"{prefix}_on_{cat}_ha"] = f"{name} på {cat_nb} (ha)" if nb else f"{name} on {cat_en} (ha)"
        for cat in CONVERSION_CATEGORIES:
            t = CONVERSION_TITLES[cat][0 if nb else 1]
            out[f"{prefix}_on_{cat}_mapped_share"] = (
                f"{name} på {t}, andel kartlagt" if nb else f"{name} on {t}, share mapped"
            )
        out[f"{prefix}_developed_share"] = (
            f"{name}, andel på utbygd areal" if nb else f"{name}, share on developed land"
        )
        out[f"{prefix}_co2_t"] = (
            f"{name}, CO2 ved omdisponering (t)" if nb else f"{name}, CO2 of conversion (t)"
        )
        out[f"{prefix}_no_factor_ha"] = (
            f"{name} uten utslippsfaktor (ha)" if nb else f"{name} without emission factor (ha)"
        )
    return out


def describe_arena(row: Mapping) -> str:
    """One-line Norwegian description of a test arena, used in lists and tooltips."""
    where = "kommunenivå" if row.get("precision") == "municipality" else row.get("precision", "")
    return f"{row['name']} ({row['arena_type']}, {row['status']}; plassering: {where}) — kilde: {row['source_url']}"


def number(value: float, digits: int = 1, lang: str = "nb") -> str:
    """A number as a reader writes it: ``1 320,9`` in Norwegian, ``1,320.9`` in English.

    Examples
    --------
    >>> number(1320.94, 1), number(1320.94, 1, "en"), number(0.854, 2)
    ('1 320,9', '1,320.9', '0,85')
    """
    text = f"{value:,.{digits}f}"
    if lang == "en":
        return text
    return text.replace(",", " ").replace(".", ",")


def _criterion_value(kind: str, v: float, lang: str) -> str:
    nb = lang != "en"
    if kind == "distance":
        what = "snittavstand" if nb else "mean distance"
        return (
            f" ({what} {number(v / 1000, 1, lang)} km)" if v >= 1000 else f" ({what} {number(v, 0, lang)} m)"
        )
    if kind == "slope":
        return f" ({'snitthelning' if nb else 'mean slope'} {number(v, 1, lang)}°)"
    return ""


def site_reasons(sites: pd.DataFrame, criteria: Iterable, lang: str = "nb") -> list[str]:
    """The reasons of each ranked site in words: its strongest criteria with their mean score and value.

    Parameters
    ----------
    sites : DataFrame
        A site table of :mod:`areal.geo.sites` (``top_criteria``, ``<criterion>_score``,
        ``<criterion>_value``).
    criteria : iterable of Criterion
        The profile's criteria (their ``label`` and ``kind``).

    Examples
    --------
    >>> from areal.geo.profiles import Criterion
    >>> sites = pd.DataFrame({"top_criteria": ["road"], "road_score": [0.854], "road_value": [1320.0]})
    >>> site_reasons(sites, [Criterion("road", "distance", layer="roads", label="Vei")])
    ['Vei: poeng 0,85 (snittavstand 1,3 km)']
    """
    crit = {c.id: c for c in criteria}
    word = "score" if lang == "en" else "poeng"
    out = []
    for _, row in sites.iterrows():
        ids = [k for k in str(row.get("top_criteria", "") or "").split(";") if k]
        out.append(
            "; ".join(
                f"{(crit[k].label or k) if k in crit else k}: {word} {number(row[f'{k}_score'], 2, lang)}"
                + (_criterion_value(crit[k].kind, row[f"{k}_value"], lang) if k in crit else "")
                for k in ids
            )
        )
    return out


#: How areas were computed (:data:`areal.geo.areas.AREA_METHODS`): method -> (nb, en); ``{crs}``.
AREA_METHOD_TEXT: Mapping[str, tuple[str, str]] = {
    "planar": (
        "plane arealer i {crs} (UTM; innen ca. 0,2 % i Trøndelag)",
        "planar areas in {crs} (UTM; within about 0.2 % in Trøndelag)",
    ),
    "geodesic": (
        "geodetiske arealer på GRS80-ellipsoiden (eksakte i hele landet)",
        "geodesic areas on the GRS80 ellipsoid (exact across Norway)",
    ),
}


def area_method_text(method: str, crs="EPSG:25833", lang: str = "nb") -> str:
    """How areas were computed, in words for a report or a table footer.

    >>> area_method_text("geodesic", lang="en")
    'geodesic areas on the GRS80 ellipsoid (exact across Norway)'
    >>> area_method_text("planar")
    'plane arealer i EPSG:25833 (UTM; innen ca. 0,2 % i Trøndelag)'
    """
    from areal.geo.areas import check_method
    from pyproj import CRS

    check_method(method)
    text = AREA_METHOD_TEXT[method][1 if lang == "en" else 0]
    return text.format(crs=CRS.from_user_input(crs).to_string())


#: Coverage answers (:data:`areal.geo.coverage.STATUSES`): status -> (nb, en).
COVERAGE_STATUS: Mapping[str, tuple[str, str]] = {
    "hit": ("treff", "hit"),
    "no_hit": ("ikke treff", "no hit"),
    "not_mapped": ("ikke kartlagt", "not mapped"),
}

#: Why an area is not (fully) mapped (:data:`areal.geo.coverage.REASONS`): reason -> (nb, en).
COVERAGE_REASONS: Mapping[str, tuple[str, str]] = {
    "": ("", ""),
    "layer_missing": ("kartlaget mangler", "layer missing"),
    "outside_coverage": ("utenfor området kartlaget dekker", "outside the layer's coverage"),
    "partly_mapped": ("delvis kartlagt", "partly mapped"),
}


def status_text(status: str, reason: str = "", lang: str = "nb") -> str:
    """The words of one coverage status (:class:`areal.geo.coverage.AreaStatus`), with the reason.

    >>> status_text("not_mapped", "layer_missing")
    'ikke kartlagt (kartlaget mangler)'
    >>> status_text("no_hit", lang="en")
    'no hit'
    """
    i = 1 if lang == "en" else 0
    text = COVERAGE_STATUS[status][i]
    if reason:
        text += f" ({COVERAGE_REASONS[reason][i]})"
    return text


def missing_layer_text(m) -> str:
    """One line for a layer the land account could not use (:class:`areal.geo.land_account.MissingLayer`).

    >>> from areal.geo.land_account import MissingLayer
    >>> missing_layer_text(MissingLayer("ar5", ("farmland_ha",), "not in the data directory", "`areal fetch ar5`"))
    'ar5: not in the data directory (affects farmland_ha). Get it with `areal fetch ar5`.'
    """
    get = f" Get it with {m.remedy}." if m.remedy else ""
    return f"{m.layer}: {m.reason} (affects {', '.join(m.affects)}).{get}"


def indicator_title(indicator, lang: str = "nb") -> str:
    """An indicator's title (:class:`areal.geo.indicators.Indicator`, from its TOML) in ``lang``."""
    return indicator.title_en if lang == "en" else indicator.title_nb
