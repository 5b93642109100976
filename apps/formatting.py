r"""One number formatter for the app, the CLI, the reports and the API's human text.

Norwegian bokmål is the default: thousands grouped with a no-break space, a decimal comma and a
real minus sign (``1 320,9 m``, ``−4 000``), as Babel's ``nb_NO`` locale writes them; English
writes ``1,320.9 m``. Missing values (None, NaN, infinities) show as ``–``, never ``NaN``.
Rounding is Python's ``format()`` (exact binary value, ties to even), which the map script's
``areal-format.js`` reproduces digit for digit (``tests/apps/test_js.py`` compares them).

Precision follows what the data can say: distances are rounded to a step that depends on the
data's scale (``distance(1320.94, scale=1_000_000)`` gives ``1 300 m``), counts have no
decimals, shares are whole percent below 10 % only when asked.

Examples
--------
>>> number(1320.94)
'1\xa0320,9'
>>> number(1320.94, 1, "en")
'1,320.9'
>>> area_ha(0.25)
'0,25\xa0ha'
>>> count(23.0)
'23'
>>> number(float("nan"))
'–'
"""

from __future__ import annotations

import math
import re

__all__ = [
    "MISSING",
    "NBSP",
    "area_daa",
    "area_ha",
    "area_m2_auto",
    "column_number",
    "count",
    "display_frame",
    "distance",
    "is_missing",
    "kilometres",
    "megawatt",
    "metres",
    "number",
    "percent",
    "score",
    "tonnes",
]

NBSP = "\u00a0"
MISSING = "–"
_MINUS = "\u2212"


def is_missing(value: object) -> bool:
    """True for None, NaN, infinities, booleans, empty strings and anything not a number.

    >>> is_missing(None), is_missing(float("nan")), is_missing(0), is_missing("")
    (True, True, False, True)
    """
    if value is None or isinstance(value, bool) or value == "":
        return True
    try:
        v = float(value)  # numpy scalars, Decimal, numeric strings
    except (TypeError, ValueError):
        return True
    return not math.isfinite(v)


def number(value: object, digits: int = 1, lang: str = "nb", *, missing: str = MISSING) -> str:
    r"""A number with ``digits`` decimals in the language's convention (``missing`` for no value).

    >>> number(93829.04, 1)
    '93\xa0829,0'
    >>> number(-4000, 0)
    '−4\xa0000'
    >>> number(-0.04, 1)
    '0,0'
    >>> number(1234567.891, 2, "en")
    '1,234,567.89'
    >>> number(None, missing="ikke tilgjengelig")
    'ikke tilgjengelig'
    """
    if is_missing(value):
        return missing
    v = float(value)  # type: ignore[arg-type]
    d = max(int(digits), 0)
    text = format(abs(v), f",.{d}f")
    if lang != "en":
        text = text.replace(",", NBSP).replace(".", ",")
    if v < 0 and float(format(abs(v), f".{d}f")) != 0:
        text = ("-" if lang == "en" else _MINUS) + text
    return text


def _unit(text: str, unit: str, lang: str) -> str:
    if text == MISSING or not unit:
        return text
    return text + (" " if lang == "en" else NBSP) + unit


def area_ha(value: object, lang: str = "nb") -> str:
    r"""Hectares: one decimal, two below 1 ha.

    >>> area_ha(12.46), area_ha(0.125, "en")
    ('12,5\xa0ha', '0.12 ha')
    """
    d = 2 if not is_missing(value) and abs(float(value)) < 1 else 1  # type: ignore[arg-type]
    return _unit(number(value, d, lang), "ha", lang)


def area_daa(value: object, lang: str = "nb") -> str:
    r"""Decares with one decimal.

    >>> area_daa(12.46)
    '12,5\xa0daa'
    """
    return _unit(number(value, 1, lang), "daa", lang)


def area_m2_auto(m2: object, lang: str = "nb") -> str:
    r"""An area in m² shown in the unit a planner reads: daa below 10 ha, ha below 100 km², then km².

    >>> area_m2_auto(25_000), area_m2_auto(2_500_000), area_m2_auto(3.2e8)
    ('25,0\xa0daa', '250,0\xa0ha', '320,0\xa0km²')
    """
    if is_missing(m2):
        return MISSING
    a = abs(float(m2))  # type: ignore[arg-type]
    if a < 100_000:
        return area_daa(float(m2) / 1000, lang)  # type: ignore[arg-type]
    if a < 1e8:
        return area_ha(float(m2) / 10_000, lang)  # type: ignore[arg-type]
    return _unit(number(float(m2) / 1e6, 1, lang), "km²", lang)  # type: ignore[arg-type]


def metres(value: object, lang: str = "nb") -> str:
    r"""Metres with one decimal (the measuring tool).

    >>> metres(1320.94)
    '1\xa0320,9\xa0m'
    """
    return _unit(number(value, 1, lang), "m", lang)


def kilometres(value_m: object, lang: str = "nb") -> str:
    r"""A length given in metres, shown in km with two decimals.

    >>> kilometres(12345)
    '12,35\xa0km'
    """
    km = None if is_missing(value_m) else float(value_m) / 1000  # type: ignore[arg-type]
    return _unit(number(km, 2, lang), "km", lang)


def _step_for_scale(scale: int | None) -> float:
    """Rounding step (m) that a distance measured on data of map scale 1:``scale`` can carry.

    Positional accuracy of map data is roughly 0.2-0.5 mm at map scale: 1:5 000 -> ~1 m,
    1:50 000 -> ~10 m, 1:1 000 000 -> ~100 m.
    """
    if not scale:
        return 1.0
    raw = scale * 0.0002
    exp = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1.0
    return max(exp, 1.0)


