"""Error messages of the command line in the user's language (Norwegian bokmål by default, English).

An error says what it is (:attr:`areal.geo.errors.ArealError.key` and ``params``), this module
says it in words. English is the error's own sentence (``str(exc)``, written for library users
too) or click's; Norwegian is written here, by key, and for click's usage errors by their type
and attributes (the option, the parameter, its choices or range). An error without a key keeps its
English sentence in both languages, so nothing is ever lost, only untranslated.

Conventions of the Norwegian lines: what a user types (an option, an argument, a layer id, a
command) is in backticks, a file in single quotes, a layer by its title in «», numbers as Norwegian
writes them (``apps.formatting``).

The language of an error is the command's ``--lang`` when given (looked for in the command line
itself, since usage errors come before the options are parsed), else ``$AREAL_LANG``, else ``nb``
(:func:`language`).
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

ENV_LANG = "AREAL_LANG"
"""The environment variable with the language of the command line when ``--lang`` is not given."""

LANGUAGES = ("nb", "en")


def language(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language of a command line's errors: its ``--lang``, else ``$AREAL_LANG``, else ``"nb"``.

    The last ``--lang X`` / ``--lang=X`` before ``--`` counts; an unknown value counts as not given.

    Examples
    --------
    >>> language(["layers", "--lang", "en"], {})
    'en'
    >>> language(["layers", "--lang=en", "--lang", "nb"], {})
    'nb'
    >>> language(["layers"], {"AREAL_LANG": "en"}), language(["layers", "--lang", "de"], {})
    ('en', 'nb')
    """
    environ = os.environ if environ is None else environ
    found = None
    args = list(argv or [])
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif a.startswith("--lang="):
            found = a.split("=", 1)[1]
    if found in LANGUAGES:
        return str(found)
    env = environ.get(ENV_LANG, "")
    return env if env in LANGUAGES else "nb"


# ---------------------------------------------------------------- small helpers


def _code(value: object) -> str:
    return f"`{value}`"


def _codes(values: Sequence[object], limit: int = 12) -> str:
    vals = [str(v) for v in values]
    shown = ", ".join(_code(v) for v in vals[:limit])
    return shown + (f" og {len(vals) - limit} til" if len(vals) > limit else "")


def _or(values: Sequence[str]) -> str:
    vals = list(values)
    return vals[0] if len(vals) == 1 else ", ".join(vals[:-1]) + " eller " + vals[-1]


def _suggest(params: Mapping[str, Any], fmt: Callable[[object], str] = _code) -> str:
    sug = list(params.get("suggestions") or [])
    if not sug:
        return ""
    return f" (mente du {_or([fmt(s) for s in sug])}?)"


def _title(layer_id: str) -> str:
    from areal.apps.labels import layer_title

    try:
        return layer_title(layer_id, "nb")
    except Exception:  # noqa: BLE001 - a name the registry does not know: say the id
        return layer_id


def _count(n: object) -> str:
    from areal.apps.formatting import count

    return count(int(n), "nb")  # type: ignore[call-overload]


def _number(v: object, digits: int = 1) -> str:
    from areal.apps.formatting import number

    return number(float(v), digits, "nb")  # type: ignore[arg-type]


def _file(params: Mapping[str, Any]) -> str:
    return str(params.get("path") or params["file"])


def _plain(value: object) -> str:
    """A number as Norwegian writes it (``-5.0`` as ``-5``, ``0.5`` as ``0,5``); anything else as is."""
    try:
        v = float(str(value))
    except ValueError:
        return str(value)
    return _number(v, 0) if v.is_integer() else _number(v, 3).rstrip("0")


def _scenario(name: object) -> str:
    return f"«{name}»"


# ---------------------------------------------------------------- the project's own errors, by key

_KINDS = {
    # kind: (the sentence start, how to list the known ones)
    "layer": "`{name}` er ikke et kjent kartlag{mente}; `areal layers` viser alle med id",
    "fetchable": "kartlaget `{name}` har ingen offisiell nedlasting{mente}; `areal fetch --list` viser dem som har",
    "profile": "profilen `{name}` finnes ikke{mente}; profilene er {known}",
    "municipality": "{name} er ikke nummeret til en kommune i fylket; kommunenumrene er {numbers}",
    "context": "konteksten `{name}` finnes ikke{mente}; kontekstene er {known}",
    "criterion": "kriteriet `{name}` finnes ikke{mente}; kriteriene er {known}",
}


