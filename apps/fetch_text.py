r"""The words of ``areal fetch`` and ``areal import`` in the user's language (nb default, en).

The data layer reports what a fetch or an import did as facts and structured notes
(:class:`areal.geo.notes.Note`: a code and its values); this module renders them: layers by
their titles, numbers in the language's format (:mod:`areal.apps.formatting`), file columns
and code values in backticks (what a user writes into a column map). A note whose code it
does not know is shown by its English sentence, never lost.

Examples
--------
>>> from areal.geo.notes import Note
>>> note_text(Note.of("fetch.pages", pages=3, collection="KpArealformålOmråde"))
'3 sider fra samlingen KpArealformålOmråde'
>>> note_text(Note.of("fetch.pages", pages=1, collection="K"), "en")
'1 page from collection K'
>>> size_text(1_234_567), size_text(1_234_567, "en"), size_text(800)
('1,2\xa0MB', '1.2\xa0MB', '800\xa0byte')
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from areal.apps.formatting import NBSP, count, number
from areal.apps.labels import layer_title
from areal.geo.notes import Note

Lang = str


def _en(lang: str) -> bool:
    return lang == "en"


def _title(layer_id: str, lang: str) -> str:
    return f"«{layer_title(layer_id, lang)}»"


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _n(value: object, lang: str) -> str:
    return count(value, lang)


def _code(value: object) -> str:
    return f"`{value}`"


def size_text(n_bytes: int, lang: str = "nb") -> str:
    """A download's size in the language's format (byte, kB, MB, GB; decimal units)."""
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= div:
            return f"{number(n_bytes / div, 1, lang)}{NBSP}{unit}"
    return f"{count(n_bytes, lang)}{NBSP}{'bytes' if _en(lang) and n_bytes != 1 else 'byte'}"


def _scale(value: int, lang: str) -> str:
    return f"1:{count(value, lang)}"


def _metres(value: float, lang: str) -> str:
    digits = 0 if float(value).is_integer() else 1
    return f"{number(value, digits, lang)}{NBSP}m"


def _value_counts(pairs, lang: str) -> str:
    rows = ("row", "rows") if _en(lang) else ("rad", "rader")
    return ", ".join(f"{_code(v)} ({_n(n, lang)} {_plural(int(n), *rows)})" for v, n in pairs)


# ---------------------------------------------------------------------- services and unverified

#: Service names with words in them (not only proper names): layer id -> (nb, en).
SERVICES: Mapping[str, tuple[str, str]] = {
    "business_areas": (
        "DiBK Nasjonal arealplanbase, kommuneplaner (OGC API Features; tilgang gjennom Norge digitalt)",
        "DiBK Nasjonal arealplanbase, kommuneplaner (OGC API Features; Norge digitalt access)",
    ),
    "ar5": (
        "Geonorge nedlasting API (FKB-AR5, NIBIO; GeoID-token), per kommune",
        "Geonorge nedlasting API (FKB-AR5, NIBIO; GeoID token), per municipality",
    ),
    "farmland": (
        "beste tilgjengelige kilde: AR5 (NIBIO, med GeoID-token), ellers AR50 (NIBIO, åpen), ellers "
        "N50 Kartdata Arealdekke (Kartverket, åpen)",
        "the best source available: AR5 (NIBIO, with a GeoID token), else AR50 (NIBIO, open), else "
        "N50 Kartdata Arealdekke (Kartverket, open)",
    ),
    "ar50": (
        "Geonorge nedlasting (Arealressurskart AR50, NIBIO), åpen, per fylke",
        "Geonorge nedlasting (Arealressurskart AR50, NIBIO), open, per county",
    ),
    "n50_arealdekke": (
        "Geonorge nedlasting (N50 Kartdata, Kartverket), åpen, per fylke",
        "Geonorge nedlasting (N50 Kartdata, Kartverket), open, per county",
    ),
    "shipping_lanes": (
        "Kystverket via Geonorge: Hovedled og Biled, arealavgrensning (ukontrollert endepunkt)",
        "Kystverket via Geonorge: Hovedled og Biled, arealavgrensning (unverified endpoint)",
    ),
    "fishing_grounds": (
        "Fiskeridirektoratet via Geonorge: Fiskeplasser, aktive og passive redskap (ukontrollert endepunkt)",
        "Fiskeridirektoratet via Geonorge: Fiskeplasser, aktive og passive redskap (unverified endpoint)",
    ),
}

#: What no real public sample confirms about a fetcher: layer id -> (the catalogue's English
#: ``Fetch.unverified``, nb, en as printed). A query parameter is in backticks (what a user types).
UNVERIFIED: Mapping[str, tuple[str, str, str]] = {
    "business_areas": (
        "the collection id in the URL, the kommunenummer query parameter and the login scheme (the "
        "feature catalogue gives names and fields, not URLs; no raw response is public)",
        "samlingens id i adressen, spørreparameteren `kommunenummer` og innloggingen (objektkatalogen "
        "gir navn og felt, ikke adresser; ingen rå respons er offentlig)",
        "the collection id in the URL, the `kommunenummer` query parameter and the login scheme (the "
        "feature catalogue gives names and fields, not URLs; no raw response is public)",
    ),
    "ar5": (
        "the order-status path api/order/{referenceNumber} (the documentation shows the status "
        "values, not the path)",
        "stien til bestillingsstatusen, `api/order/{referenceNumber}` (dokumentasjonen viser "
        "statusverdiene, ikke stien)",
        "the order-status path `api/order/{referenceNumber}` (the documentation shows the status "
        "values, not the path)",
    ),
    "ar50": (
        "no AR50 file or order was found in public: metadata UUID, format name and field names",
        "ingen AR50-fil eller -bestilling er funnet offentlig: metadata-UUID, formatnavn og feltnavn",
        "no AR50 file or order was found in public: metadata UUID, format name and field names",
    ),
    "n50_arealdekke": (
        "the per-county file name and the FGDB theme layer name (by analogy with N1000)",
        "filnavnet per fylke og navnet på temalaget i FGDB-filen (etter mønster av N1000)",
        "the per-county file name and the FGDB theme layer name (by analogy with N1000)",
    ),
    "reindeer_pastures": (
        "the årstidsbeite file names and the FGDB layer names",
        "filnavnene for årstidsbeite og lagnavnene i FGDB-filene",
        "the årstidsbeite file names and the FGDB layer names",
    ),
    "elevation": (
        "the coverage name and parameters: no WCS capabilities document of the service is public",
        "dekningens navn og parametre: ikke noe WCS-capabilities-dokument for tjenesten er offentlig",
        "the coverage name and parameters: no WCS capabilities document of the service is public",
    ),
}


def service_text(layer_id: str, lang: str = "nb") -> str:
    """The service a layer is fetched from, in ``lang`` (the catalogue's name when it is only names).

    >>> service_text("ar50")
    'Geonorge nedlasting (Arealressurskart AR50, NIBIO), åpen, per fylke'
    >>> service_text("protected_areas", "en")
    'Miljødirektoratet nedlasting (Naturbase: Vern)'
    """
    from areal.layers import registry

    if layer_id in SERVICES:
        return SERVICES[layer_id][1 if _en(lang) else 0]
    f = registry.get(layer_id).fetch
    return f.service if f is not None else ""


def unverified_text(layer_id: str, lang: str = "nb", what: str | None = None) -> str:
    """What about a layer's fetcher is unverified, in ``lang`` (``""`` when every detail is confirmed).

    ``what`` is the catalogue's English text (a note's value); when it is not the one known here
    (the catalogue changed) the English text is given rather than an outdated translation.

    >>> unverified_text("reindeer_pastures")
    'filnavnene for årstidsbeite og lagnavnene i FGDB-filene'
    >>> unverified_text("protected_areas")
    ''
    """
    from areal.layers import registry

    f = registry.get(layer_id).fetch
    current = what if what is not None else (f.unverified if f is not None else "")
    if not current:
        return ""
    source, nb, en = UNVERIFIED.get(layer_id, ("", "", ""))
    if current != source:
        return current
    return en if _en(lang) else nb


# ---------------------------------------------------------------------- notes

_Render = Callable[[Mapping[str, Any], str], str]


def _permits(v: Mapping[str, Any], lang: str) -> str:
    n = int(v["n"])
    if _en(lang):
        return f"{_n(n, lang)} permit {_plural(n, 'row', 'rows')} without a site (empty LOK_NR) left out"
    return f"{_n(n, lang)} {_plural(n, 'tillatelse', 'tillatelser')} uten lokalitet (tom LOK_NR) utelatt"


def _pages(v: Mapping[str, Any], lang: str) -> str:
    n = int(v["pages"])
    if _en(lang):
        return f"{_n(n, lang)} {_plural(n, 'page', 'pages')} from collection {v['collection']}"
    return f"{_n(n, lang)} {_plural(n, 'side', 'sider')} fra samlingen {v['collection']}"


def _tiles(v: Mapping[str, Any], lang: str) -> str:
    n = int(v["tiles"])
    res = _metres(v["resolution"], lang)
    if _en(lang):
        return f"{_n(n, lang)} {_plural(n, 'tile', 'tiles')} at {res}"
    return f"{_n(n, lang)} {_plural(n, 'kartflis', 'kartfliser')} med {res} oppløsning"


def _order(v: Mapping[str, Any], lang: str) -> str:
    n = int(v["checks"])
    if _en(lang):
        return f"order {v['order']}: {_n(n, lang)} status {_plural(n, 'check', 'checks')}"
    return f"bestilling {v['order']}: status sjekket {_n(n, lang)} {_plural(n, 'gang', 'ganger')}"


def _farmland_from(v: Mapping[str, Any], lang: str) -> str:
    what = f"{_title(v['source'], lang)} ({v['publisher']}, {_scale(int(v['scale']), lang)})"
    return f"farmland from {what}" if _en(lang) else f"jordbruksareal fra {what}"


def _not_fetched(v: Mapping[str, Any], lang: str) -> str:
    # the reason is the error's own message (errors are another module's words)
    if _en(lang):
        return f"{_title(v['source'], lang)} not fetched: {v['error']}"
    return f"{_title(v['source'], lang)} ble ikke hentet: {v['error']}"


def _unverified(v: Mapping[str, Any], lang: str) -> str:
    what = unverified_text(v["layer"], lang, v.get("what"))
    if _en(lang):
        return f"unverified fetcher: {what}; check the result"
    return f"ukontrollert henter: {what}; kontroller resultatet"


def _codes_refused(v: Mapping[str, Any], lang: str) -> str:
    n = int(v["n"])
    col, shown = _code(v["column"]), _value_counts(v["values"], lang)
    if _en(lang):
        return (
            f"{_n(n, lang)} {_plural(n, 'row', 'rows')} refused: column {col} not in the code list: {shown}"
        )
    return f"{_n(n, lang)} {_plural(n, 'rad', 'rader')} avvist: kolonnen {col} har koder utenfor kodelisten: {shown}"


def _codes_unknown(v: Mapping[str, Any], lang: str) -> str:
    n = int(v["n"])
    col, shown = _code(v["column"]), _value_counts(v["values"], lang)
    if _en(lang):
        return f"column {col}: {_n(n, lang)} {_plural(n, 'value', 'values')} not in the code list: {shown}"
    return f"kolonnen {col}: {_n(n, lang)} {_plural(n, 'verdi', 'verdier')} utenfor kodelisten: {shown}"


_KINDS = {"int": ("heltall", "integers"), "float": ("tall", "numbers"), "str": ("tekst", "text")}


def _kind(kind: str, lang: str) -> str:
    return _KINDS.get(kind, (kind, kind))[1 if _en(lang) else 0]


def _not_numeric(v: Mapping[str, Any], lang: str) -> str:
    n = int(v["n"])
    col, kind = _code(v["column"]), _kind(v["kind"], lang)
    ex = ", ".join(_code(e) for e in v["examples"])
    if _en(lang):
        return f"column {col} should hold {kind} but holds {_n(n, lang)} other {_plural(n, 'value', 'values')} ({ex})"
    return f"kolonnen {col} skal ha {kind}, men har {_n(n, lang)} {_plural(n, 'annen verdi', 'andre verdier')} ({ex})"


def _unreadable(v: Mapping[str, Any], lang: str) -> str:
    col, kind = _code(v["column"]), _kind(v["kind"], lang)
    if _en(lang):
        return f"column {col} cannot be read as {kind} ({v['error']})"
    return f"kolonnen {col} kan ikke leses som {kind} ({v['error']})"


_GEOMETRY = {
    "Polygon": ("flater", "polygons"),
    "MultiPolygon": ("flater", "polygons"),
    "LineString": ("linjer", "lines"),
    "MultiLineString": ("linjer", "lines"),
    "Point": ("punkter", "points"),
    "MultiPoint": ("punkter", "points"),
}


def _geometry(t: str, lang: str) -> str:
    return _GEOMETRY.get(t, (t, t))[1 if _en(lang) else 0]


def _wrong_geometry(v: Mapping[str, Any], lang: str) -> str:
    n = int(v["n"])
    want = _geometry(v["geometry_type"], lang)
    found = ", ".join(f"{_n(k, lang)} {_geometry(t, lang)}" for t, k in v["found"])
    if _en(lang):
        return f"{_n(n, lang)} {_plural(n, 'geometry is', 'geometries are')} not {want} ({found})"
    return f"{_n(n, lang)} {_plural(n, 'geometri', 'geometrier')} er ikke {want} ({found})"


def _not_cached(v: Mapping[str, Any], lang: str) -> str:
    if _en(lang):
        return f"not kept in the cache ({v['error']})"
    return f"ikke lagt i hurtigbufferen ({v['error']})"


def _outside_county(v: Mapping[str, Any], lang: str) -> str:
    lon, lat = number(v["lon"], 2, lang), number(v["lat"], 2, lang)
    if _en(lang):
        return (
            f"{v['file']} lies in Norway but outside Trøndelag (around longitude {lon}, latitude {lat}); "
            "most layers cover Trøndelag only"
        )
    return (
        f"{v['file']} ligger i Norge, men utenfor Trøndelag (omkring lengdegrad {lon}, breddegrad {lat}); "
        "de fleste kartlagene dekker bare Trøndelag"
    )


def _text(v: Mapping[str, Any], lang: str) -> str:
    return str(v.get("text", ""))


NOTES: Mapping[str, _Render] = {
    "fetch.permits_without_site": _permits,
    "fetch.pages": _pages,
    "fetch.tiles": _tiles,
    "fetch.order_checks": _order,
    "fetch.farmland_from": _farmland_from,
    "fetch.source_not_fetched": _not_fetched,
    "fetch.unverified": _unverified,
    "import.codes_refused": _codes_refused,
    "load.codes_unknown": _codes_unknown,
    "load.not_numeric": _not_numeric,
    "load.unreadable_column": _unreadable,
    "load.wrong_geometry": _wrong_geometry,
    "load.not_cached": _not_cached,
    "location.outside_county": _outside_county,
    "text": _text,
}
"""Every note code the fetchers, the importer and the loader emit, rendered in nb and en."""

LABELS: Mapping[str, tuple[str, str]] = {
    "fetch.label.page": ("{layer} side {page}", "{layer} page {page}"),
    "fetch.label.tile": ("DTM-kartflis {tile}", "DTM tile {tile}"),
    "fetch.label.order": ("bestilling", "order"),
    "fetch.label.order_status": ("bestillingsstatus", "order status"),
    "fetch.label.dataset": ("{dataset}", "{dataset}"),
    "fetch.label.area": ("{layer} {area}", "{layer} {area}"),
}
"""The progress bars' labels: code -> (nb, en); a layer is named by its title."""


