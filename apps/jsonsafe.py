"""The one JSON encoder of the app's endpoints and map documents: never NaN, never Infinity.

Python's :func:`json.dumps` writes ``NaN`` and ``Infinity`` for non-finite floats, which is not
JSON: a browser's ``JSON.parse`` refuses the whole response and the layer silently fails to draw
(the roads layer did, from a missing ``vegkategori``). Every GeoJSON/JSON body the app sends goes
through :func:`dumps`: non-finite numbers and pandas' missing values become ``null``, numpy
scalars become Python numbers, dates become ISO strings, and ``allow_nan=False`` makes a value
that slipped through an error at the source instead of a broken page.

>>> dumps({"a": float("nan"), "b": [1.5, float("inf")], "c": None})
'{"a":null,"b":[1.5,null],"c":null}'
>>> import numpy as np
>>> dumps({"n": np.int64(3), "x": np.float32(0.5), "arr": np.array([1.0, np.nan])})
'{"n":3,"x":0.5,"arr":[1.0,null]}'
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from typing import Any

import numpy as np

__all__ = ["clean", "dumps", "loads_strict"]


def _is_missing(value: Any) -> bool:
    # pandas.NA / NaT without importing pandas at module import time
    name = type(value).__name__
    return name in ("NAType", "NaTType")


def clean(value: Any) -> Any:
    """A JSON-safe copy of ``value`` (dicts, lists, tuples, numpy arrays and scalars, dates).

    Non-finite floats and missing values become ``None``; mapping keys become strings.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    if isinstance(value, np.generic):
        return clean(value.item())
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [clean(v) for v in value.tolist()]
    if _is_missing(value):
        return None
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # pandas.Timestamp
        return value.isoformat()
    return str(value)


def dumps(value: Any, *, ensure_ascii: bool = False) -> str:
    """Compact JSON of ``value`` after :func:`clean` (raises ``ValueError`` on anything non-finite left)."""
    return json.dumps(clean(value), ensure_ascii=ensure_ascii, allow_nan=False, separators=(",", ":"))


def _refuse(token: str) -> Any:
    raise ValueError(f"not JSON: {token}")


def loads_strict(text: str | bytes) -> Any:
    """Parse JSON as a browser does: ``NaN``, ``Infinity`` and ``-Infinity`` are errors.

    >>> loads_strict('{"a": 1}')
    {'a': 1}
    >>> loads_strict('{"a": NaN}')
    Traceback (most recent call last):
    ...
    ValueError: not JSON: NaN
    """
    return json.loads(text, parse_constant=_refuse)
