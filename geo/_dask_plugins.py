"""Dask worker plugins of the scheduler seam (imported only when a dask client is used)."""

from __future__ import annotations

from areal.geo.scheduler import tune_malloc
from distributed import WorkerPlugin


class MallocPlugin(WorkerPlugin):
    """Runs :func:`areal.geo.scheduler.tune_malloc` on every worker as it starts or joins."""

    name = "areal-malloc"

    def setup(self, worker) -> None:  # noqa: D102
        tune_malloc()