def note_text(note: Note | Mapping[str, Any] | str, lang: str = "nb") -> str:
    """One structured note in ``lang`` (its English sentence when the code is not known here).

    >>> note_text(Note.of("fetch.unverified", layer="reindeer_pastures",
    ...     what="the årstidsbeite file names and the FGDB layer names"))
    'ukontrollert henter: filnavnene for årstidsbeite og lagnavnene i FGDB-filene; kontroller resultatet'
    """
    n = Note.from_dict(note)
    render = NOTES.get(n.code)
    if render is None:
        return n.message
    try:
        return render(n.values, lang)
    except (KeyError, TypeError, ValueError):  # values of another version: the sentence it carries
        return n.message


def label_text(note: Note, lang: str = "nb") -> str:
    """A progress bar's label in ``lang``.

    >>> label_text(Note.of("fetch.label.page", layer="business_areas", page=2))
    'Næringsområder i kommuneplan side 2'
    """
    nb, en = LABELS.get(note.code, (note.message, note.message))
    values = dict(note.values)
    if "layer" in values:
        values["layer"] = _short_title(str(values["layer"]), lang)
    try:
        return (en if _en(lang) else nb).format(**values)
    except (KeyError, IndexError):
        return note.message


def _short_title(layer_id: str, lang: str) -> str:
    # a bar's label is short: the title up to its first bracket
    return layer_title(layer_id, lang).split(" (")[0]


