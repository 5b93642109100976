"""Municipality names in Norwegian and Sámi: one official form for every layer and view.

Examples
--------
>>> import pandas as pd
>>> table = {"5025": "Røros - Rosse"}
>>> official_names(pd.Series(["5025", "5001"]), pd.Series(["Rosse", "Trondheim"]), table).tolist()
['Røros - Rosse', 'Trondheim']
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def official_names(numbers: pd.Series, names: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """``names`` with each municipality in ``table`` (by number) written in its official form.

    Parameters
    ----------
    numbers : Series
        ``kommunenummer`` (compared as text).
    names : Series
        The names as the source writes them.
    table : mapping of number -> name
        Official names, Norwegian first then the Sámi parallel name (``"Røros - Rosse"``).
    """
    mapped = numbers.astype(str).map(lambda k: table.get(k))
    return mapped.where(mapped.notna(), names).astype(object)


def name_parts(name: str) -> frozenset[str]:
    """The language parts of a multi-language name (``"Rosse - Røros"`` → {"Rosse", "Røros"}).

    >>> sorted(name_parts("Rosse - Røros"))
    ['Rosse', 'Røros']
    """
    return frozenset(p.strip() for p in str(name).split(" - ") if p.strip())
