"""The scheduler seam: one small abstraction every engine hands its chunks to.

An engine (the conflict engine, the windowed suitability run, the area accounts, the indicators)
cuts its work into independent chunks (tiles of a grid, spatial partitions of a layer) and calls
:meth:`Scheduler.map` with a module-level function ``fn(shared, chunk)``. The scheduler decides
where the chunks run:

========================  =====================================================================
``"serial"``              in the calling thread (reference path, debugging)
``"threads"`` (default)   a :class:`~concurrent.futures.ThreadPoolExecutor` (shapely 2, numpy,
                          GDAL and scipy release the GIL, so threads use every core)
``"processes"``           a :class:`~concurrent.futures.ProcessPoolExecutor` (``forkserver``)
``"tcp://host:port"``     a running ``dask.distributed`` scheduler (a cluster)
``"local"``               a ``dask.distributed.LocalCluster`` started for the run
========================  =====================================================================

``"threads:4"``, ``"processes:2"`` and ``"local:2"`` set the number of workers. A
``concurrent.futures.Executor`` or a ``dask.distributed.Client`` is accepted as well.

The shared state (the plan of a run, the flattened small side of an overlay) is shipped once per
:meth:`~Scheduler.map` call, not once per chunk: processes receive it through the pool
initialiser, dask workers through ``Client.scatter(broadcast=True)``. Results come back in chunk
order whatever the scheduler, and the engines reduce them in that order, so every scheduler gives
the same numbers as the in-memory path (bit for bit).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import numpy as np

SCHEDULERS = ("serial", "threads", "processes", "local", "tcp://host:port")
_SHARE_MIN_BYTES = 1 << 22  # smaller arrays are simply pickled


class SharedArray(np.memmap):
    """A read-only memory-mapped ``.npy`` file that pickles as its path (see :meth:`Scheduler.share`)."""

    def __reduce__(self):
        return _open_shared, (self.filename,)


def _open_shared(path: str) -> SharedArray:
    return np.load(path, mmap_mode="r").view(SharedArray)


def save_shared(array: np.ndarray, folder: str) -> SharedArray:
    """Write ``array`` into ``folder`` (a :meth:`Scheduler.scratch` folder) and map it back, read-only."""
    import uuid

    path = os.path.join(folder, f"{uuid.uuid4().hex}.npy")
    np.save(path, np.ascontiguousarray(array))
    return _open_shared(path)


"""The scheduler names :func:`get_scheduler` understands."""


# glibc's malloc: arrays above M_MMAP_THRESHOLD are mmap-ed and unmapped on free, so each tile's
# 16 MiB arrays are faulted in page by page again. glibc raises that threshold by itself as large
# blocks are freed (up to 32 MiB), but setting MALLOC_TRIM_THRESHOLD_ -- which dask's nanny does
# for its workers (65536) -- switches that adjustment off: measured on the 10 m county run,
# workers spent 17.4 s in the kernel (4.6 M page faults) against 2.7 s (0.37 M) on threads.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD = 32 << 20  # glibc's own upper bound of the dynamic threshold on 64-bit
_TRIM_THRESHOLD = 64 << 20  # twice the mmap threshold, as glibc's dynamic rule sets it


def tune_malloc() -> bool:
    """Let large arrays be reused from the heap in this process (glibc only; a no-op elsewhere).

    Sets glibc's mmap threshold to 32 MiB and its trim threshold to 64 MiB -- the values glibc's
    own dynamic rule reaches -- so that tile-sized arrays are not mapped and faulted in anew at
    each allocation. Returns True when the settings were applied.

    >>> isinstance(tune_malloc(), bool)
    True
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
    return bool(ok and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1)


