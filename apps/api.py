"""HTTP API: the area analysis, conflicts and suitability as OGC API – Processes (sync, JSON).

The routes follow OGC API – Processes – Part 1: Core, the standard the national DOK-arealanalyse
serves through pygeoapi:

* ``GET /`` landing page, ``GET /conformance``;
* ``GET /processes`` the process list, ``GET /processes/{id}`` a process with the JSON Schema of
  its inputs and outputs;
* ``POST /processes/{id}/execution`` with ``{"inputs": {...}}``: runs synchronously and answers
  the outputs as JSON.

Processes: ``area-analysis`` (:func:`areal.apps.usecases.analysis.run_area_analysis`),
``conflicts`` (:func:`areal.apps.usecases.conflicts.check_conflicts`) and ``suitability``
(:func:`areal.apps.usecases.suitability.run_suitability`, one municipality at 250, 500 or 1000 m,
results cached). Inputs are checked against the schema; GeoJSON goes through the same checks as an
upload (:func:`areal.layers.upload.read_upload`: content sniffed, CRS member honoured, vertex
limit, plausible location). Bad input answers 400 with a one-line ``detail``.

Started by ``areal api [--port]``; :func:`make_app` builds the tornado application (tests start it
on a free port).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from areal.apps import jsonsafe

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/ogc-process-description",
]

MAX_BODY_BYTES = 12 * 1024**2
"""Largest request body (the GeoJSON limit of an upload, 10 MB, and room for the other inputs)."""

GEOMETRY_SCHEMA = {
    "description": "GeoJSON Geometry, Feature or FeatureCollection (WGS84 unless it has a 'crs' member, e.g. EPSG:25833)",
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {
            "enum": [
                "Point",
                "MultiPoint",
                "Polygon",
                "MultiPolygon",
                "Feature",
                "FeatureCollection",
            ]
        }
    },
}

_RESULT_ROW_SCHEMA = {
    "type": "object",
    "properties": {
        "dataset": {"type": "string"},
        "status": {"enum": ["hit_red", "hit_yellow", "no_hit", "not_relevant", "not_mapped", "error"]},
        "severity": {"type": ["string", "null"]},
        "area_ha": {"type": ["number", "null"]},
        "share": {"type": ["number", "null"]},
        "buffer_ha": {"type": ["number", "null"]},
        "zone_ha": {"type": ["number", "null"]},
        "distance_m": {"type": ["number", "null"]},
        "basis": {"type": "string"},
        "guidance_nb": {"type": "string"},
        "guidance_en": {"type": "string"},
        "scale": {"type": ["integer", "null"]},
        "vintage": {"type": "string"},
    },
}


class BadInput(ValueError):
    """A request the API refuses with 400 (the message is the one-line ``detail``)."""


@dataclass(frozen=True)
class Process:
    """One process: its description and the function that runs it."""

    id: str
    title: str
    description: str
    inputs: Mapping[str, Mapping[str, Any]]
    outputs: Mapping[str, Mapping[str, Any]]
    run: Callable[[Mapping[str, Any]], Mapping[str, Any]]
    version: str = "1.0.0"

    @property
    def input_schema(self) -> dict[str, Any]:
        """JSON Schema of the ``inputs`` object."""
        required = [k for k, v in self.inputs.items() if v.get("minOccurs", 1) > 0]
        return {
            "type": "object",
            "required": required,
            "additionalProperties": False,
            "properties": {k: v["schema"] for k, v in self.inputs.items()},
        }

    def summary(self, base: str) -> dict[str, Any]:
        """The entry of ``/processes``."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "version": self.version,
            "jobControlOptions": ["sync-execute"],
            "outputTransmission": ["value"],
            "links": [
                {
                    "href": f"{base}/processes/{self.id}",
                    "rel": "self",
                    "type": "application/json",
                    "title": self.title,
                },
                {
                    "href": f"{base}/processes/{self.id}/execution",
                    "rel": "http://www.opengis.net/def/rel/ogc/1.0/execute",
                    "type": "application/json",
                    "title": "Execute (POST)",
                },
            ],
        }

    def description_doc(self, base: str) -> dict[str, Any]:
        """The document of ``/processes/{id}``: the summary plus inputs and outputs with schemas."""
        return self.summary(base) | {"inputs": dict(self.inputs), "outputs": dict(self.outputs)}


# ---------------------------------------------------------------- inputs


