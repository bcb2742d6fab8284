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

# Runs of the default community size: long enough (a tenth of a second or more) to find a sweep mid-run; 12 of
# them leave ten or more to run when a test acts after the first parts are written.
SLOW_SPEC = """
name = "slow"
base = "no_linkage"
replications = 6
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
    assert len(runs) == 12 and (runs["status"] == "ok").all(), runs[["run", "status", "error"]]
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
        # The pool's two workers; a third process of the forkserver can exist for a moment while the pool starts
        # them on a loaded machine, so wait for the count to settle.
        deadline = time.monotonic() + 60
        while len(forkserver_workers(proc.pid)) != 2 and time.monotonic() < deadline:
            time.sleep(0.2)
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


# the Dask scheduler lost -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@needs_cli
@pytest.mark.skipif(not (BIN / "dask").exists(), reason="dask command not installed next to this Python")
def test_losing_the_dask_scheduler_says_so_and_the_same_command_resumes(tmp_path):
    pytest.importorskip("distributed")
    spec = write(tmp_path / "slow.toml", SLOW_SPEC)
    out = tmp_path / "res"
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": ENV}
    scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard", "--dashboard-address", "127.0.0.1:0"], **quiet)
    worker = subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                               "--no-dashboard"], **quiet)
    proc = None
    try:
        proc = start_sweep(spec, out, "--dask", address)
        wait_for_parts(out, 2, proc)
        scheduler.kill()
        scheduler.wait(timeout=30)
        _, err = proc.communicate(timeout=300)
    finally:
        for p in (proc, worker, scheduler):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(timeout=30)
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "internal error" not in err and "distributed.client" not in err
    assert f"lost the Dask scheduler at {address}" in err and "run the same command to resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["runs"]["ok"] >= 2
    assert manifest["runs"]["failed"] == 0  # runs cut off by the loss are not done, not failed

    resumed = run_cli("sweep", spec, "--workers", "2", "--out", out, "-q")
    assert resumed.returncode == 0, resumed.stderr
    serial = experiments.sweep(spec, out=tmp_path / "serial", serial=True, figures=False).runs
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), serial)


# a full or read-only disk ----------------------------------------------------------------------------------------

FULL_SPEC = SMALL_SPEC.replace("replications = 3", "replications = 40").replace('name = "small"', 'name = "full"')


@pytest.fixture
def tmpfs(tmp_path):
    """`tmpfs(size)`: a small tmpfs mounted in tmp_path (root only: root ignores permission bits, so a full or
    read-only disk has to be real); unmounted afterwards."""
    mounted = []

    def mount(size: str) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a tmpfs needs root")
        target = tmp_path / f"disk{len(mounted)}"
        target.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(target)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(target)
        return target

    yield mount
    for target in mounted:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def remount(target: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(target)], check=True, capture_output=True)


@needs_cli
def test_a_full_disk_names_the_folder_the_cause_and_the_fix_and_the_same_command_resumes(tmp_path, tmpfs):
    spec = write(tmp_path / "full.toml", FULL_SPEC)
    disk = tmpfs("1m")
    out = disk / "res"
    filled = run_cli("sweep", spec, "--serial", "--out", out)
    assert filled.returncode == 2, filled.stderr
    err = filled.stderr
    assert "internal error" not in err and "Traceback" not in err and ".tmp" not in err
    assert f"results folder {out}: cannot write there: the disk is full" in err
    assert "free some space there, or give another --out" in err and "the same command resumes" in err
    done_before = len(list((out / "parts").glob("*.ok.parquet")))
    assert 0 < done_before < 80
    assert not list(out.rglob(".*.tmp")), "temporary files left behind"

    remount(disk, "size=64m")  # space freed
    resumed = run_cli("sweep", spec, "--serial", "--out", out, "-q")
    assert resumed.returncode == 0, resumed.stderr
    whole = experiments.sweep(spec, out=tmp_path / "whole", serial=True, figures=False)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), whole.runs)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["sessions"][-1]["skipped"] >= done_before


@needs_cli
def test_a_read_only_folder_names_the_folder_the_cause_and_the_fix(tmp_path, tmpfs):
    spec = write(tmp_path / "small.toml", SMALL_SPEC)
    disk = tmpfs("16m")
    out = disk / "res"
    assert run_cli("sweep", spec, "--serial", "--out", out, "-q").returncode == 0
    (disk / "empty").mkdir()
    remount(disk, "ro")
    for args, folder in ((("report", out), out), (("sweep", spec, "--serial", "--out", out), out),
                         (("sweep", spec, "--serial", "--out", disk / "empty"), disk / "empty"),
                         (("sweep", spec, "--serial", "--out", disk / "new"), disk / "new")):
        done = run_cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
        assert f"results folder {folder}: cannot write there: the file system is read-only" in done.stderr, args
        assert "give an --out on a writable disk" in done.stderr


# two sweeps on one folder ----------------------------------------------------------------------------------------

@needs_cli
def test_a_second_sweep_on_a_folder_in_use_is_refused_and_the_first_keeps_its_record(tmp_path):
    spec = write(tmp_path / "slow.toml", SLOW_SPEC)
    out = tmp_path / "res"
    first = start_sweep(spec, out, "--workers", "1", "-q")
    try:
        wait_for_parts(out, 1, first)
        os.kill(first.pid, signal.SIGSTOP)  # held mid-sweep, however fast the machine: it keeps its lock
        try:
            for args in (("sweep", spec, "--serial", "--out", out), ("report", out)):
                second = run_cli(*args)
                assert second.returncode == 2, second.stderr
                assert (f"results folder {out} is in use by process {first.pid}; wait for it to finish, or choose "
                        "another --out") in second.stderr
        finally:
            os.kill(first.pid, signal.SIGCONT)
        _, err = first.communicate(timeout=600)
    finally:
        stop(first)
    assert first.returncode == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["sessions"]) == 1 and manifest["sessions"][0]["ok"] == 12
    assert manifest["status"] == "complete"
    again = run_cli("sweep", spec, "--serial", "--out", out, "-q")  # free again once the first has finished
    assert again.returncode == 0, again.stderr


# permissions -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("umask", [0o022, 0o027], ids=["umask022", "umask027"])
def test_results_files_get_the_permissions_of_the_umask(tmp_path, umask):
    spec = write(tmp_path / "small.toml", SMALL_SPEC)
    previous = os.umask(umask)
    try:
        out = tmp_path / "res"
        experiments.sweep(spec, out=out, serial=True)
    finally:
        os.umask(previous)
    want = 0o666 & ~umask
    files = ["runs.parquet", "runs.csv", "points.csv", "manifest.json", "sweep.png", "sweep.svg",
             "parts/000000.ok.parquet", "daily/run=0/part.parquet"]
    modes = {name: stat.S_IMODE((out / name).stat().st_mode) for name in files}
    assert modes == dict.fromkeys(files, want), {k: oct(v) for k, v in modes.items()}


# progress --------------------------------------------------------------------------------------------------------

@needs_cli
def test_progress_lines_when_stderr_is_not_a_terminal_and_none_with_quiet(tmp_path):
    spec = write(tmp_path / "small.toml", SMALL_SPEC)
    shown = run_cli("sweep", spec, "--workers", "2", "--out", tmp_path / "a")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stderr.splitlines()
    assert lines[0].startswith("small: 6 runs (2 points x 3 replications); 6 to run on 2 workers, roughly ")
    assert "s a run: timed on one run of 'no_linkage' here" in lines[0]
    assert "small: starting 2 worker processes…" in lines
    assert lines[-1].startswith("small: 6/6 runs (100%), 0 failed, ") and "elapsed" in lines[-1]
    assert "\x1b[" not in shown.stderr and "\r" not in shown.stderr  # plain text for a log, no bar drawing

    quiet = run_cli("sweep", spec, "--workers", "2", "--out", tmp_path / "b", "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""

    again = run_cli("sweep", spec, "--serial", "--out", tmp_path / "a")
    assert again.returncode == 0 and again.stderr == ""  # nothing left to run: nothing to announce


def test_progress_lines_come_at_most_every_share_of_the_runs():
    import io

    from experiments.runner import Progress

    stream = io.StringIO()
    with Progress(total=100, done=20, description="sweep", enabled=True, lines=True, stream=stream,
                  starting="starting 2 worker processes…", every_seconds=0.0, every_share=0.25) as bar:
        for i in range(80):
            bar.advance(ok=i % 10 != 0)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "sweep: starting 2 worker processes…"
    assert [line.split(" runs")[0] for line in lines[1:]] == ["sweep: 40/100", "sweep: 60/100", "sweep: 80/100",
                                                              "sweep: 100/100"]
    assert "about" in lines[1] and "left" in lines[1] and lines[-1].startswith("sweep: 100/100 runs (100%), 8 failed")


def test_the_bar_says_the_workers_are_starting_until_the_first_run_is_back():
    import io

    from rich.console import Console

    from experiments.runner import Progress

    console = Console(file=io.StringIO(), force_terminal=True, width=150, color_system=None)
    with Progress(total=4, done=0, description="sweep", enabled=True, console=console,
                  starting="starting 2 worker processes…") as bar:
        bar._bar.refresh()
        before = console.file.getvalue()
        bar.advance(ok=True)
        assert bar._bar.tasks[0].description == "sweep"
    assert "starting 2 worker processes…" in before and "0/4" in before and "1/4" in console.file.getvalue()


# millions of runs ------------------------------------------------------------------------------------------------

BIG_SPEC = """
name = "big"
base = "no_linkage"
replications = 2
[overrides]
households = 300
days = 5
[factors]
mass_base = { low = 0.0, high = 1.0, steps = 1000 }
"reporting.call_prob" = { low = 0.05, high = 0.5, steps = 2499 }
"""


def test_a_plan_of_millions_of_runs_lists_none_of_them(tmp_path):
    from experiments.plan import experiment_plan

    plan = experiment_plan(write(tmp_path / "big.toml", BIG_SPEC))
    assert plan.n_runs == 4_998_000 and len(plan.points) == 2_499_000
    last = plan.task(plan.n_runs - 1)
    assert last["point"] == 2_498_999 and last["rep"] == 1
    assert last["overrides"] == {"mass_base": 1.0, "reporting.call_prob": 0.5}
    assert plan.points[2499]["values"] == {"mass_base": pytest.approx(1 / 999), "reporting.call_prob": 0.05}
    assert len(json.dumps(plan.to_dict(), default=str)) < 200_000


@needs_cli
@needs_proc
def test_a_sweep_of_millions_of_runs_starts_at_once_in_little_memory_with_a_small_manifest(tmp_path):
    spec = write(tmp_path / "big.toml", BIG_SPEC)
    out = tmp_path / "res"
    proc = start_sweep(spec, out, "--serial")
    try:
        wait_for_parts(out, 3, proc, timeout=300)
        peak_kb = next(int(line.split()[1]) for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                       if line.startswith("VmHWM:"))
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=300)
    finally:
        stop(proc)
    assert peak_kb < 1_000_000, f"{peak_kb / 1e6:.1f} GB at its peak"
    assert "big: 4,998,000 runs (2,499,000 points x 2 replications); 4,998,000 to run on 1 worker, roughly" in err
    assert (out / "manifest.json").stat().st_size < 1_000_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"]["total"] == 4_998_000 and manifest["runs"]["pending"] == 4_998_000 - manifest["runs"]["ok"]


def test_a_sampled_design_too_big_to_hold_is_refused_before_it_is_drawn(tmp_path, monkeypatch):
    import experiments.plan as plans

    monkeypatch.setattr(plans, "MAX_MATRIX_BYTES", 4_000)  # the real limit (1 GiB) would need a GiB to test
    spec = write(tmp_path / "lhs.toml", 'name = "lhs"\ndesign = "lhs"\nsamples = 1000\n[factors]\n'
                                        'mass_base = { low = 0.1, high = 0.9 }\n')
    with pytest.raises(experiments.ExperimentError) as info:
        plans.experiment_plan(spec)
    assert "samples" in str(info.value) and "1,000 points" in str(info.value) and "give at most 500 samples" in str(
        info.value)


def test_a_folder_written_before_designs_were_stored_compactly_still_resumes(tmp_path):
    """The earlier format listed every point (and a sampled design's matrix) in the manifest, and hashed them for
    the fingerprint; such a folder resumes without redoing its finished runs."""
    from experiments.plan import experiment_plan

    spec = write(tmp_path / "lhs.toml", 'name = "lhs"\ndesign = "lhs"\nsamples = 4\nreplications = 2\n'
                                        'root_seed = 5\n[overrides]\nhouseholds = 300\ndays = 10\n[factors]\n'
                                        'mass_base = { low = 0.1, high = 0.9 }\n'
                                        '"reporting.call_prob" = { low = 0.05, high = 0.5 }\n')
    out = tmp_path / "old"
    whole = experiments.sweep(spec, out=out, serial=True, figures=False).runs
    plan = experiment_plan(spec)
    manifest = json.loads((out / "manifest.json").read_text())
    design = manifest["design"]
    for key in ("n_points", "fingerprint_version", "kinds", "matrix_file", "matrix_sha256"):
        design.pop(key)
    design.update(points=list(plan.points), matrix=plan.matrix.tolist())
    manifest["fingerprint"] = plan.legacy_fingerprint()
    manifest["runs"] = {"total": 8, "status": [{"run": r, "status": "ok"} for r in range(8)]}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "design.parquet").unlink()
    for run in (3, 6):
        (out / "parts" / f"{run:06d}.ok.parquet").unlink()
    (out / "runs.parquet").unlink()

    resumed = experiments.sweep(spec, out=out, serial=True, figures=False)
    session = resumed.manifest["sessions"][-1]
    assert session["to_run"] == 2 and session["skipped"] == 6
    pd.testing.assert_frame_equal(resumed.runs, whole)
    assert experiments.report(out, figures=False).n_ok == 8


def test_an_interrupt_inside_compiled_code_stops_the_experiment_rather_than_failing_the_run():
    """A SIGTERM or Ctrl-C that arrives while Numba calls back into Python surfaces as a SystemError caused by the
    interrupt: `run_one` must pass the interrupt on (the experiment stops and can resume), not record a failed run
    and go on, while an ordinary error is still recorded."""
    from experiments.evaluate import interrupt_behind

    def numba_like(signal_error: BaseException) -> Exception:
        try:
            try:
                raise signal_error
            except BaseException as exc:
                raise SystemError("returned a result with an exception set") from exc
        except SystemError as wrapped:
            return wrapped

    interrupt = KeyboardInterrupt(15)
    assert interrupt_behind(numba_like(interrupt)) is interrupt
    assert interrupt_behind(numba_like(ValueError("a real failure"))) is None
    assert interrupt_behind(ValueError("plain")) is None
