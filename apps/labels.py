"""What the views (CLI, app, reports) call the results of ``areal.geo``: titles, "not available", descriptions.

``geo/`` returns ids and numbers; the words a user reads live here, in Norwegian bokmål (the
default) and English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd
from areal.apps.formatting import number

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
            out[f"{prefix}_{cat}_mapped_share"] = (
                f"{name} på {t}, andel kartlagt" if nb else f"{name} on {t}, share mapped"
            )
        out[f"{prefix}_developed_share"] = (
            f"{name}, andel på utbygd areal" if nb else f"{name}, share on developed land"
        )
        out[f"{prefix}_co2_t"] = (
            f"{name}, CO₂ ved omdisponering (t)" if nb else f"{name}, CO₂ of conversion (t)"
        )
        out[f"{prefix}_no_factor_ha"] = (
            f"{name} uten utslippsfaktor (ha)" if nb else f"{name} without emission factor (ha)"
        )
    return out


def describe_arena(row: Mapping) -> str:
    """One-line Norwegian description of a test arena, used in lists and tooltips."""
    where = "kommunenivå" if row.get("precision") == "municipality" else row.get("precision", "")
    return f"{row['name']} ({row['arena_type']}, {row['status']}; plassering: {where}) — kilde: {row['source_url']}"


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
                f"{criterion_label(crit[k], lang) if k in crit else k}: {word} {number(row[f'{k}_score'], 2, lang)}"
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


def how_to_get(layer_id: str, lang: str = "nb") -> str:
    """How a user gets a catalogue layer, in ``lang``: the fetch/import commands or the data folder.

    >>> how_to_get("ar5")
    'hent det med `areal fetch ar5` eller `areal import FIL --as ar5`'
    >>> how_to_get("ar5", "en")
    'get it with `areal fetch ar5` or `areal import FILE --as ar5`'
    """
    from areal.layers import registry, settings

    fetchable = layer_id in registry.names() and registry.get(layer_id).fetch is not None
    if lang == "en":
        if fetchable:
            return f"get it with `areal fetch {layer_id}` or `areal import FILE --as {layer_id}`"
        return f"set {settings.ENV_DATA_DIR} to a folder holding the extracts (README, 'Data')"
    if fetchable:
        return f"hent det med `areal fetch {layer_id}` eller `areal import FIL --as {layer_id}`"
    return f"sett {settings.ENV_DATA_DIR} til en mappe med utdragene (README, «Data»)"


def missing_layer_text(m, lang: str = "nb") -> str:
    """One line for a layer the land account could not use (:class:`areal.geo.land_account.MissingLayer`).

    The layer is named by its title, the columns it leaves empty by theirs; the core's reason is
    in English and only its one variant with facts ("counts only ...") is carried over.

    >>> from areal.geo.land_account import MissingLayer
    >>> m = MissingLayer("ar5", ("farmland_ha",), "not in the data directory", "`areal fetch ar5`")
    >>> missing_layer_text(m).split(";")[0]
    '«AR5 arealressurser (jordbruk, skog, myr)» finnes ikke i datamappen (gjelder Jordbruksareal (AR5, ellers AR50/N50) (ha))'
    >>> missing_layer_text(m, "en").split("; ")[1]
    'get it with `areal fetch ar5` or `areal import FILE --as ar5`'
    """
    titles = column_titles(lang)
    affects = ", ".join(titles.get(a, a) for a in m.affects)
    only = ""
    if "counts only " in m.reason:
        present = m.reason.split("counts only ", 1)[1].split(", ")
        names = ", ".join(layer_title(p, lang) for p in present)
        only = f"; counted from {names} only" if lang == "en" else f"; telt bare fra {names}"
    title = layer_title(m.layer, lang)
    if lang == "en":
        return (
            f"«{title}» is not in the data directory (affects {affects}{only}); {how_to_get(m.layer, lang)}"
        )
    return f"«{title}» finnes ikke i datamappen (gjelder {affects}{only}); {how_to_get(m.layer, lang)}"


def missing_layer_note(layer_id: str, data_dir=None, lang: str = "nb") -> str:
    """One line for a catalogue layer a command could not load: its rules are skipped, how to get it.

    The layer is named by its title; where it was looked for and the two ways to get it follow.

    >>> missing_layer_note("shipping_lanes", "/data").split(" (")[0]
    'kartlaget «Farleder'
    >>> "areal fetch shipping_lanes" in missing_layer_note("shipping_lanes", "/data", "en")
    True
    """
    from pathlib import Path

    from areal.layers import loader, registry, settings

    spec = registry.get(layer_id)
    where = " / ".join(loader.expected_paths(spec, Path(settings.data_dir(data_dir))))
    title = layer_title(layer_id, lang)
    get = how_to_get(layer_id, lang)
    if lang == "en":
        return f"layer «{title}» is missing (looked for {where}): its rules are skipped; {get}"
    return f"kartlaget «{title}» mangler (lette etter {where}): reglene mot det er hoppet over; {get}"


_SKIPPED_RULE = (
    # (the core's English reason after "pair: ", the words in nb, in en); {what} is the selector
    (
        re.compile(r"^(?P<what>.+) has no polygon area \(points or lines\): draw or buffer polygons$"),
        "{what} har ingen flate (punkter eller linjer): tegn eller buffer flater",
        "{what} has no polygon area (points or lines): draw or buffer polygons",
    ),
    (
        re.compile(r"^(?P<what>.+) has no polygon area; the rule needs buffer_m > 0$"),
        "{what} har ingen flate; regelen trenger en sone (buffer_m > 0)",
        "{what} has no polygon area; the rule needs a zone (buffer_m > 0)",
    ),
    (
        re.compile(r"^layer '(?P<what>[^']+)' is missing$"),
        "kartlaget mangler",
        "the layer is missing",
    ),
)


def skipped_rule_text(text: str, lang: str = "nb", rules=None) -> str:
    """A conflict rule the engine skipped (:attr:`ConflictResult.skipped`), in words of ``lang``.

    >>> skipped_rule_text("business_areas × test_arenas: test_arenas has no polygon area; the rule needs buffer_m > 0")
    'Næringsområder i kommuneplan (arealformål 1300) × Test- og pilotarenaer: Test- og pilotarenaer har ingen flate; regelen trenger en sone (buffer_m > 0)'
    """
    pair, _, reason = text.partition(": ")
    head = pair_text(pair, lang, rules) if " × " in pair else pair
    for pattern, nb, en in _SKIPPED_RULE:
        hit = pattern.match(reason)
        if hit:
            return f"{head}: " + (en if lang == "en" else nb).format(what=selector_title(hit["what"], lang))
    return f"{head}: {reason}"  # a rule error: its message names the file, column or value


def indicator_title(indicator, lang: str = "nb") -> str:
    """An indicator's title (:class:`areal.geo.indicators.Indicator`, from its TOML) in ``lang``."""
    return indicator.title_en if lang == "en" else indicator.title_nb


