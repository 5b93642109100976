"""``areal scenario list|show|save|delete|compare``: saved planning alternatives."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Mapping

import click
from areal.apps.cli import DATA_DIR_OPTION, main

STORE_OPTION = click.option(
    "--store",
    "store_url",
    default=None,
    envvar="AREAL_SCENARIO_STORE",
    show_envvar=True,
    help="Scenario store: a file path / sqlite:///PATH, or postgresql://... (default: <data dir>/scenarios.sqlite).",
)

#: Factories of extra comparison metrics: each takes the data directory and returns
#: ``{group: callable(Scenario) -> {metric: value}}``. Conflict totals (issue 3) and indicators are
#: added here, e.g. ``METRIC_FACTORIES.append(conflict_metrics)``.
METRIC_FACTORIES: list[Callable[[Path | None], Mapping[str, Callable]]] = []


def land_account_metrics(data_dir: Path | None) -> dict[str, Callable]:
    """The land account of a scenario's proposal: class hectares inside it, conversion split, CO2."""
    from areal.geo.land_account import zone_account
    from areal.layers.account_inputs import emission_factors, load_account_inputs

    inputs = load_account_inputs(data_dir)
    factors = emission_factors()

    def account(s) -> dict[str, float]:
        row = zone_account(
            s.proposal, inputs.layers, emission_factors=factors, remedies=inputs.remedies
        ).iloc[0]
        return {k: float(v) for k, v in row.items() if k != "area_ha"}

    return {"land account": account}


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


def parse_weights(text: str | None) -> dict[str, float]:
    """``"a=1,b=0.5"`` -> ``{"a": 1.0, "b": 0.5}``."""
    out: dict[str, float] = {}
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise click.BadParameter(
                f"{item!r} is not KEY=NUMBER (e.g. grid=0.4,road=0.2)", param_hint="--weights"
            ) from None
    return out


def _fmt(v: float) -> str:
    from areal.geo.land_account import NOT_AVAILABLE

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return NOT_AVAILABLE
    return f"{v:,.2f}".replace(",", " ")


@main.group("scenario")
def scenario_grp() -> None:
    """Saved scenarios: proposal geometries with layers, profile, weights and a note."""


@scenario_grp.command("list")
@STORE_OPTION
@DATA_DIR_OPTION
def list_cmd(store_url: str | None, data_dir: Path | None) -> None:
    """List the saved scenarios."""
    from areal.layers.scenario_store import open_store

    store = open_store(store_url, data_dir)
    df = store.list()
    click.echo(f"{len(df)} scenario(s) in {store.location}")
    if len(df):
        click.echo(df.to_string(index=False))


@scenario_grp.command("show")
@click.argument("name")
@STORE_OPTION
@DATA_DIR_OPTION
def show_cmd(name: str, store_url: str | None, data_dir: Path | None) -> None:
    """Show one scenario."""
    from areal.layers.scenario_store import open_store

    s = open_store(store_url, data_dir).get(name)
    click.echo(f"scenario {s.name!r} (schema v{s.schema_version}), created {s.created}, updated {s.updated}")
    click.echo(
        f"  profile: {s.profile or '-'}; weights: {', '.join(f'{k}={v:g}' for k, v in s.weights.items()) or '-'}"
    )
    click.echo(f"  layers: {', '.join(s.layers) or '-'}")
    click.echo(f"  note: {s.note or '-'}")
    click.echo(f"  proposal: {len(s.proposal)} polygon(s), {_fmt(s.area_ha)} ha (EPSG:25833)")
    attrs = s.proposal.drop(columns=s.proposal.geometry.name)
    if len(attrs.columns):
        click.echo(attrs.head(20).to_string())


@scenario_grp.command("save")
@click.argument("name")
@click.option(
    "--proposal",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Polygons of the proposal (GeoPackage, GeoJSON, ...).",
)
@click.option("--profile", default="", help="Suitability profile name.")
@click.option("--weights", default=None, help="Profile weights KEY=NUMBER,...")
@click.option("--layers", "layer_ids", default="", help="Layers chosen, comma-separated catalogue ids.")
@click.option("--note", default="", help="Free text.")
@STORE_OPTION
@DATA_DIR_OPTION
def save_cmd(
    name: str,
    proposal: Path,
    profile: str,
    weights: str | None,
    layer_ids: str,
    note: str,
    store_url: str | None,
    data_dir: Path | None,
) -> None:
    """Save (or replace) scenario NAME in one transaction."""
    from areal.geo.scenario import Scenario
    from areal.layers import registry
    from areal.layers.account_inputs import read_proposal
    from areal.layers.scenario_store import open_store

    chosen = tuple(x.strip() for x in layer_ids.split(",") if x.strip())
    for lid in chosen:
        registry.get(lid)  # unknown ids fail here with the list of valid ones
    s = Scenario(
        name,
        read_proposal(proposal),
        layers=chosen,
        profile=profile,
        weights=parse_weights(weights),
        note=note,
    )
    store = open_store(store_url, data_dir)
    saved = store.save(s)
    click.echo(
        f"saved scenario {saved.name!r}: {len(saved.proposal)} polygon(s), {_fmt(saved.area_ha)} ha "
        f"in {store.location}"
    )


@scenario_grp.command("delete")
@click.argument("name")
@STORE_OPTION
@DATA_DIR_OPTION
def delete_cmd(name: str, store_url: str | None, data_dir: Path | None) -> None:
    """Delete scenario NAME."""
    from areal.layers.scenario_store import open_store

    store = open_store(store_url, data_dir)
    store.delete(name)
    click.echo(f"deleted scenario {name!r} from {store.location}")


@scenario_grp.command("compare")
@click.argument("a")
@click.argument("b")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write a .csv."
)
@STORE_OPTION
@DATA_DIR_OPTION
def compare_cmd(a: str, b: str, out: Path | None, store_url: str | None, data_dir: Path | None) -> None:
    """Compare scenarios A and B side by side: proposal size, land account, difference (B − A)."""
    from areal.geo.land_account import column_titles
    from areal.geo.scenario import compare
    from areal.layers.scenario_store import open_store

    store = open_store(store_url, data_dir)
    sa, sb = store.get(a), store.get(b)
    table = compare(sa, sb, compare_metrics(data_dir))
    titles = column_titles("nb")
    from areal.layers.project_data import load_indicators

    titles.update({i.id: f"{i.title_nb} ({i.unit})" for i in load_indicators()})
    click.echo(f"{'':62} {a[:18]:>18} {b[:18]:>18} {'differanse':>18}")
    for (group, metric), row in table.iterrows():
        label = titles.get(metric, metric)
        click.echo(
            f"{(group + ': ' + label)[:62]:62} {_fmt(row[a]):>18} {_fmt(row[b]):>18} {_fmt(row['difference']):>18}"
        )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, na_rep="NA")
        click.echo(f"wrote {out}")
