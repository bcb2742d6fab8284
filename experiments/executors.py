"""Evaluators: where runs execute. All take tasks and yield results as runs finish, with a bounded number in
flight, so that memory stays bounded whatever the number of runs; none decides a seed.

- `SerialExecutor`: in this process, one run after the other.
- `ProcessExecutor`: local processes (`concurrent.futures.ProcessPoolExecutor` with the 'forkserver' context,
  'spawn' where there is none; never 'fork', which copies threads and locks of the parent).
- `DaskExecutor`: a Dask distributed cluster: `"local"` starts a LocalCluster on 127.0.0.1, anything else is the
  address of a running scheduler (`tcp://host:8786`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from experiments.errors import ExperimentError
from experiments.evaluate import failed, run_one

_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx|inproc)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


class SerialExecutor:
    name = "serial"

    def __init__(self) -> None:
        self.workers = 1

    def describe(self) -> dict:
        return {"kind": "serial", "workers": 1}

    def map_unordered(self, tasks: Iterable[dict], fn: Callable = run_one) -> Iterator[dict]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ProcessExecutor(SerialExecutor):
    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise ExperimentError(f"--workers {workers}: give at least 1 worker process.")
        self.workers = workers or os.cpu_count() or 1
        methods = multiprocessing.get_all_start_methods()
        self.method = "forkserver" if "forkserver" in methods else "spawn"
        self._pool: ProcessPoolExecutor | None = None

    def describe(self) -> dict:
        return {"kind": "processes", "workers": self.workers, "start_method": self.method}

    def _new_pool(self) -> ProcessPoolExecutor:
        # Children import numpy afresh: one thread each, as many processes as cores.
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
        ctx = multiprocessing.get_context(self.method)
        if self.method == "forkserver":
            ctx.set_forkserver_preload(["experiments.evaluate", "simulation", "scenarios"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)

    def map_unordered(self, tasks: Iterable[dict], fn: Callable = run_one) -> Iterator[dict]:
        window = 2 * self.workers
        todo = iter(tasks)
        pending: dict = {}
        self._pool = self._pool or self._new_pool()

        def fill() -> None:
            while len(pending) < window:
                task = next(todo, None)
                if task is None:
                    return
                pending[self._pool.submit(fn, task)] = task

        fill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = pending.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    yield failed(task, "worker process died (killed, or out of memory)")
                except Exception as exc:  # e.g. a result that cannot be pickled
                    yield failed(task, f"{type(exc).__name__}: {exc}")
            if broken:
                for future, task in list(pending.items()):
                    pending.pop(future)
                    yield failed(task, "worker process died (killed, or out of memory)")
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            fill()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(SerialExecutor):
    name = "dask"

    def __init__(self, address: str = "local", workers: int | None = None, connect_timeout: float = 10.0) -> None:
        address = (address or "").strip()
        if address != "local" and not _ADDRESS.match(address):
            raise ExperimentError(f"--dask {address!r}: not a scheduler address. Give 'local' for a cluster on this "
                                  "machine, or the scheduler's address, e.g. tcp://192.168.1.10:8786.")
        if address != "local" and workers is not None:
            raise ExperimentError("--workers applies to --dask local only; a running cluster has the workers "
                                  "its `dask worker` commands started.")
        if workers is not None and workers < 1:
            raise ExperimentError(f"--workers {workers}: give at least 1 worker.")
        from distributed import Client, LocalCluster

        self.address = address
        self._cluster = None
        try:
            if address == "local":
                self._cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                             processes=True, host="127.0.0.1", dashboard_address=None,
                                             silence_logs=logging.ERROR)
                self.client = Client(self._cluster)
            else:
                self.client = Client(address, timeout=connect_timeout)
                try:
                    self.client.wait_for_workers(1, timeout=max(60.0, connect_timeout))
                except TimeoutError:
                    self.client.close()
                    raise ExperimentError(f"--dask {address}: the scheduler has no workers; start some with "
                                          f"`dask worker {address}` on each machine.") from None
        except (OSError, TimeoutError) as exc:
            if self._cluster is not None:
                self._cluster.close()
            raise ExperimentError(f"--dask {address}: cannot reach a Dask scheduler there ({exc}). Start one with "
                                  "`dask scheduler`, or use --dask local.") from None
        self.workers = max(1, sum(self.client.nthreads().values()))

    def describe(self) -> dict:
        return {"kind": "dask", "address": self.address if self.address == "local" else self.client.scheduler.address,
                "workers": self.workers}

    def map_unordered(self, tasks: Iterable[dict], fn: Callable = run_one) -> Iterator[dict]:
        from distributed import as_completed

        window = 2 * max(self.workers, sum(self.client.nthreads().values()))
        todo = iter(tasks)
        pending: dict = {}
        queue = as_completed()

        def submit_one() -> bool:
            task = next(todo, None)
            if task is None:
                return False
            future = self.client.submit(fn, task, pure=False, key=f"liandong-run-{task['run']}-{os.urandom(4).hex()}")
            pending[future.key] = task
            queue.add(future)
            return True

        for _ in range(window):
            if not submit_one():
                break
        for future in queue:
            task = pending.pop(future.key)
            try:
                yield future.result()
            except Exception as exc:  # a worker lost, a result that could not travel
                yield failed(task, f"{type(exc).__name__}: {exc}")
            finally:
                future.release()
            submit_one()

    def close(self) -> None:
        quiet = [logging.getLogger(n) for n in ("distributed", "distributed.scheduler", "distributed.core",
                                                 "distributed.nanny", "distributed.worker")]
        levels = [lg.level for lg in quiet]
        for lg in quiet:  # a LocalCluster logs its shutdown at INFO from this process
            lg.setLevel(logging.ERROR)
        try:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()
        finally:
            for lg, level in zip(quiet, levels):
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
