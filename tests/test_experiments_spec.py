"""Experiment files, designs and seeds: what is checked before any run starts, and the errors a user gets (a clear
message naming the file and the field, exit status 2 on the command line)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import experiments
from experiments.errors import ExperimentError
from experiments.plan import compare_plan, experiment_plan
from experiments.seeds import run_seed
from experiments.spec import load_spec

LIANDONG = Path(sys.executable).with_name("liandong")

HEAD = """
name = "t"
base = "no_linkage"
replications = 2
root_seed = 5
[overrides]
households = 300
days = 20
"""


def head(extra: str = "", base: str = HEAD) -> str:
    """The head with top-level keys added before its [overrides] table (after it, they would be overrides)."""
    return base.replace("[overrides]", extra + "[overrides]")


def write(tmp_path: Path, body: str, head: str = HEAD, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(head + body, encoding="utf-8")
    return path


def error_of(tmp_path: Path, body: str, head: str = HEAD, **kw) -> str:
    with pytest.raises(ExperimentError) as info:
        experiment_plan(write(tmp_path, body, head), **kw)
    return str(info.value)


# seeds -----------------------------------------------------------------------------------------------------------

def test_seed_depends_on_identity_only():
    seeds = {(p, r): run_seed(20200123, p, r) for p in range(20) for r in range(5)}
    assert len(set(seeds.values())) == len(seeds), "replications or points sharing a seed"
    assert run_seed(20200123, 3, 2) == seeds[(3, 2)]
    assert run_seed(20200124, 3, 2) != seeds[(3, 2)]
    assert all(0 <= s < 2**32 for s in seeds.values())
    # the documented derivation
    expected = int(np.random.SeedSequence(20200123, spawn_key=(3, 2)).generate_state(1, dtype=np.uint32)[0])
    assert seeds[(3, 2)] == expected


def test_common_random_numbers_share_seeds_across_points_not_reps():
    assert run_seed(1, 0, 4, common=True) == run_seed(1, 9, 4, common=True)
    assert len({run_seed(1, 0, r, common=True) for r in range(50)}) == 50


def test_compare_plan_runs_each_replication_on_the_same_seed_in_every_scenario(small):
    plan = compare_plan(["no_linkage", "no_linkage"], replications=4, overrides=small)
    by_point = [[plan.task(p * plan.replications + r)["seed"] for r in range(4)] for p in range(2)]
    assert by_point[0] == by_point[1]
    assert len(set(by_point[0])) == 4
    assert plan.labels == ["no_linkage", "no_linkage#2"]


# designs ---------------------------------------------------------------------------------------------------------

def test_grid_is_the_full_factorial_in_order(tmp_path):
    plan = experiment_plan(write(tmp_path, """
[factors]
"reporting.call_prob" = [0.1, 0.3, 0.5]
mass_base = { low = 0.0, high = 1.0, steps = 2 }
"""))
    assert plan.factors == ["reporting.call_prob", "mass_base"]
    values = [tuple(p["values"].values()) for p in plan.points]
    assert values == [(0.1, 0.0), (0.1, 1.0), (0.3, 0.0), (0.3, 1.0), (0.5, 0.0), (0.5, 1.0)]
    assert plan.n_runs == 12
    assert plan.identity(5) == (2, 1) and plan.task(5)["point"] == 2 and plan.task(5)["rep"] == 1


def test_a_phase_field_is_a_factor_by_the_phase_name(tmp_path):
    plan = experiment_plan(write(tmp_path, """
[factors]
"phases.full_closure.hospital_access" = [0.3, 0.9]
"""))
    assert [p["values"]["phases.full_closure.hospital_access"] for p in plan.points] == [0.3, 0.9]
    msg = error_of(tmp_path, '[factors]\n"phases.hospital_access" = [0.3]\n')
    assert "full_closure" in msg and "phases.reopened.hospital_access" in msg


def test_sampled_designs_sizes_bounds_rounding_and_determinism(tmp_path):
    body = """
[factors]
mass_base = { low = 0.2, high = 0.6 }
"network.building_size" = { low = 30, high = 60 }
"""
    lhs = experiment_plan(write(tmp_path, body, head('design = "lhs"\nsamples = 7\n')))
    assert len(lhs.points) == 7
    sob = experiment_plan(write(tmp_path, body, head('design = "sobol"\nsamples = 8\n')))
    assert len(sob.points) == 8 * (2 + 2)
    mor = experiment_plan(write(tmp_path, body, head('design = "morris"\nsamples = 3\n')))
    assert len(mor.points) == 3 * (2 + 1)
    for plan in (lhs, sob, mor):
        for p in plan.points:
            assert 0.2 <= p["values"]["mass_base"] <= 0.6
            size = p["values"]["network.building_size"]
            assert isinstance(size, int) and 30 <= size <= 60
        assert len(plan.matrix) == len(plan.points)
    again = experiment_plan(write(tmp_path, body, head('design = "sobol"\nsamples = 8\n')))
    assert again.points == sob.points and again.fingerprint() == sob.fingerprint()
    other = experiment_plan(write(tmp_path, body, head('design = "sobol"\nsamples = 8\n',
                                                       HEAD.replace("root_seed = 5", "root_seed = 6"))))
    assert other.points != sob.points


def test_nested_tables_are_dotted_keys_and_base_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.toml").write_text('name = "mine"\nhouseholds = 350\n', encoding="utf-8")
    exp = load_spec(write(tmp_path / "sub", """
