"""The dashboard without a browser: translations, the Explore page against `simulation.run`, bad input, the
Compare page's numbers against the experiments runner, and the `liandong dashboard` command's address checks."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import ipyvuetify as v
import pandas as pd
import pytest
import solara

import experiments
import simulation
from dashboard import compare, explore, i18n, limits, tables
from scenarios import Scenario

BAD_FILE = b'name = "bad"\nextends = "no_linkage"\n[needs]\nacute_rat = 0.001\n'
GOOD_FILE = b'name = "my_class"\nextends = "no_linkage"\nhouseholds = 500\n[online]\nenabled = true\n'
LIANDONG = str(Path(sys.executable).with_name("liandong"))


@pytest.fixture(autouse=True)
def fresh_session():
    """The page state is per session on the server; here, in one process, start each test from the defaults."""
    explore.base.value, explore.edits.value, explore.run.value = None, {}, None
    explore.seed.value, explore.saved.value, explore.upload_message.value = 0, [], None
    explore.edit_error.value, explore.playing.value, i18n.language.value = "", False, "zh"
    explore.looping.value, explore.speed.value, explore.goal.value = False, explore.DEFAULT_SPEED, None
    explore.goto_day.value, explore.ended.value = 30, False
    compare.reps.value, compare.households.value, compare.days.value = 3, None, None
    compare.failure.value, compare.job.value, compare.stopped.value, compare.outcome.value = "", None, False, None
    explore.saved_changes.value, explore.added.value = {}, ""
    yield


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_text_has_both_languages_and_the_chinese_differs():
    for key, texts in i18n.TEXT.items():
        assert set(texts) == set(i18n.LANGUAGES), key
        assert texts["zh"].strip() and texts["en"].strip(), key
        assert texts["zh"] != texts["en"], key
        assert _placeholders(texts["zh"]) == _placeholders(texts["en"]), key
    for section, names in i18n.SECTIONS.items():
        assert names["zh"] != names["en"], section


def test_every_text_the_pages_ask_for_exists():
    used = set()
    for path in Path(i18n.__file__).parent.glob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_0-9]+)["']""", path.read_text(encoding="utf-8")))
    assert used and used - set(i18n.TEXT) == set()