def distance(value_m: object, lang: str = "nb", *, scale: int | None = None) -> str:
    r"""A distance rounded to what the data's scale supports: metres below 10 km, then km.

    >>> distance(1320.94)
    '1\xa0321\xa0m'
    >>> distance(1320.94, scale=1_000_000)
    '1\xa0300\xa0m'
    >>> distance(25_432, scale=50_000)
    '25,4\xa0km'
    >>> distance(0)
    '0\xa0m'
    """
    if is_missing(value_m):
        return MISSING
    v = float(value_m)  # type: ignore[arg-type]
    step = _step_for_scale(scale)
    if abs(v) >= 10_000:
        km_digits = 1 if step < 1000 else 0
        return _unit(number(v / 1000, km_digits, lang), "km", lang)
    return _unit(number(round(v / step) * step, 0, lang), "m", lang)


def timestamp(iso: object, lang: str = "nb") -> str:
    """A stored time (ISO 8601) as its reader writes it, in UTC: ``02.12.2026 05:20`` / ``2026-12-02 05:20``.

    >>> timestamp("2026-12-02T05:20:11+00:00"), timestamp("2026-12-02T05:20:11+00:00", "en"), timestamp("")
    ('02.12.2026 05:20', '2026-12-02 05:20', '')
    """
    import pandas as pd

    try:
        t = pd.Timestamp(iso)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if pd.isna(t):
        return ""
    return t.strftime("%Y-%m-%d %H:%M" if lang == "en" else "%d.%m.%Y %H:%M")


def count(value: object, lang: str = "nb") -> str:
    r"""A count: no decimals.

    >>> count(1234.0), count(None)
    ('1\xa0234', '–')
    """
    return number(value, 0, lang)


def percent(share: object, lang: str = "nb", digits: int = 1) -> str:
    r"""A share in 0..1 shown as percent.

    >>> percent(0.1234), percent(1.0, digits=0), percent(0.5, "en")
    ('12,3\xa0%', '100\xa0%', '50.0 %')
    """
    value = None if is_missing(share) else float(share) * 100  # type: ignore[arg-type]
    return _unit(number(value, digits, lang), "%", lang)


def score(value: object, lang: str = "nb") -> str:
    """A suitability score in 0..1 with two decimals (never six).

    >>> score(0.876543)
    '0,88'
    """
    return number(value, 2, lang)


def megawatt(value: object, lang: str = "nb") -> str:
    r"""Power in MW, one decimal.

    >>> megawatt(6)
    '6,0\xa0MW'
    """
    return _unit(number(value, 1, lang), "MW", lang)


def tonnes(value: object, lang: str = "nb", unit: str = "t CO₂") -> str:
    r"""Tonnes (CO₂ by default), no decimals.

    >>> tonnes(12345.6)
    '12\xa0346\xa0t CO₂'
    """
    return _unit(number(value, 0, lang), unit, lang)


def column_number(column: str, value: object, lang: str = "nb", *, scale: int | None = None) -> str:
    r"""A table cell by what its column holds: hectares one decimal, scores two, counts none.

    ``*_ha``/``*_daa``/``*_km`` one decimal (two for ``*_ha`` below 1), ``*score*``/``*_cr`` two,
    ``*_m``/``distance*`` a distance rounded to ``scale``, ``*_pct``/``*share*`` one, ``n_*``,
    ``*rank*`` and integers none, anything else two.

    >>> column_number("area_ha", 12.345), column_number("mean_score", 0.876543), column_number("rank", 3.0)
    ('12,3', '0,88', '3')
    >>> column_number("distance_m", 1320.94, scale=1_000_000)
    '1\xa0300'
    """
    if is_missing(value):
        return MISSING
    c = column.lower()
    v = float(value)  # type: ignore[arg-type]
    if c.endswith("_m") or c.startswith("distance"):
        text = distance(v, lang, scale=scale)
        return text[: -len(NBSP + "m")] if text.endswith("m") and not text.endswith("km") else text
    if (
        c.startswith("n_")
        or "rank" in c
        or c in ("n", "count", "objects")
        or (isinstance(value, int) and not isinstance(value, bool))
    ):
        return count(v, lang)
    if c.endswith("_ha"):
        return number(v, 2 if abs(v) < 1 else 1, lang)
    if c.endswith(("_daa", "_km", "_pct", "_mw")) or "share" in c:
        return number(v, 1, lang)
    return number(v, 2, lang)


_IDENTIFIER = re.compile(r"(nummer|knr|_id$|^id$|year|^år$)")


def display_frame(df, lang: str = "nb", *, scale: int | None = None):
    r"""A copy of ``df`` with every numeric column as text through :func:`column_number`.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"kommunenummer": [5001], "n_features": [1234], "area_ha": [93829.04]})
    >>> display_frame(df).iloc[0].tolist()
    ['5001', '1\xa0234', '93\xa0829,0']
    """
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        if _IDENTIFIER.search(str(col).lower()):  # codes and years: digits as they are, no grouping
            out[col] = ["" if is_missing(v) else str(int(v)) for v in s.tolist()]
            continue
        ints = pd.api.types.is_integer_dtype(s)
        out[col] = [
            count(v, lang) if ints else column_number(str(col), v, lang, scale=scale) for v in s.tolist()
        ]
    return out
