"""Scenario-comparison use case: the one table ``areal scenario compare`` and the app's compare show.

:func:`scenario_metrics` builds the metric groups from layers in memory (the app server's, or
those :func:`compare_metrics` loads from a data directory): the proposal's size, its land account
(:func:`areal.apps.usecases.account.site_account`), conflict totals and the catalogue indicators
that make sense for one proposal. :func:`comparison_table` compares two scenarios with them and
names every group and metric in the user's language.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

#: Factories of extra comparison metrics: each takes the data directory and returns
#: ``{group: callable(Scenario) -> {metric: value}}``, appended after the built-in groups of
#: :func:`scenario_metrics` (proposal, land account, conflicts, indicators).
METRIC_FACTORIES: list[Callable[[Path | None], Mapping[str, Callable]]] = []

#: The groups :func:`scenario_metrics` gives, in the order they are shown.
GROUPS = ("proposal", "land account", "conflicts", "indicators")

_INPUTS: dict[str, object] = {}


def scenario_metrics(
    layers: Mapping,
    municipalities,
    rules,
    *,
    remedies: Mapping[str, str] | None = None,
    emission_factors=None,
    indicators=None,
) -> dict[str, Callable]:
    """The metric groups of a comparison from layers in memory (:data:`GROUPS`).

    Parameters
    ----------
    layers : mapping
        Present layers by id (the account's and the conflict rules' layers are used).
    municipalities : GeoDataFrame
        For splitting conflicts by municipality.
    rules : RuleTable
        Conflict rules (the proposal is checked as ``business_areas``).
    remedies, emission_factors, indicators : optional
        How to get missing layers; emission factors (default: the shipped table); the indicator
        catalogue (default: ``data/indicators``).
    """
    from areal.apps.usecases.account import site_account
    from areal.geo.indicators import IndicatorInputs, scenario_conflict_metric, scenario_indicator_metric
    from areal.geo.scenario import area_metric
    from areal.layers.account_inputs import emission_factors as shipped_factors
    from areal.layers.project_data import load_indicators

    factors = emission_factors if emission_factors is not None else shipped_factors()
    inputs = IndicatorInputs(municipalities, None, dict(layers), dict(remedies or {}), rules, {}, {}, factors)

    def land_account(s) -> dict[str, float]:
        row = site_account(s.proposal, layers, remedies).iloc[0]
        return {k: float(v) for k, v in row.items() if k != "area_ha"}

    return {
        "proposal": area_metric,
        "land account": land_account,
        "conflicts": scenario_conflict_metric(inputs),
        "indicators": scenario_indicator_metric(
            inputs, indicators if indicators is not None else load_indicators()
        ),
    }


def _loaded(data_dir: Path | None) -> dict:
    """Layers, municipalities, remedies and rules of a data directory (loaded once per directory)."""
    key = str(data_dir)
    if key not in _INPUTS:
        from areal.layers.account_inputs import load_account_inputs
        from areal.layers.indicator_inputs import load_layers
        from areal.layers.project_data import load_rules

        acc = load_account_inputs(data_dir)
        rules = load_rules()
        layers, remedies = dict(acc.layers), dict(acc.remedies)
        extra, more = load_layers(
            {r.b_layer for r in rules.rules_for("business_areas")} - set(layers), data_dir
        )
        layers.update(extra)
        remedies.update(more)
        _INPUTS.clear()
        _INPUTS[key] = {
            "layers": layers,
            "municipalities": acc.municipalities,
            "remedies": remedies,
            "rules": rules,
        }
    return _INPUTS[key]


def compare_metrics(
    data_dir: Path | None, extra: Mapping[str, Callable] | None = None
) -> dict[str, Callable]:
    """All metrics ``scenario compare`` shows, from a data directory: :func:`scenario_metrics`, then extras."""
    d = _loaded(data_dir)
    metrics = scenario_metrics(d["layers"], d["municipalities"], d["rules"], remedies=d["remedies"])
    for factory in METRIC_FACTORIES:
        metrics.update(factory(data_dir))
    metrics.update(extra or {})
    return metrics


def _digits(group: str, metric: str, indicators: Mapping) -> int:
    if group == "indicators" and metric in indicators:
        return int(indicators[metric].digits)
    if metric in ("polygons", "layers_missing"):
        return 0
    return 3 if "share" in metric else 1


def comparison_table(a, b, metrics: Mapping[str, Callable], lang: str = "nb") -> pd.DataFrame:
    """Scenarios ``a`` and ``b`` side by side with the difference, every group and metric in words.

    Returns
    -------
    DataFrame
        One row per metric, in the order of ``metrics``: ``group`` and ``metric`` (ids),
        ``group_title`` and ``metric_title`` (in ``lang``), ``a``, ``b`` and ``difference``
        (B − A; NaN where either side is not available) and ``digits`` (decimals to show).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from areal.geo.scenario import Scenario, area_metric
    >>> mk = lambda n, w: Scenario(n, gpd.GeoDataFrame(geometry=[box(0, 0, w, 100)], crs=25833))
    >>> t = comparison_table(mk("A", 100), mk("B", 300), {"proposal": area_metric})
    >>> t[["group_title", "metric_title", "a", "b", "difference"]].values.tolist()[1]
    ['Forslag', 'Areal (ha)', 1.0, 3.0, 2.0]
    """
    from areal.apps.labels import scenario_group_title, scenario_metric_title
    from areal.geo.scenario import compare
    from areal.layers.project_data import load_indicators

    try:
        inds = {i.id: i for i in load_indicators()}
    except Exception:  # noqa: BLE001 - without a catalogue, indicator ids are shown as they are
        inds = {}
    table = compare(a, b, metrics).reset_index()
    out = pd.DataFrame(
        {
            "group": table["group"],
            "metric": table["metric"],
            "group_title": [scenario_group_title(g, lang) for g in table["group"]],
            "metric_title": [
                scenario_metric_title(g, m, lang, inds.get(m))
                for g, m in zip(table["group"], table["metric"])
            ],
            "a": table[a.name].astype(float),
            "b": table[b.name].astype(float),
            "difference": table["difference"].astype(float),
            "digits": [_digits(g, m, inds) for g, m in zip(table["group"], table["metric"])],
        }
    )
    return out


def comparison_text(table: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """The numbers of :func:`comparison_table` as the reader writes them ("ikke tilgjengelig" for none).

    >>> t = pd.DataFrame({"a": [1.0], "b": [float("nan")], "difference": [float("nan")], "digits": [1]})
    >>> comparison_text(t)[["a", "b"]].values.tolist()
    [['1,0', 'ikke tilgjengelig']]
    """
    from areal.apps.formatting import number
    from areal.apps.labels import not_available

    out = table.copy()
    for col in ("a", "b", "difference"):
        out[col] = [
            number(
                None if isinstance(v, float) and math.isnan(v) else v,
                int(d),
                lang,
                missing=not_available(lang),
            )
            for v, d in zip(table[col], table["digits"])
        ]
    return out