def test_every_job_status_and_button_row_has_its_texts():
    """JobStatus and JobButtons build their text keys from the page's prefix, which the test above cannot see."""
    status, buttons = set(), set()
    for path in Path(i18n.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        status |= set(re.findall(r"""\bJobStatus\(\s*["']([a-z_]+)["']""", text))
        buttons |= set(re.findall(r"""\bJobButtons\(\s*["']([a-z_]+)["']""", text))
    assert status == {"compare", "district", "rebuild"} and buttons == {"compare", "district"}
    wanted = {f"{p}_{part}" for p in status for part in ("progress", "cancelled", "failed")} | \
        {f"{p}_{part}" for p in buttons for part in ("run", "cancel")}
    assert wanted - set(i18n.TEXT) == set()
    assert all({"done", "total"} <= _placeholders(i18n.TEXT[f"{p}_progress"]["en"]) for p in status)


def test_every_lever_on_the_explore_page_has_a_chinese_name_and_tooltip():
    exposed = {key for section in explore.MECHANISMS for key, _, _ in explore._fields(section)} | {"mass_base"}
    assert set(explore.MECHANISMS) <= set(i18n.SECTIONS)
    assert exposed - set(i18n.FIELDS) == set(), "levers without a Chinese name"
    for key in exposed:
        name, tip = i18n.FIELDS[key]
        assert name and tip and name != key.split(".")[-1], key
    for key, _, info in (f for section in explore.MECHANISMS for f in explore._fields(section)):
        assert key in i18n.FIELD_NAMES_EN, f"{key}: no English label (the page would show its field name)"
        i18n.language.value = "en"
        tip = explore._tooltip(key, info)
        assert "`" not in tip and "domain-facts" not in tip and "model-spec" not in tip, tip
        i18n.language.value = "zh"
    for section in ("online", "internal", "external", "triage", "volunteers", "organisations"):  # every mechanism
        assert any(key.startswith(section + ".") for key in exposed), section


def test_every_preset_has_a_line_in_both_languages():
    import scenarios

    assert set(i18n.PRESETS) == set(scenarios.names())
    for name, lines in i18n.PRESETS.items():
        assert lines["zh"] and lines["en"] and lines["zh"] != lines["en"], name


def test_every_summary_key_series_page_and_lesson_has_a_text():
    from dashboard.app import PAGES
    from dashboard.learn import STEPS
    from simulation.households import CATEGORIES, GROUPS

    wanted = ({f"key_{k}" for k in simulation.SUMMARY_KEYS} | {f"cat_{c}" for c in CATEGORIES}
              | {f"grp_{g}" for g in GROUPS} | {f"page_{p}" for p in PAGES}
              | {f"{prefix}_{part}" for prefix, _ in STEPS for part in ("title", "text", "notice", "try")})
    assert wanted - set(i18n.TEXT) == set()


def test_explore_gives_the_numbers_of_simulation_run():
    explore.seed.value = 3
    explore.set_edit("households", 400)
    explore.reset()
    _, rc = solara.render(explore.Explore(), handle_error=False)
    try:
        step = rc.find(v.Btn, class_="btn-step")
        for _ in range(12):
            step.widget.click()
        rc.find(v.Btn, class_="btn-reset").assert_single()
    finally:
        rc.close()
    shown = explore.run.value.model.daily()
    expected = simulation.run("no_linkage", seed=3, households=400).daily.head(12)
    pd.testing.assert_frame_equal(shown, expected)


def test_an_invalid_upload_says_why_and_keeps_the_previous_scenario():
    explore.load_upload("my_class.toml", GOOD_FILE)
    assert explore.upload_message.value[0] == "success"
    before = explore.run.value
    assert before.model.config.name == "my_class" and before.model.config.households == 500
    explore.load_upload("bad.toml", BAD_FILE)
    kind, message = explore.upload_message.value
    assert kind == "error"
    assert message.startswith("bad.toml: field 'needs.acute_rat': unknown key. Did you mean 'acute_rate'?")
    assert explore.run.value is before and explore.base.value.name == "my_class"
    explore.load_upload("broken.toml", b"households = = 3")
    assert explore.upload_message.value[1].startswith("broken.toml: not valid TOML")


def test_invalid_settings_are_shown_and_the_model_is_kept():
    explore.reset()
    before = explore.run.value
    explore.set_edit("external.lead_days_final", 9)
    explore.reset()
    assert "lead_days_final" in explore.edit_error.value
    assert explore.run.value is before


def test_compare_reports_each_run_and_matches_the_experiments_runner(tmp_path):
    done = []
    overrides = {"households": 300, "days": 20}
    shown = compare.compare(["no_linkage", "emergency_online"], 2, overrides, on_run=done.append)
    assert done == [1, 2, 3, 4]
    reference = experiments.compare(["no_linkage", "emergency_online"], reps=2, overrides=overrides,
                                    out=tmp_path / "cli", serial=True, figures=False)
    pd.testing.assert_frame_equal(shown["means"], reference.tables["means"])
    pd.testing.assert_frame_equal(shown["differences"], reference.tables["differences"])
    assert set(shown["daily"]["scenario"]) == {"no_linkage", "emergency_online"}
    assert compare.results_csv(shown).splitlines()[0].startswith("table,scenario,key,n,mean,")


def test_a_scenario_edited_on_explore_can_be_compared():
    explore.set_edit("volunteers.enabled", True)
    explore.add_to_compare(explore.configured())
    label, scenario = explore.saved.value[0]
    assert label == "no_linkage*1" and isinstance(scenario, Scenario) and scenario.volunteers.enabled
    assert compare.sources(["no_linkage", label]) == ["no_linkage", scenario]


def test_dashboard_command_rejects_a_port_out_of_range():
    done = subprocess.run([LIANDONG, "dashboard", "--port", "99999"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "error: --port 99999: not a TCP port" in done.stderr


def test_dashboard_command_rejects_a_busy_port():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([LIANDONG, "dashboard", "--port", str(port)], capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 2
    assert f"127.0.0.1:{port}: cannot listen there" in done.stderr


# --- limits of a dashboard session, cancelling, the end of a session (issue: hardening) ----------------------------
def _worker_pids() -> set[int]:
    return {p.pid for p in multiprocessing.active_children()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_compare_refuses_more_replications_than_a_session_may_run():
    compare.reps.value = 100_000
    compare.start(["no_linkage", "emergency_online"])
    assert compare.job.value is None and not compare.run_comparison.pending  # nothing started
    assert "最多重复 100 次" in compare.failure.value and "100,000" in compare.failure.value
    i18n.language.value = "en"
    compare.start()
    assert "at most 100 replications" in compare.failure.value
    with pytest.raises(limits.LimitError):  # the page's function itself refuses too, before any run
        compare.compare(["no_linkage", "emergency_online"], 100_000, None)


def test_compare_refuses_work_beyond_the_limit_and_communities_beyond_30000_households():
    compare.reps.value, compare.households.value = 100, 30_000  # 2 x 100 x 30,000 x 90 household-days
    compare.start(["no_linkage", "emergency_online"])
    assert compare.job.value is None
    assert "计算量" in compare.failure.value and f"{limits.MAX_WORK:,}" in compare.failure.value
    compare.reps.value, compare.households.value = 2, 200_000
    compare.start()
    assert compare.job.value is None and "最多 30,000 户" in compare.failure.value
    assert "command line" not in compare.failure.value and "命令行" not in compare.failure.value


def test_compare_errors_name_the_compare_page_not_the_command_line():
    compare.days.value = 99_999
    compare.start(["no_linkage", "emergency_online"])
    assert "“比较”页的设置" in compare.failure.value and "command line" not in compare.failure.value
    i18n.language.value = "en"
    compare.start()
    assert "the Compare page's settings" in compare.failure.value and "command line" not in compare.failure.value


def test_cancel_kills_the_comparisons_worker_and_removes_its_folder():
    job = compare.Job()
    assert job.folder.is_dir() and job.folder.name.startswith(f"liandong-compare-{os.getpid()}-")
    done, raised = [], []

    def work():
        try:
            compare.compare(["no_linkage", "three_social"], 50, None, on_run=done.append, job=job)
        except BaseException as exc:  # noqa: BLE001 (recorded for the assertion below)
            raised.append(exc)

    before = _worker_pids()
    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 120
    while not done and time.monotonic() < deadline:
        time.sleep(0.05)
    assert done, "no run finished"
    workers = _worker_pids() - before
    assert workers and all(_alive(pid) for pid in workers)
    job.cancel()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(raised) == 1 and isinstance(raised[0], compare.Cancelled)
    assert len(done) < 100  # it stopped, far from the end
    assert not job.folder.exists()
    assert not any(_alive(pid) for pid in workers), "the worker process still runs"


#: A session's life in a fresh interpreter with solara's server patches (per-session widgets), as in the server: the
#: session builds a model and starts a comparison, then solara closes it, as it does when the tab is closed.
SESSION_SCRIPT = """
import gc, json, threading, time, weakref
import solara.server.app  # noqa: F401 (solara's patches, as in the server)
from solara.server import kernel, kernel_context
import solara
import dashboard.app  # noqa: F401 (registers what a session does when it ends)
from dashboard import compare, explore
from simulation import CommunityModel

context = kernel_context.VirtualKernelContext(id="session-end", kernel=kernel.Kernel(), session_id="session")
raised = []
with context:
    explore.set_edit("households", 2_000)
    explore.reset()
    model = weakref.ref(explore.run.value.model)
    # the page, shown (it renders as the session ends), as solara keeps it: closed with the session
    _, context.app_object = solara.render(explore.Explore(), handle_error=False)
    job = compare.job.value = compare.Job()

    def work():
        with context:
            try:
                compare.compare(["no_linkage", "three_social"], 50, None, job=job)
            except BaseException as exc:
                raised.append(type(exc).__name__)

    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 60
    while not any(job.folder.glob("*")) and time.monotonic() < deadline:
        time.sleep(0.05)
context.close()
thread.join(timeout=30)
gc.collect()
print(json.dumps({"alive": thread.is_alive(), "raised": raised, "folder": job.folder.exists(),
                  "model": model() is not None,
                  "models": sum(isinstance(o, CommunityModel) for o in gc.get_objects())}))
"""


def test_a_session_that_ends_stops_its_comparison_and_lets_go_of_its_model():
    done = subprocess.run([sys.executable, "-c", SESSION_SCRIPT], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["raised"] == ["Cancelled"], "the comparison was not stopped when its session ended"
    assert not seen["alive"] and not seen["folder"]
    assert not seen["model"], "the session's model is still held after the session ended"
    assert seen["models"] == 0, "a model was built or kept as the session ended"


def test_explore_refuses_a_community_larger_than_30000_households_and_keeps_its_model():
    explore.reset()
    before = explore.run.value
    explore.set_edit("households", 200_000)
    explore.reset()
    assert explore.run.value is before
    assert "最多 30,000 户" in explore.edit_error.value and "200,000" in explore.edit_error.value
    i18n.language.value = "en"
    explore.reset()
    assert "up to 30,000 households" in explore.edit_error.value
    explore.set_edit("households", 30_000)
    explore.reset()
    assert explore.edit_error.value == "" and explore.run.value.model.config.households == 30_000


def test_an_upload_of_a_community_too_large_is_loaded_but_not_built():
    explore.reset()
    before = explore.run.value
    explore.load_upload("big.toml", b'name = "big"\nextends = "no_linkage"\nhouseholds = 200000\n')
    assert explore.run.value is before  # no 200,000-household model was built
    assert "200,000" in explore.edit_error.value


# --- playback --------------------------------------------------------------------------------------------------------
def test_run_to_day_n_stops_on_day_n_with_the_numbers_of_simulation_run():
    explore.set_edit("households", 400)
    explore.reset()
    _, rc = solara.render(explore.Explore(), handle_error=False)
    try:
        explore.goto_day.value = 17
        rc.find(v.Btn, class_="btn-goto").widget.click()
        deadline = time.monotonic() + 60
        while (explore.playing.value or explore.looping.value) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not explore.playing.value and not explore.looping.value
        assert explore.run.value.model.day == 17
        assert rc.find(v.Btn, class_="btn-goto").widget.disabled  # day 17 is passed now
    finally:
        rc.close()
    expected = simulation.run("no_linkage", seed=0, households=400).daily.head(17)
    pd.testing.assert_frame_equal(explore.run.value.model.daily(), expected)


def test_pause_stops_the_loop_before_its_next_day():
    explore.set_edit("households", 400)
    explore.reset()
    current = explore.run.value
    explore.play()
    cancel = threading.Event()
    days = []

    def acknowledge():  # the page: shows each day, and the user presses Pause on day 5
        while not cancel.is_set():
            day = current.model.day
            if day > current.shown:
                days.append(day)
                if day == 5:
                    explore.pause()
                current.acknowledge(day)
            time.sleep(0.005)

    page = threading.Thread(target=acknowledge)
    page.start()
    try:
        explore.play_loop(threading.Event())  # returns when paused
    finally:
        cancel.set()
        page.join()
    assert current.model.day == 5 and not explore.playing.value and days[-1] == 5


# --- meaning next to every number on Compare ---------------------------------------------------------------------
def test_every_outcome_has_a_definition_a_direction_and_a_kind_in_both_languages():
    from dashboard import meaning

    assert set(meaning.OUTCOMES) == set(simulation.SUMMARY_KEYS)
    for key in simulation.SUMMARY_KEYS:
        assert f"def_{key}" in i18n.TEXT and f"key_{key}" in i18n.TEXT
        assert meaning.OUTCOMES[key].better in ("lower", "higher", None)


def test_counts_never_get_negative_bounds_and_shares_change_in_points():
    from dashboard import meaning

    assert meaning.interval("coordinator_overload_days", -1.48, 3.48) == "[0, 3.5]"
    assert meaning.interval("hidden_need_share", -0.01, 1.2) == "[0.0%, 100.0%]"
    assert meaning.interval("peak_unmet_day", 54.0, 54.0, sd=0.0) == "（每次运行都相同）"
    assert meaning.change("hidden_need_share", 0.12577) == "+12.6 个百分点"
    assert meaning.relative("hidden_need_share", 10.072) == "–"  # no "+1007.2%" on a share
    assert meaning.change("mean_distress_end", -0.001) == "0.00"  # never "-0.00"
    assert meaning.value("equity_ratio", float("inf")) == "∞"


def test_verdicts_say_clearly_fewer_or_no_clear_difference_with_the_outcomes_direction():
    from dashboard import meaning

    assert meaning.verdict("critical_failures", -12.5, -2.5, -7) == ("明显减少", "better")
    assert meaning.verdict("critical_failures", -12.5, 2.5, -5) == ("无明显差别", "neutral")
    assert meaning.verdict("equity_ratio", 0.1, 0.3, 0.2) == ("明显升高", "worse")  # higher is less fair
    assert meaning.verdict("peak_unmet_day", -8, -8, -8) == ("明显提前", "neutral")
    assert meaning.verdict("peak_unmet_day", 0, 0, 0) == ("完全相同", "neutral")
    i18n.language.value = "en"
    assert meaning.verdict("unmet_need_days", -9, -5, -7) == ("clearly fewer", "better")
    assert meaning.verdict("unmet_need_days", -9, 5, -7)[0] == "no clear difference"


def test_compare_tables_name_scenarios_for_people_and_explain_the_difference():
    result = compare.compare(["no_linkage", "three_social"], 2, {"households": 300, "days": 30})
    means = tables.means_html(result["means"], result["labels"])
    assert "仅靠社区干部" in means and "三社联动" in means and "no_linkage" not in means
    assert means.count("越低越好") >= 8 and "累计未满足需求（件·天）" in means
    diffs = tables.differences_html(result["differences"], "three_social", "no_linkage")
    assert diffs.count("<tr>") == 1 + len(simulation.SUMMARY_KEYS)
    assert any(words in diffs for words in ("明显减少", "明显增加", "无明显差别", "明显降低", "明显升高"))
    assert "[−" not in means  # means of counts and shares keep their bounds at 0 or above
    why = tables.explanation(result, "three_social", "no_linkage")
    assert why.startswith("与仅靠社区干部相比") or why.endswith("没有明显差别。")
    assert set(result["daily"].columns) >= set(simulation.DAILY_COLUMNS)  # every daily series is kept


def test_add_to_compare_says_so_and_notes_what_changed():
    explore.set_edit("households", 600)
    explore.set_edit("online.enabled", True)
    explore.add_to_compare(explore.configured())
    assert explore.added.value == "no_linkage*1"
    assert i18n.scenario_name("no_linkage*1") == "仅靠社区干部（修改1）"
    note = explore.describe_changes(explore.saved_changes.value["no_linkage*1"])
    assert "户数 600" in note and "应急线上联动 开启" in note
    i18n.language.value = "en"
    assert i18n.scenario_name("no_linkage*1") == "Cadres alone (edit 1)"
    assert "Emergency online linkage on" in explore.describe_changes(explore.saved_changes.value["no_linkage*1"])


# --- everything in both languages -----------------------------------------------------------------------------------
def _texts(widget, seen=None) -> list[str]:
    """Every text a widget tree can show: labels, hints, button and text children, select options, tooltips, HTML
    (its text and its title attributes), and the charts' titles, legends and tooltips."""
    import html as html_module
    import json as json_module

    import ipywidgets

    seen = set() if seen is None else seen
    if id(widget) in seen or type(widget).__name__ == "Icon":  # an icon's name is not text
        return []
    seen.add(id(widget))
    out = []
    for name in ("label", "hint", "placeholder", "messages", "error_messages", "tooltip", "description"):
        value = getattr(widget, name, None)
        if isinstance(value, str) and value:
            out.append(value)
    for item in getattr(widget, "items", None) or []:
        out.append(item["text"] if isinstance(item, dict) else str(item))
    template = getattr(widget, "template", None)
    if isinstance(template, str) and "solara-markdown" in template:  # a Markdown text, rendered to HTML
        out.append(html_module.unescape(re.sub(r"<[^>]+>", " ", template.split("<script", 1)[0])))
    markup = getattr(widget, "unsafe_innerHTML", None)
    if isinstance(markup, str):
        out += re.findall(r'title="([^"]*)"', markup)
        out.append(html_module.unescape(re.sub(r"<[^>]+>", " ", markup)))
    spec = getattr(widget, "spec_json", None)
    if isinstance(spec, str) and spec != "{}":
        def strings(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("title", "text", "series", "scenario", "phase", "label", "short", "name", "where",
                               "door", "who") and isinstance(value, str):
                        yield value
                    elif isinstance(value, dict) and key == "title":
                        yield value.get("text", "")
                    else:
                        yield from strings(value)
            elif isinstance(node, list):
                for value in node:
                    yield from strings(value)
        out += list(strings(json_module.loads(spec)))
    children = list(getattr(widget, "children", None) or [])
    for slot in getattr(widget, "v_slots", None) or []:
        slot_children = slot.get("children")
        children += slot_children if isinstance(slot_children, list) else [slot_children]
    for child in children:
        if isinstance(child, str):
            out.append(html_module.unescape(re.sub(r"<[^>]+>", " ", child)))
        elif isinstance(child, ipywidgets.Widget):
            out += _texts(child, seen)
    return out


def _page_texts(page: str) -> list[str]:
    from dashboard import app

    app.page.value = page
    box, rc = solara.render(app.Page(), handle_error=False)
    try:
        if page == "explore":  # every mechanism's levers
            for button in rc.find(v.Btn, class_="section-btn").widgets:
                button.click()
        return _texts(box)
    finally:
        rc.close()


def test_no_text_on_any_page_is_in_the_other_language():
    import scenarios
    from dashboard import learn

    from dashboard_fixtures import foreign

    field_names = tuple(sorted({name for s in scenarios.Scenario.model_fields.values()
                                for name in getattr(s.annotation, "model_fields", {})}, key=len, reverse=True))
    result = compare.compare(["no_linkage", "emergency_online"], 2, {"households": 300, "days": 20})
    found = {}
    for language in i18n.LANGUAGES:
        i18n.language.value = language
        explore.load_upload("bad.toml", BAD_FILE)  # an upload error
        explore.set_edit("external.lead_days_final", 9)
        explore.reset()  # a settings error
        explore.add_to_compare(explore.current_base())  # the note that says so
        compare.outcome.value = {**result, "number": 1}
        learn.predictions.value = {"learn_emergency": "up"}
        learn.asked.value = {"learn_emergency": 1}  # lesson 1's answer revealed, from this comparison
        compare.reps.value = 100_000
        compare.start(["no_linkage", "emergency_online"])  # an error on Compare
        for page in ("explore", "compare", "learn"):
            texts = _page_texts(page)
            assert len(texts) > 20, page
            bad = {f"{piece} in {text[:80]!r}" for text in texts for piece in foreign(text, language, field_names)}
            if bad:
                found[(language, page)] = sorted(bad)
            if page == "learn":
                assert any(i18n.t("learn_answer") in text for text in texts), "lesson 1's answer is not shown"
        explore.edits.value, explore.edit_error.value, explore.upload_message.value = {}, "", None
    assert not found, f"text in the other language: {found}"


# --- the setup in the address ---------------------------------------------------------------------------------------
def test_the_address_carries_the_setup_and_refuses_what_the_page_does_not_offer():
    from dashboard import share

    pages = []
    ignored = share.apply("page=compare&lang=en&scenario=three_social&seed=7&households=600&online.enabled=false"
                          "&external.targeting=need&compare=no_linkage,internal&reps=4", pages.append,
                          ["explore", "compare", "learn"])
    assert ignored == [] and pages == ["compare"]
    assert i18n.language.value == "en" and explore.base.value.name == "three_social" and explore.seed.value == 7
    assert explore.edits.value == {"households": 600, "online.enabled": False, "external.targeting": "need"}
    assert explore.run.value.model.config.households == 600  # the model was built from it
    assert compare.selection.value == ["no_linkage", "internal"] and compare.reps.value == 4
    query = share.current_query("compare")
    again = share.apply(query, pages.append, ["explore", "compare", "learn"])  # the page's own address round-trips
    assert again == [] and explore.edits.value["households"] == 600 and explore.seed.value == 7
    bad = share.apply("scenario=/etc/passwd&seed=-1&needs.acute_rate=1&households=lots&lang=fr", pages.append,
                      ["explore"])
    assert set(bad) == {"scenario", "seed", "needs.acute_rate", "households", "lang"}
    assert share.apply("x=" + "a" * 5000, pages.append, ["explore"]) == ["…"]


# --- Learn ---------------------------------------------------------------------------------------------------------
def test_the_three_social_lesson_compares_scenarios_that_differ_only_in_integration():
    from dashboard import learn, report

    lesson = next(lesson for lesson in learn.LESSONS if lesson.prefix == "learn_three")
    a, b = (compare.sources([name])[0] for name in lesson.pair)
    a, b = (scenarios_load(x) for x in (a, b))
    flat_a, flat_b = report._flat(a.model_dump(mode="json")), report._flat(b.model_dump(mode="json"))
    assert {k for k in flat_a if flat_a[k] != flat_b[k]} == {"organisations.integration"}
    assert i18n.scenario_name(lesson.pair[0]) == "三社联动（社工未纳入社区体系）"


def scenarios_load(source):
    import scenarios

    return scenarios.load(source)


def test_a_lesson_reveals_its_answer_from_the_runs_after_the_prediction():
    from dashboard import learn

    lesson = learn.LESSONS[2]  # internal linkage: unmet need-days
    learn.predictions.value = {lesson.prefix: "down"}
    learn.asked.value = {lesson.prefix: 1}
    assert learn.answer(lesson) is None  # nothing run yet
    result = compare.compare(list(lesson.pair), 3, {"households": 600, "days": 40})
    compare.outcome.value = {**result, "number": 1}
    direction, words = learn.answer(lesson)
    assert direction in learn.CHOICES and words
    _, rc = solara.render(learn.LessonCard(3, lesson), handle_error=False)
    try:
        texts = " ".join(_texts(rc.container))
    finally:
        rc.close()
    assert "结果：" in texts and words in texts and ("你猜对了" in texts) == (direction == "down")
    i18n.language.value = "en"
    _, rc = solara.render(learn.LessonCard(3, lesson), handle_error=False)
    try:
        shown = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    finally:
        rc.close()
        i18n.language.value = "zh"
    # Each lead in bold, not its Markdown shown as typed ("**Predict first: **").
    for lead in ("Predict first:", "The answer:", "What to notice:", "Things to try:"):
        assert any(f"<strong>{lead}</strong>" in h for h in shown), (lead, shown)
    assert not any("**" in h for h in shown), shown


#: The direction of each lesson's outcome that its texts teach (learn_*_notice): the runs must show it clearly.
TAUGHT = {"learn_emergency": "down", "learn_external": "up", "learn_internal": "down", "learn_three": "down",
          "learn_story": "down"}


def test_every_lesson_shows_what_it_teaches_clearly_over_the_seeds_it_runs():
    """Each lesson's pair, at the lesson's own runs and the page's defaults (what a class sees): its outcome moves
    the way the lesson says, with an interval clear of zero; lesson 4's pair differs in integration alone."""
    from dashboard import learn

    assert set(TAUGHT) == {lesson.prefix for lesson in learn.LESSONS}
    for number, lesson in enumerate(learn.LESSONS, start=1):
        result = compare.compare(list(lesson.pair), learn.LESSON_REPS, None)
        compare.outcome.value = {**result, "number": number}
        learn.asked.value = {lesson.prefix: number}
        direction, words = learn.answer(lesson)
        assert direction == TAUGHT[lesson.prefix], (lesson.prefix, lesson.key, words)
