"""Resuming with more replications reuses the stored runs (same point and replication, same seed), a folder of a
truly different experiment is refused with each changed field and what to do, and one stored run is reproduced
exactly from its folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import experiments
import experiments.evaluate as evaluate
import experiments.store as store_module
from experiments.errors import ExperimentError

SPEC = """
name = "grow"
base = "no_linkage"
replications = {reps}
root_seed = {seed}
daily = true
[overrides]
households = 200
days = 12
[factors]
mass_base = [0.2, 0.6]
"reporting.call_prob" = [0.1, 0.4]
"""


def spec_file(tmp_path: Path, reps: int, seed: int = 7, name: str = "grow.toml") -> Path:
    path = tmp_path / name
    path.write_text(SPEC.format(reps=reps, seed=seed), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A sweep run with three replications from the start: the tables a grown folder must end with."""
    tmp = tmp_path_factory.mktemp("reference")
    runs = experiments.sweep(spec_file(tmp, 3), out=tmp / "whole", serial=True, figures=False).runs
    return runs, experiments.load_daily(tmp / "whole")


def test_more_replications_reuse_the_stored_runs_and_run_only_the_new_ones(tmp_path, reference, monkeypatch):
    out = tmp_path / "res"
    experiments.sweep(spec_file(tmp_path, 2), out=out, serial=True, figures=False)
    real, calls = evaluate._simulate, []
    monkeypatch.setattr(evaluate, "_simulate", lambda task: (calls.append((task["point"], task["rep"])), real(task))[1])
    grown = experiments.sweep(spec_file(tmp_path, 3), out=out, serial=True, figures=False)
    assert sorted(calls) == [(p, 2) for p in range(4)], "only the new replication runs"
    session = grown.manifest["sessions"][-1]
    assert session["to_run"] == 4 and session["skipped"] == 8
    runs, daily = reference
    pd.testing.assert_frame_equal(grown.runs, runs)                     # ids, seeds, summaries: as if run at once
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs)
    pd.testing.assert_frame_equal(experiments.load_daily(out), daily)  # each series moved with its run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["design"]["replications"] == 3 and manifest["grown"][0]["replications"] == [2, 3]
    assert "renumbering" not in manifest and manifest["status"] == "complete"
    assert "replications = 3" in manifest["experiment_text"]


def test_a_renumbering_cut_short_is_finished_by_the_next_command(tmp_path, reference, monkeypatch):
    out = tmp_path / "res"
    experiments.sweep(spec_file(tmp_path, 2), out=out, serial=True, figures=False)
    real, writes = store_module.atomic_write_table, []

    def dies_on_the_third(path, table, **kw):
        if "parts" in Path(path).parts and len(writes) == 2:
            raise KeyboardInterrupt  # the command stopped in the middle of the renumbering
        writes.append(path)
        return real(path, table, **kw)

    monkeypatch.setattr(store_module, "atomic_write_table", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        experiments.sweep(spec_file(tmp_path, 3), out=out, serial=True, figures=False)
    monkeypatch.setattr(store_module, "atomic_write_table", real)
    assert "renumbering" in json.loads((out / "manifest.json").read_text())
    resumed = experiments.sweep(spec_file(tmp_path, 3), out=out, workers=2, figures=False)  # a real process pool
    runs, daily = reference
    pd.testing.assert_frame_equal(resumed.runs, runs)
    pd.testing.assert_frame_equal(experiments.load_daily(out), daily)
    assert resumed.manifest["sessions"][-1]["to_run"] == 4


def test_a_different_experiment_is_refused_naming_each_changed_field_and_what_to_do(tmp_path, liandong):
    out = tmp_path / "res"
    experiments.sweep(spec_file(tmp_path, 3), out=out, serial=True, figures=False)
    with pytest.raises(ExperimentError) as info:
        experiments.sweep(spec_file(tmp_path, 3, seed=8), out=out, serial=True)
    message = str(info.value)
    assert "field 'root_seed': 7 -> 8" in message and "Give a new --out folder" in message
    assert "field 'replications'" not in message
    code, _, err = liandong("sweep", spec_file(tmp_path, 2), "--out", out, "--serial")
    assert code == 2 and "Traceback" not in err
    assert "field 'replications': 3 -> 2" in err and "keep replications = 3 to resume it" in err
    changed = (tmp_path / "grow.toml").read_text().replace("days = 12", "days = 13")
    (tmp_path / "other.toml").write_text(changed)
    code, _, err = liandong("sweep", tmp_path / "other.toml", "--out", out, "--serial")
    assert code == 2 and "field 'overrides.days': 12 -> 13" in err
    # a comparison: the scenarios' resolved fields
    cmp = tmp_path / "cmp"
    small = {"households": 200, "days": 10}
    experiments.compare(["no_linkage", "internal"], reps=1, overrides=small, out=cmp, serial=True, figures=False)
    with pytest.raises(ExperimentError, match="field 'days' of scenario 'no_linkage': 10 -> 11"):
        experiments.compare(["no_linkage", "internal"], reps=1, overrides={**small, "days": 11}, out=cmp, serial=True)
    more = experiments.compare(["no_linkage", "internal"], reps=2, overrides=small, out=cmp, serial=True,
                               figures=False)
    assert more.manifest["sessions"][-1]["to_run"] == 2 and more.n_ok == 4
