"""Land-account use cases: one area model (:mod:`areal.geo.land_account`) for every view.

``areal account``, ``areal account --proposal``, ``areal conflicts --account``, the app's
indicator map and scenario comparison, and the reports all come here, so the same proposal gives
the same hectares and CO₂ everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
from areal.geo.land_account import LandAccount, land_account, proposal_account, zone_account
from areal.layers.account_inputs import (
    AccountInputs,
    account_remedies,
    emission_factors,
    load_account_inputs,
    read_proposal,
)


def account(
    municipalities: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    proposal: gpd.GeoDataFrame | None = None,
    remedies: Mapping[str, str] | None = None,
) -> LandAccount:
    """The land account of loaded layers with the shipped emission factors and the account's remedies."""
    from areal.layers import settings

    return land_account(
        municipalities,
        layers,
        proposal=proposal,
        emission_factors=emission_factors(),
        remedies={**account_remedies(), **(remedies or {})},
        county=settings.county_row(),
    )


def site_account(
    site: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame], remedies: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The account of one site as one row (class hectares, conversion split, CO₂)."""
    return zone_account(
        site, layers, emission_factors=emission_factors(), remedies={**account_remedies(), **(remedies or {})}
    )


def compute_account(
    data_dir: str | os.PathLike | None = None, proposal: str | os.PathLike | gpd.GeoDataFrame | None = None
) -> tuple[LandAccount, AccountInputs]:
    """Load the account inputs from the data directory and compute the account (with a proposal's columns)."""
    inputs = load_account_inputs(data_dir)
    prop = read_proposal(proposal) if isinstance(proposal, (str, os.PathLike)) else proposal
    return account(inputs.municipalities, inputs.layers, proposal=prop, remedies=inputs.remedies), inputs


def compute_proposal_account(
    proposal: gpd.GeoDataFrame, data_dir: str | os.PathLike | None = None
) -> tuple[LandAccount, AccountInputs]:
    """What a proposal lies on per municipality, and the CO₂ of converting it.

    The same figures as the ``proposal_*`` columns of :func:`compute_account`, without computing
    the whole county's classes.
    """
    inputs = load_account_inputs(data_dir)
    from areal.layers import settings

    acc = proposal_account(
        proposal,
        inputs.layers,
        inputs.municipalities,
        emission_factors=emission_factors(),
        remedies=inputs.remedies,
        county=settings.county_row(),
    )
    return acc, inputs
