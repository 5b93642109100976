// Coordinates of the map script (areal-geo.js): UTM 33 both ways, parsing, measuring, point-in-polygon.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const geo = require("../../apps/static/app/areal-geo.js");

// Reference values from pyproj (EPSG:4326 -> EPSG:25833, always_xy).
const REF = [
  [10.39, 63.43, 270081.991, 7041778.986],
  [15.0, 65.0, 500000.0, 7208454.582],
  [8.5, 62.3, 163311.379, 6924536.52],
  [14.5, 65.5, 476863.491, 7264272.323],
];

test("lon/lat to UTM 33 agrees with pyproj to the millimetre", () => {
  for (const [lon, lat, e, n] of REF) {
    const [x, y] = geo.toUtm33(lon, lat);
    assert.ok(Math.abs(x - e) < 0.002 && Math.abs(y - n) < 0.002, `${lon},${lat}: ${x},${y} vs ${e},${n}`);
  }
});

test("UTM 33 to lon/lat is the inverse (and agrees with pyproj)", () => {
  for (const [lon, lat, e, n] of REF) {
    const [x, y] = geo.fromUtm33(e, n);
    assert.ok(Math.abs(x - lon) < 1e-8 && Math.abs(y - lat) < 1e-8, `${x},${y}`);
  }
  const [lon, lat] = geo.fromUtm33(271000, 7040000); // pyproj: 10.410886394542, 63.414676357905
  assert.ok(Math.abs(lon - 10.410886394542) < 1e-8 && Math.abs(lat - 63.414676357905) < 1e-8);
});

test("coordinates as a planner types them", () => {
  const utm = geo.parseCoordinate("271000 7040000");
  assert.equal(utm.kind, "utm33");
  assert.ok(Math.abs(utm.lat - 63.4147) < 1e-4 && utm.inCounty);
  assert.equal(geo.parseCoordinate("7040000, 271000").kind, "utm33"); // north first
  for (const q of ["63.43, 10.39", "63.43 10.39", "63,43 10,39", "63.43,10.39", "10.39 63.43", "63.43; 10.39", "63.43°N 10.39°E"]) {
    const c = geo.parseCoordinate(q);
    assert.ok(c && c.kind === "lonlat", q);
    assert.ok(Math.abs(c.lat - 63.43) < 1e-9 && Math.abs(c.lon - 10.39) < 1e-9, q);
    assert.ok(c.inCounty, q);
  }
});

test("implausible coordinates are refused or flagged outside the county", () => {
  for (const q of ["Trondheim", "10.39", "1 2 3", "120 200", "271000 123", "63,43,10,39", ""]) {
    assert.equal(geo.parseCoordinate(q), null, q);
  }
  const oslo = geo.parseCoordinate("59.91 10.75");
  assert.ok(oslo && oslo.inCounty === false);
});

test("lengths and areas are measured in EPSG:25833", () => {
  // pyproj/shapely on the same points: path 2113.7198 m, ring area 1 113 386.69 m²
  const path = [[10.39, 63.43], [10.41, 63.43], [10.41, 63.44]];
  assert.ok(Math.abs(geo.pathLength(path) - 2113.7198) < 0.01);
  const ring = [[10.39, 63.43], [10.41, 63.43], [10.41, 63.44], [10.39, 63.44]];
  assert.ok(Math.abs(geo.ringArea(ring) - 1113386.69) < 1);
});

test("point in polygon, with holes and multipolygons", () => {
  const sq = { type: "Polygon", coordinates: [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]] };
  assert.equal(geo.contains(sq, 3, 3), true);
  assert.equal(geo.contains(sq, 1.5, 1.5), false); // in the hole
  assert.equal(geo.contains(sq, 5, 5), false);
  const multi = { type: "MultiPolygon", coordinates: [sq.coordinates, [[[10, 10], [11, 10], [11, 11], [10, 10]]]] };
  assert.equal(geo.contains({ type: "Feature", geometry: multi }, 10.8, 10.2), true);
  assert.equal(geo.contains({ type: "Point", coordinates: [3, 3] }, 3, 3), false);
});

test("zoom bands", () => {
  const bands = [{ index: 0, max_zoom: 7 }, { index: 1, max_zoom: 9 }, { index: 2, max_zoom: 30 }];
  assert.deepEqual([5, 7, 8, 10, 18].map((z) => geo.bandFor(bands, z).index), [0, 0, 1, 2, 2]);
});
