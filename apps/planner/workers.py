"""Bounded work off the server's event loop: one worker pool per server, budgets per operation.

Everything slow a visitor can start (reading an upload, a site check, a conflicts run, a
suitability build or re-ranking) runs in :class:`WorkerPool`, a fixed number of threads shared
by all sessions, so the Tornado/Bokeh event loop keeps serving other visitors (their maps, their
GeoJSON). Results are applied back on the session's own loop with
``doc.add_next_tick_callback`` (the one thread-safe Bokeh document method), under Panel's
``set_curdoc`` so that the views update as in any callback.

Threads for the analyses: the layers (hundreds of MB, loaded once per server) are shared in
memory, and the heavy parts (GEOS in shapely 2, numpy, GDAL) release the GIL. What keeps a
thread from running away is the budget checked *before* the work (:class:`Budget`: points and
vertices scaled to the operation) and the time budget after which the session stops waiting
and says so (a stale result that arrives later is dropped).

The site check itself (what any visitor starts with an upload or a click) runs in a child
process instead (:class:`ForkedWorker`): it makes many small geometries (buffers, boxes, takes,
relates of a 20 000-point site), and shapely holds the GIL while it builds each one. On two
cores a niced worker thread starved of CPU then kept the GIL for the event loop's whole time
slices (measured with py-spy: 0.52 s of a second visitor's first page spent waiting in a socket
write that takes 0.04 s on an idle server). A process has a GIL of its own; it is forked once
the layers are loaded, so it shares them copy-on-write instead of loading them again.

The worker threads run at a lower scheduling priority than the event loop (``nice`` +10 on
Linux, where a thread has a priority of its own): on a small server a running check shares the
cores with the page a second visitor is opening, and the page should win. Threads a worker
starts (the analysis scheduler's) inherit it.
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import os
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable

from areal.geo.errors import BudgetExceededError

log = logging.getLogger("areal.app")


@dataclass(frozen=True)
class Budget:
    """What one operation may cost in one app mode.

    Attributes
    ----------
    max_points : int
        Points of a point site (MultiPoint parts count one by one).
    max_vertices : int
        Vertices of a polygon site or proposal.
    seconds : float
        Time after which the session stops waiting and reports it.
    """

    max_points: int
    max_vertices: int
    seconds: float

    def check(self, n_points: int, n_vertices: int, what: str) -> None:
        """Raise :class:`BudgetExceededError` when the input is larger than the budget."""
        if n_points > self.max_points:
            raise BudgetExceededError(
                f"{what}: {n_points:,} points, more than the {self.max_points:,} this operation takes here",
                "too_many_points",
                {"file": what, "points": n_points, "limit": self.max_points},
            )
        if n_vertices > self.max_vertices:
            raise BudgetExceededError(
                f"{what}: {n_vertices:,} vertices, more than the {self.max_vertices:,} this operation takes here",
                "too_many_vertices",
                {"file": what, "vertices": n_vertices, "limit": self.max_vertices},
            )


BUDGETS: dict[tuple[str, str], Budget] = {
    ("site_check", "public"): Budget(max_points=50_000, max_vertices=100_000, seconds=30.0),
    ("site_check", "planner"): Budget(max_points=500_000, max_vertices=5_000_000, seconds=300.0),
    ("conflicts", "public"): Budget(max_points=50_000, max_vertices=100_000, seconds=30.0),
    ("conflicts", "planner"): Budget(max_points=1_000_000, max_vertices=20_000_000, seconds=900.0),
    ("suitability", "public"): Budget(max_points=0, max_vertices=0, seconds=60.0),
    ("suitability", "planner"): Budget(max_points=0, max_vertices=0, seconds=1800.0),
}
"""Budget per (operation, mode). Measured: a 20 000-point site check takes about 2 s on 2 cores."""


WORKER_NICENESS = 10
"""How much lower than the server's own threads the workers are scheduled (0-19)."""


