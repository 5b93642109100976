"""``areal scenario list|show|save|delete|compare``: saved planning alternatives."""

from __future__ import annotations

from pathlib import Path

import click
from areal.apps.cli import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    check_out,
    emit_json,
    main,
    note,
    note_wrote,
    records,
)
from areal.apps.error_text import keyed
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
            bad = click.BadParameter(
                f"{item!r} is not KEY=NUMBER (e.g. grid=0.4,road=0.2)", param_hint="--weights"
            )
            raise keyed(bad, "weights", value=item) from None
    return out


def _fmt(v: float, lang: str = "nb", digits: int = 2) -> str:
    from areal.apps.formatting import number
    from areal.apps.labels import not_available

    return number(v, digits, lang, missing=not_available(lang))


#: The scenario commands' own words (profiles, layers, classes and indicators by their titles).
_TEXT = {
    "nb": {
        "count": "{n} scenario(er) i {where}",
        "columns": {
            "name": "navn",
            "profile": "profil",
            "polygons": "flater",
            "note": "merknad",
            "created": "opprettet",
            "updated": "endret",
            "schema_version": "versjon",
            "author": "forfatter",
        },
        "head": "scenario «{name}» (skjema v{v}), opprettet {created}, endret {updated}",
        "profile": "  profil: {profile}; vekter: {weights}",
        "layers": "  kartlag: {layers}",
        "note": "  merknad: {note}",
        "author": "  forfatter: {author}",
        "proposal": "  forslag: {n} flate(r), {ha} (EPSG:25833)",
        "saved": "lagret scenario «{name}»: {n} flate(r), {ha} i {where}",
        "renamed": "ga scenario «{old}» navnet «{new}» i {where}",
        "deleted": "slettet scenario «{name}» fra {where}",
        "difference": "differanse (B − A)",
    },
    "en": {
        "count": "{n} scenario(s) in {where}",
        "columns": {
            "name": "name",
            "profile": "profile",
            "polygons": "polygons",
            "note": "note",
            "created": "created",
            "updated": "updated",
            "schema_version": "version",
            "author": "author",
        },
        "head": "scenario «{name}» (schema v{v}), created {created}, updated {updated}",
        "profile": "  profile: {profile}; weights: {weights}",
        "layers": "  layers: {layers}",
        "note": "  note: {note}",
        "author": "  author: {author}",
        "proposal": "  proposal: {n} polygon(s), {ha} (EPSG:25833)",
        "saved": "saved scenario «{name}»: {n} polygon(s), {ha} in {where}",
        "renamed": "renamed scenario «{old}» to «{new}» in {where}",
        "deleted": "deleted scenario «{name}» from {where}",
        "difference": "difference (B − A)",
    },
}


def _T(lang: str) -> dict:
    return _TEXT["en" if lang == "en" else "nb"]


def _weights_text(weights, profile: str, lang: str) -> str:
    """Weights by criterion label (``grid=0.4`` -> ``nettkapasitet 0,4``), ids where none is known."""
    from areal.apps.formatting import number
    from areal.apps.labels import criterion_label
    from areal.layers.project_data import load_profile, profile_names

    crit = {}
    if profile in profile_names():
        crit = {c.id: c for c in load_profile(profile).criteria}
    return ", ".join(
        f"{criterion_label(crit[k], lang) if k in crit else k} {number(v, 2, lang)}"
        for k, v in weights.items()
    )


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
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def list_cmd(store_url: str | None, lang: str, data_dir: Path | None, as_json: bool) -> None:
    """List the saved scenarios."""
    from areal.layers.scenario_store import open_store

    store = open_store(store_url, data_dir)
    df = store.list()
    if as_json:
        emit_json({"store": str(store.location), "scenarios": records(df)})
        return
    from areal.apps.formatting import timestamp
    from areal.apps.labels import profile_title

    T = _T(lang)
    note(T["count"].format(n=len(df), where=store.location))
    if len(df):
        shown = df.copy()
        shown["profile"] = [profile_title(p, lang) if p else "–" for p in shown["profile"]]
        shown["polygons"] = [_fmt(float(n), lang, 0) for n in shown["polygons"]]
        for col in ("created", "updated"):
            shown[col] = [timestamp(v, lang) for v in shown[col]]
        click.echo(shown.rename(columns=T["columns"]).to_string(index=False))