# ---------------------------------------------------------------------- fetch


def fetch_line(result, lang: str = "nb") -> str:
    r"""The one line ``areal fetch`` prints for a fetched layer (:class:`areal.layers.fetch.FetchResult`).

    >>> from areal.layers.fetch import FetchResult, Download
    >>> r = FetchResult("protected_areas", "x", ["protected/v.gpkg"],
    ...     [Download("u", "p", "s", 12_345, "d")], 1318)
    >>> fetch_line(r)
    '«Verneområder (Naturbase)»: 1\xa0318 objekter fra Miljødirektoratet nedlasting (Naturbase: Vern), 12,3\xa0kB → protected/v.gpkg'
    """
    from areal.layers import registry

    spec = registry.get(result.layer)
    n = result.n_features or 0
    raster = spec.kind == "raster"
    if _en(lang):
        what = _plural(n, "cell", "cells") if raster else _plural(n, "feature", "features")
        word = "from"
    else:
        what = _plural(n, "rute", "ruter") if raster else _plural(n, "objekt", "objekter")
        word = "fra"
    size = size_text(sum(d.bytes for d in result.downloads), lang)
    return (
        f"{_title(result.layer, lang)}: {_n(n, lang)} {what} {word} {service_text(result.layer, lang)}, "
        f"{size} → {', '.join(result.targets)}"
    )