def profile_title(name: str, lang: str = "nb") -> str:
    """A shipped suitability profile's title in ``lang`` (the name itself when it is not shipped).

    >>> profile_title("data_centre")
    'Datasenter'
    """
    from areal.layers.project_data import load_profile, profile_names

    if name not in profile_names():
        return name
    prof = load_profile(name)
    return prof.title_en if lang == "en" else prof.title_nb


#: What a missing layer was wanted for (``purpose`` of ``layers_missing``) -> (nb, en).
_PURPOSES: Mapping[str, tuple[str, str]] = {
    "": ("", ""),
    "planned_business": (" (framtidige næringsområder)", " (planned business areas)"),
    "optional_non_commercial": (
        " (valgfritt, ikke-kommersiell lisens CC BY-NC-SA 4.0)",
        " (optional, non-commercial CC BY-NC-SA 4.0)",
    ),
}

#: Where ``arenas_within`` measures from (its ``origin`` parameter) -> (nb, en).
_ORIGINS: Mapping[str, tuple[str, str]] = {
    "business_land": ("næringsarealet", "business land"),
    "representative_point": ("et punkt inne i kommunen", "a point inside the municipality"),
    "best_site": ("det beste området", "the best site"),
}

#: The words of every :class:`areal.geo.notes.Note` code: code -> (nb, en) template. The
#: fields are the note's values in words (:func:`_note_fields`); ``layers_missing`` is written
#: once per layer (``{layer}``, ``{how}``: how to get it), joined by "; ".
INDICATOR_NOTES: Mapping[str, tuple[str, str]] = {
    "layers_missing": (
        "«{layer}»{purpose} finnes ikke i datamappen; {how}",
        "«{layer}»{purpose} is not in the data directory; {how}",
    ),
    "no_account": ("arealregnskapet ble ikke beregnet", "the land account was not computed"),
    "no_rules": (
        "ingen konfliktregler ble gitt; kjør med standardreglene",
        "no conflict rule table was given; run with the default rules",
    ),
    "no_planned_areas": (
        "«{layer}» har ingen framtidige områder (arealbruksstatus 2)",
        "«{layer}» holds no planned areas (arealbruksstatus 2)",
    ),
    "profile_not_run": ("profilen «{profile}» ble ikke kjørt", "the profile «{profile}» was not run"),
    "profile_failed": (
        "profilen «{profile}» kunne ikke kjøres: {error}",
        "the profile «{profile}» could not run: {error}",
    ),
    "no_origin": (
        "både {layers} mangler: ingenting å måle fra",
        "both {layers} are missing: nothing to measure from",
    ),
    "partial": (
        "delvis kartlagt: {cls} telt bare fra {present}",
        "partly mapped: {cls} counted from {present} only",
    ),
    "no_value": (
        "{n} kommuner har ingen verdi (ikke noe areal å dele på)",
        "{n} municipalities have no value (no area to divide by)",
    ),
    "checked_without": (
        "sjekket uten {layers} (finnes ikke i datamappen): reglene mot dem er hoppet over, så andelen kan "
        "være for høy",
        "checked without {layers} (not in the data directory): their rules were skipped, so the share may "
        "be too high",
    ),
    "profile_run": (
        "profilen «{profile}» med {resolution} m ruter, terskel {threshold}, minst {min_area_ha} ha",
        "profile «{profile}» at {resolution} m, threshold {threshold}, minimum {min_area_ha} ha",
    ),
    "no_site_scoring": (
        "{n} kommuner har ikke noe område med skår ≥ {threshold} på ≥ {min_area_ha} ha (ikke rangert)",
        "{n} municipalities have no site scoring ≥ {threshold} over ≥ {min_area_ha} ha (not ranked)",
    ),
    "skipped": ("utelatt: {items}", "skipped: {items}"),
    "grid_capacity_licence": (
        "nettkapasitet: Tensio/Statnett via WattApp, CC BY-NC-SA 4.0 (bare ikke-kommersiell bruk); "
        "bare transformatorstasjoner (punkter), nettområder (flater) er ikke brukt",
        "grid capacity: Tensio/Statnett via WattApp, CC BY-NC-SA 4.0 (non-commercial use only); "
        "substations (points) only, grid-area polygons ignored",
    ),
    "no_profile_site": (
        "{n} kommuner har ikke noe område for «{profile}» (ikke rangert)",
        "{n} municipalities have no site for «{profile}» (not ranked)",
    ),
    "arena_distance": (
        "avstand i luftlinje fra {origin}; {located} av {total} arenaer i katalogen har en publisert "
        "posisjon (de andre telles ikke)",
        "straight-line distance from {origin}; {located} of {total} arenas in the catalogue have a "
        "published position (the others are not counted)",
    ),
    "built_up_fallback": (
        "{n} kommuner uten næringsområder er målt fra tettbebyggelsen: {municipalities}",
        "{n} municipalities without business areas measured from built-up land: {municipalities}",
    ),
}


