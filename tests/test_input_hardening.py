"""Hostile and careless input: an upload reads no file of the server's, no path hangs or exhausts memory (real
/dev/zero, real FIFOs, real symbolic link loops), nothing nests deeply enough to crash the parser, silent
conflicts are errors, and the messages say what is wrong in the user's own terms (TOML, not Python).

Anything that would hang or grow without bound before its fix runs the real `liandong` in a subprocess with a
timeout and a memory limit, so a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import os
import resource
import selectors
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scenarios
import simulation
from experiments.errors import ExperimentError
from experiments.plan import compare_plan
from experiments.spec import MAX_REPLICATIONS, load_spec
from scenarios import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
PRESET_FILE = ROOT / "scenarios" / "presets" / "internal.toml"
LIANDONG = Path(sys.executable).with_name("liandong")
needs_cli = pytest.mark.skipif(not LIANDONG.exists(), reason=f"console script {LIANDONG} not installed")
posix = pytest.mark.skipif(os.name != "posix", reason="FIFOs, /dev/zero and symbolic links are POSIX")

EXPERIMENT = 'name = "t"\n[overrides]\nhouseholds = 300\ndays = 10\n'


def _limit_memory() -> None:  # in the child: 2 GiB of address space, so a runaway read fails instead of swapping
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def cli(*args, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real console script, bounded in time and memory; a hang is a test failure (TimeoutExpired)."""
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "250"}
    return subprocess.run([str(LIANDONG), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, env=env, preexec_fn=_limit_memory if os.name == "posix" else None)


def bad_input(proc: subprocess.CompletedProcess, *expected: str) -> str:
    """Exit status 2, no traceback, no 'internal error', and every expected piece in the message."""
    err = proc.stderr
    assert proc.returncode == 2, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{err}"
    assert "Traceback" not in err and "internal error" not in err, err
    for piece in expected:
        assert piece in err, f"{piece!r} not in:\n{err}"
    return err


def scenario_error(source, *expected: str) -> str:
    with pytest.raises(ScenarioError) as info:
        scenarios.load(source)
    for piece in expected:
        assert piece in str(info.value), f"{piece!r} not in:\n{info.value}"
    return str(info.value)


def parse_error(data: bytes, *expected: str, label: str = "upload.toml") -> str:
    with pytest.raises(ScenarioError) as info:
        scenarios.parse(data, label)
    for piece in expected:
        assert piece in str(info.value), f"{piece!r} not in:\n{info.value}"
    return str(info.value)


# --- 1. an upload's `extends` names a preset only ---------------------------------------------------------------

@pytest.fixture
def explore():
    """The Explore page's own module, its session state reset (as tests/test_dashboard_app.py does)."""
    from dashboard import explore as page

    page.base.value, page.edits.value, page.run.value, page.upload_message.value = None, {}, None, None
    page.edit_error.value = ""
    yield page
    page.base.value, page.edits.value, page.run.value, page.upload_message.value = None, {}, None, None


def _escapes(target: Path) -> str:
    """A relative path that reaches `target` from any folder (enough ../ to get to the root first)."""
    return "../" * 40 + str(target.resolve()).lstrip("/")


def _leaks(message: str, path: Path, echoed: str = "") -> list[str]:
    """The top-level keys of the real file at `path` that appear in `message` (outside the value the user wrote,
    `echoed`, which may be shown back: 'pyproject.toml' contains 'project')."""
    keys = tomllib.loads(path.read_text(encoding="utf-8"))
    message = message.replace(echoed, "") if echoed else message
    return [key for key in keys if key in message]


@pytest.mark.parametrize("target", ["absolute", "relative"])
def test_an_upload_cannot_read_a_file_of_the_server_through_extends(explore, tmp_path, target):
    # The target is a real TOML file whose keys a wrong loader would echo back as "unknown key"; a file given on
    # the command line may still extend it (local input), which shows the upload path is what refuses it.
    local = tmp_path / "local.toml"
    local.write_text(f'extends = "{PYPROJECT}"\n', encoding="utf-8")
    assert _leaks(scenario_error(local, "build-system"), PYPROJECT)
    where = str(PYPROJECT) if target == "absolute" else _escapes(PYPROJECT)
    data = f'name = "probe"\nextends = "{where}"\n'.encode()

    explore.load_upload("probe.toml", data)
    kind, message = explore.upload_message.value
    assert kind == "error"
    assert message.startswith("probe.toml: field 'extends':") and "not a preset" in message
    assert "no_linkage" in message and "three_social" in message  # the presets it may name
    assert _leaks(message, PYPROJECT, where) == []  # build-system, project, tool: none of them
    assert explore.base.value is None  # nothing was loaded
    assert _leaks(parse_error(data, "field 'extends'"), PYPROJECT, where) == []


def test_an_upload_cannot_load_a_preset_by_its_path(explore, tmp_path):
    assert PRESET_FILE.is_file()
    for where in (str(PRESET_FILE), _escapes(PRESET_FILE), "../presets/internal.toml", "internal.toml"):
        explore.load_upload("probe.toml", f'extends = "{where}"\n'.encode())
        kind, message = explore.upload_message.value
        assert kind == "error" and "may extend a preset only" in message, (where, message)
        assert explore.base.value is None
    mine = b'name = "mine"\nextends = "internal"\nhouseholds = 400\n'
    explore.load_upload("mine.toml", mine)
    assert explore.upload_message.value[0] == "success"
    (tmp_path / "mine.toml").write_bytes(mine)
    assert explore.base.value == scenarios.load(tmp_path / "mine.toml")
    assert explore.base.value.internal == scenarios.load("internal").internal


def test_parse_reads_what_load_reads_and_names_the_label(tmp_path):
    text = 'name = "x"\nextends = "three_social"\nhouseholds = 700\n[reporting]\ncall_prob = 0.2\n'
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    assert scenarios.parse(text.encode(), "x.toml") == scenarios.parse(text, "x.toml") == scenarios.load(path)
    parse_error(b"households = -1\n", "class.toml: field 'households'", label="class.toml")
    parse_error(b"extends = 3\n", "field 'extends': expected a preset name, got 3")
    with pytest.raises(TypeError, match="bytes or text"):
        scenarios.parse(None, "x.toml")  # type: ignore[arg-type]


# --- 2. only regular files, at most 1 MiB ---------------------------------------------------------------------

@posix
@needs_cli
def test_extends_dev_zero_is_refused_at_once(tmp_path):
    (tmp_path / "z.toml").write_text('extends = "/dev/zero"\n', encoding="utf-8")
    bad_input(cli("validate", "z.toml", cwd=tmp_path), "z.toml: field 'extends': /dev/zero: is a character device",
              "not a regular file")
    bad_input(cli("validate", "/dev/zero"), "/dev/zero: is a character device")
    parse_error(b'extends = "/dev/zero"\n', "not a preset")  # an upload does not even look


@posix
@needs_cli
def test_a_fifo_never_hangs_the_command_line(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "f.toml").write_text('extends = "pipe"\n', encoding="utf-8")
    bad_input(cli("validate", "f.toml", cwd=tmp_path, timeout=60), "field 'extends': ", "pipe: is a named pipe (FIFO)")
    bad_input(cli("validate", "pipe", cwd=tmp_path, timeout=60), "pipe: is a named pipe (FIFO)")
    bad_input(cli("sweep", "pipe", "--serial", cwd=tmp_path, timeout=60), "pipe: is a named pipe (FIFO)",
              "experiment .toml file")
    (tmp_path / "e.toml").write_text('base = "pipe"\n' + EXPERIMENT, encoding="utf-8")
    bad_input(cli("sweep", "e.toml", "--serial", cwd=tmp_path, timeout=60), "e.toml: field 'base'",
              "is a named pipe (FIFO)")


@posix
@needs_cli
def test_an_experiment_base_of_dev_zero_is_refused(tmp_path):
    (tmp_path / "e.toml").write_text('base = "/dev/zero"\n' + EXPERIMENT, encoding="utf-8")
    bad_input(cli("sweep", "e.toml", "--serial", "--out", tmp_path / "out", cwd=tmp_path),
              "e.toml: field 'base': /dev/zero: is a character device")
    assert not (tmp_path / "out").exists()


def test_a_folder_is_named_as_one(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.toml").write_text('extends = "sub"\n', encoding="utf-8")
    scenario_error(tmp_path / "a.toml", "a.toml: field 'extends'", "sub: is a folder")
    scenario_error(tmp_path / "sub", "sub: is a folder")
    (tmp_path / "e.toml").write_text(f'base = "{tmp_path / "sub"}"\n' + EXPERIMENT, encoding="utf-8")
    with pytest.raises(ExperimentError, match="field 'base': .*sub: is a folder"):
        load_spec(tmp_path / "e.toml")
    with pytest.raises(ExperimentError, match="is a folder"):
        load_spec(tmp_path / "sub")


@posix
def test_a_symbolic_link_loop_is_named(tmp_path):
    os.symlink(tmp_path / "b.toml", tmp_path / "a.toml")
    os.symlink(tmp_path / "a.toml", tmp_path / "b.toml")
    scenario_error(tmp_path / "a.toml", "a.toml: is a symbolic link loop")
    (tmp_path / "top.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    scenario_error(tmp_path / "top.toml", "top.toml: field 'extends'", "is a symbolic link loop")
    with pytest.raises(ExperimentError, match="a.toml: is a symbolic link loop"):
        load_spec(tmp_path / "a.toml")
    os.symlink(tmp_path / "nowhere.toml", tmp_path / "dangling.toml")
    scenario_error(tmp_path / "dangling.toml", "dangling.toml: no such file")


def test_a_byte_order_mark_is_named(tmp_path):
    bom = b"\xef\xbb\xbf"
    (tmp_path / "s.toml").write_bytes(bom + b"households = 300\n")
    scenario_error(tmp_path / "s.toml", "s.toml: starts with a byte-order mark (BOM)", "without BOM")
    parse_error(bom + b"households = 300\n", "upload.toml: starts with a byte-order mark")
    (tmp_path / "e.toml").write_bytes(bom + EXPERIMENT.encode())
    with pytest.raises(ExperimentError, match="e.toml: starts with a byte-order mark"):
        load_spec(tmp_path / "e.toml")


def test_files_over_one_mebibyte_are_refused_by_size(tmp_path):
    cap = scenarios.MAX_FILE_BYTES
    assert cap == 1 << 20
    body = b"households = 300\n"
    padded = body + b"#" * (cap - len(body) - 1) + b"\n"  # exactly at the cap: allowed
    (tmp_path / "ok.toml").write_bytes(padded)
    assert scenarios.load(tmp_path / "ok.toml").households == 300
    assert scenarios.parse(padded, "ok.toml").households == 300
    (tmp_path / "big.toml").write_bytes(padded + b"\n")
    scenario_error(tmp_path / "big.toml", "big.toml: is larger than 1 MiB", "scenario file")
    parse_error(padded + b"\n", "upload.toml: is larger than 1 MiB")
    (tmp_path / "big_exp.toml").write_bytes(EXPERIMENT.encode() + b"#" * cap)
    with pytest.raises(ExperimentError, match="big_exp.toml: is larger than 1 MiB, the most an experiment file"):
        load_spec(tmp_path / "big_exp.toml")


# --- 3. `compare --reps` is capped as sweeps are ---------------------------------------------------------------

@needs_cli
def test_compare_reps_has_the_sweeps_cap():
    assert MAX_REPLICATIONS == 100_000
    for reps in (MAX_REPLICATIONS + 1, 1_000_000_000):
        bad_input(cli("compare", "no_linkage", "internal", "--reps", reps, "--households", 300, "--days", 5,
                      timeout=60),
                  f"--reps {reps}: the number of replications must be from 1 to 100,000")
    with pytest.raises(ExperimentError, match="from 1 to 100,000"):  # the Python API plans with the same check
        compare_plan(["no_linkage", "internal"], replications=MAX_REPLICATIONS + 1)
    assert compare_plan(["no_linkage", "internal"], replications=MAX_REPLICATIONS).replications == MAX_REPLICATIONS


# --- 4. deep nesting ---------------------------------------------------------------------------------------------

DEEP = b"mass_base = " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
DOTTED = b".".join([b"x"] * 500_000) + b" = 1\n"


@needs_cli
def test_a_100000_deep_array_is_a_message_not_an_internal_error(tmp_path, explore):
    (tmp_path / "deep.toml").write_bytes(DEEP)
    bad_input(cli("validate", tmp_path / "deep.toml"), "deep.toml: arrays or tables nest too deeply")
    (tmp_path / "deep_exp.toml").write_bytes(b"[factors]\n" + DEEP)
    bad_input(cli("sweep", tmp_path / "deep_exp.toml", "--serial"), "deep_exp.toml: arrays or tables nest")
    (tmp_path / "deep_tables.toml").write_bytes(b"[overrides." + b".".join([b"x"] * 100_000) + b"]\n")
    bad_input(cli("sweep", tmp_path / "deep_tables.toml", "--serial"), "nest too deeply")
    bad_input(cli("run", "no_linkage", "--set", "mass_base=" + "[" * 50_000), "--set mass_base=...", "too deeply")
    # A dotted key of half a million parts fills the megabyte a file may have; the parser alone would take most of
    # an hour over it (its time grows with the square of the key's length), so it is refused before parsing.
    (tmp_path / "dotted.toml").write_bytes(DOTTED)
    bad_input(cli("validate", tmp_path / "dotted.toml", timeout=60), "dotted.toml: arrays or tables nest too deeply")

    explore.load_upload("deep.toml", DEEP)
    kind, message = explore.upload_message.value
    assert kind == "error" and message.startswith("deep.toml: arrays or tables nest too deeply")
    explore.load_upload("dotted.toml", DOTTED)
    kind, message = explore.upload_message.value
    assert kind == "error" and message.startswith("dotted.toml: arrays or tables nest too deeply")


# --- 5. silent conflicts -----------------------------------------------------------------------------------------

def test_households_and_set_households_must_agree(liandong):
    code, _, err = liandong("run", "no_linkage", "--households", 300, "--set", "households=500", "--days", 5)
    assert code == 2 and "--households 300 and --set households=500 disagree" in err
    code, _, err = liandong("compare", "no_linkage", "internal", "--days", 5, "--set", "days=6", "--reps", 1)
    assert code == 2 and "--days 5 and --set days=6 disagree" in err
    code, out, err = liandong("run", "no_linkage", "--households", 300, "--set", "households=300", "--days", 5,
                              "--json")
    assert code == 0, err
    code, _, err = liandong("run", "no_linkage", "--set", "days=5", "--set", "days=6")
    assert code == 2 and "--set days: given twice with different values" in err


@pytest.mark.parametrize("body, expected", [
    ('[factors]\n"reporting.call_prob" = [0.1, 0.2]\n[factors.reporting]\ncall_prob = [0.3]\n',
     "field 'factors.\"reporting.call_prob\"': given twice (as \"reporting.call_prob\" and as "
     "reporting.call_prob)"),
    ('[factors]\nhouseholds = [300, 400]\n', "'households' is both a factor and an override"),
    ('[overrides.reporting]\ncall_prob = 0.3\n[factors]\n"reporting.call_prob" = [0.1]\n',
     "'reporting.call_prob' is both a factor and an override"),
])
def test_a_factor_given_twice_or_also_overridden_is_an_error(tmp_path, body, expected):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT + body, encoding="utf-8")
    with pytest.raises(ExperimentError) as info:
        load_spec(path)
    assert str(info.value).startswith(f"{path}: ") and expected in str(info.value)


def test_a_factor_that_is_also_an_override_is_an_error_from_python_too():
    with pytest.raises(ExperimentError, match="'households' is both a factor and an override"):
        load_spec({"overrides": {"households": 300}, "factors": {"households": [300, 400]}})


PHASES = '[[phases]]\nname = "a"\nstart = 0\n[[phases]]\nname = "{second}"\nstart = {start}\n'


def test_two_phases_with_one_name_are_an_error(tmp_path):
    (tmp_path / "p.toml").write_text(PHASES.format(second="a", start=10), encoding="utf-8")
    scenario_error(tmp_path / "p.toml", "phases[0] and phases[1] are both named 'a'", "its own name")
    with pytest.raises(ScenarioError, match="both named 'easing'"):
        scenarios.load("no_linkage").with_overrides({"phases.reopened.name": "easing"})


def test_a_phase_a_file_lists_after_the_last_day_is_an_error(tmp_path):
    (tmp_path / "p.toml").write_text("days = 60\n" + PHASES.format(second="b", start=60), encoding="utf-8")
    scenario_error(tmp_path / "p.toml", "field 'phases[1].start': phase 'b' starts on day 60, after the last day "
                   "of the run (day 59", "never take effect")
    (tmp_path / "q.toml").write_text("days = 60\n" + PHASES.format(second="b", start=59), encoding="utf-8")
    assert scenarios.load(tmp_path / "q.toml").phases[1].start == 59  # the last day itself is fine
    (tmp_path / "base.toml").write_text("days = 30\n", encoding="utf-8")
    (tmp_path / "child.toml").write_text('extends = "base.toml"\n' + PHASES.format(second="b", start=40),
                                         encoding="utf-8")
    scenario_error(tmp_path / "child.toml", "child.toml: field 'phases[1].start'", "days = 30")
    parse_error(("days = 20\n" + PHASES.format(second="b", start=25)).encode(), "phase 'b' starts on day 25")
    # A preset run for fewer days is not an error: shortening the run on purpose cuts its schedule.
    assert scenarios.load("no_linkage", {"days": 20}).days == 20
    (tmp_path / "short.toml").write_text('extends = "no_linkage"\ndays = 20\n', encoding="utf-8")
    assert scenarios.load(tmp_path / "short.toml").phases[-1].start == 76


def test_a_shortened_scenario_saved_to_a_file_loads_and_runs_identically(tmp_path):
    short = scenarios.load("wuhan_2020", {"days": 20, "households": 300})
    path = scenarios.save(short, tmp_path / "short.toml")
    back = scenarios.load(path)
    assert [p.name for p in back.phases] == ["sealed_city", "closed_compound"]  # the unreachable ones left out
    assert back.model_copy(update={"phases": short.phases}) == short
    first, second = simulation.run(short, seed=4), simulation.run(back, seed=4)
    pd.testing.assert_frame_equal(first.daily, second.daily)
    assert first.summary == second.summary


# --- 6. messages -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("mass_base = nan\n", "field 'mass_base': is not a number (got nan); give a finite number"),
    ("[network]\nties_in_building = inf\n", "field 'network.ties_in_building': is infinite (got inf)"),
    ("[[phases]]\nname = \"a\"\nstart = 0\nfood_supply = -nan\n", "field 'phases[0].food_supply': is not a number"),
])
def test_nan_and_infinity_are_called_what_they_are(tmp_path, text, expected):
    (tmp_path / "n.toml").write_text(text, encoding="utf-8")
    msg = scenario_error(tmp_path / "n.toml", expected)
    assert "less than or equal" not in msg and "greater than" not in msg
    with pytest.raises(ScenarioError, match="is not a number"):
        scenarios.load("no_linkage", {"reporting.call_prob": float("nan")})