def _unknown_name(p: Mapping[str, Any]) -> str:
    kind = p.get("kind", "")
    if kind == "scenario":
        known = p.get("known") or []
        tail = (
            f"lagrede scenarioer: {', '.join(_scenario(k) for k in known[:12])}"
            + (f" og {len(known) - 12} til" if len(known) > 12 else "")
            if known
            else "lageret er tomt"
        )
        return f"det finnes ikke noe scenario {_scenario(p['name'])} i {p['store']}{_suggest(p, _scenario)}; {tail}"
    template = _KINDS.get(kind)
    if template is None:
        return (
            f"`{p['name']}` er ikke et kjent navn{_suggest(p)}; kjente navn: {_codes(p.get('known') or [])}"
        )
    return template.format(
        name=p["name"],
        mente=_suggest(p),
        known=_codes(p.get("known") or [], limit=40),
        numbers=", ".join(str(k) for k in p.get("known") or []),
    )


def _layer_missing(p: Mapping[str, Any]) -> str:
    from areal.apps.labels import how_to_get

    layer = str(p["layer"])
    where = f" (lette etter {' / '.join(p['paths'])})" if p.get("paths") else ""
    if layer == "farmland":
        get = (
            "hent den beste åpne kilden med `areal fetch farmland`, eller `areal import FIL --as ar5` / "
            "`--as n50_arealdekke`"
        )
    else:
        get = how_to_get(layer, "nb")
    return f"kartlaget «{_title(layer)}» mangler i datamappen{where}; {get}"


def _env_names(p: Mapping[str, Any]) -> str:
    if p.get("env"):
        return " / ".join(_code(n.strip()) for n in str(p["env"]).split("/"))
    from areal.layers.credentials import SERVICES

    spec = SERVICES.get(str(p.get("auth")), {})
    names = [spec["token_env"]] if "token_env" in spec else [spec.get("user_env"), spec.get("password_env")]
    return " / ".join(_code(n) for n in names if n)


def _credentials_hint(p: Mapping[str, Any]) -> str:
    return f"sett {_env_names(p)} (eller [credentials.{p['auth']}] i fetch.toml i datamappen)"


def _geometry_types(types: str) -> str:
    words = {
        "Point": "punkter",
        "MultiPoint": "punkter",
        "LineString": "linjer",
        "MultiLineString": "linjer",
        "LinearRing": "linjer",
        "Polygon": "flater",
        "MultiPolygon": "flater",
        "GeometryCollection": "blandede geometrier",
    }
    found = [words.get(t.strip(), t.strip()) for t in str(types).split(",") if t.strip()]
    return ", ".join(dict.fromkeys(found))


def _outside(p: Mapping[str, Any]) -> str:
    where = ""
    if "lon" in p and "lat" in p:
        where = f" (rundt lengdegrad {_number(p['lon'])}, breddegrad {_number(p['lat'])})"
    return f"'{_file(p)}' ligger utenfor Norge{where}; sjekk koordinatene og koordinatsystemet"