def _and_list(items: Iterable[str], lang: str) -> str:
    """``«a», «b» og «c»`` (``and`` in English)."""
    quoted = [f"«{i}»" for i in items]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {'and' if lang == 'en' else 'og'} {quoted[-1]}"


def _plain_number(value, lang: str) -> str:
    """A parameter (250, 0,75): no decimals when whole, else two."""
    v = float(value)
    return number(v, 0 if v.is_integer() else 2, lang)


def _note_fields(values: Mapping, lang: str) -> dict[str, str]:
    """The values of a note in words of ``lang``: ids by their titles, numbers in the language's format."""
    i = 1 if lang == "en" else 0
    out: dict[str, str] = {}
    for key, v in values.items():
        if key == "layer":
            out[key] = layer_title(str(v), lang)
        elif key in ("layers", "present"):
            out[key] = _and_list((layer_title(str(x), lang) for x in v), lang)
        elif key == "profile":
            out[key] = profile_title(str(v), lang)
        elif key == "cls":
            out[key] = class_title(str(v), lang)
        elif key == "purpose":
            out[key] = _PURPOSES.get(str(v), (str(v), str(v)))[i]
        elif key == "origin":
            out[key] = _ORIGINS.get(str(v), (str(v), str(v)))[i]
        elif key in ("n", "located", "total"):
            out[key] = number(v, 0, lang)
        elif key in ("resolution", "threshold", "min_area_ha"):
            out[key] = _plain_number(v, lang)
        elif key == "items":
            from areal.layers.project_data import load_profile, profile_names

            name = str(values.get("profile", ""))
            prof = load_profile(name) if name in profile_names() else None
            out[key] = "; ".join(skipped_words([(str(k), str(r)) for k, r in v], prof, lang))
        elif key == "municipalities":
            out[key] = ", ".join(str(x) for x in v)
        else:  # the error of a profile that could not run: its own text
            out[key] = str(v)
    return out


