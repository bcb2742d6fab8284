"""Dask: a real LocalCluster on 127.0.0.1, and a scheduler and worker started with the `dask` command as a user
would on several machines, give the same tables as a serial run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import experiments

pytest.importorskip("distributed")

BIN = Path(sys.executable).parent
SPEC = """
name = "dask_test"
base = "no_linkage"
design = "lhs"
samples = 5
replications = 2
root_seed = 31
[overrides]
households = 300
days = 20
[factors]
mass_base = { low = 0.1, high = 0.9 }
"reporting.call_prob" = { low = 0.05, high = 0.5 }
"""


@pytest.fixture
def spec(tmp_path) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def serial_runs(spec: Path, out: Path) -> pd.DataFrame:
    return experiments.sweep(spec, out=out, serial=True, figures=False).runs


def test_local_cluster_gives_the_same_tables_as_a_serial_run(spec, tmp_path):
    res = experiments.sweep(spec, out=tmp_path / "dask", dask="local", workers=2, figures=False)
    assert res.manifest["sessions"][-1]["executor"]["kind"] == "dask"
    pd.testing.assert_frame_equal(res.runs, serial_runs(spec, tmp_path / "serial"))
    assert len(res.runs) == 10 and (res.runs["status"] == "ok").all()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not (BIN / "dask").exists() or not (BIN / "liandong").exists(),
                    reason="dask / liandong commands not installed next to this Python")
def test_sweep_on_a_running_scheduler_and_worker(spec, tmp_path):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "NO_COLOR": "1"}
    procs = []
    try:
        # --no-dashboard alone still serves HTTP (health, metrics) on 0.0.0.0:8787; a free loopback port instead
        procs.append(subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                       "--no-dashboard", "--dashboard-address", "127.0.0.1:0"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        procs.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                                       "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env=env))
        out = tmp_path / "remote"
        proc = subprocess.run([str(BIN / "liandong"), "sweep", str(spec), "--dask", address, "--out", str(out), "-q"],
                              capture_output=True, text=True, env=env, timeout=180)
        assert proc.returncode == 0, proc.stderr
        pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), serial_runs(spec, tmp_path / "serial"))
    finally:
        try:
            from distributed import Client

            with Client(address, timeout=5) as client:
                client.shutdown()
        except Exception:
            pass
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


def test_local_cluster_serves_no_dashboard_and_leaves_port_8787_to_others():
    """The scheduler's HTTP server (health, metrics) listens on a free loopback port, without the Bokeh dashboard:
    a cluster already on 8787 (held here if it is free) gets no "Port 8787 is already in use" warning from ours."""
    import urllib.error
    import urllib.request
    import warnings

    held = socket.socket()
    try:
        held.bind(("127.0.0.1", 8787))
        held.listen()
    except OSError:  # something else has it: as good for this test
        pass
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            executor = experiments.DaskExecutor("local", workers=1)
            try:
                port = executor.client.scheduler_info()["services"]["dashboard"]
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=30) as health:
                    assert health.status == 200 and health.read() == b"ok"
                with pytest.raises(urllib.error.HTTPError) as status:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=30)
                assert status.value.code == 404
            finally:
                executor.close()
    finally:
        held.close()
    assert port != 8787
    assert not [w for w in caught if "already in use" in str(w.message)], [str(w.message) for w in caught]


def test_a_local_cluster_whose_workers_cannot_start_is_a_message(tmp_path):
    """Code piped to python cannot be re-imported by Dask's worker processes, which then die as they start
    ("Nanny failed to start"): DaskConnection says so as an ExperimentError naming --dask local and what to do,
    rather than a RuntimeError from deep inside distributed."""
    script = ("from experiments.errors import ExperimentError\n"
              "from experiments.executors import DaskConnection\n"
              "try:\n"
              "    DaskConnection('local', workers=1).close()\n"
              "    print('STARTED')\n"
              "except ExperimentError as exc:\n"
              "    print('MESSAGE', exc)\n")
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=180,
                          cwd=tmp_path)
    assert "MESSAGE --dask local: the local Dask cluster could not start its worker processes" in done.stdout, (
        done.stdout + done.stderr[-2000:])
    assert "run a saved .py file" in done.stdout