def default_workers() -> int:
    """Cores available to this process (``os.sched_getaffinity`` where it exists)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Scheduler:
    """Runs ``fn(shared, chunk)`` over chunks; results in chunk order.

    Subclasses implement :meth:`_run`. A scheduler may be used as a context manager; :meth:`close`
    releases what it started (a pool, a local cluster), never what it was handed.
    """

    name = "serial"

    def __init__(self, workers: int = 1):
        if workers < 1:
            raise ValueError(f"a scheduler needs at least 1 worker, got {workers}")
        self.workers = int(workers)

    def map(
        self,
        fn: Callable[[Any, Any], Any],
        chunks: Iterable[Any],
        *,
        shared: Any = None,
        in_flight: int | None = None,
    ) -> Iterator[Any]:
        """Results of ``fn(shared, chunk)`` for every chunk, in chunk order.

        Parameters
        ----------
        fn : callable
            A module-level function (processes and dask pickle it by reference).
        chunks : iterable
            Small descriptions of the work (windows, row ids, bounding boxes); consumed lazily.
        shared : object, optional
            State every chunk needs, shipped once per worker.
        in_flight : int, optional
            Chunks submitted ahead of the one being returned (default ``2 * workers``): bounds the
            memory held by results waiting to be consumed.

        Examples
        --------
        >>> with get_scheduler("threads:2") as s:
        ...     list(s.map(pow, [1, 2, 3], shared=2))
        [2, 4, 8]
        """
        ahead = max(1, in_flight or 2 * self.workers)
        return self._run(fn, iter(chunks), shared, ahead)

    def _run(self, fn, chunks: Iterator, shared, ahead: int) -> Iterator:
        for c in chunks:
            yield fn(shared, c)

    def describe(self) -> str:
        """One line for logs and benchmark tables: kind and workers."""
        return f"{self.name} ({self.workers} worker{'s' if self.workers != 1 else ''})"

    @property
    def same_machine_processes(self) -> bool:
        """Workers are other processes on this machine (they can map a file instead of a copy)."""
        return False

    def share(self, array: np.ndarray) -> np.ndarray:
        """An array as the workers should receive it: as is, or memory-mapped from a file.

        Threads share memory, so the array is returned unchanged. Worker processes on this
        machine get a read-only memory map of one file (pickled as its path), so a large
        lattice is held once in the page cache instead of once per worker. Files live until
        :meth:`release` (or :meth:`close`).
        """
        if (
            isinstance(array, SharedArray)
            or not self.same_machine_processes
            or array.nbytes < _SHARE_MIN_BYTES
        ):
            return array
        folder = self.scratch()
        return array if folder is None else save_shared(array, folder)

    def scratch(self) -> str | None:
        """A folder workers of this machine can write shared arrays into (None for threads or remote workers)."""
        if not self.same_machine_processes:
            return None
        if self._scratch is None:
            self._scratch = tempfile.mkdtemp(prefix="areal-shared-")
        return self._scratch

    def release(self) -> None:
        """Remove the files made by :meth:`share`."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    _scratch: str | None = None

    def close(self) -> None:
        """Release what this scheduler started."""
        self.release()

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


def _windowed(submit: Callable[[Any], Any], result: Callable[[Any], Any], chunks: Iterator, ahead: int):
    """Submit at most ``ahead`` chunks beyond the one being waited for; yield results in order."""
    pending: deque = deque()
    for c in chunks:
        pending.append(submit(c))
        if len(pending) >= ahead:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


class ExecutorScheduler(Scheduler):
    """Chunks on a :class:`concurrent.futures.Executor` (threads unless the executor says otherwise)."""

    name = "executor"

    def __init__(self, executor: Executor, workers: int | None = None, *, owned: bool = False):
        super().__init__(workers or getattr(executor, "_max_workers", None) or default_workers())
        self.executor = executor
        self._owned = owned

    def _run(self, fn, chunks, shared, ahead):
        yield from _windowed(
            lambda c: self.executor.submit(fn, shared, c), lambda f: f.result(), chunks, ahead
        )

    def close(self) -> None:  # noqa: D102
        self.release()
        if self._owned:
            self.executor.shutdown(wait=True)


class ThreadScheduler(ExecutorScheduler):
    """Chunks on a thread pool (the default: shapely, numpy, GDAL and scipy release the GIL)."""

    name = "threads"

    def __init__(self, workers: int | None = None):
        n = workers or default_workers()
        super().__init__(ThreadPoolExecutor(max_workers=n, thread_name_prefix="areal"), n, owned=True)


_SHARED: Any = None


def _install_shared(shared) -> None:
    global _SHARED
    _SHARED = shared


def _call_with_installed(fn, chunk):
    return fn(_SHARED, chunk)


class ProcessScheduler(Scheduler):
    """Chunks on a process pool; the shared state reaches each process once (pool initialiser).

    A pool is started per :meth:`map` call (the shared state differs between calls), with the
    ``forkserver`` start method: no threads of the parent are forked.
    """

    name = "processes"

    @property
    def same_machine_processes(self) -> bool:  # noqa: D102
        return True

    def __init__(self, workers: int | None = None):
        super().__init__(workers or default_workers())

    def _run(self, fn, chunks, shared, ahead):
        import multiprocessing

        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_install_shared, initargs=(shared,)
        ) as ex:
            yield from _windowed(
                lambda c: ex.submit(_call_with_installed, fn, c), lambda f: f.result(), chunks, ahead
            )