def _as_note(note):
    from areal.geo.notes import Note

    return note if isinstance(note, Note) else Note.from_dict(note)


def indicator_note_text(note, lang: str = "nb") -> str:
    """One reason or note of :mod:`areal.geo.indicators` in words of ``lang``.

    ``note`` is a :class:`~areal.geo.notes.Note` or its
    :meth:`~areal.geo.notes.Note.to_dict`. An unknown code is shown as the code with its values (never lost).

    >>> from areal.geo.notes import Note
    >>> indicator_note_text(Note.of("no_value", n=3))
    '3 kommuner har ingen verdi (ikke noe areal å dele på)'
    >>> indicator_note_text({"code": "something_new", "n": 1})
    'something_new (n=1)'
    """
    note = _as_note(note)
    templates = INDICATOR_NOTES.get(note.code)
    if templates is None:
        return str(note)
    template = templates[1 if lang == "en" else 0]
    fields = _note_fields(note.values, lang)
    if note.code == "layers_missing":
        return "; ".join(
            template.format(**{**fields, "layer": layer_title(lid, lang), "how": how_to_get(lid, lang)})
            for lid in note.values.get("layers", ())
        )
    return template.format(**fields)


def indicator_text(notes, lang: str = "nb") -> str:
    """The reason or the notes of an indicator (a note, a sequence of them, or None) in words, ``" | "``-joined.

    Layers, profiles and classes are named by their titles, numbers in the language's format
    (:data:`INDICATOR_NOTES`).

    >>> from areal.geo.notes import Note
    >>> indicator_text((Note.of("profile_run", profile="data_centre", resolution=250.0, threshold=0.75,
    ...                         min_area_ha=20.0), Note.of("no_profile_site", n=29, profile="data_centre")))
    'profilen «Datasenter» med 250 m ruter, terskel 0,75, minst 20 ha | 29 kommuner har ikke noe område for «Datasenter» (ikke rangert)'
    >>> indicator_text(Note.of("layers_missing", layers=["ar5"], purpose=""), "en")
    '«AR5 land resources (farmland, forest, mire)» is not in the data directory; get it with `areal fetch ar5` or `areal import FILE --as ar5`'
    >>> indicator_text(None)
    ''
    """
    if notes is None:
        return ""
    from areal.geo.notes import Note

    if isinstance(notes, (Note, Mapping)):
        notes = (notes,)
    return " | ".join(indicator_note_text(n, lang) for n in notes)


def indicator_text_known(notes) -> bool:
    """Whether every code of an indicator's reason or notes is one :data:`INDICATOR_NOTES` words."""
    from areal.geo.notes import Note

    if notes is None:
        return True
    if isinstance(notes, (Note, Mapping)):
        notes = (notes,)
    return all(_as_note(n).code in INDICATOR_NOTES for n in notes)


#: The catalogue's vintages (``LayerSpec.vintage``, written in English) in Norwegian.
_VINTAGE_NB = (
    ("continuously updated", "løpende ajourført"),
    ("about ", "ca. "),
    (" copy", " (kopi)"),
    ("current master plans", "gjeldende kommuneplaner"),
    ("unverified", "ikke verifisert"),
    ("current", "gjeldende"),
    ("Dec ", "des. "),
)


def vintage_text(vintage: object, lang: str = "nb") -> str:
    """A layer's vintage in ``lang`` (the catalogue writes it in English).

    >>> vintage_text("continuously updated"), vintage_text("Dec 2025"), vintage_text("about 2020", "en")
    ('løpende ajourført', 'des. 2025', 'about 2020')
    """
    text = "" if vintage is None else str(vintage)
    if lang == "en":
        return text
    for en, nb in _VINTAGE_NB:
        text = text.replace(en, nb)
    return text


# ---------------------------------------------------------------- conflict rules in words

#: Severity ids of :data:`areal.geo.rules.SEVERITIES` -> (nb, en).
SEVERITY_TITLES: Mapping[str, tuple[str, str]] = {
    "exclusion": ("utelukket", "exclusion"),
    "high": ("høy", "high"),
    "medium": ("middels", "medium"),
    "low": ("lav", "low"),
}