[factors.reporting]
call_prob = [0.2, 0.4]
""", head=HEAD.replace('base = "no_linkage"', 'base = "base.toml"')))
    assert [f.key for f in exp.factors] == ["reporting.call_prob"]
    assert exp.base.name == "mine" and exp.base.households == 300  # overrides applied over the file


# errors ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, head_extra, expected", [
    ('[factors]\n"reporting.call_prb" = [0.1]\n', "", ["reporting.call_prb", "not a field", "reporting.call_prob"]),
    ('[factors]\nmass_base = { low = 0.5, high = 0.5, steps = 3 }\n', "", ["mass_base", "empty range"]),
    ('[factors]\nmass_base = { low = 0.8, high = 0.2 }\n', 'design = "lhs"\nsamples = 4\n', ["empty range"]),
    ('[factors]\nmass_base = []\n', "", ["mass_base", "empty list"]),
    ('[factors]\nmass_base = { low = 0.0, high = 1.0 }\nseed_x = 1\n', "", ["seed_x"]),
    ('[factors]\nmass_base = { low = 0.0, high = 1.0 }\n"network.building_size" = { low = 10, high = 60 }\n',
     'design = "sobol"\nsamples = 10\n', ["samples", "power of 2", "(got 10)"]),
    ('[factors]\nmass_base = { low = 0.0, high = 1.0 }\n"network.building_size" = { low = 10, high = 60 }\n',
     'design = "sobol"\nsamples = 4\n', ["samples", "at least 8"]),
    ('[factors]\nmass_base = { low = 0.0, high = 1.0 }\n', 'design = "sobol"\n', ["samples", "needs samples"]),
    ('[factors]\nmass_base = { low = 0.0, high = 1.0 }\n', 'design = "lhs"\nsamples = 1\n', ["too few samples"]),
    ('[factors]\nmass_base = { low = 0.0, high = 1.0 }\n', 'design = "morris"\nsamples = 1\n', ["2 trajectories"]),
    ('[factors]\nmass_base = { low = 0.0, high = 1.0 }\n', 'design = "morris"\nsamples = 4\nlevels = 3\n',
     ["levels", "even"]),
    ('[factors]\nmass_base = [0.1, 0.2]\n', 'design = "lhs"\nsamples = 4\n', ["list of values", "range"]),
    ('[factors]\nmass_base = { low = 0.0, high = 1.0 }\n', "", ["grid design needs steps"]),
    ('[factors]\nmass_base = [0.5, 1.5]\n', "", ["mass_base", "1.5", "not allowed", "less than or equal to 1"]),
    ('[factors]\n"phases" = [1]\n', "", ["phases", "compare"]),
    ('[factors]\nmass_base = { low = 0.0, high = 1.0, step = 3 }\n', "", ["step", "unknown key"]),
    ('[factors]\nmass_base = "high"\n', "", ["factors.mass_base", "a list of values"]),
    ('[overrides]\nhouseholdz = 3\n', "", ["overrides", "householdz", "households"]),
    ("", 'desing = "grid"\n', ["desing", "unknown key", "design"]),
    ("", 'design = "factorial"\n', ["design", "grid, lhs, sobol or morris"]),
])
def test_bad_experiment_files_name_the_file_and_the_field(tmp_path, body, head_extra, expected):
    top = head(head_extra)
    if body.startswith("[overrides]"):
        top = top.replace("[overrides]\nhouseholds = 300\ndays = 20\n", "")
    message = error_of(tmp_path, body, head=top)
    assert "exp.toml" in message
    for text in expected:
        assert text in message, (text, message)


def test_replications_below_one_and_unknown_base(tmp_path):
    assert "replications" in error_of(tmp_path, "", head=HEAD.replace("replications = 2", "replications = 0"))
    message = error_of(tmp_path, "", head=HEAD.replace('"no_linkage"', '"no_linkag"'))
    assert "base" in message and "no_linkag" in message and "Did you mean 'no_linkage'" in message
    with pytest.raises(ExperimentError, match="replications"):
        compare_plan(["no_linkage", "no_linkage"], replications=0)


def test_sensitivity_needs_two_ranged_factors_and_a_known_method(tmp_path):
    one = '[factors]\nmass_base = { low = 0.0, high = 1.0 }\n'
    assert "at least 2 factors" in error_of(tmp_path, one, head('samples = 8\n'), kind="sensitivity")
    two = one + '"reporting.call_prob" = { low = 0.1, high = 0.5 }\n'
    assert "sobol' or 'morris'" in error_of(tmp_path, two, head("samples = 8\n"), kind="sensitivity",
                                            method="fast")
    plan = experiment_plan(write(tmp_path, two, head("samples = 8\n")), kind="sensitivity")  # grid file -> sobol
    assert plan.method == "sobol" and len(plan.points) == 32


def test_bad_dask_address_is_refused_before_anything_runs(tmp_path):
    for address in ("not an address", "tcp://", "http//x:1"):
        with pytest.raises(ExperimentError, match="not a scheduler address"):
            experiments.DaskExecutor(address)
    out = tmp_path / "out"
    with pytest.raises(ExperimentError, match="cannot reach a Dask scheduler"):
        experiments.DaskExecutor("tcp://127.0.0.1:9", connect_timeout=1)
    assert not out.exists()


def test_an_out_folder_of_another_experiment_is_refused(tmp_path, small):
    out = tmp_path / "res"
    experiments.compare(["no_linkage", "no_linkage"], reps=1, overrides=small, out=out, serial=True, figures=False)
    with pytest.raises(ExperimentError, match="different experiment.*field 'root_seed'"):
        experiments.compare(["no_linkage", "no_linkage"], reps=1, root_seed=1, overrides=small, out=out, serial=True)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ExperimentError, match="no manifest.json"):
        experiments.compare(["no_linkage", "no_linkage"], reps=1, overrides=small, out=other, serial=True)


# the command line ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["unknown_factor", "empty_range", "sobol_samples", "bad_address", "reps",
                                  "unknown_preset", "no_such_file"])
def test_command_line_bad_input_exits_2_with_a_message(tmp_path, monkeypatch, liandong, case):
    monkeypatch.chdir(tmp_path)
    good = '[factors]\nmass_base = { low = 0.0, high = 1.0, steps = 2 }\n'
    if case == "unknown_factor":
        args = ["sweep", write(tmp_path, '[factors]\n"report.call_prob" = [0.1]\n')]
        expected = ["exp.toml", "report.call_prob", "not a field"]
    elif case == "empty_range":
        args = ["sweep", write(tmp_path, '[factors]\nmass_base = { low = 1.0, high = 0.0, steps = 2 }\n')]
        expected = ["exp.toml", "mass_base", "empty range"]
    elif case == "sobol_samples":
        args = ["sensitivity", write(tmp_path, good + '"reporting.call_prob" = { low = 0.1, high = 0.5 }\n',
                                     head('design = "sobol"\nsamples = 12\n'))]
        expected = ["exp.toml", "samples", "power of 2"]
    elif case == "bad_address":
        args = ["sweep", write(tmp_path, good), "--dask", "tcp:/nowhere", "--out", tmp_path / "o"]
        expected = ["--dask", "not a scheduler address"]
    elif case == "reps":
        args = ["compare", "no_linkage", "no_linkage", "--reps", "0"]
        expected = ["--reps", "from 1 to 100,000"]
    elif case == "unknown_preset":
        args = ["compare", "no_linkage", "wuhan_2099", "--reps", "1"]
        expected = ["wuhan_2099", "no such preset"]
    else:
        args = ["sweep", tmp_path / "nope.toml"]
        expected = ["nope.toml", "no such experiment file"]
    code, out, err = liandong(*args)
    assert code == 2, (out, err)
    assert "Traceback" not in err and err.startswith("error: ")
    for text in expected:
        assert text in err, (text, err)
    assert not (tmp_path / "results").exists() and not (tmp_path / "o").exists()


@pytest.mark.skipif(not LIANDONG.exists(), reason="console script not installed")
def test_console_script_bad_address_exits_2_without_traceback(tmp_path):
    spec = write(tmp_path, '[factors]\nmass_base = [0.2]\n')
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    proc = subprocess.run([str(LIANDONG), "sweep", str(spec), "--dask", "tcp://nowhere", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: --dask 'tcp://nowhere': not a scheduler address")


def test_a_sweep_over_a_phase_field_runs_and_the_field_acts(tmp_path):
    """No hospital taking anyone in full closure against every hospital taking everyone, on the same seed: with
    twenty days of closure (days 25-44) and a one-day deadline, closed hospitals leave far more urgent medical needs
    open past their deadline (critical failures); a factor that did not reach the phase would give equal counts."""
    path = write(tmp_path, """
