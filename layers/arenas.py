"""Reader for the test-arena catalogue (CSV, schema in data/test_arenas/README.md)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from areal.geo.arenas import catalogue_to_frame
from areal.geo.errors import EmptyLayerError, LayerReadError
from areal.layers._base import Source
from areal.layers.readers import register_reader


def read_test_arenas(path: Path, source: Source, layer: str | None, what: str) -> gpd.GeoDataFrame:
    """Read, validate and place a catalogue CSV (EPSG:25833)."""
    from areal.layers import loader  # the municipalities place municipality-precision entries

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError as exc:
        raise EmptyLayerError(f"{what}: {path} is empty") from exc
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise LayerReadError(f"{what}: cannot read {path}: {exc}") from exc
    if df.empty:
        raise EmptyLayerError(f"{what}: {path} holds no entries")
    munis = loader.load("municipalities")
    return catalogue_to_frame(df, munis, source=Path(path).name)


register_reader("test_arenas", read_test_arenas)