def severity_title(severity: str, lang: str = "nb") -> str:
    """A severity in words.

    >>> severity_title("high"), severity_title("high", "en")
    ('høy', 'high')
    """
    nb, en = SEVERITY_TITLES.get(str(severity), (str(severity), str(severity)))
    return en if lang == "en" else nb


def layer_title(layer_id: str, lang: str = "nb") -> str:
    """The catalogue title of a layer, or the label of a kind of site (the id only for an id neither knows).

    >>> layer_title("power_lines"), layer_title("power_lines", "en")
    ('Kraftledninger (N1000)', 'Power lines (N1000)')
    >>> layer_title("test_area_sea"), layer_title("test_area_sea", "en")
    ('Testområde på sjø', 'Test area at sea')
    """
    from areal.layers import registry

    try:
        return registry.get(layer_id).title_in(lang)
    except Exception:  # a kind of site (no layer), or an id from a user's rule file the catalogue lacks
        nb, en = _default_rules().kind_labels.get(layer_id, ("", ""))
        return (en or nb if lang == "en" else nb) or layer_id


def data_scale(layer_id: str) -> int | None:
    """Map scale (1:n) of a layer's source, for rounding distances; None = large-scale data (1 m).

    >>> data_scale("roads"), data_scale("grid_capacity")
    (1000000, None)
    """
    from areal.layers import registry

    try:
        spec = registry.get(layer_id)
    except Exception:  # not a catalogue layer
        return None
    return 1_000_000 if "N1000" in f"{spec.title_nb} {spec.source}" else None


def _default_rules():
    from areal.layers.project_data import load_rules

    global _RULES_CACHE
    if _RULES_CACHE is None:
        _RULES_CACHE = load_rules()
    return _RULES_CACHE


_RULES_CACHE = None


def selector_title(selector: str, lang: str = "nb", classes: Mapping | None = None) -> str:
    """A rule selector (``"layer"`` or ``"layer:class"``) in words: the layer title, then the class label.

    >>> selector_title("ar5:farmland")
    'Jordbruksareal: fulldyrka (21), overflatedyrka (22), innmarksbeite (23)'
    >>> selector_title("protected_areas", "en")
    'Protected areas (Naturbase)'
    """
    from areal.geo.rules import split_selector

    layer, cls = split_selector(selector)
    if cls is None:
        return layer_title(layer, lang)
    classes = _default_rules().classes if classes is None else classes
    c = classes.get(selector)
    label = (c.label_en or c.label) if (c is not None and lang == "en") else (c.label if c else "")
    return label or f"{layer_title(layer, lang)}: {cls}"


def pair_title(rule, lang: str = "nb", classes: Mapping | None = None) -> str:
    r"""The pair of a rule in words, with its zone: ``Næringsområder × Kraftledninger (sone 30 m)``.

    >>> from areal.geo.rules import Rule
    >>> pair_title(Rule("wild_reindeer", "power_lines", "high", 500.0))
    'Villreinområder × Kraftledninger (N1000) (sone 500\xa0m)'
    >>> pair_title(Rule("wild_reindeer", "power_lines", "high", 500.0), "en")
    'Wild reindeer areas × Power lines (N1000) (zone 500 m)'
    """
    from areal.apps.formatting import distance

    text = f"{selector_title(rule.a, lang, classes)} × {selector_title(rule.b, lang, classes)}"
    if rule.buffer_m:
        zone = "zone" if lang == "en" else "sone"
        text += f" ({zone} {distance(rule.buffer_m, lang)})"
    return text


def rule_basis(rule, lang: str = "nb") -> str:
    """The legal basis of a rule in ``lang`` (the default text when no translation is given)."""
    return (rule.basis_nb or rule.basis) if lang != "en" else rule.basis


def rule_explanation(rule, lang: str = "nb") -> str:
    """The explanation of a rule in ``lang`` (the default text when no translation is given)."""
    return (rule.explanation_nb or rule.explanation) if lang != "en" else rule.explanation


def rules_by_pair(rules=None) -> dict:
    """Pair id -> rule, for tables that carry only the pair id (default: the shipped rule table)."""
    rules = _default_rules().rules if rules is None else rules
    return {r.pair: r for r in rules}