#: The Norwegian sentence of each key (a template over ``params`` or a function of them).
NB: dict[str, str | Callable[[Mapping[str, Any]], str]] = {
    "unknown_name": _unknown_name,
    "layer_missing": _layer_missing,
    "scenario_exists": "det finnes allerede et scenario «{name}» i {store}; velg et annet navn",
    "scenario_no_name": "et scenario må ha et navn",
    "store_unreachable": (
        "scenariolageret {store} kan ikke åpnes eller nås; sjekk adressen og tilgangen "
        "(`--lang en` viser feilmeldingen fra databasen)"
    ),
    "store_unusable": "{store} er ikke et brukbart scenariolager (en skadet fil, eller en annen database?)",
    "store_url": "ukjent adresse til scenariolager: {url}; bruk postgresql://… eller en filsti",
    "store_needs_psycopg": "PostGIS-lageret trenger psycopg 3: `pip install 'areal[postgis]'`",
    "fetch_unreachable": lambda p: (
        f"kartlaget «{_title(p['layer'])}»: {p['service']} kan ikke nås ({p['url']}); ingenting er skrevet. "
        f"Prøv igjen senere, eller last ned filen selv og bruk `areal import FIL --as {p['layer']}`"
    ),
    "fetch_denied": lambda p: (
        f"{p['service']} nektet tilgang (HTTP {p['status']}) til kartlaget «{_title(p['layer'])}»; "
        f"{_credentials_hint(p)}"
    ),
    "fetch_credentials": lambda p: (
        f"kartlaget «{_title(p['layer'])}»: {p['service']} krever innlogging; {_credentials_hint(p)}"
    ),
    "fetch_unverified": lambda p: (
        f"kartlaget «{_title(p['layer'])}»: adressen til {p['service']} er ikke bekreftet, så ingenting "
        f"lastes ned ({p['url']}); last ned filen selv og bruk `areal import FIL --as {p['layer']}`"
    ),
    # a user's file (the keys of InputFileError, UploadError, ImplausibleLocationError, BudgetExceededError)
    "file_not_found": lambda p: f"filen '{_file(p)}' finnes ikke",
    "not_file_or_layer": lambda p: (
        f"`{p['name']}` er verken en fil som finnes eller et kjent kartlag{_suggest(p)}; "
        "`areal layers` viser kartlagene med id"
    ),
    "missing": lambda p: f"filen '{_file(p)}' finnes ikke",
    "format": lambda p: (
        f"'{_file(p)}' er en mappe, ikke en fil (bare en FileGDB-mappe, .gdb, leses som mappe)"
        if p.get("reason") == "folder"
        else f"filtypen til '{_file(p)}' støttes ikke; bruk GeoJSON, GeoPackage, zippet Shapefile, GML eller FileGDB"
    ),
    "broken": lambda p: f"filen '{_file(p)}' kan ikke leses (er den skadet?)",
    "empty": lambda p: f"filen '{_file(p)}' inneholder ingen geometrier",
    "too_large": lambda p: (
        f"filen '{_file(p)}' er for stor"
        + (
            f" ({_number(p['size_mb'])} MB; grensen er {_number(p['limit_mb'], 0)} MB)"
            if "limit_mb" in p
            else ""
        )
    ),
    "unsafe": lambda p: (
        f"filen '{_file(p)}' ble avvist av sikkerhetshensyn: den viser til andre filer eller adresser"
    ),
    "zip": lambda p: f"zip-filen '{_file(p)}' ble avvist",
    "zip_refused": lambda p: f"zip-filen '{_file(p)}' ble avvist",
    "ambiguous": lambda p: (
        f"'{_file(p)}' har ikke noe lag KpArealformålOmråde eller RpArealformålOmråde; lagene i filen er "
        f"{p['layers']} (velg ett med `--layer NAVN`)"
        if p.get("plan")
        else f"filen '{_file(p)}' inneholder flere datasett ({p['layers']}); velg ett med `--layer NAVN`"
    ),
    "crs": lambda p: (
        f"koordinatsystemet i '{_file(p)}' er ikke en EPSG-kode programmet kjenner (for eksempel EPSG:25833)"
    ),
    "no_crs": lambda p: (
        f"filen '{_file(p)}' mangler koordinatsystem (CRS); legg ved en .prj-fil, eller lagre den som "
        "GeoJSON i WGS84 eller i EPSG:25833"
    ),
    "not_regular": lambda p: f"'{_file(p)}' er ikke en vanlig fil",
    "non_finite": lambda p: f"filen '{_file(p)}' har {_count(p['n'])} koordinater som ikke er endelige tall",
    "swapped": lambda p: (
        f"koordinatene i '{_file(p)}' ser ut til å ha byttet plass (breddegrad og lengdegrad); gi "
        "østkoordinaten først, eller rett akserekkefølgen i filen"
    ),
    "outside": _outside,
    "whole_globe": lambda p: (
        f"'{_file(p)}' dekker et område langt større enn Norge; er koordinatsystemet riktig?"
    ),
    "geometry_type": lambda p: (
        f"'{_file(p)}' må inneholde {'flater' if p.get('want') == 'polygon' else 'flater eller punkter'} "
        f"(fant {_geometry_types(p['types'])})"
    ),
    "too_many_points": lambda p: (
        f"'{_file(p)}' har {_count(p['points'])} punkter; grensen her er {_count(p['limit'])}"
    ),
    "too_many_vertices": lambda p: (
        f"'{_file(p)}' har {_count(p['vertices'])} knekkpunkter; grensen her er {_count(p['limit'])}"
    ),
    "busy": "tjeneren er opptatt med andre analyser; prøv igjen om et øyeblikk",
    "timeout": "analysen tok for lang tid og ble avbrutt; prøv et mindre område",
    # values of options (click.BadParameter raised by the commands, keyed with :func:`keyed`)
    "out_suffix": lambda p: (
        f"kan ikke skrive '{p['file']}': filtypen støttes ikke her; bruk {_or(list(p['allowed']))}"
    ),
    "distance_res": lambda p: (
        f"avstandsoppløsningen {_number(p['value'], 0)} m må være et helt multiplum av rutenettets "
        f"oppløsning {_number(p['grid'], 0)} m"
    ),
    "lon_lat": "'{value}': gi LENGDE,BREDDE i grader, for eksempel `10.40,63.43`",
    "km_needs_near": "`--km` trenger `--near LENGDE,BREDDE`",
    "report_one_of": "gi nøyaktig ett av `--municipality`, `--site` eller `--scenario`",
    "report_pdf": "'{file}': rapporten er en PDF (.pdf)",
    "municipality_number": "'{value}': gi kommunens nummer med fire sifre, for eksempel 5001",
    "weights": "'{value}' er ikke NAVN=TALL (for eksempel grid=0.4,road=0.2)",
    "bbox": "{value}: trenger xmin < xmax og ymin < ymax",
}