FETCH_WORDS = {
    "nb": {
        "note": "merk",
        "service": "tjeneste",
        "verified": "bekreftet av et ekte utdrag",
        "unverified": "ukontrollert: {what}",
        "manual": "ukontrollert endepunkt: hent filen for hånd og les den inn med {how}",
        "manifest": "sjekksummer, lisenser og kildehenvisninger",
    },
    "en": {
        "note": "note",
        "service": "service",
        "verified": "confirmed by a real sample",
        "unverified": "unverified: {what}",
        "manual": "unverified endpoint: get the file by hand and read it in with {how}",
        "manifest": "checksums, licences and attribution",
    },
}
"""``areal fetch``'s own words."""


def fetch_list_rows(lang: str = "nb") -> list[tuple[str, str, str, str]]:
    """The rows of ``areal fetch --list``: title, service, verified in words, id (the argument of fetch).

    >>> [r for r in fetch_list_rows() if r[3] == "elevation"][0][2].split(":")[0]
    'ukontrollert'
    """
    from areal.layers import fetch, registry

    words = FETCH_WORDS["en" if _en(lang) else "nb"]
    rows = []
    for lid in fetch.fetchable():
        f = registry.get(lid).fetch
        assert f is not None
        if f.method == "manual":
            how = f"`areal import {'FILE' if _en(lang) else 'FIL'} --as {lid}`"
            verified = words["manual"].format(how=how)
        elif f.unverified:
            verified = words["unverified"].format(what=unverified_text(lid, lang))
        else:
            verified = words["verified"]
        rows.append((layer_title(lid, lang), service_text(lid, lang), verified, lid))
    return rows