[factors]
"phases.full_closure.hospital_access" = [0.0, 1.0]
""", head=HEAD.replace("replications = 2", "replications = 1").replace("days = 20", "days = 45"))
    runs = experiments.sweep(path, out=tmp_path / "out", serial=True, figures=False).runs
    by = runs.set_index("phases.full_closure.hospital_access")["critical_failures"]
    assert by.loc[0.0] > by.loc[1.0]


# every problem at once, points checked before any run, identifier aliases ---------------------------------------

def test_every_factor_and_override_problem_is_reported_at_once(tmp_path):
    top = HEAD.replace("days = 20\n", "days = 20\nhouseholdz = 3\nmass_base = 4\n")
    message = error_of(tmp_path, '[factors]\n"reporting.call_prb" = [0.1]\nmass_bas = [1]\n'
                                 '"prices.cap" = { low = 2.0, high = 1.0, steps = 2 }\n', head=top)
    lines = message.splitlines()
    assert len(lines) == 5, message
    assert all(line.startswith(str(tmp_path / "exp.toml")) for line in lines), message
    for field, fix in [("overrides.\"householdz\"", "Did you mean 'households'"), ("'mass_base'", "<= 1"),
                       ("factors.\"reporting.call_prb\"", "Did you mean 'reporting.call_prob'"),
                       ("factors.\"mass_bas\"", "Did you mean 'mass_base'"), ("factors.\"prices.cap\"", "low < high")]:
        assert any(field in line and fix in line for line in lines), (field, message)


def test_keys_given_twice_in_two_spellings_are_all_named(tmp_path):
    message = error_of(tmp_path, '[factors]\n"reporting.call_prob" = [0.1]\nreporting__call_prob = [0.2]\n',
                       head=HEAD.replace("days = 20\n", "days = 20\n\"network.building_size\" = 20\n"
                                                         "network__building_size = 30\n"))
    lines = message.splitlines()
    assert len(lines) == 2 and all("given twice" in line for line in lines), message
    assert "overrides.\"network.building_size\"" in lines[0] and "network__building_size" in lines[0]
    assert "factors.\"reporting.call_prob\"" in lines[1] and "reporting__call_prob" in lines[1]


def test_design_points_outside_the_schema_are_refused_before_any_run(tmp_path, liandong):
    path = write(tmp_path, '[factors]\n"prices.cap" = { low = 0.0, high = 2.0, steps = 5 }\n'
                           '"reporting.call_prob" = [0.1, 0.2]\n')
    with pytest.raises(ExperimentError) as info:
        experiment_plan(path)
    message = str(info.value)
    assert "factors.\"prices.cap\"" in message and "2 of 10 design points are not allowed" in message
    assert "prices.cap = 0.5" in message and "use 0 for no cap" in message and "narrow the range" in message
    code, out, err = liandong("sweep", path, "--out", tmp_path / "never", "--serial")
    assert code == 2 and "Traceback" not in err and "prices.cap = 0.5" in err
    assert not (tmp_path / "never").exists()
    # a sampled design: interior values drawn from the range are checked too
    lhs = write(tmp_path, '[factors]\n"prices.cap" = { low = 0.0, high = 3.0 }\n',
                head('design = "lhs"\nsamples = 20\n'))
    assert "design points are not allowed" in str(pytest.raises(ExperimentError, experiment_plan, lhs).value)
    fine = write(tmp_path, '[factors]\n"prices.cap" = [0.0, 1.0, 1.5]\n', name="fine.toml")
    assert len(experiment_plan(fine).points) == 3


def test_identifier_aliases_name_the_same_fields_as_dotted_keys(tmp_path):
    dotted = experiment_plan(write(tmp_path, '[factors]\n"reporting.call_prob" = [0.1, 0.3]\n'
                                             '"phases.full_closure.hospital_access" = [0.5]\n',
                                   head=HEAD.replace("days = 20", "days = 20\n\"network.building_size\" = 20")))
    aliased = experiment_plan(write(tmp_path, '[factors]\nreporting__call_prob = [0.1, 0.3]\n'
                                              'phases__full_closure__hospital_access = [0.5]\n',
                                    head=HEAD.replace("days = 20", "days = 20\nnetwork__building_size = 20"),
                                    name="alias.toml"))
    assert aliased.factors == ["reporting.call_prob", "phases.full_closure.hospital_access"]
    assert aliased.fingerprint() == dotted.fingerprint() and aliased.scenarios == dotted.scenarios
    assert aliased.scenarios[0]["network"]["building_size"] == 20
    plan = compare_plan(["no_linkage"], replications=1, overrides={"reporting__call_prob": 0.25})
    assert plan.scenarios[0]["reporting"]["call_prob"] == 0.25
    with pytest.raises(ExperimentError, match="given twice"):
        compare_plan(["no_linkage"], replications=1, overrides={"reporting__call_prob": 0.25,
                                                                "reporting.call_prob": 0.3})
