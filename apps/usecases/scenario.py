"""Scenario-comparison use cases: the metrics ``areal scenario compare`` (and the app) compare.

Each metric factory takes the data directory and returns ``{group: callable(Scenario) -> {metric:
value}}``: the proposal's size, its land account (:mod:`areal.apps.usecases.account`), conflict
totals and the catalogue indicators that make sense for one proposal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping

from areal.apps.usecases.account import land_account_metrics

#: Factories of extra comparison metrics: each takes the data directory and returns
#: ``{group: callable(Scenario) -> {metric: value}}``. Conflict totals (issue 3) and indicators are
#: added here, e.g. ``METRIC_FACTORIES.append(conflict_metrics)``.
METRIC_FACTORIES: list[Callable[[Path | None], Mapping[str, Callable]]] = []


_INPUTS: dict[str, object] = {}


def _scenario_indicator_inputs(data_dir: Path | None):
    """Layers, rules and factors for the conflict and indicator metrics (loaded once per data dir)."""
    key = str(data_dir)
    if key not in _INPUTS:
        _INPUTS.clear()
        _INPUTS[key] = _load_scenario_indicator_inputs(data_dir)
    return _INPUTS[key]


def _load_scenario_indicator_inputs(data_dir: Path | None):
    from areal.geo.indicators import IndicatorInputs
    from areal.layers.account_inputs import emission_factors, load_account_inputs
    from areal.layers.indicator_inputs import load_layers
    from areal.layers.project_data import load_rules

    acc = load_account_inputs(data_dir)
    rules = load_rules()
    layers = dict(acc.layers)
    remedies = dict(acc.remedies)
    extra, more_remedies = load_layers(
        {r.b_layer for r in rules.rules_for("business_areas")} - set(layers), data_dir
    )
    layers.update(extra)
    remedies.update(more_remedies)
    return IndicatorInputs(acc.municipalities, None, layers, remedies, rules, {}, {}, emission_factors())


def conflict_metrics(data_dir: Path | None) -> dict[str, Callable]:
    """Conflict totals of a scenario's proposal (ha per severity, default rules, as business_areas)."""
    from areal.geo.indicators import scenario_conflict_metric

    return {"conflicts": scenario_conflict_metric(_scenario_indicator_inputs(data_dir))}


def indicator_metrics(data_dir: Path | None) -> dict[str, Callable]:
    """Catalogue indicators that make sense for one proposal (conflict-free share, developed share, CO2 ...)."""
    from areal.geo.indicators import scenario_indicator_metric
    from areal.layers.project_data import load_indicators

    return {"indicators": scenario_indicator_metric(_scenario_indicator_inputs(data_dir), load_indicators())}


METRIC_FACTORIES.extend([conflict_metrics, indicator_metrics])


def compare_metrics(
    data_dir: Path | None, extra: Mapping[str, Callable] | None = None
) -> dict[str, Callable]:
    """All metrics ``scenario compare`` shows: proposal size, land account, then registered extras."""
    from areal.geo.scenario import area_metric

    metrics: dict[str, Callable] = {"proposal": area_metric}
    metrics.update(land_account_metrics(data_dir))
    for factory in METRIC_FACTORIES:
        metrics.update(factory(data_dir))
    metrics.update(extra or {})
    return metrics
