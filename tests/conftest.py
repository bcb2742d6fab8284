"""Shared helpers for the test suite: small communities, so that the whole suite stays fast."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import operator
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from simulation import RunResult

ROOT = Path(__file__).resolve().parent.parent
# The commands and processes the tests start (`liandong`, `python -m ...`, worker pools, dashboard servers) import
# this checkout, whichever one the editable install points at: without it, a second worktree's tests of the command
# line would run the first checkout's code.
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])

# A classroom-sized community over a month: big enough for every process to act, small enough to run in well
# under a second.
SMALL = {"households": 400, "days": 30}


@pytest.fixture
def small() -> dict:
    """Overrides for a small, short community (a fresh copy per test)."""
    return dict(SMALL)


@pytest.fixture
def liandong(monkeypatch, capsys):
    """`liandong(*args)` runs the console script's own entry point in this process, with plain output; returns
    (exit status, stdout, stderr)."""
    from liandong.cli import main

    for name, value in (("NO_COLOR", "1"), ("TERM", "dumb"), ("COLUMNS", "250")):
        monkeypatch.setenv(name, value)

    def run(*args) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["liandong", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Under `--dist loadgroup` (the Makefile's), the tests that use a module-scoped fixture of their own module run
    on one worker, so that each such fixture (often ten seeds of a community) is built once rather than once on
    every worker that gets one of its tests. Other tests are shared out one by one. Without xdist (`-p no:xdist`)
    there are no workers to group for."""
    if not getattr(config.option, "loadgroup", False):  # xdist sets it on its workers under --dist loadgroup
        return
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        module = item.nodeid.split("::")[0]
        if any(defs and defs[-1].scope == "module" and defs[-1].baseid == module
               for defs in map(info.name2fixturedefs.get, info.names_closure)):
            item.add_marker(pytest.mark.xdist_group(module))


# --- what the workers share: a lock, Numba's cache, finished runs -------------------------------------------------
#: How long a worker waits for another to finish what it is computing: far above any run or warm-up, so that a
#: loaded machine only waits longer; past it, the worker computes the thing itself.
LOCK_WAIT_S = 900


@contextlib.contextmanager
def file_lock(path: Path, shared: bool = False, wait_s: float = LOCK_WAIT_S) -> Iterator[bool]:
    """Hold `flock` on `path` (created if missing) while in the block; yields False if it was not free within
    `wait_s` seconds (the block then runs without it: what the locks here guard is only a matter of speed)."""
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(0.1)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_folder(config, tmp_path_factory) -> Path:
    """The session's folder that every xdist worker sees (the parent of the workers' base temp dirs), or the base
    temp dir without xdist. It lives for this session only: nothing in it outlives a change of the code."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


#: Runs every preset in a small and in a one-household community (which compiles the loops for the other array
#: types empty queues give) and a short district run: every compiled loop the suite calls, in Numba's on-disk cache.
WARM_UP = """
import scenarios, simulation
from scenarios import district
for name in scenarios.names():
    for households in (300, 1):
        simulation.run(name, seed=0, households=households, days=40)
simulation.run_district(district.load("classroom_district").model_copy(update={"days": 5}), 0)
"""
WARM_UP_LOCK = "numba-warm-up.lock"


def _runs_workers(config) -> bool:
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None)) \
        and getattr(config.option, "dist", "no") != "no"


@pytest.hookimpl(trylast=True)
def pytest_configure(config) -> None:
    """On a fresh clone Numba's cache is empty and every process that runs the model compiles the same loops
    (about 20 s of one core each): both workers, and the worker processes, dashboard servers and commands their
    tests start meanwhile. So under xdist the controller fills the cache in one process of its own while the
    workers collect, holding a lock that the workers wait for before their first test (`_numba_cache`)."""
    if not _runs_workers(config):
        return
    folder = config._tmp_path_factory.getbasetemp()  # the workers' base temp dirs are inside it
    fd = os.open(folder / WARM_UP_LOCK, os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the child inherits the lock; it is released when the child exits
        with open(folder / "numba-warm-up.log", "wb") as log:
            config._liandong_warm_up = subprocess.Popen([sys.executable, "-c", WARM_UP], cwd=ROOT, pass_fds=(fd,),
                                                        stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    finally:
        os.close(fd)


def pytest_unconfigure(config) -> None:
    proc = getattr(config, "_liandong_warm_up", None)
    if proc is not None and proc.poll() is None:  # a session shorter than the warm-up
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session", autouse=True)
def _numba_cache(request, tmp_path_factory) -> None:
    """Wait for the controller's warm-up (pytest_configure) to fill Numba's cache; without one, go on."""
    path = shared_folder(request.config, tmp_path_factory) / WARM_UP_LOCK
    if hasattr(request.config, "workerinput") and path.exists():
        with file_lock(path, shared=True):
            pass


class RunCache:
    """`simulation.run` once per session for each scenario and seed, its result kept in `folder` for every test
    and worker that asks for the same run again.

    A run is named by its scenario as the model resolves it (preset, file and overrides applied) and its seed, so
    that two spellings of the same scenario share one run. Each call returns its own copy (unpickled), so that a
    test may change what it gets."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, scenario="no_linkage", seed: int = 0, **overrides) -> RunResult:
        import scenarios
        import simulation

        resolved = scenarios.load(scenario, overrides or None).model_dump_json()
        key = hashlib.sha256(f"{resolved}\nseed={operator.index(seed)}".encode()).hexdigest()
        path = self.folder / f"{key}.pickle"
        if not path.exists():
            with file_lock(self.folder / f"{key}.lock"):
                if not path.exists():
                    result = simulation.run(scenario, seed=seed, **overrides)
                    part = path.with_suffix(f".{os.getpid()}.part")
                    part.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
                    part.replace(path)
                    return result
        return pickle.loads(path.read_bytes())


@pytest.fixture(scope="session")
def cached_run(request, tmp_path_factory) -> RunCache:
    """`cached_run(scenario, seed, **overrides)`: what `simulation.run` returns, run once in the session (see
    `RunCache`). For the runs that several tests or test files make alike: the presets over seeds 0-9."""
    return RunCache(shared_folder(request.config, tmp_path_factory) / "runs")