def test_bools_are_written_as_in_toml(tmp_path):
    msg = scenario_error(_write(tmp_path, "households = true\n"), "(got true)")
    assert "True" not in msg
    scenario_error(_write(tmp_path, "[triage]\nenabled = 1\n"), "Allowed: true or false")
    for factor in ('"triage.enabled" = []', '"triage.enabled" = { low = 0, high = 1, steps = 2 }'):
        path = tmp_path / "exp.toml"
        path.write_text(EXPERIMENT + "[factors]\n" + factor + "\n", encoding="utf-8")
        with pytest.raises(ExperimentError) as info:
            load_spec(path)
        assert "e.g. [false]" in str(info.value) and "False" not in str(info.value)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("line, expected", [
    ("replications = 100001", "Allowed: an integer from 1 to 100,000"),
    ("replications = 0", "Allowed: an integer from 1 to 100,000"),
    ("samples = 2000000", "from 1 to 1,000,000"),
    ("levels = 1000", "an even integer from 2 to 100"),
    ("root_seed = -1", "an integer from 0 to 2**63 - 1"),
])
def test_allowed_texts_give_both_bounds(tmp_path, line, expected):
    path = tmp_path / "exp.toml"
    path.write_text(line + "\n" + EXPERIMENT, encoding="utf-8")
    with pytest.raises(ExperimentError, match=expected.replace("*", r"\*")):
        load_spec(path)