def lower_thread_priority(by: int = WORKER_NICENESS) -> bool:
    """Lower the scheduling priority of the calling thread only; False where the OS cannot.

    On Linux ``setpriority(PRIO_PROCESS, tid)`` acts on one thread (the kernel schedules threads
    as tasks); elsewhere there is no per-thread niceness and nothing changes.

    Examples
    --------
    >>> import threading
    >>> out = []
    >>> t = threading.Thread(target=lambda: out.append(lower_thread_priority(0)))
    >>> t.start(); t.join()
    >>> out[0] in (True, False)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        now = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, now + by))
    except OSError:
        return False
    return True


def budget(operation: str, mode: str) -> Budget:
    """The budget of an operation in a mode (public when the mode is unknown)."""
    return BUDGETS.get((operation, mode), BUDGETS[(operation, "public")])


class WorkerPool:
    """A fixed pool of worker threads with a bounded queue, shared by a server's sessions.

    Parameters
    ----------
    max_workers : int
        Threads doing work at once (the server has few cores; the event loop needs one).
    max_pending : int
        Jobs running or waiting; one more is refused at once with "busy" instead of piling up.
    """

    def __init__(self, max_workers: int = 2, max_pending: int = 16):
        self.max_workers = max_workers
        self.max_pending = max_pending
        self._executor = ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="areal-work", initializer=lower_thread_priority
        )
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def pending(self) -> int:
        """Jobs running or waiting."""
        with self._lock:
            return self._pending

    def submit(self, fn: Callable[[], Any]) -> Future:
        """Run ``fn`` on a worker; raises :class:`BudgetExceededError` (``key="busy"``) when full."""
        with self._lock:
            if self._pending >= self.max_pending:
                raise BudgetExceededError(
                    f"the server is busy ({self._pending} analyses running or waiting); try again in a moment",
                    "busy",
                )
            self._pending += 1
        try:
            fut = self._executor.submit(fn)
        except RuntimeError:  # shut down
            with self._lock:
                self._pending -= 1
            raise
        fut.add_done_callback(self._done)
        return fut

    def _done(self, _fut: Future) -> None:
        with self._lock:
            self._pending -= 1

    def shutdown(self) -> None:
        """Stop taking work (running jobs finish)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


_CONTEXTS: dict[int, Any] = {}
"""What each :class:`ForkedWorker` works on (its child inherits this dict when it is forked)."""
_KEYS = itertools.count(1)


