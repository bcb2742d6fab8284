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
    assert set(record["summary"]) == set(SUMMARY_KEYS)
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