def keyed(exc: click.ClickException, key: str, **params: Any) -> click.ClickException:
    """Give a click error of a command a message key (the English message stays click's).

    >>> e = keyed(click.BadParameter("file 'x.gpkg' does not exist", param_hint="--proposal"),
    ...           "file_not_found", path="x.gpkg")
    >>> text(e, "nb")
    "ugyldig verdi for `--proposal`: filen 'x.gpkg' finnes ikke"
    """
    exc.key = key  # type: ignore[attr-defined]
    exc.params = params  # type: ignore[attr-defined]
    return exc


def keyed_text(key: str | None, params: Mapping[str, Any]) -> str | None:
    """The Norwegian sentence of ``key`` over ``params``, or ``None`` (no such key, or a value missing).

    >>> keyed_text("unknown_name", {"kind": "layer", "name": "forests", "suggestions": ["forest"]})
    '`forests` er ikke et kjent kartlag (mente du `forest`?); `areal layers` viser alle med id'
    >>> keyed_text("no_such_key", {}) is None, keyed_text("broken", {}) is None
    (True, True)
    """
    entry = NB.get(key or "")
    if entry is None:
        return None
    try:
        return entry(params) if callable(entry) else entry.format(**params)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None  # the raise site did not give what the sentence names: the English one then


# ---------------------------------------------------------------- click's own usage errors


def _param_name(exc: click.ClickException) -> str | None:
    hint = getattr(exc, "param_hint", None)
    if hint is not None:
        hints = [hint] if isinstance(hint, str) else list(hint)
        return " / ".join(_code(h.strip("'\"")) for h in hints)
    param = getattr(exc, "param", None)
    if param is None:
        return None
    if isinstance(param, click.Option):
        return " / ".join(_code(o) for o in param.opts)
    return _code(param.human_readable_name)


def _range(t: click.types._NumberRangeBase) -> str:
    def bound(v: float | None) -> str:
        return _number(v, 0) if float(v or 0).is_integer() else _number(v, 2)

    lo, hi = t.min, t.max
    if lo is not None and hi is not None:
        return f"må være mellom {bound(lo)} og {bound(hi)}"
    if lo is not None:
        return f"må være {'større enn' if t.min_open else 'minst'} {bound(lo)}"
    return f"må være {'mindre enn' if t.max_open else 'høyst'} {bound(hi)}"


_VALUE = re.compile(r"^'?(?P<value>.*?)'? is not ")
_PATH_MSG = re.compile(
    r"^(File|Directory|Path) '(?P<path>.+)' (?P<what>does not exist|is a file|is a directory|is not readable|is not writable|is not executable)\.$"
)
_PATH_WHAT = {
    "does not exist": "finnes ikke",
    "is a file": "er en fil, ikke en mappe",
    "is a directory": "er en mappe, ikke en fil",
    "is not readable": "kan ikke leses",
    "is not writable": "kan ikke skrives",
    "is not executable": "kan ikke kjøres",
}


def _bad_value(exc: click.BadParameter) -> str | None:
    """The Norwegian reason of a value the parameter's type refused (by the type; the value from the message)."""
    param = exc.param
    ptype = getattr(param, "type", None)
    msg = exc.message
    value_m = _VALUE.match(msg)
    value = value_m.group("value") if value_m else None
    if isinstance(ptype, click.Choice):
        choices = ", ".join(_code(c) for c in ptype.choices)
        return f"{_code(value) if value is not None else 'verdien'} er ikke et av valgene {choices}"
    if isinstance(ptype, click.types._NumberRangeBase) and "is not in the range" in msg:
        return f"verdien {_range(ptype)} (fikk {_plain(value)})"
    if isinstance(ptype, (click.types.IntParamType, click.types.FloatParamType)):
        kind = "et heltall" if isinstance(ptype, click.types.IntParamType) else "et tall"
        return f"{_code(value) if value is not None else 'verdien'} er ikke {kind}"
    if isinstance(ptype, click.Path):
        m = _PATH_MSG.match(msg)
        if m:
            noun = {"File": "filen", "Directory": "mappen", "Path": "stien"}[m.group(1)]
            return f"{noun} '{m.group('path')}' {_PATH_WHAT[m.group('what')]}"
    return None


