import pytest


@pytest.fixture(scope="session")
def dask_client():
    """One 2-worker LocalCluster for the scale tests (started once: about 2 s)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
