"""Subprocess used by the SIGKILL test: save one huge scenario into a store, reporting progress.

Usage: python _save_worker.py STORE_PATH NAME N_FEATURES
Prints "SAVING" (flushed) just before the save starts and "DONE" after it committed.
"""

import sys

import geopandas as gpd
import numpy as np
import shapely
from areal.geo.scenario import Scenario
from areal.layers.scenario_store import open_store

path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
x = 270_000 + (np.arange(n) % 1000) * 20.0
y = 7_040_000 + (np.arange(n) // 1000) * 20.0
geoms = shapely.box(x, y, x + 10, y + 10)
frame = gpd.GeoDataFrame({"i": np.arange(n), "label": ["huge"] * n}, geometry=geoms, crs=25833)
scenario = Scenario(name, frame, note="huge version")
store = open_store(path)
print("SAVING", flush=True)
store.save(scenario)
print("DONE", flush=True)
