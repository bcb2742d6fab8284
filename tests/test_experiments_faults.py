"""Faults an experiment meets in real use, made for real: a worker process killed with SIGKILL, the sweep itself
killed (its workers must not outlive it), damaged part files, a Dask scheduler that goes away, a full or read-only
disk (a small tmpfs), two sweeps on one folder, file permissions under the umask, progress where stderr is not a
terminal, and a sweep of millions of runs planned without listing them."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import experiments

BIN = Path(sys.executable).parent
LIANDONG = BIN / "liandong"
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}

needs_cli = pytest.mark.skipif(not LIANDONG.exists(), reason="console script not installed")
needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")

# Runs of the default community size: long enough (a tenth of a second or more) to find a sweep mid-run.
SLOW_SPEC = """
name = "slow"
base = "no_linkage"
replications = 12
root_seed = 8
[overrides]
households = 3000
days = 90
[factors]
mass_base = [0.2, 0.7]
"""

SMALL_SPEC = """
name = "small"
base = "no_linkage"
replications = 3
root_seed = 3
daily = true
[overrides]
households = 300
days = 15
[factors]
mass_base = [0.2, 0.7]
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# processes -------------------------------------------------------------------------------------------------------

def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, None if there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(pid: int) -> dict[int, str]:
    """Every live descendant of `pid`: {pid: command line}."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[1] != "Z":
                parents[int(entry)] = st[0]
    out, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child, pp in parents.items():
            if pp == parent and child not in out:
                out[child] = _cmdline(child)
                todo.append(child)
    return out


def alive(pid: int, cmdline: str) -> bool:
    """The process still runs (a zombie waiting to be reaped does not count), and is the same program."""
    st = _stat(pid)
    return st is not None and st[1] != "Z" and _cmdline(pid) == cmdline


def forkserver_workers(pid: int) -> list[int]:
    family = descendants(pid)
    servers = [p for p, cmd in family.items() if "multiprocessing.forkserver" in cmd]
    return [p for p in family if (_stat(p) or (0, ""))[0] in servers]


def start_sweep(spec: Path, out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(LIANDONG), "sweep", str(spec), "--out", str(out), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV, start_new_session=True)


def wait_for_parts(out: Path, n: int, proc: subprocess.Popen, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        parts = out / "parts"
        if parts.exists() and len(list(parts.glob("*.ok.parquet"))) >= n:
            return
        if proc.poll() is not None:
            raise AssertionError(f"the sweep ended early ({proc.returncode}): {proc.stderr.read()}")
        time.sleep(0.05)
    raise AssertionError(f"no {n} finished runs in {timeout} s")


def stop(proc: subprocess.Popen, family: dict[int, str] | None = None) -> None:
    """Clean up after a test: the sweep and whatever of its processes are left, by their ids."""
    for pid, cmd in (family or {}).items():
        if alive(pid, cmd):
            os.kill(pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=60)


# a worker killed ---------------------------------------------------------------------------------------------------

@needs_cli
@needs_proc
def test_a_worker_killed_with_sigkill_is_replaced_and_its_runs_are_run_again(tmp_path):
    spec = write(tmp_path / "slow.toml", SLOW_SPEC)
    out = tmp_path / "res"
    proc = start_sweep(spec, out, "--workers", "2")
    family = {}
    try:
        wait_for_parts(out, 2, proc)
        family = descendants(proc.pid)
        victims = forkserver_workers(proc.pid)
        assert victims, family
        os.kill(victims[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=600)
    finally:
        stop(proc, family)
    assert proc.returncode == 0, err
    assert "internal error" not in err and "Traceback" not in err
    assert "a worker process died" in err and "running again" in err
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 24 and (runs["status"] == "ok").all(), runs[["run", "status", "error"]]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert any("worker process died" in n for n in manifest["sessions"][-1]["notes"])
    serial = experiments.sweep(spec, out=tmp_path / "serial", serial=True, figures=False).runs
    pd.testing.assert_frame_equal(runs, serial)


# the sweep killed --------------------------------------------------------------------------------------------------

@needs_cli
@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_workers_die_with_a_killed_sweep(tmp_path, sig):
    spec = write(tmp_path / "slow.toml", SLOW_SPEC)
    out = tmp_path / "res"
    proc = start_sweep(spec, out, "--workers", "2")
    family = {}
    try:
        wait_for_parts(out, 1, proc)
        family = descendants(proc.pid)
        assert len(forkserver_workers(proc.pid)) == 2, family
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=120)
        deadline = time.monotonic() + 120  # generous: the machine may be loaded
        while time.monotonic() < deadline and any(alive(p, c) for p, c in family.items()):
            time.sleep(0.2)
        left = {p: c[:80] for p, c in family.items() if alive(p, c)}
    finally:
        stop(proc, family)
    assert not left, f"processes outlived the sweep: {left}"
    if sig == signal.SIGTERM:  # handled like Ctrl-C: the finished runs kept, a message, no traceback
        assert proc.returncode == 128 + signal.SIGTERM, err
        assert "run the same command again to resume" in err and "Traceback" not in err
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["status"] == "interrupted" and manifest["runs"]["ok"] >= 1
    else:
        assert proc.returncode == -signal.SIGKILL


# damaged part files ----------------------------------------------------------------------------------------------

@pytest.fixture
def small(tmp_path) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    """The small experiment file, with its runs and daily series from an undamaged serial sweep."""
    spec = write(tmp_path / "small.toml", SMALL_SPEC)
    ref = tmp_path / "reference"
    runs = experiments.sweep(spec, out=ref, serial=True, figures=False).runs
    return spec, runs, experiments.load_daily(ref)


def damage(out: Path) -> dict[str, Path]:
    """Damage four runs' files the ways a disk error, a cut-short copy or an editor would."""
    parts = out / "parts"
    truncated, garbage, empty = (parts / f"{r:06d}.ok.parquet" for r in (0, 2, 3))
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    garbage.write_bytes(b"not a parquet file at all\n" * 20)
    empty.write_bytes(b"")
    daily = out / "daily" / "run=5" / "part.parquet"
    data = daily.read_bytes()
    daily.write_bytes(data[: len(data) - 100])
    return {"truncated": truncated, "garbage": garbage, "empty": empty, "daily": daily}


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(LIANDONG), *map(str, args)], capture_output=True, text=True, env=ENV, timeout=timeout)