# ---------------------------------------------------------------------- import


def import_lines(report, lang: str = "nb") -> list[str]:
    r"""The import report (:class:`areal.layers.importer.ImportReport`) as lines in ``lang``.

    The file written is not among them: ``areal import`` says it in its "wrote ..." note.

    >>> from areal.layers.importer import ImportReport
    >>> rep = ImportReport("ar5", "f.gpkg", "ar5/x.gpkg", 1318, 1300, mapped={"ARTYPE": "arealtype"},
    ...     n_refused=18)
    >>> import_lines(rep)[:2]
    ['f.gpkg → «AR5 arealressurser (jordbruk, skog, myr)»: 1\xa0318 objekter lest, 1\xa0300 skrevet, 18 avvist', 'kolonnen `ARTYPE` → `arealtype`']
    """
    en = _en(lang)
    n_read, n_written = int(report.n_read), int(report.n_written)
    refused = ""
    if report.n_refused:
        refused = f", {_n(report.n_refused, lang)} {'refused' if en else 'avvist'}"
    title = _title(report.layer, lang)
    if en:
        head = (
            f"{report.file} → {title}: {_n(n_read, lang)} {_plural(n_read, 'feature', 'features')} read, "
            f"{_n(n_written, lang)} written{refused}"
        )
    else:
        head = (
            f"{report.file} → {title}: {_n(n_read, lang)} {_plural(n_read, 'objekt', 'objekter')} lest, "
            f"{_n(n_written, lang)} skrevet{refused}"
        )
    out = [head]
    for src, dst in report.mapped.items():
        out.append(f"{'column' if en else 'kolonnen'} {_code(src)} → {_code(dst)}")
    for col, n in report.values_mapped.items():
        if en:
            out.append(f"{_n(n, lang)} {_plural(int(n), 'value', 'values')} replaced in column {_code(col)}")
        else:
            out.append(
                f"{_n(n, lang)} {_plural(int(n), 'verdi', 'verdier')} erstattet i kolonnen {_code(col)}"
            )
    if report.n_repaired:
        k = int(report.n_repaired)
        out.append(
            f"{_n(k, lang)} invalid {_plural(k, 'geometry', 'geometries')} repaired"
            if en
            else f"{_n(k, lang)} {_plural(k, 'ugyldig geometri', 'ugyldige geometrier')} reparert"
        )
    if report.n_empty:
        k = int(report.n_empty)
        out.append(
            f"{_n(k, lang)} empty {_plural(k, 'geometry', 'geometries')} kept as empty"
            if en
            else f"{_n(k, lang)} {_plural(k, 'tom geometri', 'tomme geometrier')} beholdt som tomme"
        )
    out += [note_text(r, lang) for r in report.refused]
    if report.n_outside_county:
        k = int(report.n_outside_county)
        out.append(
            f"{_n(k, lang)} {_plural(k, 'feature lies', 'features lie')} outside Trøndelag "
            "(left out when the layer is loaded)"
            if en
            else f"{_n(k, lang)} {_plural(k, 'objekt', 'objekter')} ligger utenfor Trøndelag "
            "(utelates når kartlaget lastes)"
        )
    for p in report.problems:
        n = Note.from_dict(p)
        # where the file lies is a note; a problem with its rows is a problem ("problem" in both)
        lead = ("note" if en else "merk") if n.code.startswith("location.") else "problem"
        out.append(f"{lead}: {note_text(n, lang)}")
    if report.coverage:
        out.append(
            f"coverage (where the layer is mapped) written to {report.coverage}"
            if en
            else f"dekningen (området kartlaget gjelder for) skrevet til {report.coverage}"
        )
    return out
