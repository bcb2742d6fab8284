"""Calibration (ABC-SMC with pyabc, experiments/calibration.py): synthetic-truth recovery, the same posterior after a
SIGKILL and resume, on processes and on a real Dask LocalCluster for the same seed, bad input files (exit 2 with the
file, the field and the fix), and `compare --posterior` with a posterior of one point equal to a plain compare.

Everything runs a small community (100 households, 25 days) and tiny populations, to stay cheap in the suite."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import experiments
import scenarios
import simulation
from experiments import calibration
from experiments import targets as sourced
from experiments.calibration import weighted_quantiles
from experiments.calibration_files import load_params, load_targets
from experiments.errors import ExperimentError
from experiments.posterior import Posterior

LIANDONG = Path(sys.executable).with_name("liandong")
SMALL = {"households": 100, "days": 25}
RUN = dict(population_size=8, generations=3, predictive_runs=4, seed=7, **SMALL)

TARGETS = """
[targets.hidden]
summary = "hidden_need_share"
low = 0.22
high = 0.32
source = "synthetic"
confidence = "M"

[targets.busiest_calls]
column = "calls_per_cadre"
stat = "max"
low = 0
high = 400
"""
PARAMS = """
[params."reporting.call_prob"]
low = 0.05
high = 0.9
"""


def _env() -> dict:
    return {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}


def _cli_args(folder: Path, out: Path) -> list[str]:
    return [str(LIANDONG), "calibrate", str(folder / "targets.toml"), "--params", str(folder / "params.toml"),
            "--out", str(out), "--households", str(SMALL["households"]), "--days", str(SMALL["days"]),
            "--population-size", str(RUN["population_size"]), "--generations", str(RUN["generations"]),
            "--predictive-runs", str(RUN["predictive_runs"]), "--seed", str(RUN["seed"])]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("calibration-inputs")
    (folder / "targets.toml").write_text(TARGETS, encoding="utf-8")
    (folder / "params.toml").write_text(PARAMS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def on_processes(inputs, tmp_path_factory, request) -> Path:
    """The reference: the calibration on two local worker processes, run once for the whole session (the first
    pytest-xdist worker to get here runs it, under a lock; the others read its folder)."""
    xdist = hasattr(request.config, "workerinput")
    shared = tmp_path_factory.getbasetemp().parent if xdist else tmp_path_factory.getbasetemp()
    out = shared / "calibration-processes"
    with open(shared / "calibration-processes.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "posterior.parquet").exists():
            calibration.calibrate(inputs / "targets.toml", inputs / "params.toml", out, workers=2, **RUN)
    return out


def test_outputs_and_report(on_processes, tmp_path):
    """The folder holds the posterior (one row per accepted set, weights summing to 1), the distances, the targets,
    the generations, the predictive runs, a manifest with versions and seeds, the log and the figures; `report`
    rebuilds the tables and figures identically from the history."""
    folder = tmp_path / "copy"
    shutil.copytree(on_processes, folder, ignore=shutil.ignore_patterns(".lock"))
    post = pd.read_parquet(folder / "posterior.parquet")
    assert len(post) == RUN["population_size"]
    assert post["weight"].sum() == pytest.approx(1.0)
    assert {"reporting.call_prob", "weight", "distance", "seed", "value:hidden"} <= set(post.columns)
    assert (post["reporting.call_prob"].between(0.05, 0.9)).all()
    gens = pd.read_parquet(folder / "generations.parquet")
    assert 1 <= len(gens) <= RUN["generations"]
    assert (gens["epsilon"].diff().dropna() <= 0).all()           # the threshold never rises
    assert (post["distance"] <= gens["epsilon"].iloc[-1]).all()   # every accepted set within the last threshold
    distances = pd.read_parquet(folder / "distances.parquet")
    assert set(distances["target"]) == {"hidden", "busiest_calls"}
    assert len(pd.read_parquet(folder / "predictive.parquet")) == RUN["predictive_runs"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "calibration" and manifest["status"] == "done" and manifest["seed"] == RUN["seed"]
    assert manifest["packages"]["pyabc"].startswith("0.13") and manifest["code_version"]
    assert manifest["sessions"][-1]["executor"] == {"kind": "processes", "workers": 2, "start_method": "forkserver"}
    assert "generation 0: epsilon" in (folder / "calibration.log").read_text()
    for name in ("marginals", "epsilon", "predictive"):
        assert (folder / "figures" / f"{name}.png").stat().st_size > 5_000
    before = {n: pd.read_parquet(folder / f"{n}.parquet") for n in ("posterior", "distances", "targets")}
    for n in before:
        (folder / f"{n}.parquet").unlink()
    (folder / "figures" / "marginals.png").unlink()
    again = experiments.report(folder)
    for n, frame in before.items():
        pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{n}.parquet"), frame)
    assert (folder / "figures" / "marginals.png").exists()
    pd.testing.assert_frame_equal(again.tables["posterior"], post)


def test_synthetic_truth_is_recovered(tmp_path):
    """Targets made by the model itself at known values of two parameters (the mean of four seeds, with a band
    of about two seeds' spread) are recovered: each known value lies inside its 90% posterior interval, and the
    parameter the targets depend on is constrained well inside its prior."""
    truth = {"reporting.call_prob": 0.3, "reporting.online_prob": 0.7}
    runs = [simulation.run("wuhan_2020", seed=s, **SMALL, **truth).summary for s in range(4)]
    hidden = float(np.mean([r["hidden_need_share"] for r in runs]))
    (tmp_path / "t.toml").write_text(f'[targets.hidden]\nsummary = "hidden_need_share"\nlow = {hidden - 0.05}\n'
                                     f'high = {hidden + 0.05}\n')
    (tmp_path / "p.toml").write_text('[params."reporting.call_prob"]\nlow = 0.05\nhigh = 0.9\n'
                                     '[params."reporting.online_prob"]\nlow = 0.4\nhigh = 0.95\n')
    res = calibration.calibrate(tmp_path / "t.toml", tmp_path / "p.toml", tmp_path / "out", serial=True,
                                population_size=20, generations=3, predictive_runs=0, figures=False, seed=3, **SMALL)
    post = res.posterior
    w = post["weight"].to_numpy()
    for key, value in truth.items():
        low, high = weighted_quantiles(post[key].to_numpy(), w, [0.05, 0.95])
        assert low <= value <= high, (key, value, low, high)
    low, high = weighted_quantiles(post["reporting.call_prob"].to_numpy(), w, [0.05, 0.95])
    assert high - low < 0.6 * (0.9 - 0.05), (low, high)


@pytest.mark.skipif(not LIANDONG.exists(), reason="console script not installed next to this Python")
def test_resume_after_sigkill_gives_the_same_posterior(inputs, on_processes, tmp_path):
    """`liandong calibrate` killed with SIGKILL after its first generation is stored, then run again with the same
    command, ends with the posterior of the uninterrupted run (which ran on two worker processes)."""
    out = tmp_path / "out"
    args = [*_cli_args(inputs, out), "--serial", "--quiet"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(),
                            start_new_session=True)
    db = out / "history.db"
    deadline = time.monotonic() + 240
    stored = -1
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
                        stored = con.execute("SELECT max(t) FROM populations").fetchone()[0] or -1
                except sqlite3.Error:
                    pass
            if stored >= 0:
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the calibration ended before it could be killed: {proc.stderr.read()}"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert 0 <= stored < RUN["generations"] - 1
    assert not (out / "posterior.parquet").exists()
    done = subprocess.run(args, capture_output=True, text=True, env=_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    resumed = pd.read_parquet(out / "posterior.parquet")
    pd.testing.assert_frame_equal(resumed, pd.read_parquet(on_processes / "posterior.parquet"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["generations_before"] for s in manifest["sessions"]][-1] >= 1
    (out / "figures" / "epsilon.png").unlink()
    report = subprocess.run([str(LIANDONG), "report", str(out)], capture_output=True, text=True, env=_env(),
                            timeout=120)
    assert report.returncode == 0, report.stderr
    assert "reporting.call_prob" in report.stdout and (out / "figures" / "epsilon.png").exists()


def test_dask_local_cluster_gives_the_same_posterior(inputs, on_processes, tmp_path):
    """A real Dask LocalCluster on 127.0.0.1 (two workers) gives the posterior of local processes for the same
    seed, and the same posterior predictive runs."""
    res = calibration.calibrate(inputs / "targets.toml", inputs / "params.toml", tmp_path / "out", dask="local",
                                workers=2, figures=False, **RUN)
    pd.testing.assert_frame_equal(res.posterior, pd.read_parquet(on_processes / "posterior.parquet"))
    pd.testing.assert_frame_equal(res.tables["predictive"], pd.read_parquet(on_processes / "predictive.parquet"))
    assert res.manifest["sessions"][-1]["executor"]["kind"] == "dask"


def test_another_seed_gives_another_posterior_and_a_folder_refuses_other_inputs(inputs, on_processes, tmp_path):
    """The seed matters (the equalities above are not vacuous), and a folder of one calibration is not resumed
    with other inputs."""
    other = calibration.calibrate(inputs / "targets.toml", inputs / "params.toml", tmp_path / "out", serial=True,
                                  figures=False, **{**RUN, "seed": 8, "generations": 1, "predictive_runs": 0})
    reference = pd.read_parquet(on_processes / "posterior.parquet")
    assert not other.posterior["reporting.call_prob"].equals(reference["reporting.call_prob"])
    with pytest.raises(ExperimentError, match="holds a calibration of other targets"):
        calibration.calibrate(inputs / "targets.toml", inputs / "params.toml", other.folder, serial=True,
                              **{**RUN, "population_size": 11})


# --- bad input -----------------------------------------------------------------------------------------------

BAD_TARGETS = [
    ("", "no targets", "add at least one [targets.NAME]"),
    ('[targets.x]\ncolumn = "no_such_column"\nlow = 1\nhigh = 2\n', "targets.x.column", "not a daily column"),
    ('[targets.x]\nsummary = "unmet_days"\nvalue = 1\n', "targets.x.summary", "Did you mean 'unmet_need_days'"),
    ('[targets.x]\nmeasure = "calls_per_cadre_peak"\nlow = 5\nhigh = 1\n', "targets.x.low", "low <= high"),
    ('[targets.x]\nsummary = "unmet_need_days"\n', "targets.x", "give value = x"),
    ('[targets.x]\nsummary = "unmet_need_days"\nvalue = 1\nconfidence = "Q"\n', "targets.x.confidence",
     "H (official figure)"),
    ('[targets.x]\nsummary = "unmet_need_days"\nvalue = 1\nbogus = 2\n', "targets.x.bogus", "unknown key"),
    ('[facts.x]\npattern = "4"\n', "facts.x.pattern", "one run can show"),
    ("targets = [", "not valid TOML", "Fix the syntax"),
]
BAD_PARAMS = [
    ("", "no parameters", "add at least one"),
    ('[params."reporting.no_such"]\n', 'params."reporting.no_such"', "not a field of the scenario"),
    ('[params."reporting.call_prob"]\nlow = -0.5\nhigh = 0.5\n', 'params."reporting.call_prob"',
     "outside the schema's range"),
    ('[params."reporting.call_prob"]\nlow = 0.5\nhigh = 0.2\n', 'params."reporting.call_prob"', "low < high"),
    ('[params."name"]\n', 'params."name"', "only numeric fields"),
    ('[params."reporting.call_prob"]\nprior = "normal"\n', 'params."reporting.call_prob".prior', "uniform or"),
]


@pytest.mark.parametrize("text, field, fix", BAD_TARGETS)
def test_bad_targets_files_name_the_file_field_and_fix(tmp_path, text, field, fix):
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "params.toml").write_text(PARAMS, encoding="utf-8")
    with pytest.raises(ExperimentError) as err:
        calibration.calibrate(path, tmp_path / "params.toml", tmp_path / "out", serial=True, **RUN)
    message = str(err.value)
    assert str(path) in message and field in message and fix in message, message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text, field, fix", BAD_PARAMS)
def test_bad_params_files_name_the_file_field_and_fix(inputs, tmp_path, text, field, fix):
    path = tmp_path / "params.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExperimentError) as err:
        calibration.calibrate(inputs / "targets.toml", path, tmp_path / "out", serial=True, **RUN)
    message = str(err.value)
    assert str(path) in message and field in message and fix in message, message


@pytest.mark.skipif(not LIANDONG.exists(), reason="console script not installed next to this Python")
def test_bad_input_exits_2_without_a_traceback(inputs, tmp_path):
    (tmp_path / "params.toml").write_text('[params."reporting.call_prob"]\nlow = 0.1\nhigh = 2\n')
    proc = subprocess.run([str(LIANDONG), "calibrate", str(inputs / "targets.toml"), "--params",
                           str(tmp_path / "params.toml"), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "params.toml: field 'params.\"reporting.call_prob\"': high = 2 is outside the schema's range" in \
        proc.stderr
    assert "Traceback" not in proc.stderr


# --- the posterior carried into comparisons ------------------------------------------------------------------

def _posterior_folder(folder: Path, rows: list[float], weights: list[float]) -> Path:
    """A calibration folder's posterior as `compare --posterior` reads it: the manifest's parameters and
    posterior.parquet."""
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"kind": "calibration", "params": [
        {"key": "reporting.call_prob", "kind": "float", "low": 0.05, "high": 0.9, "prior": "uniform"}]}))
    pd.DataFrame({"particle": range(len(rows)), "reporting.call_prob": rows, "weight": weights}).to_parquet(
        folder / "posterior.parquet")
    return folder


def test_compare_with_a_one_point_posterior_equals_a_plain_compare_there(tmp_path):
    """A posterior of one point gives exactly the runs and tables of a plain compare with that point set; the
    differences' sign_share is the share of replications whose paired difference has the sign of the mean."""
    post = _posterior_folder(tmp_path / "post", [0.37], [1.0])
    pair = ["no_linkage", "internal"]
    a = experiments.compare(pair, reps=4, overrides=SMALL, out=tmp_path / "a", posterior=post, serial=True,
                            figures=False)
    b = experiments.compare(pair, reps=4, overrides={**SMALL, "reporting.call_prob": 0.37}, out=tmp_path / "b",
                            serial=True, figures=False)
    plain = experiments.compare(pair, reps=4, overrides=SMALL, out=tmp_path / "c", serial=True, figures=False)
    pd.testing.assert_frame_equal(a.runs, b.runs)
    pd.testing.assert_frame_equal(a.tables["differences"], b.tables["differences"])
    assert not a.runs["unmet_need_days"].equals(plain.runs["unmet_need_days"])  # the point mattered
    runs = a.runs.set_index(["scenario", "seed"])["unmet_need_days"]
    d = (runs["internal"] - runs["no_linkage"]).to_numpy()
    row = a.tables["differences"].set_index("key").loc["unmet_need_days"]
    assert row["sign_share"] == pytest.approx(np.mean(np.sign(d) == np.sign(d.mean())))
    with pytest.raises(ExperimentError, match="also set by --set"):
        experiments.compare(pair, reps=2, overrides={**SMALL, "reporting.call_prob": 0.2}, out=tmp_path / "d",
                            posterior=post, serial=True)


def test_posterior_draws_are_weighted_and_common(tmp_path):
    """Replication r draws the same set whatever the scenario (from the root seed and r alone), sets are drawn in
    proportion to their weights, and a folder that is not a calibration is refused."""
    post = Posterior.load(_posterior_folder(tmp_path / "post", [0.1, 0.5], [0.9, 0.1]))
    draws = [post.draw(11, r)["reporting.call_prob"] for r in range(400)]
    assert draws == [post.draw(11, r)["reporting.call_prob"] for r in range(400)]
    assert 0.85 < np.mean(np.isclose(draws, 0.1)) < 0.95
    plan = experiments.compare_plan(["no_linkage", "internal"], replications=3, posterior=post)
    for rep in range(3):
        assert plan.task(rep)["overrides"] == plan.task(3 + rep)["overrides"] == post.draw(plan.root_seed, rep)
    spec = tmp_path / "sweep.toml"
    spec.write_text('base = "no_linkage"\nreplications = 2\n[factors]\n"reporting.online_prob" = [0.5, 0.8]\n')
    sweep = experiments.experiment_plan(spec, posterior=post.folder)
    assert sweep.task(0)["overrides"] == {"reporting.online_prob": 0.5, **post.draw(sweep.root_seed, 0)}
    assert sweep.task(3)["overrides"] == {"reporting.online_prob": 0.8, **post.draw(sweep.root_seed, 1)}
    assert sweep.fingerprint() != experiments.experiment_plan(spec).fingerprint()
    spec.write_text('base = "no_linkage"\n[factors]\n"reporting.call_prob" = [0.2, 0.4]\n')
    with pytest.raises(ExperimentError, match="also set by the experiment file's factors"):
        experiments.experiment_plan(spec, posterior=post.folder)
    with pytest.raises(ExperimentError, match="not a calibration folder"):
        Posterior.load(tmp_path)


def test_the_shipped_files_load_and_keep_the_sourced_bands():
    """calibration/targets.toml and params.toml are valid for wuhan_2020, and each sourced target there has the
    band experiments/targets.py (docs/targets.md, tests/test_targets.py) gives it."""
    root = Path(__file__).resolve().parents[1] / "calibration"
    shipped = load_targets(root / "targets.toml")
    assert shipped.scenario == "wuhan_2020"
    bands = {t.key: (t.low, t.high) for t in sourced.TARGETS}
    measured = {t.ref: (t.low, t.high) for t in shipped.targets if t.kind == "measure"}
    assert measured == bands
    assert {t.ref for t in shipped.targets if t.kind == "fact"} == {"1", "3"}
    params = load_params(root / "params.toml", scenarios.load("wuhan_2020"))
    assert len(params.params) == 6


def test_the_shipped_calibration_is_read_by_compare_on_a_fresh_clone(tmp_path):
    """`calibration/wuhan_2020/` (make calibration) ships in the repository: its posterior loads, names the six
    parameters of calibration/params.toml, and `compare --posterior` runs each replication at one of its sets."""
    shipped = Path(__file__).resolve().parent.parent / "calibration" / "wuhan_2020"
    post = Posterior.load(shipped)
    assert set(post.keys) == set(load_params(shipped.parent / "params.toml", scenarios.load("wuhan_2020")).keys)
    manifest = json.loads((shipped / "manifest.json").read_text())
    assert manifest["status"] == "done" and manifest["kind"] == "calibration"
    table = pd.read_parquet(shipped / "posterior.parquet")
    res = experiments.compare(["no_linkage", "three_social"], reps=2, serial=True, figures=False,
                              out=tmp_path / "cmp", overrides={"households": 200, "days": 10}, posterior=shipped)
    assert "sign_share" in res.tables["differences"].columns
    runs = res.runs
    for rep in range(2):
        drawn = post.draw(int(res.manifest["design"]["root_seed"]), rep)
        assert any(all(np.isclose(table[k].iloc[i], v) for k, v in drawn.items()) for i in range(len(table))), drawn
        row = runs[(runs["rep"] == rep) & (runs["scenario"] == "three_social")].iloc[0]
        again = simulation.run("three_social", seed=int(row["seed"]), households=200, days=10, **drawn)
        assert again.summary["unmet_need_days"] == row["unmet_need_days"]  # the replication ran at that set


def test_the_shipped_defaults_of_the_calibrated_parameters_are_the_posterior_median():
    """Each parameter `make calibration` calibrates (calibration/params.toml) has as its wuhan_2020 default the
    weighted median of the shipped posterior, to the three significant figures the schema gives it. Run `make
    calibration` again after a change to the model, and this test names the defaults to set in scenarios/schema.py."""
    shipped = Path(__file__).resolve().parent.parent / "calibration" / "wuhan_2020"
    post = pd.read_parquet(shipped / "posterior.parquet")
    scenario = scenarios.load("wuhan_2020")
    keys = load_params(shipped.parent / "params.toml", scenario).keys
    wrong = {}
    for key in keys:
        median = weighted_quantiles(post[key].to_numpy(), post["weight"].to_numpy(), [0.5])[0]
        section, name = key.split(".")
        default = getattr(getattr(scenario, section), name)
        if float(f"{median:.3g}") != default:
            wrong[key] = f"default {default}, posterior median {median:.3g}"
    assert not wrong, f"set these defaults in scenarios/schema.py to the posterior's median: {wrong}"