def test_simulation_run_of_none_says_what_it_takes():
    with pytest.raises(TypeError, match=r"expected a preset name .* not NoneType"):
        simulation.run(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not int"):
        scenarios.load(3)  # type: ignore[arg-type]


def test_numpy_scalars_are_accepted_as_the_numbers_they_are():
    plain = simulation.run("no_linkage", seed=2, households=300, days=8)
    numpy = simulation.run("no_linkage", seed=2, households=np.int64(300), days=np.int32(8))
    assert numpy.scenario == plain.scenario and numpy.summary == plain.summary
    s = scenarios.load("no_linkage", {"mass_base": np.float32(0.25), "triage.enabled": np.bool_(True),
                                      "reporting.call_prob": np.float64(0.2), "external.supply_days": np.array(
                                          [3, 9], dtype=np.int64).tolist(), "name": np.str_("n")})
    assert (s.mass_base, s.triage.enabled, s.reporting.call_prob, s.name) == (0.25, True, 0.2, "n")
    assert type(s.mass_base) is float and type(s.triage.enabled) is bool
    assert scenarios.load({"households": np.int64(310)}).households == 310


# --- 6/7. the dashboard command's address: blame the address, warn beyond loopback ---------------------------------

@needs_cli
def test_a_host_that_is_not_this_machine_is_blamed_not_the_port():
    err = bad_input(cli("dashboard", "--host", "8.8.8.8", "--port", "8765", timeout=60),
                    "--host 8.8.8.8: 8.8.8.8 is not an address of this machine", "127.0.0.1", "0.0.0.0")
    assert "port" not in err.split("this machine")[0]
    assert "another program" not in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def _serve_and_read(host: str) -> tuple[str, str]:
    """Start the real `liandong dashboard` on `host`, wait for its address line, stop it; (stdout, stderr)."""
    port = _free_port()
    proc = subprocess.Popen([str(LIANDONG), "dashboard", "--host", host, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    out = err = b""
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            sel.register(proc.stderr, selectors.EVENT_READ)
            deadline = time.monotonic() + 120
            while b"dashboard: http" not in out:
                assert time.monotonic() < deadline, f"no address line\nstdout:{out!r}\nstderr:{err!r}"
                assert proc.poll() is None, f"exited {proc.returncode}\nstdout:{out!r}\nstderr:{err!r}"
                for key, _ in sel.select(timeout=1):
                    chunk = os.read(key.fileobj.fileno(), 65536)
                    if key.fileobj is proc.stdout:
                        out += chunk
                    else:
                        err += chunk
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        rest_out, rest_err = proc.stdout.read(), proc.stderr.read()
        proc.stdout.close(), proc.stderr.close()
    return (out + rest_out).decode(errors="replace"), (err + rest_err).decode(errors="replace")


@posix
@needs_cli
def test_serving_beyond_loopback_warns_that_the_page_has_no_authentication():
    out, err = _serve_and_read("0.0.0.0")
    assert "dashboard: http://0.0.0.0:" in out
    assert "warning: --host 0.0.0.0 serves the dashboard beyond this machine" in err
    assert "no login" in err and "anyone who can reach port" in err
    out, err = _serve_and_read("127.0.0.1")
    assert "dashboard: http://127.0.0.1:" in out and "warning" not in err