def read_geometry(obj: Any, limits=None):
    """A posted GeoJSON object as an EPSG:25833 frame, through the upload checks.

    Raises
    ------
    BadInput
        For anything the upload checks refuse, with their one-line message.
    """
    from areal.geo.errors import ArealError
    from areal.layers.upload import PUBLIC_LIMITS, read_upload

    if not isinstance(obj, Mapping):
        raise BadInput("inputGeometry must be a GeoJSON object")
    if obj.get("type") not in ("Feature", "FeatureCollection"):
        crs = obj.get("crs")
        geom = {k: v for k, v in obj.items() if k != "crs"}
        obj = {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": geom}],
        }
        if crs is not None:
            obj["crs"] = crs
    data = json.dumps(obj).encode("utf-8")
    try:
        return read_upload(data, "inputGeometry.geojson", limits or PUBLIC_LIMITS)
    except (ArealError, ValueError) as exc:
        raise BadInput(str(exc).splitlines()[0].replace("inputGeometry.geojson", "inputGeometry")) from None


def _validate(process: Process, inputs: Any) -> Mapping[str, Any]:
    import jsonschema

    if not isinstance(inputs, Mapping):
        raise BadInput("the body must be a JSON object with 'inputs': {...}")
    try:
        jsonschema.validate(inputs, process.input_schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise BadInput(f"input {where or 'inputs'}: {exc.message}") from None
    return inputs


# ---------------------------------------------------------------- processes


class Api:
    """The processes over one data directory (rules, contexts and results loaded once)."""

    def __init__(self, data_dir: str | os.PathLike | None = None):
        from areal.apps.usecases.analysis import load_contexts
        from areal.layers.project_data import load_rules, profile_names

        self.data_dir = data_dir
        self.rules = load_rules()
        self.contexts = load_contexts(rules=self.rules)
        self.profiles = profile_names()
        self._suitability_cache: dict[tuple, dict] = {}
        self.processes = {p.id: p for p in (self._area_analysis(), self._conflicts(), self._suitability())}

    # -- area analysis
    def _area_analysis(self) -> Process:
        return Process(
            "area-analysis",
            "Arealanalyse / area analysis",
            "Status per dataset for an area in a planning context (after Kartverket's DOK-arealanalyse): "
            "hit red/yellow, no hit, not relevant, not mapped, error; area and share hit, distance, legal basis, guidance.",
            {
                "inputGeometry": {"title": "Area", "schema": GEOMETRY_SCHEMA, "minOccurs": 1, "maxOccurs": 1},
                "context": {
                    "title": "Context",
                    "schema": {
                        "type": "string",
                        "enum": list(self.contexts.contexts),
                        "default": "reguleringsplan",
                    },
                    "minOccurs": 0,
                    "maxOccurs": 1,
                },
                "requestedBuffer": {
                    "title": "Buffer (m)",
                    "schema": {"type": "number", "minimum": 0, "maximum": 10000, "default": 0},
                    "minOccurs": 0,
                    "maxOccurs": 1,
                },
            },
            {
                "result": {
                    "title": "Area analysis",
                    "schema": {
                        "type": "object",
                        "properties": {
                            "context": {"type": "string"},
                            "buffer_m": {"type": "number"},
                            "area_ha": {"type": "number"},
                            "counts": {"type": "object"},
                            "results": {"type": "array", "items": _RESULT_ROW_SCHEMA},
                        },
                    },
                }
            },
            self.run_area_analysis,
        )

    def run_area_analysis(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``area-analysis``: ``{"result": AreaAnalysis.to_dict()}``."""
        from areal.apps.usecases.analysis import run_area_analysis

        area = read_geometry(inputs["inputGeometry"])
        res = run_area_analysis(
            area,
            inputs.get("context", "reguleringsplan"),
            buffer_m=float(inputs.get("requestedBuffer", 0) or 0),
            data_dir=self.data_dir,
            rules=self.rules,
            contexts=self.contexts,
        )
        return {"result": res.to_dict()}

    # -- conflicts
    def _conflicts(self) -> Process:
        a_layers = sorted({r.a_layer for r in self.rules.rules})
        return Process(
            "conflicts",
            "Arealkonflikter / area conflicts",
            "Hectares of a proposal in conflict with each rule of the rule table (A side as_layer), with severity and "
            "legal basis; each pair's pieces counted once, § 49 zones as rings outside the protected area.",
            {
                "inputGeometry": {
                    "title": "Proposal",
                    "schema": GEOMETRY_SCHEMA,
                    "minOccurs": 1,
                    "maxOccurs": 1,
                },
                "as_layer": {
                    "title": "Checked as",
                    "schema": {"type": "string", "enum": a_layers, "default": "business_areas"},
                    "minOccurs": 0,
                    "maxOccurs": 1,
                },
            },
            {
                "result": {
                    "title": "Conflicts",
                    "schema": {
                        "type": "object",
                        "properties": {
                            "total_ha": {"type": "number"},
                            "by_severity_ha": {"type": "object"},
                            "pairs": {"type": "array"},
                            "missing": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                }
            },
            self.run_conflicts,
        )

    def run_conflicts(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``conflicts``: hectares per rule, per severity and in all."""
        from areal.apps.usecases.conflicts import check_conflicts
        from areal.geo.errors import LayerMissingError
        from areal.geo.rules import SEVERITIES
        from areal.layers import loader

        area = read_geometry(inputs["inputGeometry"])
        as_layer = inputs.get("as_layer", "business_areas")
        layers = {}
        for lid in dict.fromkeys(r.b_layer for r in self.rules.rules_for(as_layer)):
            try:
                layers[lid] = loader.load(lid, self.data_dir)
            except LayerMissingError:
                pass
        res = check_conflicts(area, layers, self.rules, as_layer=as_layer, footprint=True)
        zone = {r.pair: r.zone for r in res.rules}
        pairs = [
            dict(row) | {"zone": zone.get(row["pair"], "whole")}
            for row in res.summary().to_dict(orient="records")
        ]
        return {
            "result": {
                "as_layer": as_layer,
                "total_ha": res.total_ha(),
                "by_severity_ha": {s: res.total_ha(s) for s in SEVERITIES},
                "pairs": pairs,
                "missing": list(res.missing),
                "area_method": res.area_method,
            }
        }

    # -- suitability
    def _suitability(self) -> Process:
        return Process(
            "suitability",
            "Egnethet / suitability",
            "Ranked candidate sites of a suitability profile in one municipality, on a coarse grid (250, 500 or "
            "1000 m; results cached), with the land lost per exclusion (exact and as a cell count).",
            {
                "profile": {
                    "title": "Profile",
                    "schema": {"type": "string", "enum": self.profiles},
                    "minOccurs": 1,
                    "maxOccurs": 1,
                },
                "municipality": {
                    "title": "Municipality number",
                    "schema": {"type": "string", "pattern": "^[0-9]{4}$"},
                    "minOccurs": 1,
                    "maxOccurs": 1,
                },
                "resolution": {
                    "title": "Cell size (m)",
                    "schema": {"type": "integer", "enum": [250, 500, 1000], "default": 500},
                    "minOccurs": 0,
                    "maxOccurs": 1,
                },
                "top": {
                    "title": "Number of sites",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                    "minOccurs": 0,
                    "maxOccurs": 1,
                },
            },
            {
                "result": {
                    "title": "Sites",
                    "schema": {
                        "type": "object",
                        "properties": {
                            "sites": {"type": "object", "description": "GeoJSON FeatureCollection (WGS84)"},
                            "area_lost": {"type": "array"},
                            "skipped": {"type": "array"},
                        },
                    },
                }
            },
            self.run_suitability,
        )

    def run_suitability(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``suitability`` (cached per profile, municipality and resolution)."""
        from areal.apps.usecases.suitability import prepare_suitability, run_suitability
        from areal.geo.errors import UnknownNameError

        key = (inputs["profile"], inputs["municipality"], int(inputs.get("resolution", 500)))
        if key not in self._suitability_cache:
            try:
                setup = prepare_suitability(
                    key[0], resolution=float(key[2]), municipality=key[1], data_dir=self.data_dir
                )
            except UnknownNameError as exc:
                raise BadInput(f"input municipality: {str(exc).splitlines()[0]}") from None
            run = run_suitability(setup, sensitivity_runs=0)
            sites = run.sites.drop(
                columns=[c for c in run.sites.columns if c.startswith("reason")], errors="ignore"
            )
            self._suitability_cache[key] = {
                "profile": key[0],
                "municipality": key[1],
                "resolution_m": key[2],
                "sites": json.loads(sites.to_crs(4326).to_json(drop_id=True)),
                "area_lost": run.area_lost.to_dict(orient="records"),
                "skipped": [{"name": n, "reason": r} for n, r in run.skipped],
            }
        res = dict(self._suitability_cache[key])
        top = int(inputs.get("top", 10))
        res["sites"] = dict(res["sites"]) | {"features": res["sites"]["features"][:top]}
        return {"result": res}


# ---------------------------------------------------------------- tornado


def make_app(api: Api, *, executor=None):
    """The tornado application of ``api`` (routes as in the module doc)."""
    import tornado.web
    from areal.geo.errors import ArealError

    class Base(tornado.web.RequestHandler):
        def set_default_headers(self):
            self.set_header("Content-Type", "application/json; charset=utf-8")

        @property
        def base(self) -> str:
            return f"{self.request.protocol}://{self.request.host}"

        def send(self, doc, status: int = 200):
            self.set_status(status)
            self.finish(jsonsafe.dumps(doc))

        def problem(self, status: int, title: str, detail: str, kind: str = "bad-request"):
            self.set_header("Content-Type", "application/problem+json; charset=utf-8")
            self.set_status(status)
            doc = {
                "type": f"http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/{kind}",
                "title": title,
                "status": status,
                "detail": detail,
            }
            self.finish(jsonsafe.dumps(doc))

        def write_error(self, status_code, **kwargs):
            self.problem(
                status_code,
                self._reason,
                self._reason,
                "server-error" if status_code >= 500 else "bad-request",
            )

    class Landing(Base):
        def get(self):
            b = self.base
            self.send(
                {
                    "title": "Arealkart Trøndelag API",
                    "description": "Area analysis, conflicts and suitability as OGC API - Processes",
                    "links": [
                        {
                            "href": f"{b}/",
                            "rel": "self",
                            "type": "application/json",
                            "title": "This document",
                        },
                        {
                            "href": f"{b}/conformance",
                            "rel": "http://www.opengis.net/def/rel/ogc/1.0/conformance",
                            "type": "application/json",
                            "title": "Conformance",
                        },
                        {
                            "href": f"{b}/processes",
                            "rel": "http://www.opengis.net/def/rel/ogc/1.0/processes",
                            "type": "application/json",
                            "title": "Processes",
                        },
                    ],
                }
            )

    class Conformance(Base):
        def get(self):
            self.send({"conformsTo": CONFORMANCE})

    class Processes(Base):
        def get(self):
            b = self.base
            self.send(
                {
                    "processes": [p.summary(b) for p in api.processes.values()],
                    "links": [{"href": f"{b}/processes", "rel": "self", "type": "application/json"}],
                }
            )

    class ProcessDesc(Base):
        def get(self, pid):
            p = api.processes.get(pid)
            if p is None:
                return self.problem(
                    404,
                    "No such process",
                    f"unknown process {pid!r}; processes: {', '.join(api.processes)}",
                    "no-such-process",
                )
            self.send(p.description_doc(self.base))

    class Execute(Base):
        async def post(self, pid):
            p = api.processes.get(pid)
            if p is None:
                return self.problem(
                    404,
                    "No such process",
                    f"unknown process {pid!r}; processes: {', '.join(api.processes)}",
                    "no-such-process",
                )
            try:
                body = jsonsafe.loads_strict(self.request.body.decode("utf-8") or "null")
            except (ValueError, UnicodeDecodeError) as exc:
                return self.problem(
                    400, "Bad request", f"the body is not valid JSON ({str(exc).splitlines()[0]})"
                )
            if not isinstance(body, Mapping) or "inputs" not in body:
                return self.problem(400, "Bad request", "the body must be a JSON object with 'inputs': {...}")
            try:
                inputs = _validate(p, body["inputs"])
                loop = tornado.ioloop.IOLoop.current()
                out = await loop.run_in_executor(executor, partial(p.run, inputs))
            except BadInput as exc:
                return self.problem(400, "Bad request", str(exc))
            except ArealError as exc:
                return self.problem(400, "Bad request", str(exc).splitlines()[0])
            self.send(out)

    import tornado.ioloop

    return tornado.web.Application(
        [
            (r"/?", Landing),
            (r"/conformance/?", Conformance),
            (r"/processes/?", Processes),
            (r"/processes/([A-Za-z0-9_-]+)/?", ProcessDesc),
            (r"/processes/([A-Za-z0-9_-]+)/execution/?", Execute),
        ],
    )