def pair_text(pair: str, lang: str = "nb", rules=None) -> str:
    r"""A pair id (``"business_areas × ar5:forest"``, ``"a × b (30 m)"``) in words.

    Looked up in ``rules`` then in the shipped rule table; an id found in neither is read as
    ``a × b`` with an optional ``(N m)`` zone.

    >>> pair_text("wild_reindeer × lakes (250 m)")
    'Villreinområder × Innsjøer (N1000) (sone 250\xa0m)'
    """
    from areal.geo.rules import Rule

    rule = {**rules_by_pair(), **(rules_by_pair(rules) if rules is not None else {})}.get(pair)
    if rule is not None:
        return pair_title(rule, lang)
    m = re.match(r"^(?P<a>\S+) × (?P<b>\S+)(?: \((?P<m>[\d.]+) m\))?$", pair)
    if not m:
        return pair
    return pair_title(Rule(m["a"], m["b"], "low", float(m["m"] or 0)), lang)


def localise_conflicts(frame: pd.DataFrame, lang: str = "nb", rules=None) -> pd.DataFrame:
    r"""A frame with ``pair``/``severity``/``basis``/``explanation`` columns with those in words.

    Rows whose pair is not in ``rules`` keep their text; other columns are untouched.

    >>> df = pd.DataFrame({"pair": ["wild_reindeer × power_lines (500 m)"], "severity": ["medium"]})
    >>> localise_conflicts(df).iloc[0].tolist()
    ['Villreinområder × Kraftledninger (N1000) (sone 500\xa0m)', 'middels']
    """
    lookup = rules_by_pair(rules)
    out = frame.copy()
    pairs = frame["pair"].astype(str) if "pair" in frame.columns else None
    if pairs is not None:
        for col, fn in (("basis", rule_basis), ("explanation", rule_explanation)):
            if col in out.columns:
                out[col] = [fn(lookup[p], lang) if p in lookup else v for p, v in zip(pairs, out[col])]
        out["pair"] = [pair_title(lookup[p], lang) if p in lookup else pair_text(p, lang) for p in pairs]
    if "severity" in out.columns:
        out["severity"] = out["severity"].map(lambda v: severity_title(v, lang))
    if "status" in out.columns:  # hit / no hit / not mapped, with the reason, in one column of words
        reasons = out["reason"] if "reason" in out.columns else pd.Series("", index=out.index)
        out["status"] = [
            status_text(st, "" if pd.isna(r) else str(r), lang) if st in COVERAGE_STATUS else st
            for st, r in zip(out["status"], reasons)
        ]
        out = out.drop(columns=[c for c in ("reason",) if c in out.columns])
    return out


# ---------------------------------------------------------------- notes of the land account

#: How :mod:`areal.geo.land_account` names the parts of developed land in its note -> class id.
_DEVELOPED = {"ar5 11/12": "ar5_developed", "existing business areas": "business_existing"}

_NOTE_PATTERNS = (
    (
        re.compile(
            r"^farmland from (?P<src>.*); outside their coverage 'other nature' may include farmland$"
        ),
        lambda m, lang: (
            f"Farmland from {m['src']}; outside their coverage 'other nature' may include farmland"
            if lang == "en"
            else f"Jordbruksareal fra {m['src']}; utenfor området de dekker kan «annen natur» omfatte "
            "jordbruksareal"
        ),
    ),
    (
        re.compile(r"^farmland needs AR5, AR50 or N50 Arealdekke: .*$"),
        lambda m, lang: (
            "Farmland needs AR5, AR50 or N50 Arealdekke: 'other nature' may include farmland"
            if lang == "en"
            else "Jordbruksareal krever AR5, AR50 eller N50 Arealdekke: «annen natur» kan omfatte jordbruksareal"
        ),
    ),
    (
        re.compile(r"^forest and mire from N1000 \(1:1 000 000\)$"),
        lambda m, lang: (
            "Forest and mire from N1000 (1:1 000 000)"
            if lang == "en"
            else "Skog og myr er fra N1000 (1 : 1 000 000)"
        ),
    ),
    (
        re.compile(r"^farmland needs the AR5 layer \(ar5\).*$"),
        lambda m, lang: (
            "Farmland needs the AR5 layer: 'other nature' may include farmland; forest and mire from N1000 "
            "(1:1 000 000)"
            if lang == "en"
            else "Jordbruksareal krever AR5-laget: «annen natur» kan omfatte jordbruksareal; skog og myr er fra "
            "N1000 (1 : 1 000 000)"
        ),
    ),
    (
        re.compile(r"^developed land = (?P<ids>.*)$"),
        lambda m, lang: (
            ("Developed land = " if lang == "en" else "Utbygd areal = ")
            + (
                " ∪ ".join(
                    class_title(_DEVELOPED.get(i.strip(), i.strip()), lang) for i in m["ids"].split("∪")
                )
                if m["ids"] != "not available"
                else not_available(lang)
            )
        ),
    ),
    (
        re.compile(r"^no emission factor for (?P<ids>[^:]*):.*$"),
        lambda m, lang: (
            f"No emission factor for {', '.join(conversion_title(i.strip(), lang) for i in m['ids'].split(','))}: "
            "their hectares are shown as 'without emission factor' and not counted in CO2"
            if lang == "en"
            else "Ingen utslippsfaktor for "
            f"{', '.join(conversion_title(i.strip(), lang) for i in m['ids'].split(','))}: hektarene vises som "
            "«uten utslippsfaktor» og telles ikke med i CO2"
        ),
    ),
)


