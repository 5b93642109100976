"""Indicator use cases: the catalogue (``data/indicators``) computed for the 38 municipalities.

Shared by ``areal indicators`` and ``areal report`` (:func:`compute_indicator_table`, from a data
directory) and the app (:func:`compute_loaded_indicator_table`, from its loaded layers and cached
models, called by :meth:`areal.apps.planner.engines.Engines.indicator_table`).
"""

from __future__ import annotations

import time
from pathlib import Path


def compute_indicator_table(
    data_dir: Path | None,
    *,
    profile_resolution: float = 250.0,
    business_areas: Path | None = None,
    timings: dict | None = None,
    catalogue: Path | None = None,
):
    """Load the catalogue and inputs and compute the table (shared by ``indicators``, ``report``)."""
    from areal.geo.indicators import compute_indicators
    from areal.layers.indicator_inputs import load_indicator_inputs
    from areal.layers.project_data import load_indicators

    inds = load_indicators(catalogue)
    extra = {}
    if business_areas is not None:
        extra["business_areas"] = read_business_areas(business_areas)
    inputs = load_indicator_inputs(
        inds, data_dir, profile_resolution=profile_resolution, extra_layers=extra, timings=timings
    )
    t = time.perf_counter()
    table = compute_indicators(inds, inputs)
    if timings is not None:
        timings["indicators"] = time.perf_counter() - t
    return table, inputs


def compute_loaded_indicator_table(
    layers,
    municipalities,
    account,
    remedies,
    rules,
    run_profile,
    *,
    emission_factors=None,
    catalogue: Path | None = None,
):
    """The indicator table from layers already in memory (the app server's :class:`AppData`).

    The same catalogue, the same profile-run collection (:func:`areal.geo.indicators.profile_runs`,
    ``run_profile(name)`` making each :class:`~areal.geo.indicators.ProfileRun` from the caller's
    models) and the same county as :func:`compute_indicator_table`, which reads a data directory.
    """
    from areal.geo.indicators import IndicatorInputs, compute_indicators, profile_runs
    from areal.layers import settings
    from areal.layers.account_inputs import emission_factors as shipped_factors
    from areal.layers.project_data import load_indicators

    inds = load_indicators(catalogue)
    runs, missing = profile_runs(inds, run_profile)
    inputs = IndicatorInputs(
        municipalities,
        account,
        layers,
        remedies,
        rules,
        runs,
        missing,
        emission_factors if emission_factors is not None else shipped_factors(),
        county_id=settings.county_row()[0],
    )
    return compute_indicators(inds, inputs)


def _code(note) -> dict:
    # the code and its values; the words are the labels' (the note's own sentence is not English prose)
    return {k: v for k, v in note.to_dict().items() if k != "message"}


def catalogue_frame(summary, *, encode: bool = True):
    """The indicator summary for files and ``--json``: reasons and notes in English words, and as codes.

    ``reason`` and ``notes`` (``" | "``-joined) are :func:`areal.apps.labels.indicator_text` in
    English (for library users reading a CSV); ``reason_code`` and ``note_codes`` are the
    :class:`~areal.geo.notes.Note` codes with their values (:meth:`~areal.geo.notes.Note.to_dict` without the sentence),
    as JSON text when ``encode`` (CSV, GeoPackage), else as dicts and lists.

    >>> import pandas as pd
    >>> from areal.geo.notes import Note
    >>> s = pd.DataFrame({"id": ["x"], "reason": [None], "notes": [(Note.of("no_value", n=2),)], "digits": [2]})
    >>> catalogue_frame(s).iloc[0].to_dict()
    {'id': 'x', 'reason': '', 'notes': '2 municipalities have no value (no area to divide by)', 'reason_code': '', 'note_codes': '[{"code": "no_value", "n": 2}]'}
    """
    import json

    from areal.apps.labels import indicator_text

    out = summary.drop(columns=["digits"], errors="ignore").copy()
    reasons = [None if r is None or (isinstance(r, float) and r != r) else r for r in out["reason"]]
    notes = [tuple(n) if isinstance(n, (tuple, list)) else () for n in out["notes"]]
    codes = [_code(r) if r is not None else None for r in reasons]
    note_codes = [[_code(n) for n in ns] for ns in notes]
    out["reason"] = [indicator_text(r, "en") for r in reasons]
    out["notes"] = [indicator_text(ns, "en") for ns in notes]
    if encode:
        out["reason_code"] = ["" if c is None else json.dumps(c, ensure_ascii=False) for c in codes]
        out["note_codes"] = [json.dumps(c, ensure_ascii=False) if c else "" for c in note_codes]
    else:
        out["reason_code"] = codes
        out["note_codes"] = note_codes
    return out


def read_business_areas(path: Path):
    """Import a planned-business-area file (official kommuneplan schema) through the loader's cleaning pipeline."""
    from areal.layers import loader, registry
    from areal.layers.safe_open import open_vector

    raw = open_vector(path, family="polygon", name=f"business-area file {path}")  # the safe opener
    return loader.clean(raw, registry.get("business_areas"), str(path), loader.LoadReport("business_areas"))
