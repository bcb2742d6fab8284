"""A page's background job: the runs of one request (a comparison, a district's policies) in a worker process of
their own, with the page's running flag, progress, Cancel, failure message, last outcome and end-of-session
clean-up. Compare and District each hold one `JobState`.

The runs go to a worker process rather than a thread of the server: a long job then takes one core, not the
server's interpreter that every session's page shares, and Cancel stops it at once (the process is killed) whatever
run it is in.

`JobStatus` and `JobButtons` are what each page shows of its job, named from the page's prefix: the same CSS
classes and text keys on every page (`compare-progress`, `compare_progress`; `district-progress`, ...).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import shutil
import tempfile
import threading
import typing
from collections.abc import Callable
from pathlib import Path

import solara

from dashboard.i18n import t
from dashboard.widgets import ErrorMessage
from scenarios import ScenarioError

POLL_SECONDS = 0.2  # how often a waiting job looks for a cancel


class Cancelled(Exception):
    """The job was cancelled (its Cancel button, or its session ended)."""


class Job:
    """One job of one session: its worker process, its results folder, and the means to stop both."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self.folder = Path(tempfile.mkdtemp(prefix=f"liandong-compare-{os.getpid()}-"))
        self._pool = None
        self._lock = threading.Lock()

    def pool(self):
        """The job's worker process (a pool of one), started on first use; raises Cancelled once cancelled."""
        with self._lock:
            if self.cancelled.is_set():
                raise Cancelled()
            if self._pool is None:
                ctx = multiprocessing.get_context("forkserver" if "forkserver" in
                                                  multiprocessing.get_all_start_methods() else "spawn")
                if ctx.get_start_method() == "forkserver":
                    ctx.set_forkserver_preload(["experiments.evaluate", "simulation", "scenarios"])
                self._pool = ctx.Pool(1)
            return self._pool

    def cancel(self) -> None:
        """Stop the runs now and remove the folder (safe from any thread, and more than once)."""
        self.cancelled.set()
        self.close()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()
            pool.join()
        shutil.rmtree(self.folder, ignore_errors=True)


def wait(job: Job, result: multiprocessing.pool.AsyncResult) -> typing.Any:
    """The result of a call sent to the job's worker, looking for a cancel every `POLL_SECONDS` meanwhile."""
    while True:
        if job.cancelled.is_set():
            raise Cancelled()
        try:
            return result.get(timeout=POLL_SECONDS)
        except multiprocessing.TimeoutError:
            continue


class JobState:
    """A page's job and what the page shows of it, each a per-session `solara.reactive`: `job` (the running or
    last job), `progress` ((done, in all)), `outcome` (the last result, numbered), `failure` (why the last request
    failed), `stopped` (the last job was cancelled). `on_result` runs after each new outcome."""

    def __init__(self, on_result: Callable[[], None] = lambda: None) -> None:
        self.progress = solara.reactive((0, 0))
        self.outcome = solara.reactive(typing.cast(dict | None, None))
        self.failure = solara.reactive("")
        self.job = solara.reactive(typing.cast("Job | None", None))
        self.stopped = solara.reactive(False)
        self.on_result = on_result
        self.task = solara.lab.task(self._run, prefer_threaded=True)

    def _run(self, work: Callable[..., dict], args: tuple, current: Job) -> None:
        try:
            result = work(*args, current)
        except Cancelled:
            return  # the page says so (cancel), or is gone (the session ended)
        except Exception as exc:  # a ScenarioError or ExperimentError: shown on the page, the page goes on
            self.failure.value = str(exc)
            return
        if not current.cancelled.is_set():
            previous = self.outcome.peek()
            self.outcome.value = {**result, "number": (previous or {}).get("number", 0) + 1}
            self.on_result()

    def clear(self) -> None:
        """A new request: no failure, no cancel shown."""
        self.failure.value, self.stopped.value = "", False

    def submit(self, prepare: Callable[[], tuple], work: Callable[..., dict]) -> None:
        """A page's Run: unless a job runs, check the request with `prepare()`, which returns `work`'s arguments,
        and launch it; a ScenarioError from `prepare` (a bad setting, a request beyond the limits) is shown as the
        failure instead, so that nothing starts that the page could not finish."""
        if self.running():
            return
        self.clear()
        try:
            args = prepare()
        except ScenarioError as exc:
            self.failure.value = str(exc)
            return
        self.launch(work, *args)

    def launch(self, work: Callable[..., dict], *args) -> None:
        """Run `work(*args, job)` in the background in a new job; its result becomes the outcome."""
        self.job.value = Job()
        self.task(work, args, self.job.value)

    def running(self) -> bool:
        return self.job.value is not None and self.task.pending and not self.job.value.cancelled.is_set()

    def cancel(self) -> None:
        """The Cancel button: stop the session's job and say so."""
        current = self.job.value
        if current is not None and not current.cancelled.is_set():
            current.cancel()
            self.stopped.value = True

    def end_session(self) -> None:
        """The session is ending (its tab closed, or the server stops): stop its job, drop its results."""
        current = self.job.value
        if current is not None:
            current.cancel()
        self.job.value = None
        self.outcome.value = None


@solara.component
def JobButtons(prefix: str, state: JobState, on_run: Callable[[], None], can_run: bool = True):
    """Run (`btn-{prefix}`, text `{prefix}_run`), off while the job runs or when `can_run` is false, and Cancel
    (`btn-{prefix}-cancel`, `{prefix}_cancel`), on only while it runs."""
    busy = state.running()
    with solara.Row():
        solara.Button(t(f"{prefix}_run"), on_click=on_run, disabled=not can_run or busy, color="primary",
                      classes=[f"btn-{prefix}"])
        solara.Button(t(f"{prefix}_cancel"), on_click=state.cancel, disabled=not busy, outlined=True,
                      classes=[f"btn-{prefix}-cancel"])


@solara.component
def JobStatus(prefix: str, state: JobState):
    """The job's status in one slot (`{prefix}-status`), so that what the page shows below it is never replaced:
    while it runs a progress bar (`{prefix}-progress`) and its text (`{prefix}-progress-text`, `{prefix}_progress`
    with `done` and `total`); once cancelled an Info (`{prefix}-cancelled`, `{prefix}_cancelled`); after a failure
    its message (`{prefix}-error`, after `{prefix}_failed`)."""
    done, total = state.progress.value
    with solara.Div(classes=[f"{prefix}-status"]):
        if state.running():
            solara.ProgressLinear(100.0 * done / total if total else True, classes=[f"{prefix}-progress"])
            solara.Text(t(f"{prefix}_progress", done=done, total=total), classes=[f"{prefix}-progress-text"])
        if state.stopped.value:
            solara.Info(t(f"{prefix}_cancelled"), dense=True, classes=[f"{prefix}-cancelled"])
        if state.failure.value:
            ErrorMessage(t(f"{prefix}_failed"), state.failure.value, classes=[f"{prefix}-error"])
