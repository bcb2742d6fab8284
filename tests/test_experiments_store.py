"""The results store: one row per run in runs.parquet, every finished run durable at once, resume after a real
kill ending with exactly the rows of an uninterrupted sweep, a run that raises recorded while the sweep goes on,
local processes giving the same tables as a serial run, and tables that open in pandas, polars and DuckDB."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import experiments
import experiments.evaluate as evaluate
from experiments.seeds import run_seed
from simulation import DAILY_COLUMNS, SUMMARY_KEYS

LIANDONG = Path(sys.executable).with_name("liandong")

SPEC = """
name = "store_test"
base = "no_linkage"
design = "grid"
replications = 2
root_seed = 99
daily = true
[overrides]
households = 300
days = 20
[factors]
"reporting.call_prob" = [0.1, 0.4]
mass_base = { low = 0.2, high = 0.8, steps = 2 }
"""


@pytest.fixture
def spec(tmp_path) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def reference(spec, tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("reference") / "res"
    return experiments.sweep(spec, out=out, serial=True, figures=False).runs


def test_runs_table_one_row_per_run_with_ids_factors_seed_status_and_summary(spec, tmp_path):
    out = tmp_path / "res"
    res = experiments.sweep(spec, out=out, serial=True)
    runs = pd.read_parquet(out / "runs.parquet")
    pd.testing.assert_frame_equal(runs, res.runs)
    assert len(runs) == 8 and runs["run"].tolist() == list(range(8))
    assert list(runs.columns[:9]) == ["run", "point", "rep", "seed", "scenario", "reporting.call_prob", "mass_base",
                                      "status", "error"]
    assert set(SUMMARY_KEYS) <= set(runs.columns)
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    assert pa.types.is_large_string(pq.read_schema(out / "runs.parquet").field("error").type)  # text, all null
    assert runs["seed"].tolist() == [run_seed(99, p, r) for p in range(4) for r in range(2)]
    assert runs["reporting.call_prob"].tolist() == [0.1] * 4 + [0.4] * 4
    # each run is the same as calling simulation.run with its seed and factors
    import simulation

    row = runs.iloc[5]
    direct = simulation.run("no_linkage", seed=int(row["seed"]), households=300, days=20,
                            **{"reporting.call_prob": row["reporting.call_prob"], "mass_base": row["mass_base"]})
    assert direct.summary["unmet_need_days"] == row["unmet_need_days"]

    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("experiment", "experiment_text", "design", "scenarios", "code_version", "packages", "machine",
                "started", "finished", "sessions", "runs"):
        assert manifest[key], key
    assert manifest["status"] == "complete"
    assert manifest["experiment_text"] == SPEC
    assert "households = 300" in manifest["scenarios"][0]["toml"]
    # the design by its definition, the runs by their counts (runs.parquet has each run)
    assert manifest["design"]["n_points"] == 4 and manifest["design"]["grid"] == [[0.1, 0.4], [0.2, 0.8]]
    assert manifest["runs"]["ok"] == 8 and manifest["runs"]["failures"] == [] and manifest["runs"]["run_seconds"] > 0
    assert {"numpy", "mesa", "pandas", "SALib", "dask"} <= set(manifest["packages"])
    assert manifest["machine"]["cpu_model"] and manifest["machine"]["cpus"] >= 1  # timings depend on the processor
    assert len(list((out / "parts").glob("*.ok.parquet"))) == 8
    for name in ("runs.csv", "points.csv", "sweep.png", "sweep.svg"):
        assert (out / name).stat().st_size > 0, name

    daily = experiments.load_daily(out)
    assert len(daily) == 8 * 20 and set(DAILY_COLUMNS) <= set(daily.columns)
    # each daily part carries its point's factor values: grouping needs no join with runs.parquet
    part = pd.read_parquet(out / "daily" / "run=5" / "part.parquet")
    point = runs.set_index("run").loc[5]
    assert (part["reporting.call_prob"] == point["reporting.call_prob"]).all()
    assert (part["mass_base"] == point["mass_base"]).all()
    means = daily.groupby(["reporting.call_prob", "mass_base"])["unmet_total"].mean()
    assert len(means) == 4
    one = daily[daily["run"] == 5].drop(columns="run").reset_index(drop=True)
    pd.testing.assert_frame_equal(one[list(direct.daily.columns)], direct.daily, check_dtype=False)


def test_tables_open_in_polars_and_duckdb(spec, tmp_path):
    polars = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "res"
    runs = experiments.sweep(spec, out=out, serial=True, figures=False).runs
    pl_runs = polars.read_parquet(out / "runs.parquet")
    assert pl_runs.height == len(runs) and pl_runs["unmet_need_days"].to_list() == runs["unmet_need_days"].tolist()
    pl_daily = polars.read_parquet(str(out / "daily" / "**" / "*.parquet"), hive_partitioning=True)
    assert pl_daily.height == 8 * 20 and "run" in pl_daily.columns
    con = duckdb.connect()
    n, total = con.execute(f"SELECT count(*), sum(unmet_need_days) FROM '{out / 'runs.parquet'}'").fetchone()
    assert n == 8 and total == runs["unmet_need_days"].sum()
    per_run = con.execute(
        f"SELECT run, sum(unmet_total) FROM read_parquet('{out}/daily/*/*.parquet', hive_partitioning=true) "
        "GROUP BY run ORDER BY run").fetchall()
    assert [r for r, _ in per_run] == list(range(8))
    assert [int(s) for _, s in per_run] == runs["unmet_need_days"].astype(int).tolist()


def test_a_run_that_raises_is_recorded_the_sweep_goes_on_and_a_rerun_retries_it(spec, tmp_path, monkeypatch,
                                                                                 reference):
    real = evaluate._simulate
    calls = []

    def flaky(task):
        calls.append(task["run"])
        if task["point"] == 2:
            raise RuntimeError(f"boom at point {task['point']}")
        return real(task)

    monkeypatch.setattr(evaluate, "_simulate", flaky)
    out = tmp_path / "res"
    res = experiments.sweep(spec, out=out, serial=True, figures=False)
    assert sorted(calls) == list(range(8)), "the sweep stopped at the failure"
    failed = res.runs[res.runs["status"] == "failed"]
    assert failed["run"].tolist() == [4, 5]
    assert failed["error"].str.contains("RuntimeError: boom at point 2").all()
    assert res.runs.loc[res.runs["status"] == "ok", "error"].isna().all()  # null, not '', where nothing failed
    assert failed["unmet_need_days"].isna().all()
    assert res.runs.loc[res.runs["status"] == "ok", "unmet_need_days"].notna().all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete with failures" and manifest["runs"]["failed"] == 2
    entry = next(r for r in manifest["runs"]["failures"] if r["run"] == 4)
    assert "boom" in entry["error"] and "RuntimeError" in entry["traceback"]

    # the same command again: finished runs are skipped, failed ones retried
    calls.clear()
    monkeypatch.setattr(evaluate, "_simulate", lambda task: (calls.append(task["run"]), real(task))[1])
    again = experiments.sweep(spec, out=out, serial=True, figures=False)
    assert sorted(calls) == [4, 5]
    pd.testing.assert_frame_equal(again.runs, reference)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), reference)
    assert not list((out / "parts").glob("*.failed.parquet"))
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"

    calls.clear()
    experiments.sweep(spec, out=out, serial=True, figures=False)  # nothing left to do
    assert calls == []


def test_local_processes_give_the_same_tables_as_a_serial_run(spec, tmp_path, reference):
    out = tmp_path / "res"
    res = experiments.sweep(spec, out=out, workers=2, figures=False)
    pd.testing.assert_frame_equal(res.runs, reference)
    session = json.loads((out / "manifest.json").read_text())["sessions"][-1]
    assert session["executor"]["kind"] == "processes" and session["executor"]["start_method"] in ("forkserver",
                                                                                                    "spawn")


KILL_SPEC = """
name = "kill_test"
base = "no_linkage"
replications = 3
root_seed = 4
daily = true
[overrides]
households = 300
days = 25
[factors]
mass_base = { low = 0.1, high = 0.9, steps = 10 }
"""


@pytest.mark.skipif(not LIANDONG.exists(), reason="console script not installed")
def test_a_sweep_killed_in_the_middle_resumes_to_exactly_the_rows_of_an_uninterrupted_sweep(tmp_path):
    spec = tmp_path / "kill.toml"
    spec.write_text(KILL_SPEC, encoding="utf-8")
    total = 10 * 3
    out = tmp_path / "killed"
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen([str(LIANDONG), "sweep", str(spec), "--out", str(out), "--workers", "1", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            done = len(list((out / "parts").glob("*.ok.parquet"))) if (out / "parts").exists() else 0
            if done >= 3 or proc.poll() is not None:
                break
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the command and its worker processes, mid-sweep
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    parts = list((out / "parts").glob("*.ok.parquet"))
    assert 3 <= len(parts) < total, f"{len(parts)} parts: the kill did not land mid-sweep"
    assert not (out / "runs.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    # stored results can be reported while the experiment is incomplete
    partial = experiments.report(out, figures=False)
    assert len(partial.runs) == len(list((out / "parts").glob("*.ok.parquet")))

    rerun = subprocess.run([str(LIANDONG), "sweep", str(spec), "--out", str(out), "--workers", "2", "-q"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    resumed = pd.read_parquet(out / "runs.parquet")

    whole = experiments.sweep(spec, out=tmp_path / "whole", serial=True, figures=False).runs
    pd.testing.assert_frame_equal(resumed, whole)
    assert len(resumed) == total and (resumed["status"] == "ok").all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["sessions"]) == 2
    assert manifest["sessions"][1]["skipped"] >= 3 and manifest["sessions"][1]["to_run"] <= total - 3
    pd.testing.assert_frame_equal(experiments.load_daily(out), experiments.load_daily(tmp_path / "whole"))


def test_ctrl_c_keeps_finished_runs_exits_130_and_the_same_command_resumes(spec, tmp_path, monkeypatch, capsys,
                                                                          reference):
    from liandong.cli import main

    real = evaluate._simulate
    done = []

    def interrupted_after_three(task):
        if len(done) == 3:
            raise KeyboardInterrupt
        done.append(task["run"])
        return real(task)

    out = tmp_path / "res"
    argv = ["liandong", "sweep", str(spec), "--serial", "--out", str(out), "-q"]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(evaluate, "_simulate", interrupted_after_three)
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 130
    assert "run the same command again to resume" in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["runs"]["ok"] == 3 and manifest["runs"]["pending"] == 5

    monkeypatch.setattr(evaluate, "_simulate", real)
    main()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), reference)


def test_progress_bar_shows_runs_done_failures_and_time_left():
    import io

    from rich.console import Console

    from experiments.runner import Progress

    console = Console(file=io.StringIO(), force_terminal=True, width=120, color_system=None)
    with Progress(total=5, done=2, description="sweep", enabled=True, console=console) as bar:
        bar.advance(ok=True)
        bar.advance(ok=False)
    text = console.file.getvalue()
    assert "4/5 runs" in text and "1 failed" in text and "left" in text and "elapsed" in text
    quiet = Progress(total=5, done=0, description="sweep", enabled=False)
    with quiet:
        quiet.advance(ok=False)
    assert quiet.failed == 1


def _dies_on_run_2(task: dict) -> dict:
    """A worker function that kills its own process on run 2 (as an out-of-memory kill would)."""
    if task["run"] == 2:
        os._exit(9)
    return {"run": task["run"], "status": "ok", "error": "", "traceback": "", "summary": {"x": task["run"]},
            "daily": None, "seconds": 0.0}


def test_a_worker_process_that_dies_is_recorded_and_the_pool_goes_on():
    from experiments.executors import ProcessExecutor

    tasks = [{"run": r} for r in range(6)]
    with ProcessExecutor(2) as executor:
        results = {r["run"]: r for r in executor.map_unordered(tasks, fn=_dies_on_run_2)}
    assert sorted(results) == list(range(6))
    assert results[2]["status"] == "failed" and "worker process died" in results[2]["error"]
    assert results[5]["status"] == "ok"  # runs after the death ran on a fresh pool


def test_the_time_estimate_is_timed_on_the_experiments_own_scenario_and_scaled_by_size(tmp_path):
    """No fixed rate: a calibration run of the plan's scenario, scaled in proportion to households x days for the
    points that set them; earlier sessions in the folder take over once there are any."""
    from experiments import runner
    from experiments.plan import compare_plan, experiment_plan

    assert runner.scaled_seconds(0.5, 3000, 90, 300, 90) == pytest.approx(0.05)
    assert runner.scaled_seconds(0.5, 3000, 90, 3000, 45) == pytest.approx(0.25)
    small = compare_plan(["no_linkage"], replications=2, overrides={"households": 200, "days": 10})
    per_run, source = runner.estimate_seconds(small, None)
    assert per_run > 0 and source == "timed on one run of 'no_linkage' here"
    assert runner.calibrate(small.scenarios[0]) == per_run  # remembered: a dry run and its run time it once
    path = tmp_path / "sizes.toml"
    path.write_text('name = "sizes"\nbase = "no_linkage"\nreplications = 1\n[overrides]\n'
                    'days = 10\n[factors]\nhouseholds = [200, 2000]\n', encoding="utf-8")
    plan = experiment_plan(path)
    sized, _ = runner.estimate_seconds(plan, None)
    base = plan.scenarios[0]["households"]  # the base runs 3,000 households; the points 200 and 2,000
    assert sized == pytest.approx(runner.calibrate(plan.scenarios[0]) * (200 + 2000) / base / 2)
    measured = {"sessions": [{"run_seconds": 6.0, "ok": 3, "failed": 1}]}
    assert runner.estimate_seconds(plan, measured) == (1.5, "measured in this folder's earlier sessions")
