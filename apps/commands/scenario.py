"""``areal scenario list|show|save|delete|compare``: saved planning alternatives."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import DATA_DIR_OPTION, JSON_OPTION, check_out, emit_json, main, note, records
from areal.apps.usecases.scenario import compare_metrics

STORE_OPTION = click.option(
    "--store",
    "store_url",
    default=None,
    envvar="AREAL_SCENARIO_STORE",
    show_envvar=True,
    help="Scenario store: a file path / sqlite:///PATH, or postgresql://... (default: <data dir>/scenarios.sqlite).",
)


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
    from areal.apps.formatting import number
    from areal.apps.labels import not_available

    return number(v, 2, missing=not_available())


@main.group("scenario")
def scenario_grp() -> None:
    """Saved scenarios: proposal geometries with layers, profile, weights and a note."""


def _scenario_json(s) -> dict:
    return {
        "name": s.name,
        "schema_version": s.schema_version,
        "created": s.created,
        "updated": s.updated,
        "profile": s.profile or None,
        "weights": dict(s.weights),
        "layers": list(s.layers),
        "note": s.note,
        "polygons": len(s.proposal),
        "area_ha": s.area_ha,
    }


@scenario_grp.command("list")
@STORE_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def list_cmd(store_url: str | None, data_dir: Path | None, as_json: bool) -> None:
    """List the saved scenarios."""
    from areal.layers.scenario_store import open_store

    store = open_store(store_url, data_dir)
    df = store.list()
    if as_json:
        emit_json({"store": str(store.location), "scenarios": records(df)})
        return
    note(f"{len(df)} scenario(s) in {store.location}")
    if len(df):
        click.echo(df.to_string(index=False))


@scenario_grp.command("show")
@click.argument("name")
@STORE_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def show_cmd(name: str, store_url: str | None, data_dir: Path | None, as_json: bool) -> None:
    """Show one scenario."""
    from areal.layers.scenario_store import open_store

    s = open_store(store_url, data_dir).get(name)
    if as_json:
        emit_json(_scenario_json(s) | {"attributes": records(s.proposal)})
        return
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
@click.option("--note", "note_text", default="", help="Free text.")
@STORE_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def save_cmd(
    name: str,
    proposal: Path,
    profile: str,
    weights: str | None,
    layer_ids: str,
    note_text: str,
    store_url: str | None,
    data_dir: Path | None,
    as_json: bool,
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
        note=note_text,
    )
    store = open_store(store_url, data_dir)
    saved = store.save(s)
    if as_json:
        emit_json(_scenario_json(saved) | {"store": str(store.location)})
        return
    note(
        f"saved scenario {saved.name!r}: {len(saved.proposal)} polygon(s), {_fmt(saved.area_ha)} ha "
        f"in {store.location}"
    )


@scenario_grp.command("delete")
@click.argument("name")
@STORE_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def delete_cmd(name: str, store_url: str | None, data_dir: Path | None, as_json: bool) -> None:
    """Delete scenario NAME."""
    from areal.layers.scenario_store import open_store

    store = open_store(store_url, data_dir)
    store.delete(name)
    if as_json:
        emit_json({"deleted": name, "store": str(store.location)})
        return
    note(f"deleted scenario {name!r} from {store.location}")


@scenario_grp.command("compare")
@click.argument("a")
@click.argument("b")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write a .csv."
)
@STORE_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def compare_cmd(
    a: str, b: str, out: Path | None, store_url: str | None, data_dir: Path | None, as_json: bool
) -> None:
    """Compare scenarios A and B side by side: proposal size, land account, difference (B − A)."""
    from areal.apps.labels import column_titles
    from areal.geo.scenario import compare
    from areal.layers.scenario_store import open_store

    check_out(out, (".csv",))
    store = open_store(store_url, data_dir)
    sa, sb = store.get(a), store.get(b)
    table = compare(sa, sb, compare_metrics(data_dir))
    if out is not None:
        from areal.layers.export import write_csv

        write_csv(table, out, na_rep="NA")
    if as_json:
        emit_json({"a": a, "b": b, "rows": records(table.reset_index())})
        return
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
        note(f"wrote {out}")