def _usage_text(exc: click.UsageError) -> str | None:
    if isinstance(exc, click.NoSuchOption):
        sug = [_code(p) for p in exc.possibilities or []]
        return f"ukjent flagg {_code(exc.option_name)}" + (f" (mente du {_or(sug)}?)" if sug else "")
    if isinstance(exc, click.exceptions.NoSuchCommand):
        sug = [_code(p) for p in exc.possibilities or []]
        return f"ukjent kommando {_code(exc.command_name)}" + (f" (mente du {_or(sug)}?)" if sug else "")
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        noun = {"argument": "argumentet", "option": "flagget"}.get(kind, "verdien")
        name = _param_name(exc)
        return f"mangler {noun}{' ' + name if name else ''}"
    if isinstance(exc, click.BadParameter):
        name = _param_name(exc)
        key = getattr(exc, "key", None)
        reason = keyed_text(key, getattr(exc, "params", {})) if key else _bad_value(exc)
        reason = reason or exc.message  # a command's own English reason
        return f"ugyldig verdi for {name}: {reason}" if name else f"ugyldig verdi: {reason}"
    if isinstance(exc, click.BadOptionUsage):
        if "requires" in exc.message:
            return f"flagget {_code(exc.option_name)} trenger en verdi"
        if "does not take a value" in exc.message:
            return f"flagget {_code(exc.option_name)} tar ingen verdi"
        return None
    key = getattr(exc, "key", None)
    if key:
        return keyed_text(key, getattr(exc, "params", {}))
    m = re.match(r"^Got unexpected extra arguments? \((?P<args>.*)\)$", exc.message)
    if m:  # click gives the arguments only in the sentence
        args = m.group("args").split(" ")
        return f"uventet ekstra argument{'er' if len(args) > 1 else ''}: {', '.join(_code(a) for a in args)}"
    if exc.message == "Missing command.":
        return "mangler en kommando"
    return None


# ---------------------------------------------------------------- one error in words


def _os_text(exc: OSError) -> str | None:
    name = f" '{exc.filename}'" if exc.filename else ""
    if isinstance(exc, PermissionError):
        return f"ingen tilgang til{name or ' filen'}"
    if exc.errno == errno.ENOSPC:
        return "disken er full" + (f" (ved skriving av{name})" if name else "")
    if isinstance(exc, IsADirectoryError):
        return f"{name.strip() or 'stien'} er en mappe, ikke en fil"
    if isinstance(exc, NotADirectoryError):
        return f"{name.strip() or 'stien'} er ikke en mappe"
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"filen{name} finnes ikke"
    return None


def text(exc: BaseException, lang: str = "nb") -> str | None:
    """The words of an error in ``lang`` (without ``Feil:``), or ``None`` where there are none.

    English is the error's own message; Norwegian comes from its key, its click type or its OS
    error number. ``None`` means: no Norwegian text, use the English one.

    Examples
    --------
    >>> from areal.geo.errors import unknown_name
    >>> e = unknown_name("no scenario 'A' in s.sqlite; the store is empty", "scenario", "A", [], store="s.sqlite")
    >>> text(e, "nb")
    'det finnes ikke noe scenario «A» i s.sqlite; lageret er tomt'
    >>> text(e, "en")
    "no scenario 'A' in s.sqlite; the store is empty"
    >>> text(ValueError("resolution must be positive"), "nb") is None
    True
    """
    from areal.geo.errors import ArealError

    if lang == "en":
        if isinstance(exc, click.ClickException):
            return exc.format_message()
        return str(exc)
    if isinstance(exc, click.UsageError):
        return _usage_text(exc)
    if isinstance(exc, click.FileError):
        return f"kan ikke åpne filen '{exc.ui_filename}'"
    if isinstance(exc, click.ClickException):
        return keyed_text(getattr(exc, "key", None), getattr(exc, "params", {}))
    if isinstance(exc, ArealError):
        return keyed_text(exc.key, exc.params)
    if isinstance(exc, OSError):
        return _os_text(exc)
    return None


__all__ = ["ENV_LANG", "LANGUAGES", "NB", "keyed", "keyed_text", "language", "text"]