@scenario_grp.command("show")
@click.argument("name")
@STORE_OPTION
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def show_cmd(name: str, store_url: str | None, lang: str, data_dir: Path | None, as_json: bool) -> None:
    """Show one scenario."""
    from areal.layers.scenario_store import open_store

    s = open_store(store_url, data_dir).get(name)
    if as_json:
        emit_json(_scenario_json(s) | {"attributes": records(s.proposal)})
        return
    from areal.apps.formatting import area_ha, timestamp
    from areal.apps.labels import layer_title, profile_title

    T = _T(lang)
    when = {"created": timestamp(s.created, lang), "updated": timestamp(s.updated, lang)}
    click.echo(T["head"].format(name=s.name, v=s.schema_version, **when))
    prof = profile_title(s.profile, lang) if s.profile else "–"
    click.echo(T["profile"].format(profile=prof, weights=_weights_text(s.weights, s.profile, lang) or "–"))
    click.echo(T["layers"].format(layers=", ".join(layer_title(x, lang) for x in s.layers) or "–"))
    click.echo(T["note"].format(note=s.note or "–"))
    click.echo(T["author"].format(author=s.author or "–"))
    click.echo(T["proposal"].format(n=len(s.proposal), ha=area_ha(s.area_ha, lang)))
    attrs = s.proposal.drop(columns=s.proposal.geometry.name)
    if len(attrs.columns):
        click.echo(attrs.head(20).to_string(index=False))


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
@click.option("--author", default="", help="Who saves it.")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace a scenario of the same name (without it a taken name is refused).",
)
@STORE_OPTION
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def save_cmd(
    name: str,
    proposal: Path,
    profile: str,
    weights: str | None,
    layer_ids: str,
    note_text: str,
    author: str,
    overwrite: bool,
    store_url: str | None,
    lang: str,
    data_dir: Path | None,
    as_json: bool,
) -> None:
    """Save scenario NAME in one transaction (a taken name only with --overwrite)."""
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
        author=author,
    )
    store = open_store(store_url, data_dir)
    saved = store.save(s, overwrite=overwrite)
    if as_json:
        emit_json(_scenario_json(saved) | {"store": str(store.location)})
        return
    from areal.apps.formatting import area_ha

    note(
        _T(lang)["saved"].format(
            name=saved.name, n=len(saved.proposal), ha=area_ha(saved.area_ha, lang), where=store.location
        )
    )


@scenario_grp.command("rename")
@click.argument("name")
@click.argument("new_name")
@STORE_OPTION
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def rename_cmd(
    name: str, new_name: str, store_url: str | None, lang: str, data_dir: Path | None, as_json: bool
) -> None:
    """Give scenario NAME the name NEW_NAME (a taken name is refused)."""
    from areal.layers.scenario_store import open_store

    store = open_store(store_url, data_dir)
    saved = store.rename(name, new_name)
    if as_json:
        emit_json(_scenario_json(saved) | {"store": str(store.location)})
        return
    note(_T(lang)["renamed"].format(old=name, new=saved.name, where=store.location))


@scenario_grp.command("delete")
@click.argument("name")
@STORE_OPTION
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def delete_cmd(name: str, store_url: str | None, lang: str, data_dir: Path | None, as_json: bool) -> None:
    """Delete scenario NAME."""
    from areal.layers.scenario_store import open_store

    store = open_store(store_url, data_dir)
    store.delete(name)
    if as_json:
        emit_json({"deleted": name, "store": str(store.location)})
        return
    note(_T(lang)["deleted"].format(name=name, where=store.location))


@scenario_grp.command("compare")
@click.argument("a")
@click.argument("b")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write a .csv."
)
@STORE_OPTION
@LANG_OPTION
@DATA_DIR_OPTION
@JSON_OPTION
def compare_cmd(
    a: str, b: str, out: Path | None, store_url: str | None, lang: str, data_dir: Path | None, as_json: bool
) -> None:
    """Compare scenarios A and B side by side: proposal size, land account, conflicts, indicators, B − A."""
    from areal.apps.usecases.scenario import comparison_table, comparison_text
    from areal.layers.scenario_store import open_store

    check_out(out, (".csv",))
    store = open_store(store_url, data_dir)
    sa, sb = store.get(a), store.get(b)
    table = comparison_table(sa, sb, compare_metrics(data_dir), lang)
    # files and --json: ids, titles in the language and the numbers, A and B under their names
    plain = table.drop(columns=["digits"]).rename(columns={"a": sa.name, "b": sb.name})
    if out is not None:
        from areal.layers.export import write_csv

        write_csv(plain, out, index=False, na_rep="NA")
    if as_json:
        emit_json({"a": a, "b": b, "rows": records(plain)})
        return
    T = _T(lang)
    shown = comparison_text(table, lang)
    labels = [f"{g}: {m}" for g, m in zip(shown["group_title"], shown["metric_title"])]
    w = min(90, max([len(label) for label in labels] + [10]))
    click.echo(f"{'':{w}} {('A: ' + a)[:20]:>20} {('B: ' + b)[:20]:>20} {T['difference']:>20}")
    for label, (_, row) in zip(labels, shown.iterrows()):
        click.echo(f"{label[:w]:{w}} {row['a']:>20} {row['b']:>20} {row['difference']:>20}")
    if out is not None:
        note_wrote(out, lang)