def conversion_title(category: str, lang: str = "nb") -> str:
    """A conversion category in words (the id itself when unknown)."""
    nb, en = CONVERSION_TITLES.get(category, (category, category))
    return en if lang == "en" else nb


def localise_note(note: str, lang: str = "nb") -> str:
    """A note of :mod:`areal.geo.land_account` in words of ``lang`` (unknown notes as given).

    >>> localise_note("developed land = built_up ∪ existing business areas")
    'Utbygd areal = Tettbebyggelse (N1000) ∪ Næringsområder, nåværende'
    """
    for pattern, render in _NOTE_PATTERNS:
        m = pattern.match(note)
        if m:
            return render(m, lang)
    return note


#: Units of the indicator tables (written in Norwegian in data/indicators/*.toml) in English.
UNITS_EN: Mapping[str, str] = {
    "andel (0–1)": "share (0–1)",
    "egnethet (0–1)": "suitability (0–1)",
    "antall": "count",
    "t CO₂-ekv.": "t CO₂-eq.",
}


def unit_title(unit: str, lang: str = "nb") -> str:
    """An indicator unit in ``lang`` (units such as ha and MW are the same in both).

    >>> unit_title("andel (0–1)", "en"), unit_title("andel (0–1)")
    ('share (0–1)', 'andel (0–1)')
    """
    return UNITS_EN.get(unit, unit) if lang == "en" else unit


def with_unit(title: str, unit: str) -> str:
    """A title with its unit in brackets, composed once: never a bracket inside a bracket, never twice.

    A unit that holds brackets itself (``andel (0–1)``) is written flat inside the title's
    (``andel, 0–1``); a title that already ends with its unit is left as it is.

    >>> with_unit("Andel landareal vernet", "andel (0–1)")
    'Andel landareal vernet (andel, 0–1)'
    >>> with_unit("Myr (ha)", "ha"), with_unit("Testarenaer", "antall"), with_unit("Flater", "")
    ('Myr (ha)', 'Testarenaer (antall)', 'Flater')
    """
    unit = re.sub(r"\s*\(([^()]*)\)", r", \1", unit.strip()).strip(", ")
    if not unit or title.endswith(f"({unit})"):
        return title
    return f"{title} ({unit})"


def indicator_heading(indicator, lang: str = "nb") -> str:
    """An indicator's title with its unit (:func:`with_unit`), for a table head or a row label.

    Used by ``areal indicators``, the app's Indicators tab and the scenario comparison.

    >>> from areal.geo.indicators import Indicator
    >>> ind = Indicator("x", "Andel vernet", "Share protected", "andel (0–1)", "account_share", {}, True, "N")
    >>> indicator_heading(ind), indicator_heading(ind, "en")
    ('Andel vernet (andel, 0–1)', 'Share protected (share, 0–1)')
    """
    return with_unit(indicator_title(indicator, lang), unit_title(indicator.unit, lang))


# ---------------------------------------------------------------- scenario comparison

#: Groups of a scenario comparison (:data:`areal.apps.usecases.scenario.GROUPS`) -> (nb, en).
SCENARIO_GROUPS: Mapping[str, tuple[str, str]] = {
    "proposal": ("Forslag", "Proposal"),
    "land account": ("Arealregnskap", "Land account"),
    "conflicts": ("Konflikter", "Conflicts"),
    "indicators": ("Indikatorer", "Indicators"),
}

#: Metrics of the proposal and conflict groups -> (nb, en) (the account's are :func:`column_titles`,
#: the severities' :func:`severity_title` with ha, the indicators' :func:`indicator_heading`).
SCENARIO_METRICS: Mapping[str, tuple[str, str]] = {
    "polygons": ("Flater (antall)", "Polygons (count)"),
    "area_ha": ("Areal (ha)", "Area (ha)"),
    "conflict_ha": ("I konflikt, alle grader (ha)", "In conflict, any severity (ha)"),
    "layers_missing": ("Kartlag som mangler (antall)", "Layers missing (count)"),
}


