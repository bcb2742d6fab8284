"""The `liandong` console script, driven as a user would: run, --json, --out, --set, scenarios, validate, and
bad input of every kind (exit status 2, a message naming the file or field on stderr, never a traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import scenarios
from simulation import SUMMARY_KEYS

LIANDONG = Path(sys.executable).with_name("liandong")
pytestmark = pytest.mark.skipif(
    not LIANDONG.exists(),
    reason=f"console script {LIANDONG} not installed next to this Python "
           "(pip install -e . into its environment)")

SMALL_ARGS = ("--households", "300", "--days", "20")

DAILY_REQUIRED = (
    "day", "raised_total", "met_total", "unmet_total", "hidden_total", "unmet_food", "unmet_medicine",
    "unmet_medical", "unmet_psych", "unmet_supplies", "unmet_elderly_alone", "unmet_chronic",
    "unmet_low_income", "unmet_offline",
)


def cli(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([str(LIANDONG), *map(str, args)], capture_output=True, text=True, timeout=120,
                          cwd=cwd, env=env)


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def test_run_prints_every_summary_key():
    proc = ok(cli("run", "no_linkage", *SMALL_ARGS, "--seed", "2"))
    for key in SUMMARY_KEYS:
        assert key in proc.stdout, key
    assert "no_linkage" in proc.stdout


@pytest.fixture(scope="module")
def baseline_stdout() -> str:
    return ok(cli("run", "no_linkage", *SMALL_ARGS, "--seed", "3", "--json")).stdout


def test_json_is_one_object_with_summary_scenario_seed_version(baseline_stdout):
    lines = [line for line in baseline_stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert isinstance(record, dict)
    assert set(record) == {"summary", "scenario", "seed", "version"}
    from simulation.keys import COMPOUND_SUMMARY_KEYS  # the city mix has every type

    assert set(record["summary"]) == set(SUMMARY_KEYS) | set(COMPOUND_SUMMARY_KEYS)
    assert record["scenario"] == "no_linkage"
    assert record["seed"] == 3
    assert isinstance(record["version"], str) and record["version"]
    for key, value in record["summary"].items():
        assert value is None or isinstance(value, int | float), key


def test_out_writes_files_that_reproduce_the_run(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    proc = ok(cli("run", "no_linkage", *SMALL_ARGS, "--seed", "5", "--json", "--out", first))
    printed = json.loads(proc.stdout)

    daily = pd.read_csv(first / "daily.csv")
    assert set(DAILY_REQUIRED) <= set(daily.columns)
    assert daily["day"].tolist() == list(range(20))
    by_category = [f"unmet_{c}" for c in ("food", "medicine", "medical", "psych", "supplies")]
    categories = daily[by_category].sum(axis=1)
    assert (categories == daily["unmet_total"]).all()
    assert (daily["hidden_total"] <= daily["unmet_total"]).all()

    summary = json.loads((first / "summary.json").read_text(encoding="utf-8"))
    assert set(SUMMARY_KEYS) <= set(summary["summary"])
    assert summary["summary"] == printed["summary"]
    assert summary["seed"] == 5
    assert summary["summary"]["unmet_need_days"] == int(daily["unmet_total"].sum())

    written = scenarios.load(first / "scenario.toml")
    assert (written.households, written.days, written.name) == (300, 20, "no_linkage")
    checked = ok(cli("validate", first / "scenario.toml"))
    assert "valid" in checked.stdout

    ok(cli("run", first / "scenario.toml", "--seed", "5", "--out", second))
    assert (second / "daily.csv").read_bytes() == (first / "daily.csv").read_bytes()


def test_set_dotted_key_changes_the_outcome(baseline_stdout):
    proc = ok(cli("run", "no_linkage", *SMALL_ARGS, "--seed", "3", "--json",
                  "--set", "cadres.hours_per_day=1"))
    starved = json.loads(proc.stdout)["summary"]
    # Cadres with 1 hour a day instead of 12 leave far more needs unmet.
    assert starved["unmet_need_days"] > json.loads(baseline_stdout)["summary"]["unmet_need_days"]


def test_scenarios_lists_presets():
    proc = ok(cli("scenarios"))
    listed = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert "no_linkage" in listed
    assert set(scenarios.names()) <= set(listed)


def test_python_m_liandong_is_the_console_script(tmp_path):
    """`python -m liandong` runs the same entry point as the installed `liandong` script, whose target is the
    top-level `liandong` package."""
    from importlib.metadata import entry_points

    [script] = entry_points(group="console_scripts", name="liandong")
    assert script.value == "liandong.cli:main"
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    as_module = subprocess.run([sys.executable, "-m", "liandong", "scenarios"], capture_output=True, text=True,
                               timeout=120, env=env)
    assert as_module.returncode == 0 and as_module.stdout == ok(cli("scenarios")).stdout
    (tmp_path / "bad.toml").write_text("households = -1\n")
    bad = subprocess.run([sys.executable, "-m", "liandong", "validate", str(tmp_path / "bad.toml")],
                         capture_output=True, text=True, timeout=120, env=env)
    assert bad.returncode == 2 and "households" in bad.stderr and "Traceback" not in bad.stderr


def _bad_files(tmp: Path) -> dict[str, Path]:
    files = {
        "misspelt": "housholds = 300\n",
        "wrongtype": 'households = "300"\n',
        "order": "[[phases]]\nname = 'a'\nstart = 0\n[[phases]]\nname = 'b'\nstart = 20\n"
                 "[[phases]]\nname = 'c'\nstart = 10\n",
        "syntax": "households = = 3\n",
    }
    out = {}
    for name, text in files.items():
        out[name] = tmp / f"{name}.toml"
        out[name].write_text(text, encoding="utf-8")
    out["binary"] = tmp / "binary.toml"
    out["binary"].write_bytes(b"households = 300\nname = '\xff\xfe'\n")
    out["folder"] = tmp / "a_folder"
    out["folder"].mkdir()
    out["badexp"] = tmp / "badexp.toml"
    out["badexp"].write_text('name = "bad"\nbase = "no_linkage"\n[overrides]\nhouseholdz = 3\n[factors]\n'
                             '"reporting.call_prb" = [0.1]\nmass_bas = [0.2]\n', encoding="utf-8")
    out["plainfile"] = tmp / "plain.txt"
    out["plainfile"].write_text("x", encoding="utf-8")
    return out


# (id, arguments with {name} placeholders for the files above, strings the error message must contain)
BAD_INPUT = [
    ("unknown scenario", ["run", "no_such_scenario"], ["no_such_scenario"]),
    ("misspelt key in file", ["run", "{misspelt}"], ["{misspelt}", "housholds", "households"]),
    ("wrong type in file", ["run", "{wrongtype}"], ["{wrongtype}", "households", "integer"]),
    ("probability via --set", ["run", "no_linkage", "--set", "reporting.call_prob=1.5"],
     ["reporting.call_prob", "1.5"]),
    ("negative days", ["run", "no_linkage", "--days", "-3"], ["days", "-3"]),
    ("negative households", ["run", "no_linkage", "--households", "-5"], ["households", "-5"]),
    ("phases out of order", ["run", "{order}"], ["{order}", "phases[2].start"]),
    ("absurd households", ["run", "no_linkage", "--households", "10000000"], ["households", "10000000"]),
    ("absurd households x days", ["run", "no_linkage", "--households", "200000", "--days", "3000"],
     ["households x days"]),
    ("non-UTF-8 file", ["run", "{binary}"], ["{binary}", "UTF-8"]),
    ("folder as file", ["run", "{folder}"], ["{folder}", "folder"]),
    ("invalid TOML", ["run", "{syntax}"], ["{syntax}", "TOML"]),
    ("--set without =", ["run", "no_linkage", "--set", "reporting.call_prob"],
     ["--set", "reporting.call_prob"]),
    ("negative seed", ["run", "no_linkage", "--seed", "-1"], ["--seed"]),
    ("--out is a file", ["run", "no_linkage", "--households", "300", "--days", "2", "--out", "{plainfile}"],
     ["--out", "{plainfile}"]),
    ("validate misspelt key", ["validate", "{misspelt}"], ["{misspelt}", "housholds"]),
    ("validate bad experiment", ["validate", "{badexp}"],
     ["{badexp}", "factors.\"reporting.call_prb\"", "Did you mean 'reporting.call_prob'", "factors.\"mass_bas\"",
      "overrides.\"householdz\""]),
    ("--from without --run", ["run", "--from", "{folder}"], ["--from DIR and --run N go together"]),
    ("--from not a results folder", ["run", "--from", "{folder}", "--run", "0"], ["{folder}", "no manifest.json"]),
    ("--from with a scenario", ["run", "no_linkage", "--from", "{folder}", "--run", "0"],
     ["reproduces a stored run exactly", "SCENARIO"]),
    ("run without a scenario", ["run"], ["give a scenario"]),
    ("--set alias twice", ["run", "no_linkage", "--set", "reporting__call_prob=0.2", "--set",
                           "reporting.call_prob=0.3"], ["--set reporting.call_prob", "given twice"]),
]


@pytest.mark.parametrize("args, needles", [pytest.param(a, n, id=i) for i, a, n in BAD_INPUT])
def test_bad_input_exit_2_with_message_and_no_traceback(tmp_path, args, needles):
    files = {k: str(v) for k, v in _bad_files(tmp_path).items()}
    proc = cli(*[a.format(**files) for a in args], cwd=tmp_path)
    both = proc.stdout + proc.stderr
    assert "Traceback" not in both, both
    assert proc.returncode == 2, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    for needle in needles:
        assert needle.format(**files) in proc.stderr, f"{needle!r} not in stderr:\n{proc.stderr}"
    assert not (tmp_path / "plain.txt").is_dir()


# experiment files: validate, --dry-run, one stored run again ------------------------------------------------------

EXPERIMENT = """
name = "cli_sweep"
base = "no_linkage"
replications = 2
root_seed = 11
daily = true
[overrides]
households = 300
days = 15
[factors]
reporting__call_prob = [0.1, 0.4]
mass_base = { low = 0.2, high = 0.8, steps = 2 }
"""


@pytest.fixture(scope="module")
def stored_sweep(tmp_path_factory) -> tuple[Path, Path]:
    """A real small sweep, run by the command line on two worker processes: (experiment file, results folder)."""
    tmp = tmp_path_factory.mktemp("sweep")
    spec = tmp / "sweep.toml"
    spec.write_text(EXPERIMENT, encoding="utf-8")
    ok(cli("sweep", spec, "--workers", "2", "--out", tmp / "res", "-q"))
    return spec, tmp / "res"


def test_validate_accepts_an_experiment_file_and_runs_nothing(tmp_path):
    spec = tmp_path / "exp.toml"
    spec.write_text(EXPERIMENT, encoding="utf-8")
    proc = ok(cli("validate", spec, cwd=tmp_path))
    assert "valid experiment for `liandong sweep` ('cli_sweep': design grid, 4 points x 2 replications = 8 runs" in (
        proc.stdout)
    assert "factors: reporting.call_prob, mass_base" in proc.stdout
    ranges = tmp_path / "ranges.toml"
    ranges.write_text(EXPERIMENT.replace("[0.1, 0.4]", "{ low = 0.1, high = 0.4 }").replace(", steps = 2", "")
                      .replace("replications = 2", "replications = 1\nsamples = 8"), encoding="utf-8")
    proc = ok(cli("validate", ranges, cwd=tmp_path))
    assert "valid experiment for `liandong sensitivity` ('cli_sweep': design sobol, 32 points" in proc.stdout
    assert "not as a sweep:" in proc.stdout and "needs steps" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml", "ranges.toml"]


def test_dry_run_prints_runs_points_and_time_and_writes_nothing(tmp_path, stored_sweep):
    spec = tmp_path / "exp.toml"
    spec.write_text(EXPERIMENT, encoding="utf-8")
    proc = ok(cli("sweep", spec, "--dry-run", "--workers", "2", cwd=tmp_path))
    lines = proc.stdout.splitlines()
    assert lines[0] == "cli_sweep: sweep, design grid: 4 points x 2 replications = 8 runs"
    assert "  results folder results/cli_sweep: new, 8 to run" in lines
    time_line = next(line for line in lines if line.startswith("  time: roughly "))
    assert "on 2 workers" in time_line and "s a run: timed on one run of 'no_linkage' here" in time_line
    assert lines[-1] == "  nothing was run (--dry-run)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml"]
    # on a folder holding the same experiment with fewer replications: the stored runs are counted as reused
    _, folder = stored_sweep
    before = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    spec.write_text(EXPERIMENT.replace("replications = 2", "replications = 3"), encoding="utf-8")
    grown = ok(cli("sweep", spec, "--dry-run", "--out", folder, "--serial"))
    assert f"results folder {folder}: 8 runs stored (reused: the folder holds 2 replications), 4 to run" in grown.stdout
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == before
    done = ok(cli("sweep", stored_sweep[0], "--dry-run", "--out", folder))
    assert "8 runs stored, 0 to run" in done.stdout and "time:" not in done.stdout
    cmp = ok(cli("compare", "no_linkage", "internal", "--reps", "3", "--households", "300", "--days", "10",
                 "--dry-run", "--serial", cwd=tmp_path))
    assert "compare: 2 scenarios x 3 replications = 6 runs" in cmp.stdout and "on 1 worker " in cmp.stdout
    assert not (tmp_path / "results").exists()


def test_run_from_a_results_folder_reproduces_one_stored_run_exactly(tmp_path, stored_sweep):
    _, folder = stored_sweep
    runs = pd.read_parquet(folder / "runs.parquet")
    for run in (0, 5):
        proc = ok(cli("run", "--from", folder, "--run", run, "--json", "--out", tmp_path / str(run)))
        record = json.loads(proc.stdout)
        row = runs.set_index("run").loc[run]
        assert record["seed"] == row["seed"] and record["from"]["point"] == row["point"]
        assert record["from"]["values"] == {"reporting.call_prob": row["reporting.call_prob"],
                                            "mass_base": row["mass_base"]}
        for key in SUMMARY_KEYS:
            stored = row[key]
            assert record["summary"][key] == (None if pd.isna(stored) else stored), key
        daily = pd.read_csv(tmp_path / str(run) / "daily.csv")
        part = pd.read_parquet(folder / "daily" / f"run={run}" / "part.parquet")
        pd.testing.assert_frame_equal(daily, part[list(daily.columns)], check_dtype=False, check_exact=True)
    import experiments

    again = experiments.reproduce(folder, 5)  # in Python: the very frame
    part = pd.read_parquet(folder / "daily" / "run=5" / "part.parquet")
    pd.testing.assert_frame_equal(part[list(again.result.daily.columns)], again.result.daily)
    bad = cli("run", "--from", folder, "--run", "8")
    assert bad.returncode == 2 and "holds runs 0 to 7" in bad.stderr and "Traceback" not in bad.stderr


def test_set_takes_identifier_aliases_as_dotted_keys(baseline_stdout):
    dotted = ok(cli("run", "no_linkage", *SMALL_ARGS, "--seed", "3", "--json", "--set", "cadres.hours_per_day=1"))
    aliased = ok(cli("run", "no_linkage", *SMALL_ARGS, "--seed", "3", "--json", "--set", "cadres__hours_per_day=1"))
    assert json.loads(aliased.stdout) == json.loads(dotted.stdout) != json.loads(baseline_stdout)