def _start_child(parent: int) -> None:
    """Initializer of the forked child: lower priority, and die with the server."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not permitted: the child runs at the server's priority
        pass
    if sys.platform.startswith("linux"):
        # A server stopped by a signal runs no exit handlers, and the child holds its own copy of
        # the job pipe, so it would wait for jobs forever (holding the layers' memory).
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the server died before the line above
        os._exit(0)


def _call_with_context(key: int, fn: Callable[..., Any], args: tuple) -> Any:
    return fn(_CONTEXTS[key], *args)


class ForkedWorker:
    """A child process forked from the server, running ``fn(context, *args)`` jobs one at a time.

    The child is forked when the worker is made, so make it once the context (the loaded layers
    and engines) is complete and before the server starts its threads: it then holds the same
    layers, shared copy-on-write (the collector's generations are frozen across the fork so that
    the child's garbage collector does not write to, and so copy, every page of them). It runs at
    a lower priority (``nice`` +10) than the server, and on Linux it is stopped when the thread
    that made the worker ends (make it on the main thread).

    When the child dies (killed, out of memory), :meth:`run` logs it and runs that job and every
    later one in the calling thread instead: the visitor gets the answer, the server keeps going.

    Parameters
    ----------
    context : object
        First argument of every job, inherited by the child (never pickled).

    Raises
    ------
    RuntimeError
        Where processes cannot be forked (Windows, macOS's default): use threads there.

    Examples
    --------
    >>> w = ForkedWorker({"n": 41})
    >>> w.run(_example_job, 1), w.pid != os.getpid(), w.fallbacks
    (42, True, 0)
    >>> w.shutdown()
    """

    def __init__(self, context: Any):
        if "fork" not in multiprocessing.get_all_start_methods():
            raise RuntimeError("this platform cannot fork a process; site checks run in threads")
        self.key = next(_KEYS)
        _CONTEXTS[self.key] = context
        self.fallbacks = 0
        self._broken = False
        self._executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_child,
            initargs=(os.getpid(),),
        )
        gc.collect()
        gc.freeze()
        try:
            self.pid: int = self._executor.submit(os.getpid).result(timeout=120)  # forks the child now
        finally:
            gc.unfreeze()  # the server's own collector goes on as before; the child keeps them frozen

    @property
    def alive(self) -> bool:
        """Whether jobs still go to the child."""
        return not self._broken

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(context, *args)`` in the child (blocks the calling thread, not the GIL, meanwhile).

        ``fn`` must be a module-level function and ``args`` and the result picklable; exceptions
        raised by ``fn`` are raised here.
        """
        if not self._broken:
            try:
                return self._executor.submit(_call_with_context, self.key, fn, args).result()
            except BrokenProcessPool:
                self._broken = True
                log.error(
                    "the site-check process (pid %s) died; site checks run in the server from now on",
                    self.pid,
                )
        self.fallbacks += 1
        return fn(_CONTEXTS[self.key], *args)

    def shutdown(self) -> None:
        """Stop the child (a running job is abandoned)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        _CONTEXTS.pop(self.key, None)


def _example_job(context: dict, x: int) -> int:
    return context["n"] + x


def on_session_loop(doc, fn: Callable[[], None]) -> None:
    """Run ``fn`` on the event loop of the session that owns ``doc`` (immediately when ``doc`` is None)."""
    if doc is None:
        fn()
        return
    from panel.io.state import set_curdoc

    def callback() -> None:
        with set_curdoc(doc):
            fn()

    try:
        doc.add_next_tick_callback(callback)
    except Exception:  # noqa: BLE001 - the session was closed meanwhile: nobody to tell
        pass


class SessionRunner:
    """Runs one session's jobs on the pool; results come back on the session's loop.

    ``runner(job, done, seconds)``: ``job()`` runs on a worker; ``done(result, error)`` is called
    on the session loop with the result or the exception. When the job takes longer than
    ``seconds``, ``done(None, BudgetExceededError("timeout"))`` is called at that time and the late
    result is dropped.
    """

    def __init__(self, pool: WorkerPool, doc=None):
        self.pool = pool
        self.doc = doc

    def __call__(
        self, job: Callable[[], Any], done: Callable[[Any, BaseException | None], None], seconds: float
    ) -> None:
        """Start ``job`` on the pool; ``done(result, error)`` follows on the session loop."""
        state = {"settled": False}
        lock = threading.Lock()

        def settle(result: Any, error: BaseException | None) -> None:
            with lock:
                if state["settled"]:
                    return
                state["settled"] = True
            on_session_loop(self.doc, lambda: done(result, error))

        def timed_out() -> None:
            settle(
                None,
                BudgetExceededError(
                    f"the analysis took longer than {seconds:.0f} s and was given up",
                    "timeout",
                    {"seconds": seconds},
                ),
            )

        timer = threading.Timer(seconds, timed_out)
        timer.daemon = True

        def work() -> None:
            try:
                result = job()
            except BaseException as exc:  # noqa: BLE001 - reported to the session, never raised on a worker
                timer.cancel()
                settle(None, exc)
                return
            timer.cancel()
            settle(result, None)

        try:
            self.pool.submit(work)
        except BudgetExceededError as exc:
            on_session_loop(self.doc, lambda err=exc: done(None, err))
            return
        timer.start()

    def executor(self) -> Callable[[Callable[[], None]], None]:
        """An ``executor(fn)`` for the analysis tools: ``fn`` runs on the pool under the session's doc.

        The tools update their parameters from ``fn``; Panel schedules the resulting model changes
        on the session loop (``set_curdoc`` on a worker thread is Panel's own pattern for threaded
        callbacks).
        """

        def run(fn: Callable[[], None]) -> None:
            doc = self.doc

            def work() -> None:
                if doc is None:
                    fn()
                    return
                from panel.io.state import set_curdoc

                with set_curdoc(doc):
                    fn()

            self.pool.submit(work)

        return run
