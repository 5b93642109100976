import math
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from areal.geo.scheduler import DaskScheduler, ExecutorScheduler, Scheduler, get_scheduler


def _scaled(shared, x):
    return shared * x


def _who(shared, x):
    return threading.current_thread().name


@pytest.mark.parametrize("spec", ["serial", "threads", "threads:3", "processes:2"])
def test_every_scheduler_returns_results_in_chunk_order(spec):
    with get_scheduler(spec) as s:
        assert list(s.map(_scaled, range(20), shared=3)) == [3 * i for i in range(20)]


def test_dask_scheduler_on_a_local_cluster_returns_the_same(dask_client):
    s = get_scheduler(dask_client)
    assert isinstance(s, DaskScheduler) and s.workers == 2
    assert list(s.map(_scaled, range(20), shared=3, in_flight=3)) == [3 * i for i in range(20)]
    # the shared state is scattered once and released after the map
    assert list(s.map(_scaled, [1.5], shared=2.0)) == [3.0]
    s.close()  # not owned: the client stays open
    assert dask_client.status == "running"


def test_threads_run_on_pool_threads_and_an_executor_is_accepted():
    with get_scheduler("threads:2") as s:
        names = set(s.map(_who, range(8)))
    assert names and all(n.startswith("areal") for n in names)
    with ThreadPoolExecutor(2) as ex:
        s = get_scheduler(ex)
        assert isinstance(s, ExecutorScheduler) and s.workers == 2
        assert list(s.map(_scaled, [1, 2], shared=math.pi)) == [math.pi, 2 * math.pi]


def test_in_flight_bounds_the_chunks_taken_ahead():
    taken = []

    def chunks():
        for i in range(10):
            taken.append(i)
            yield i

    with get_scheduler("threads:2") as s:
        it = s.map(_scaled, chunks(), shared=1, in_flight=3)
        assert next(it) == 0
        assert len(taken) <= 4  # three submitted ahead of the one returned, plus the next one read
        assert list(it) == list(range(1, 10))


def test_unknown_names_and_types_are_refused_with_the_known_ones():
    with pytest.raises(
        ValueError, match="'gpu' is not one of serial, threads, processes, local, tcp://host:port"
    ):
        get_scheduler("gpu")
    with pytest.raises(ValueError, match="after ':' must be >= 1"):
        get_scheduler("threads:0")
    with pytest.raises(TypeError, match="got int"):
        get_scheduler(3)
    with pytest.raises(ValueError, match="at least 1 worker"):
        Scheduler(0)


def _total(shared, k):
    import numpy as np

    return float(np.asarray(shared[k]).sum()), type(shared[k]).__name__


def test_large_arrays_reach_worker_processes_as_one_mapped_file():
    import pickle

    import numpy as np
    from areal.geo.scheduler import SharedArray

    a = np.arange(2_000_000, dtype=np.float32)  # 8 MB
    with get_scheduler("threads:2") as s:
        assert s.share(a) is a  # threads share memory
    s = get_scheduler("processes:2")
    m = s.share(a)
    assert isinstance(m, SharedArray) and len(pickle.dumps(m)) < 500
    np.testing.assert_array_equal(m, a)
    assert list(s.map(_total, [0], shared=[m])) == [(float(a.sum()), "SharedArray")]
    folder = m.filename.rsplit("/", 1)[0]
    s.close()
    import os

    assert not os.path.exists(folder)


def _faults_per_alloc(_=None) -> float:
    """Minor page faults of allocating, touching and freeing a 16 MiB array, averaged over 5."""
    import resource

    import numpy as np

    try:  # count 4 KiB pages: numpy asks for transparent huge pages on large arrays otherwise
        np._core.multiarray._set_madvise_hugepage(False)
    except AttributeError:  # numpy < 2
        np.core.multiarray._set_madvise_hugepage(False)
    np.ones(1 << 22, np.float32)  # once, so the heap may grow to hold it
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        a = np.ones(1 << 22, np.float32)  # 16 MiB, like a 2048² float32 tile
        del a
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / 5


def _freeze_malloc(_=None) -> bool:
    """What MALLOC_TRIM_THRESHOLD_=65536 (dask's nanny default) does to glibc: the dynamic mmap threshold
    stops at its 128 KiB start, so every larger array is mapped anew."""
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    return libc.mallopt(-1, 65536) == 1 and libc.mallopt(-3, 128 * 1024) == 1


def test_dask_workers_reuse_tile_sized_arrays_instead_of_faulting_them_in():
    """dask's nanny sets MALLOC_TRIM_THRESHOLD_, which stops glibc from raising its mmap threshold:
    each 16 MiB array was mapped and faulted in anew. The scheduler's worker plugin restores heap
    reuse on every worker it is handed."""
    distributed = pytest.importorskip("distributed")
    if not __import__("areal.geo.scheduler", fromlist=["tune_malloc"]).tune_malloc():
        pytest.skip("not glibc")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # the worker as the nanny's environment leaves it (set here: whether the variable reaches a
        # worker depends on how multiprocessing starts it, which other tests may have changed)
        assert all(client.run(_freeze_malloc).values())
        before = list(client.run(_faults_per_alloc).values())[0]
        s = get_scheduler(client)
        after = list(client.run(_faults_per_alloc).values())[0]
        s.close()
    print(f"page faults per 16 MiB array: {before:.0f} before, {after:.0f} after")
    # measured here: 520 before (every allocation mapped anew), 0 after
    assert before > 100 and after * 10 < before, (before, after)