class DaskScheduler(Scheduler):
    """Chunks on a ``dask.distributed`` cluster (a :class:`distributed.Client`).

    Parameters
    ----------
    client : distributed.Client
        A connected client (``Client("tcp://host:port")``, or one on a ``LocalCluster``).
    owned : bool
        Close the client (and its local cluster) in :meth:`close`.
    """

    name = "dask"

    def __init__(self, client, *, owned: bool = False, cluster=None):
        n = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
        super().__init__(max(1, n))
        self.client = client
        self._owned = owned
        self._cluster = cluster
        from areal.geo._dask_plugins import MallocPlugin

        try:  # every worker, present and future
            client.register_plugin(MallocPlugin(), name=MallocPlugin.name)
        except Exception:  # a cluster that refuses plugins: its workers are only slower
            pass

    def _run(self, fn, chunks, shared, ahead):
        handle = self.client.scatter(shared, broadcast=True, hash=False) if shared is not None else None
        try:
            # pure=False: two identical chunks are still two tasks (no silent de-duplication).
            yield from _windowed(
                lambda c: self.client.submit(fn, handle, c, pure=False),
                lambda f: f.result(),
                chunks,
                ahead,
            )
        finally:
            if handle is not None:
                self.client.cancel(handle)

    @property
    def same_machine_processes(self) -> bool:  # noqa: D102
        # worker processes that see this machine's files (a LocalCluster, or a cluster on a
        # shared file system) map shared arrays; others receive copies
        if self._local is None:
            probe = tempfile.NamedTemporaryFile(prefix="areal-probe-", delete=False)
            probe.close()
            try:
                seen = self.client.run(os.path.exists, probe.name)
                self._local = bool(seen) and all(seen.values())
            finally:
                os.unlink(probe.name)
        return self._local

    _local: bool | None = None

    def describe(self) -> str:  # noqa: D102
        addr = getattr(self.client.scheduler, "address", "?")
        return f"dask {addr} ({self.workers} worker thread{'s' if self.workers != 1 else ''})"

    def close(self) -> None:  # noqa: D102
        self.release()
        if self._owned:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()


def local_cluster(workers: int | None = None, *, memory_limit: str | None = None) -> DaskScheduler:
    """A :class:`DaskScheduler` on a new ``LocalCluster`` of ``workers`` single-threaded processes."""
    from distributed import Client, LocalCluster

    n = workers or default_workers()
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        memory_limit=memory_limit or "auto",
        silence_logs=40,  # logging.ERROR: no worker chatter on the terminal
    )
    return DaskScheduler(Client(cluster), owned=True, cluster=cluster)


def _count(spec: str, default: int | None) -> int | None:
    if ":" not in spec:
        return default
    kind, n = spec.split(":", 1)
    if not n.isdigit() or int(n) < 1:
        raise ValueError(f"scheduler {spec!r}: the number of workers after ':' must be >= 1")
    return int(n)


def get_scheduler(
    spec: str | Scheduler | Executor | Any | None = None, workers: int | None = None
) -> Scheduler:
    """A :class:`Scheduler` from a name, an address, an executor or a dask client.

    Parameters
    ----------
    spec : str, Scheduler, Executor or distributed.Client, optional
        See the module docstring (default ``"threads"``).
    workers : int, optional
        Workers of a pool or local cluster started here (default: the cores available).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.

    Examples
    --------
    >>> get_scheduler("serial").describe()
    'serial (1 worker)'
    >>> get_scheduler("threads:3").workers
    3
    >>> get_scheduler("gpu")
    Traceback (most recent call last):
    ...
    ValueError: scheduler 'gpu' is not one of serial, threads, processes, local, tcp://host:port
    """
    if spec is None:
        spec = "threads"
    if isinstance(spec, Scheduler):
        return spec
    if isinstance(spec, Executor):
        return ExecutorScheduler(spec, workers)
    if not isinstance(spec, str):
        from distributed import Client  # a dependency

        if isinstance(spec, Client):
            return DaskScheduler(spec)
        raise TypeError(
            f"scheduler must be a name, an Executor or a distributed.Client, got {type(spec).__name__}"
        )
    s = spec.strip()
    if s.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        from distributed import Client

        return DaskScheduler(Client(s), owned=True)
    kind = s.split(":", 1)[0]
    if kind == "serial":
        return Scheduler(1)
    if kind == "threads":
        return ThreadScheduler(_count(s, workers))
    if kind == "processes":
        return ProcessScheduler(_count(s, workers))
    if kind == "local":
        return local_cluster(_count(s, workers))
    raise ValueError(f"scheduler {spec!r} is not one of {', '.join(SCHEDULERS)}")
