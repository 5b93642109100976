"""What a reader must never see: raw ids, NaN/None/undefined, English in the Norwegian UI, wrong numbers.

:func:`problems` scans one rendered text (a page's visible text, a PDF's ``pdftotext``) and
returns one line per finding; the acceptance tests fail on any. The raw ids come from the layer
registry and the shipped rule table, so a new layer or rule is covered without editing this file.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: English words that never appear in Norwegian bokmål text (lower case, whole words).
ENGLISH_WORDS = frozenset(
    """
    the and of with not available site sites layer layers score scores high medium low exclusion
    distance distances loading error errors click legend guidance legal basis ban must should
    building inside outside from this which road roads power line lines weight weights rank
    download upload select show hide none found area areas sea municipality municipalities
    county report map share value values mean nearest free capacity consumption grid
    explanation severity pair pairs criterion criteria reasons profile profiles resolution
    planned existing business protected farmland forest mire lakes railway station stations
    airport substation substations point draw clear search measure language
    wrote saved renamed deleted skipped created updated polygons note notes missing rows
    columns indicator indicators account
    """.split()
)

#: Norwegian words that never appear in the English UI (names of places and agencies excluded;
#: no word that is English too: «Last ned» is caught by «ned», «Last changed» is English).
NORWEGIAN_WORDS = frozenset(
    """
    og ikke tilgjengelig kartlag område områder kommune kommuner avstand høy middels lav utelukket
    lovgrunnlag forklaring egnethet vekter vekt rangering klikk tegn ned opp fjern velg vis
    skjul søk mål språk kilder tegnforklaring konflikter konflikt areal jordbruksareal skog myr
    innsjøer veger jernbane havn lufthavn nærmeste ledig kapasitet forbruk profil kriterium
    oppløsning verneområder nasjonalparker næringsområder kraftledninger transformatorstasjoner
    punkt flate beregnet laster feil lukk
    skrev lagret slettet merknad rader kolonnene mangler
    """.split()
)

#: Norwegian titles of acts and guidelines, cited by their own names in the English legal bases.
NORWEGIAN_TITLES = (
    "statlige planretningslinjer for klima- og energiplanlegging og klimatilpasning",
    "Retningslinje for behandling av støy i arealplanlegging",
    "forskrift om konsekvensutredninger",
    "forskrift om elektriske forsyningsanlegg",
    "samisk natur- og kulturgrunnlag",
    "Landbrukets klima- og energisenter",
    "plan- og bygningsloven",
    "faresone 370 høyspenningsanlegg",
    "hensynssone 520 reindrift",
    "nasjonal jordvernstrategi",
)

_WORD = re.compile(r"[A-Za-zÆØÅæøå]+")
#: An English-style number (1,320.98) or a decimal point between digits (93 829.0, 0.85).
_EN_NUMBER = re.compile(r"\d,\d{3}\.\d|(?<![\d.])\d{1,3}(?:[  ]\d{3})*\.\d+(?![\d.])")
_BAD_TOKENS = re.compile(r"\b(NaN|None|undefined|null|nan)\b")


@lru_cache(maxsize=1)
def raw_ids() -> frozenset[str]:
    """Ids a reader must not see: snake_case layer ids, table columns, rule pair ids, severities' keys."""
    from areal.layers import registry
    from areal.layers.project_data import load_rules

    ids = {n for n in registry.names() if "_" in n}
    ids |= {"site_id", "area_ha", "area_m2", "area_daa", "mean_score", "kommunenummer", "distance_m"}
    ids |= {"ocean_space", "top_criteria", "n_features", "share_pct", "free_mw", "layer_a", "layer_b"}
    from areal.layers.project_data import profile_names

    ids |= {n for n in profile_names() if "_" in n}  # battery_process, data_centre ...
    from areal.layers.catalogue.test_arenas import ARENA_TYPES, SECTORS

    ids |= {c for c in (*ARENA_TYPES, *SECTORS) if "_" in c}  # test_bed, living_lab, ocean_space
    rules = load_rules()
    ids |= {r.pair for r in rules.rules}
    ids |= {sel for sel in rules.classes}  # "ar5:farmland"
    return frozenset(ids)


#: Licence names quoted as their owners write them (``CC BY 4.0``, ``NLOD 2.0``).
_LICENCES = re.compile(r"\b(?:CC BY(?:-[A-Z]{2})*|NLOD|ODbL|CC0)\s+\d\.\d\b")


def _strip_allowed(text: str, allowed: tuple[str, ...]) -> str:
    for a in allowed:
        text = text.replace(a, " ")
    return _LICENCES.sub(" ", text)


_URL = re.compile(r"https?://\S+")
_CODE = re.compile(
    r"`[^`\n]+`|'areal [^'\n]*'"
)  # a command in backticks, or quoted as click's hint quotes it
_PATH = re.compile(r"\S*/\S+\.[A-Za-z]\w*")


def problems(text: str, lang: str = "nb", where: str = "", allowed: tuple[str, ...] = ()) -> list[str]:
    r"""Every finding in ``text`` as ``where: kind 'token' … context …``.

    ``allowed`` are literal passages to skip (credits quoted verbatim from a data licence).

    Examples
    --------
    >>> problems("Areal 1\xa0320,9 ha", "nb")
    []
    >>> [p.split(":")[1].strip().split()[0] for p in problems("Areal 1,320.98 ha, site_id None", "nb")]
    ['number', 'raw', 'token', 'english', 'english']
    >>> problems("Area 1,320.9 ha", "en")
    []
    >>> problems("kilde: https://example.org/opening-of-the-lab", "nb")
    []
    >>> problems("hent det med `areal fetch shipping_lanes` (lette etter /data/sea/farled*.gpkg)", "nb")
    []
    >>> problems("Areal (ha) ikke tilgjengelig", "en")[0].split(":")[1].strip().split()[0]
    'norwegian'
    """
    text = _strip_allowed(text, allowed + (NORWEGIAN_TITLES if lang == "en" else ()))
    # a web address, a command in backticks and a file path are in no language
    text = _CODE.sub(" ", _PATH.sub(" ", _URL.sub(" ", text)))
    out: list[str] = []

    def ctx(i: int, j: int) -> str:
        return text[max(i - 40, 0) : j + 40].replace("\n", " ⏎ ")

    if lang == "nb":
        for m in _EN_NUMBER.finditer(text):
            out.append(f"{where}: number in English format {m.group()!r} … {ctx(m.start(), m.end())} …")
    for rid in sorted(raw_ids(), key=len, reverse=True):
        pattern = r"(?<![\w:])" + re.escape(rid) + r"(?![\w])"
        for m in re.finditer(pattern, text):
            out.append(f"{where}: raw id {rid!r} … {ctx(m.start(), m.end())} …")
            break
    for m in _BAD_TOKENS.finditer(text):
        out.append(f"{where}: token {m.group()!r} … {ctx(m.start(), m.end())} …")
    words = ENGLISH_WORDS if lang == "nb" else NORWEGIAN_WORDS
    kind = "english" if lang == "nb" else "norwegian"
    seen: set[str] = set()
    for m in _WORD.finditer(text):
        w = m.group().lower()
        if w in words and w not in seen:
            seen.add(w)
            out.append(f"{where}: {kind} word {m.group()!r} … {ctx(m.start(), m.end())} …")
    return out