def scenario_group_title(group: str, lang: str = "nb") -> str:
    """A comparison group in words (the id itself when unknown).

    >>> scenario_group_title("land account"), scenario_group_title("conflicts", "en")
    ('Arealregnskap', 'Conflicts')
    """
    nb, en = SCENARIO_GROUPS.get(group, (group, group))
    return en if lang == "en" else nb


def scenario_metric_title(group: str, metric: str, lang: str = "nb", indicator=None) -> str:
    """A comparison metric in words: ``indicator`` (its catalogue entry) names an indicator's.

    >>> scenario_metric_title("conflicts", "high_ha"), scenario_metric_title("land account", "mire_ha", "en")
    ('Høy (ha)', 'Mire (N1000) (ha)')
    """
    from areal.geo.rules import SEVERITIES

    if indicator is not None:
        return indicator_heading(indicator, lang)
    if metric in SCENARIO_METRICS:
        nb, en = SCENARIO_METRICS[metric]
        return en if lang == "en" else nb
    if group == "conflicts" and metric.endswith("_ha") and metric[: -len("_ha")] in SEVERITIES:
        sev = severity_title(metric[: -len("_ha")], lang)
        return f"{sev[:1].upper()}{sev[1:]} (ha)"
    return column_titles(lang).get(metric, metric)


def criterion_label(criterion, lang: str = "nb") -> str:
    """A criterion's name (:class:`areal.geo.profiles.Criterion`, from its profile TOML) in ``lang``.

    Falls back to ``label``, then to the id.

    >>> from areal.geo.profiles import Criterion
    >>> criterion_label(Criterion("road", "distance", label="public road", label_nb="offentlig veg"))
    'offentlig veg'
    >>> criterion_label(Criterion("road", "distance", label="public road"), "en")
    'public road'
    """
    return (criterion.label_nb if lang != "en" else "") or criterion.label or criterion.id


def plan_item_name(key: str, profile, lang: str = "nb") -> str:
    """A criterion or exclusion of a suitability run in words: its label, or its layer's title.

    ``key`` is a criterion id, an exclusion id of ``profile``, a conflict rule's exclusion
    (``"rule: LAYER"``) or a layer id.
    """
    crit = {c.id: c for c in profile.criteria} if profile is not None else {}
    excl = {e.id: e for e in profile.exclusions} if profile is not None else {}
    if key.startswith("rule: "):
        return layer_title(key[len("rule: ") :], lang)
    if key in crit:
        return criterion_label(crit[key], lang)
    if key in excl:
        return layer_title(excl[key].layer, lang)
    return layer_title(key, lang)


def skipped_words(skipped, profile, lang: str = "nb") -> list[str]:
    """The criteria and exclusions a suitability run skipped, in words: what, and why (no ids).

    ``skipped`` is the model's ``(key, reason)`` list; a missing layer is named by its title and
    a criterion that is the layer itself is not named twice.

    >>> skipped_words([("ar5", "layer 'ar5' missing: no file")], None)
    ['AR5 arealressurser (jordbruk, skog, myr): mangler i datamappen']
    >>> skipped_words([("conflict layer lakes", "its rules are not checked: layer 'lakes' is missing: …")], None)
    ['konfliktregler mot Innsjøer (N1000): mangler i datamappen']
    """
    from areal.apps.planner import i18n

    out = []
    for key, why in skipped:
        if key.startswith("conflict layer "):  # a conflict rule's layer the site check could not use
            against = "conflict rules against" if lang == "en" else "konfliktregler mot"
            name = f"{against} {layer_title(key[len('conflict layer ') :], lang)}"
        else:
            name = plan_item_name(key, profile, lang)
        missing = re.search(r"layer '([a-z0-9_]+)' (?:is )?missing", str(why))
        if missing:
            layer = layer_title(missing[1], lang)
            reason = (
                i18n.t("suit.skip.missing_self", lang)
                if name.endswith(layer)  # "AR5: mangler …", not "AR5: AR5 mangler …"
                else i18n.t("suit.skip.missing", lang, layer=layer)
            )
        elif "already an exclusion" in str(why):
            reason = i18n.t("suit.skip.already", lang)
        else:
            reason = i18n.t("suit.skip.other", lang)
        out.append(f"{name}: {reason}")
    return list(dict.fromkeys(out))
