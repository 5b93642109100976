"""Land removed by each exclusion of a suitability run, alone and marginally (GLAES-style)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from areal.geo.geometry import area_columns
from areal.geo.grid import check_same_grid


def area_lost(land: np.ndarray, exclusions: Mapping[str, np.ndarray], cell_area: float) -> pd.DataFrame:
    """Land removed by each exclusion, alone and marginally (GLAES-style).

    Returns one row per exclusion with ``cells_alone`` (land cells the exclusion covers) and
    ``cells_marginal`` (land cells excluded by it and by no other), their areas in m², daa and ha
    (``alone_*``, ``marginal_*``) and the share of land (``share_alone``), plus rows ``all
    exclusions`` (union) and ``remaining`` (eligible land).
    """
    names = list(exclusions)
    check_same_grid(land, *exclusions.values(), names=["land", *names])
    count = np.zeros(land.shape, dtype=np.uint8)
    for m in exclusions.values():
        count += m & land
    alone = {k: int(np.count_nonzero(m & land)) for k, m in exclusions.items()}
    marginal = {k: int(np.count_nonzero(m & land & (count == 1))) for k, m in exclusions.items()}
    n_land = int(np.count_nonzero(land))
    n_any = int(np.count_nonzero(count > 0))
    return area_lost_table(alone, marginal, n_land, n_any, cell_area)


def area_lost_table(
    alone: Mapping[str, int], marginal: Mapping[str, int], n_land: int, n_any: int, cell_area: float
) -> pd.DataFrame:
    """Build the :func:`area_lost` table from cell counts (also used by the windowed path)."""
    rows = []
    for k in alone:
        rows.append({"exclusion": k, "cells_alone": alone[k], "cells_marginal": marginal[k]})
    rows.append({"exclusion": "all exclusions", "cells_alone": n_any, "cells_marginal": n_any})
    rows.append({"exclusion": "remaining", "cells_alone": n_land - n_any, "cells_marginal": n_land - n_any})
    df = pd.DataFrame(rows)
    for prefix, col in (("alone", "cells_alone"), ("marginal", "cells_marginal")):
        for k, v in area_columns(df[col].to_numpy() * cell_area).items():
            df[f"{prefix}_{k}"] = v
    df["share_alone"] = df["cells_alone"] / n_land if n_land else np.nan
    return df
