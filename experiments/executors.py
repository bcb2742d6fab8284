"""Evaluators: where runs execute. All take tasks and yield results as runs finish, with a bounded number in
flight, so that memory stays bounded whatever the number of runs; none decides a seed.

- `SerialExecutor`: in this process, one run after the other.
- `ProcessExecutor`: local processes (`concurrent.futures.ProcessPoolExecutor` with the 'forkserver' context,
  'spawn' where there is none; never 'fork', which copies threads and locks of the parent). A worker that dies
  (killed, out of memory) breaks the pool: a new pool takes over and the runs that were in flight are run again
  once; a run in flight at two deaths is recorded as failed. Workers die with the process that started them, however
  it ends (a pipe they watch, and on Linux the kernel's parent-death signal).
- `DaskExecutor`: a Dask distributed cluster: `"local"` starts a LocalCluster on 127.0.0.1, anything else is the
  address of a running scheduler (`tcp://host:8786`). Its client is a `DaskConnection`, which the district's Dask
  hosts (experiments/district.py) open too.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from experiments.errors import ExperimentError
from experiments.evaluate import failed, run_one

_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx|inproc)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


WORKER_DIED = "worker process died (killed, or out of memory)"
MAX_DEATHS_IN_A_ROW = 3     # pool deaths with no run finished in between before the experiment stops


def _note_to_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class SerialExecutor:
    name = "serial"

    def __init__(self) -> None:
        self.workers = 1
        self.notify: Callable[[str], None] = _note_to_stderr  # what to do with a note for the user

    def describe(self) -> dict:
        return {"kind": "serial", "workers": 1}

    def map_unordered(self, tasks: Iterable[dict], fn: Callable = run_one) -> Iterator[dict]:
        for task in tasks:
            yield fn(task)

    def close(self, abort: bool = False) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ProcessExecutor(SerialExecutor):
    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        super().__init__()
        if workers is not None and workers < 1:
            raise ExperimentError(f"--workers {workers}: give at least 1 worker process.")
        self.workers = workers or os.cpu_count() or 1
        methods = multiprocessing.get_all_start_methods()
        self.method = "forkserver" if "forkserver" in methods else "spawn"
        self._pool: ProcessPoolExecutor | None = None
        self._watched = self._alive = None  # the pipe the pool's workers watch (read end, write end)

    def describe(self) -> dict:
        return {"kind": "processes", "workers": self.workers, "start_method": self.method}

    def _new_pool(self) -> ProcessPoolExecutor:
        # Children import numpy afresh: one thread each, as many processes as cores.
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
        ctx = multiprocessing.get_context(self.method)
        if self.method == "forkserver":
            ctx.set_forkserver_preload(["experiments.evaluate", "simulation", "scenarios"])
        self._watched, self._alive = ctx.Pipe(duplex=False)
        # The kernel's parent-death signal is tied to the thread that forks: with 'spawn' that is this thread, so it
        # is only asked for from the main thread; with 'forkserver' the parent is the forkserver.
        pdeathsig = self.method == "forkserver" or threading.current_thread() is threading.main_thread()
        # Workers start as runs are submitted, each getting a copy of the read end; the write end never leaves
        # this process, so the workers see the end of the file when it closes the pipe or dies.
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_worker_init,
                                   initargs=(self._watched, pdeathsig))

    def map_unordered(self, tasks: Iterable[dict], fn: Callable = run_one) -> Iterator[dict]:
        window = 2 * self.workers
        todo = iter(tasks)
        pending: dict = {}
        again: collections.deque = collections.deque()  # in flight at a worker's death: to run once more
        deaths: dict[int, int] = {}                       # run id -> worker deaths while it was in flight
        retrying: set[int] = set()                        # runs of `again` now in flight (one at a time)
        in_a_row = 0
        self._pool = self._pool or self._new_pool()

        def fill() -> bool:
            """Submit up to the window; False if the pool turned out broken."""
            while len(pending) < window:
                if again and not retrying:
                    task = again.popleft()
                    retrying.add(task["run"])
                else:
                    task = next(todo, None)
                    if task is None:
                        return True
                try:
                    pending[self._pool.submit(fn, task)] = task
                except RuntimeError:  # BrokenProcessPool: a worker died since the last results came
                    again.appendleft(task)
                    retrying.discard(task["run"])
                    return False
            return True

        healthy = fill()
        while pending or again or not healthy:
            broken = not healthy
            if pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        pending[future] = task  # counted with the others in flight below
                        continue
                    except Exception as exc:  # e.g. a result that cannot be pickled
                        result = failed(task, f"{type(exc).__name__}: {exc}")
                    retrying.discard(task["run"])
                    in_a_row = 0
                    yield result
            if broken:
                in_flight = list(pending.values())
                pending.clear()
                retrying.clear()
                in_a_row += 1
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
                self._close_alive()
                for task in in_flight:
                    deaths[task["run"]] = deaths.get(task["run"], 0) + 1
                    if deaths[task["run"]] >= 2:
                        yield failed(task, f"{WORKER_DIED} twice while this run was in flight")
                    else:
                        again.append(task)
                if in_a_row >= MAX_DEATHS_IN_A_ROW:
                    raise ExperimentError(
                        f"local worker processes died {in_a_row} times in a row before finishing a run (killed, or "
                        "out of memory?). The runs finished so far are stored; give fewer --workers or fewer "
                        "households, then run the same command again to resume.")
                self.notify(f"a worker process died (killed, or out of memory); starting a new pool and running "
                            f"again the {len(in_flight)} run(s) that were in flight")
                self._pool = self._new_pool()
            healthy = fill()

    def _close_alive(self) -> None:
        for end in (self._alive, self._watched):
            if end is not None:
                end.close()
        self._watched = self._alive = None

    def close(self, abort: bool = False) -> None:
        """Shut the pool down; `abort` (an interruption) stops the workers at once instead of waiting for their
        runs to finish."""
        if self._pool is not None:
            if abort:
                for process in list(getattr(self._pool, "_processes", {}).values()):
                    try:
                        process.terminate()
                    except (OSError, AttributeError):
                        pass
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._close_alive()


def _worker_init(watched, pdeathsig: bool) -> None:
    """In each worker process: die with the process that started the pool, however it ends. A thread waits on a
    pipe whose only write end that process holds (end of file: it is gone); on Linux the kernel also kills the
    worker when its parent dies."""
    if pdeathsig and sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_die_with_parent, args=(watched,), name="liandong-lifeline", daemon=True).start()


def _die_with_parent(watched) -> None:
    try:
        watched.recv_bytes()  # nothing is ever sent: this returns when the other end is closed
    except (EOFError, OSError):
        pass
    os._exit(1)


def scheduler_address(address: str | None) -> str:
    """`address` stripped: 'local', or a scheduler's address (`tcp://host:8786`); anything else is refused here, before
    distributed is imported or a connection tried."""
    address = (address or "").strip()
    if address != "local" and not _ADDRESS.match(address):
        raise ExperimentError(f"--dask {address!r}: not a scheduler address. Give 'local' for a cluster on this "
                              "machine, or the scheduler's address, e.g. tcp://192.168.1.10:8786.")
    return address


class DaskConnection:
    """A Dask client, for the sweep's executor and the district's actors alike. `"local"` starts a LocalCluster on
    127.0.0.1: `workers` single-threaded worker processes, no dashboard, and the scheduler's HTTP server on a free
    port rather than Dask's 8787, which another cluster on the machine may hold. An address connects to a running
    scheduler and waits for one of its workers. An unreachable scheduler, or one without workers, is an
    ExperimentError saying what to start. `close` closes the client and the cluster it started."""

    def __init__(self, address: str = "local", workers: int | None = None, connect_timeout: float = 10.0) -> None:
        address = scheduler_address(address)
        if workers is not None and workers < 1:
            raise ExperimentError(f"--workers {workers}: give at least 1 worker.")
        from distributed import Client, LocalCluster  # here: only a Dask run loads distributed

        self.address = address
        self.cluster = None
        try:
            if address == "local":
                # dashboard_address=None leaves the Bokeh dashboard out, but the scheduler still serves HTTP (health,
                # metrics), by default on port 8787: a free loopback port instead.
                try:
                    self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                                processes=True, host="127.0.0.1", dashboard_address=None,
                                                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                                silence_logs=logging.ERROR)
                except RuntimeError as exc:  # "Nanny failed to start.": a worker process died as it started
                    raise ExperimentError(
                        f"--dask local: the local Dask cluster could not start its worker processes ({exc}). A "
                        "worker re-imports the script that started it: run a saved .py file (not code piped to "
                        "python) under `if __name__ == \"__main__\":`, check free memory, or give fewer --workers."
                    ) from None
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout=connect_timeout)
                try:
                    self.client.wait_for_workers(1, timeout=max(60.0, connect_timeout))
                except TimeoutError:
                    self.client.close()
                    raise ExperimentError(f"--dask {address}: the scheduler has no workers; start some with "
                                          f"`dask worker {address}` on each machine.") from None
        except (OSError, TimeoutError) as exc:
            if self.cluster is not None:
                self.cluster.close()
            raise ExperimentError(f"--dask {address}: cannot reach a Dask scheduler there ({exc}). Start one with "
                                  "`dask scheduler`, or use --dask local.") from None

    def close(self) -> None:
        with _quiet_distributed():
            try:
                self.client.close()
            except Exception:  # a client whose scheduler is gone has nothing left to close
                pass
            if self.cluster is not None:
                self.cluster.close()

    def __enter__(self) -> DaskConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class DaskExecutor(SerialExecutor):
    name = "dask"

    def __init__(self, address: str = "local", workers: int | None = None, connect_timeout: float = 10.0) -> None:
        address = scheduler_address(address)
        if address != "local" and workers is not None:
            raise ExperimentError("--workers applies to --dask local only; a running cluster has the workers "
                                  "its `dask worker` commands started.")
        self._dask = DaskConnection(address, workers, connect_timeout)
        self.address, self.client = address, self._dask.client
        self.workers = max(1, sum(self.client.nthreads().values()))

    def describe(self) -> dict:
        return {"kind": "dask", "address": self.address if self.address == "local" else self.client.scheduler.address,
                "workers": self.workers}

    def map_unordered(self, tasks: Iterable[dict], fn: Callable = run_one) -> Iterator[dict]:
        from distributed import wait as dask_wait

        window = 2 * max(self.workers, sum(self.client.nthreads().values()))
        todo = iter(tasks)
        pending: dict = {}  # future -> task

        def submit_one() -> bool:
            task = next(todo, None)
            if task is None:
                return False
            try:
                future = self.client.submit(fn, task, pure=False,
                                            key=f"liandong-run-{task['run']}-{os.urandom(4).hex()}")
            except Exception as exc:  # ClosedClientError, CommClosedError, ...: the scheduler is gone
                raise self._lost(exc) from None
            pending[future] = task
            return True

        with _quiet_distributed():
            for _ in range(window):
                if not submit_one():
                    break
            while pending:
                try:
                    done, _ = dask_wait(list(pending), timeout=self.poll_seconds, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    done = ()
                except Exception as exc:
                    raise self._lost(exc) from None
                if self.client.status not in ("running", "connecting"):
                    raise self._lost(None)
                for future in done:
                    task = pending.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # a run lost with its worker, a result that could not travel
                        # Nothing here cancels a run: a cancelled one was cut off by the lost scheduler (distributed
                        # cancels every future then, sometimes before the client's status says so).
                        if self.client.status not in ("running", "connecting") or isinstance(
                                exc, CancelledError):
                            raise self._lost(exc) from None
                        result = failed(task, f"{type(exc).__name__}: {exc}")
                    finally:
                        future.release()
                    yield result
                    submit_one()

    poll_seconds = 1.0  # how often the client's connection is checked while runs are out

    def _lost(self, exc: BaseException | None) -> ExperimentError:
        where = "the LocalCluster's scheduler" if self.address == "local" else f"the Dask scheduler at {self.address}"
        why = f" ({type(exc).__name__}: {exc})" if exc is not None and str(exc) else ""
        return ExperimentError(
            f"--dask {self.address}: lost {where}: the connection closed and did not come back{why}. The runs "
            "finished so far are stored; start the scheduler (and its workers) again, then run the same command "
            "to resume, or resume with --dask local or on local processes.")

    def close(self, abort: bool = False) -> None:
        self._dask.close()


@contextlib.contextmanager
def _quiet_distributed():
    """distributed logs its own view of a lost connection or a shutdown (tracebacks included) from this process;
    the executor reports those in its own words."""
    names = ("distributed", "distributed.client", "distributed.scheduler", "distributed.core", "distributed.nanny",
             "distributed.worker", "distributed.comm", "distributed.batched")
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def make_executor(workers: int | None = None, dask: str | None = None, serial: bool = False):
    """The executor for the command-line options: --serial, --dask ADDRESS|local, or --workers N (the default)."""
    if serial and dask:
        raise ExperimentError("--serial and --dask: choose one executor.")
    if dask:
        return DaskExecutor(dask, workers=workers)
    if serial:
        if workers not in (None, 1):
            raise ExperimentError(f"--serial runs in one process; drop --workers {workers}.")
        return SerialExecutor()
    return ProcessExecutor(workers)


# For the district's hosts (experiments/district.py), which hold Dask actors rather than submit runs.
quiet_distributed = _quiet_distributed