@needs_cli
def test_damaged_parts_are_moved_aside_by_report_and_their_runs_redone_on_resume(tmp_path, small):
    spec, reference, reference_daily = small
    out = tmp_path / "res"
    assert run_cli("sweep", spec, "--serial", "--out", out, "-q").returncode == 0
    damaged = damage(out)
    with pytest.raises(experiments.ExperimentError, match="damaged daily series"):
        experiments.load_daily(out)  # found on read, named, not an ArrowInvalid from deep inside pyarrow

    report = run_cli("report", out)
    assert report.returncode == 0, report.stderr
    assert "internal error" not in report.stderr and "Traceback" not in report.stderr
    assert "5 damaged part file(s) moved to" in report.stdout and "quarantine" in report.stdout
    for path in damaged.values():
        assert not path.exists()
    quarantine = out / "quarantine"
    assert sorted(p.relative_to(quarantine).as_posix() for p in quarantine.rglob("*.parquet")) == [
        "daily/run=5/part.parquet", "parts/000000.ok.parquet", "parts/000002.ok.parquet",
        "parts/000003.ok.parquet", "parts/000005.ok.parquet"]
    partial = pd.read_parquet(out / "runs.parquet")
    assert partial["run"].tolist() == [1, 4]
    assert json.loads((out / "manifest.json").read_text())["runs"]["pending"] == 4

    resumed = run_cli("sweep", spec, "--serial", "--out", out)
    assert resumed.returncode == 0, resumed.stderr
    assert "4 to run" in resumed.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), reference)
    pd.testing.assert_frame_equal(experiments.load_daily(out), reference_daily)


@needs_cli
def test_damaged_parts_found_when_resuming_are_moved_aside_and_redone(tmp_path, small):
    spec, reference, reference_daily = small
    out = tmp_path / "res"
    assert run_cli("sweep", spec, "--serial", "--out", out, "-q").returncode == 0
    damage(out)
    (out / "runs.parquet").write_bytes(b"PAR1")  # the consolidated table damaged too: it is rebuilt
    resumed = run_cli("sweep", spec, "--workers", "2", "--out", out)
    assert resumed.returncode == 0, resumed.stderr
    assert "internal error" not in resumed.stderr and "Traceback" not in resumed.stderr
    assert "5 damaged part file(s) moved to" in resumed.stderr and "4 to run" in resumed.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), reference)
    pd.testing.assert_frame_equal(experiments.load_daily(out), reference_daily)
    session = json.loads((out / "manifest.json").read_text())["sessions"][-1]
    assert session["to_run"] == 4 and session["skipped"] == 2 and len(session["quarantined"]) == 5
