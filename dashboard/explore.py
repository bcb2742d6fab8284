"""Explore: one community, live. Pick a preset or upload a file, switch and tune the linkage mechanisms, step,
play and reset, and watch needs, volunteers, coordinators, prices and one building's network day by day.

State lives in module-level `solara.reactive` values: solara keeps one value per browser session (kernel), so every
session has its own model and its runs are never seen by another; the state also outlives a switch to another
page, which lets Compare take the scenarios edited here.
"""

from __future__ import annotations

import html
import math
import threading
import time
import typing
from dataclasses import dataclass, field
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pandas as pd
import reacton.ipyvuetify as rv
import solara
import traitlets
from ipyvuetify.extra import FileInput

import scenarios
from dashboard import charts, limits, meaning
from dashboard.i18n import (
    SECTIONS,
    field_name,
    field_tip,
    option_name,
    phase_name,
    preset_line,
    scenario_name,
    section_name,
    source_text,
    t,
)
from dashboard.jobs import JobState, JobStatus
from dashboard.widgets import ErrorMessage, Prose, Tip
from scenarios import Scenario, ScenarioError
from scenarios.schema import TARGETING_MODES
from simulation import DAILY_COLUMNS, SUMMARY_KEYS, CommunityModel
from simulation.households import CATEGORIES, GROUPS
from simulation.linkage.volunteers import ACTIVE

#: The scenario sections whose levers the page exposes (every linkage mechanism, and price stabilisation).
MECHANISMS = ("online", "internal", "external", "triage", "volunteers", "organisations", "prices")
#: Sections' on/off switches shown at the top of the mechanism panel.
SWITCHES = ("online.enabled", "external.group_buy", "triage.enabled", "volunteers.enabled", "organisations.enabled")
#: In `prices`, only the cap is a policy lever; the rest describe the market.
PRICE_LEVERS = ("cap",)
#: The Explore page's charts, for their files' names.
CHART_NAMES = ("needs-by-category", "needs-by-group", "volunteers", "coordination", "prices")
#: Play's speeds in days per second; 0 is as fast as the page can show each day.
SPEEDS = (1, 2, 5, 10, 0)
DEFAULT_SPEED = 5
#: How long Play waits for the page to show a day before going on without it: a hidden tab paints no frames, and
#: Play goes on there a day at a time. Long enough that a page slowed by a busy machine still shows every day
#: before the next, so Pause stops within a day of what the user saw.
SHOWN_TIMEOUT = 10.0
#: While running to a day, the page is updated this often (seconds), not every day.
RUN_TO_REFRESH = 0.25


@dataclass(frozen=True)
class DistrictShares:
    """A district's community as it ran in the district: the district's pools, and what each round of that run
    allocated the community of each (`schedule`: a round's first day -> pool -> amount, from the run's
    `allocations`). Applied on those days, they make Explore's run of the community, with the district run's
    seed, the district run's own (simulation/district.py allocates at the start of each round, then the
    community runs the round's days)."""

    district: str  # a shipped district's name
    arm: str  # "a" or "b": the District page's policy
    index: int  # the community's index in the district
    days: int  # the district run's days
    policies: dict[str, str]  # pool -> policy
    schedule: dict[int, dict[str, int]]

    @property
    def pools(self) -> tuple[str, ...]:
        return tuple(self.policies)


@dataclass
class Run:
    """A model being explored, with the settings it was built from and what the page adds to its daily series."""

    model: CommunityModel
    settings: tuple
    schedule: dict[int, dict[str, int]] = field(default_factory=dict)  # a district's shares by day (DistrictShares)
    applicants: list[int] = field(default_factory=list)  # applicants the calls brought so far, per day
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)  # set by Pause, Reset, the end of the session
    shown: int = 0  # the last day the page reports showing
    _shown_changed: threading.Event = field(default_factory=threading.Event)

    def acknowledge(self, day: int) -> None:
        """The page shows `day` (called from the page's acknowledgement widget)."""
        self.shown = max(self.shown, int(day))
        self._shown_changed.set()

    def wait_shown(self, day: int, timeout: float) -> None:
        """Wait until the page shows `day`, Pause is pressed, or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while self.shown < day and not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._shown_changed.clear()
            if self.shown >= day:
                return
            self._shown_changed.wait(min(left, 0.05))

    def step(self) -> None:
        with self.lock:
            if not self.model.running:
                return
            for pool, amount in self.schedule.get(self.model.day, {}).items():
                self.model.allocate(pool, amount)
            self.model.step()
            pool = mechanism(self.model, "volunteers")
            self.applicants.append(int(pool.recruit.sum()) if pool is not None else 0)


class DayAck(v.VuetifyTemplate):
    """An invisible widget that reports back each day the page has shown (day_ack.vue)."""

    template_file = str(Path(__file__).with_name("day_ack.vue"))
    day = traitlets.Int(0).tag(sync=True)
    shown = traitlets.Int(-1).tag(sync=True)
    settled = traitlets.Bool(True).tag(sync=True)  # no Play loop is running (for tests and tools)


def mechanism(model: CommunityModel, name: str):
    return next((m for m in model.mechanisms if m.name == name), None)


# --- per-session state ----------------------------------------------------------------------------------------------
base = solara.reactive(typing.cast(Scenario | None, None))  # the preset or uploaded scenario
edits = solara.reactive(typing.cast(dict, {}))  # dotted key -> value, applied on Reset
seed = solara.reactive(0)
#: A district's community opened from the District page: its shares of the district's pools; None: the scenario's
#: own numbers.
shares = solara.reactive(typing.cast(DistrictShares | None, None))
#: A district's community an address asked for, while its district run runs again for its shares (its `schedule`
#: still empty): Explore builds no model meanwhile, so that it never runs the community on other numbers.
awaited = solara.reactive(typing.cast(DistrictShares | None, None))
run = solara.reactive(typing.cast(Run | None, None))
version = solara.reactive(0)  # bumped after every step, so the live part re-renders
playing = solara.reactive(False)  # Play is on (the button shows Pause)
looping = solara.reactive(False)  # the Play loop is running (it may still finish the day in hand after Pause)
speed = solara.reactive(DEFAULT_SPEED)  # days per second; 0: as fast as the page shows them
goal = solara.reactive(typing.cast(int | None, None))  # "run to day N": N; None plays to the end
goto_day = solara.reactive(30)  # the day in the "run to day" field
upload_message = solara.reactive(typing.cast(tuple[str, str] | None, None))  # (kind, text)
edit_error = solara.reactive("")
building = solara.reactive(0)
#: Scenarios edited here and added for the Compare page: (label, Scenario).
saved = solara.reactive(typing.cast(list, []))
ended = solara.reactive(False)  # the session has ended (its tab closed)
saved_changes = solara.reactive(typing.cast(dict, {}))  # label of a saved scenario -> the edits it was made with
added = solara.reactive("")  # the label last added to Compare (for the note that says so)
drawer = solara.reactive(False)  # on a phone: the controls' drawer is open
shown_chart = solara.reactive(0)  # in presentation mode: the one chart shown


def rebuilt() -> None:
    """The awaited district run has run again: the community gets its shares, and its model is built."""
    held = rebuild.outcome.value["shares"]
    if awaited.value is None or (held.district, held.arm, held.index) != (awaited.value.district,
                                                                         awaited.value.arm, awaited.value.index):
        return  # the page went on to something else meanwhile
    shares.value, awaited.value = held, None
    reset()


#: The district run an address's community needs, in a worker process of its own (dashboard/district.py's
#: `reopen` launches it): progress, failure and Cancel as on the District page.
rebuild = JobState(on_result=rebuilt)


def leave_district() -> None:
    """A preset or a file replaces a district's community: no shares, and no district run awaited any more."""
    shares.value, awaited.value = None, None
    rebuild.cancel()
    rebuild.clear()


def redraw() -> None:
    """Have the live view render the model's day again. `peek` reads the counter without subscribing whatever
    component is rendering or handling an event to it (which made the whole page render again every day)."""
    version.set(version.peek() + 1)


def current_base() -> Scenario:
    if base.value is None:
        base.value = scenarios.load("no_linkage")
    return base.value


def configured() -> Scenario:
    """The scenario the controls describe: the base with the edits applied, within the dashboard's limits (raises
    ScenarioError, or LimitError for a community larger than a session may build)."""
    scenario = current_base()
    if edits.value:
        scenario = scenarios.apply_overrides(scenario, edits.value, label=t("explore_settings_label"))
    limits.check_households(scenario)
    return scenario


def settings() -> tuple:
    return (id(current_base()), tuple(sorted(edits.value.items())), seed.value, id(shares.value))


def reset() -> None:
    """Build a new model from the settings; on invalid settings keep the model and show why."""
    try:
        scenario = configured()
    except ScenarioError as exc:
        edit_error.value = str(exc)
        return
    edit_error.value = ""
    pause()
    if awaited.value is not None:  # its shares are not known yet: no model rather than one on other numbers
        run.value = None
        return
    held = shares.value
    model = CommunityModel(scenario=scenario, rng=seed.value, pools=held.pools if held else ())
    run.value = Run(model, settings(), schedule=held.schedule if held else {})
    # From the model built here: a district run's result may arrive as its session ends, and `run` then reads empty.
    building.value = min(building.value, n_buildings(model) - 1)
    redraw()


def step() -> None:
    if run.value is None and not ended.value:
        reset()
    if run.value is not None:
        run.value.step()
        redraw()


def acknowledge(day: int) -> None:
    """The page reports showing `day` (of the session's current model)."""
    if run.value is not None:
        run.value.acknowledge(day)


def play(to_day: int | None = None) -> None:
    """Play to the end, or run to day `to_day` (without drawing every day on the way)."""
    current = run.value
    if current is None or not current.model.running or playing.value or looping.value:
        return  # (a loop still finishing its day after Pause ends in a moment; the button waits for it)
    current.stop.clear()
    goal.value = None if to_day is None else min(int(to_day), current.model.config.days)
    playing.value = True


def pause() -> None:
    """Stop playing: the Play loop stops before its next day (at most the day in hand is finished)."""
    if run.value is not None:
        run.value.stop.set()
    playing.value = False


def play_loop(cancel: threading.Event) -> None:
    """Step the session's model while Play is on. Each day waits until the page shows the one before (the page
    acknowledges every day it shows), so the model is never more than a day ahead of what the user sees, and then
    for the rest of the day's time at the chosen speed."""
    current = run.value
    if not playing.value or current is None:
        return
    looping.value = True
    target = goal.value
    last_refresh = 0.0
    try:
        while current.model.running and not (current.stop.is_set() or cancel.is_set()):
            if target is not None and current.model.day >= target:
                break
            started = time.perf_counter()
            current.step()
            if target is not None:  # running to a day: show progress a few times a second
                if started - last_refresh >= RUN_TO_REFRESH:
                    last_refresh = started
                    redraw()
                continue
            redraw()
            current.wait_shown(current.model.day, SHOWN_TIMEOUT)
            days_per_second = speed.value
            if days_per_second:
                current.stop.wait(max(0.0, 1.0 / days_per_second - (time.perf_counter() - started)))
    finally:
        redraw()
        if run.value is current and not (current.stop.is_set() or cancel.is_set()):
            playing.value = False  # the end, or the day asked for (after Pause it is off already)
        looping.value = False


def end_session() -> None:
    """The session is ending: stop playing and let go of its model (tens of megabytes at the largest size).
    The page still renders once more as the values change: `ended` keeps it from building a new model."""
    ended.value = True
    pause()
    rebuild.end_session()
    run.value = None
    saved.value = []


def choose_preset(name: str | None) -> None:
    if name not in scenarios.names():  # the picker cleared (an uploaded scenario is not a preset)
        return
    base.value = scenarios.load(name)
    edits.value = {}
    leave_district()
    upload_message.value = None
    reset()


def load_upload(name: str, data: bytes) -> None:
    """Load an uploaded scenario file; an invalid one leaves everything as it was and says why.

    The content comes from a visitor, so it is parsed with `scenarios.parse`: its `extends` may name a preset
    only, and nothing in it makes the server read a file."""
    safe = Path(name).name or "scenario.toml"
    try:
        scenario = scenarios.parse(data, label=safe)
    except ScenarioError as exc:
        upload_message.value = ("error", str(exc))
        return
    base.value = scenario
    edits.value = {}
    leave_district()
    upload_message.value = ("success", t("upload_loaded", name=safe))
    reset()


def set_edit(key: str, value) -> None:
    """Record a lever's new value; a value equal to the scenario's own is no edit (nothing to reset for)."""
    new = dict(edits.value)
    if value is None or value == _base_value(key):
        new.pop(key, None)
    else:
        new[key] = value
    edits.value = new


def value_of(key: str):
    return edits.value[key] if key in edits.value else _base_value(key)


def _base_value(key: str):
    node = current_base()
    for part in key.split("."):
        node = getattr(node, part)
    return node


def n_buildings(model: CommunityModel) -> int:
    return int(model.network.building[-1]) + 1


# --- controls ---------------------------------------------------------------------------------------------------
def _fields(section: str):
    model = type(getattr(current_base(), section))
    for name, info in model.model_fields.items():
        if section == "prices" and name not in PRICE_LEVERS:
            continue
        if typing.get_origin(info.annotation) is list:  # day lists (supply, donations) are edited in files
            continue
        yield f"{section}.{name}", name, info


def _tooltip(key: str, info) -> str:
    source = (info.json_schema_extra or {}).get("source", "")
    return f"{field_tip(key, info.description or '')} {t('source_line', source=source_text(source))}"


@solara.component
def Lever(key: str, name: str, info, label: str | None = None):
    """One control generated from the schema field: its kind from the type, its tooltip from the description."""
    label = label or field_name(key, name.replace("_", " "))
    value = value_of(key)
    classes = ["lever-" + key.replace(".", "-")]
    annotation = info.annotation
    if annotation is bool:
        control = solara.Switch(label=label, value=bool(value), on_value=lambda v: set_edit(key, v), classes=classes)
    elif typing.get_origin(annotation) is typing.Literal or key == "external.targeting":
        choices = list(typing.get_args(annotation)) or list(TARGETING_MODES)
        control = rv.Select(label=label, items=[{"text": option_name(c), "value": c} for c in choices],
                            v_model=value, on_v_model=lambda v: set_edit(key, v), class_=" ".join(classes),
                            dense=True)
    elif annotation is int:
        control = solara.InputInt(label=label, value=int(value), on_value=lambda v: set_edit(key, v),
                                  classes=classes, dense=True)
    else:
        control = solara.InputFloat(label=label, value=float(value), on_value=lambda v: set_edit(key, v),
                                    classes=classes, dense=True)
    Tip(_tooltip(key, info), children=[solara.Div(children=[control])])


@solara.component
def MechanismPanel():
    Prose(f"**{t('mechanisms')}**")
    scenario_fields = {key: (name, info) for s in MECHANISMS for key, name, info in _fields(s)}
    for key in SWITCHES:  # each section's on/off switch, named after its mechanism
        Lever(key, *scenario_fields[key], label=section_name(key.split(".")[0]))
    top = Scenario.model_fields["mass_base"]
    Lever("mass_base", "mass_base", top)
    for section in MECHANISMS:
        Section(section)


@solara.component
def Section(section: str):
    """A mechanism's levers, rendered only while the section is open: the page loads with a few dozen widgets
    instead of several hundred."""
    is_open, set_open = solara.use_state(False)
    solara.Button(section_name(section), icon_name="mdi-chevron-up" if is_open else "mdi-chevron-down",
                  on_click=lambda: set_open(not is_open), text=True, classes=["section-btn", f"section-{section}"],
                  style={"width": "100%", "text-transform": "none"})
    if is_open:
        with solara.Div(style={"padding-left": "8px"}):
            for key, name, info in _fields(section):
                if key not in SWITCHES:
                    Lever(key, name, info)


@solara.component
def ScenarioUpload():
    """A file input (a real <input type=file>, which a keyboard and a test can use, unlike a drop zone)."""
    file_info, set_file_info = solara.use_state(None)
    files, set_files = solara.use_state(typing.cast(list | None, None))
    element = FileInput.element(accept=".toml", on_file_info=set_file_info, show_progress=False)

    def wire() -> None:  # as solara's FileDrop: the widget's file objects, taken in the render context
        if file_info:
            widget = solara.get_widget(element)
            widget.version += 1
            widget.reset_stats()
            set_files(widget.get_files())

    def read(cancel: threading.Event) -> None:  # reading waits for the browser's chunks: off the render thread
        if files:
            load_upload(files[0]["name"], files[0]["file_obj"].read())

    solara.use_effect(wire, [file_info])
    solara.use_thread(read, [files])
    return element


@solara.component
def Controls():
    scenario = current_base()
    names = scenarios.names()
    rv.Select(label=t("preset"), v_model=scenario.name if scenario.name in names else None,
              items=[{"text": scenario_name(n), "value": n} for n in names], on_v_model=choose_preset,
              class_="preset-select")
    # a district's community: its note below says what it is (its scenario's description is its base preset's)
    line = "" if shares.value is not None or awaited.value is not None else preset_line(scenario.name) or \
        scenario.description.strip().split(". ")[0]
    # Always there, empty or not: removing an element would shift and remount the upload input below it.
    solara.Text(line, style={"font-size": "12px", "color": "#555"}, classes=["preset-line"])
    with solara.Div():
        if shares.value is not None:
            solara.Info(district_note(shares.value), dense=True, classes=["district-shares-note"])
        elif awaited.value is not None:
            solara.Info(t("explore_district_rebuilding", district=awaited.value.district,
                          arm=t(f"district_arm_{awaited.value.arm}")), dense=True, classes=["district-rebuilding"])
            JobStatus("rebuild", rebuild)
    solara.Text(t("upload"), style={"font-size": "12px", "color": "#555"})
    ScenarioUpload()
    with solara.Div():  # messages come and go inside a fixed slot, so nothing below them is remounted
        if upload_message.value is not None:
            kind, text = upload_message.value
            if kind == "error":
                ErrorMessage(t("upload_invalid"), text, classes=["upload-error"])
            else:
                solara.Success(text, classes=["upload-ok"])
    with solara.Row():
        Tip(t("seed_tip"), children=[solara.Div(children=[
            solara.InputInt(t("seed"), value=seed.value, on_value=lambda v: seed.set(max(0, int(v or 0))),
                            classes=["seed-input"], dense=True)])])
        Tip(t("households_tip"), children=[solara.Div(children=[
            solara.InputInt(t("households"), value=int(value_of("households")),
                            on_value=lambda v: set_edit("households", v), classes=["households-input"],
                            dense=True)])])
    ScenarioActions()
    with solara.Div():
        if edit_error.value:
            ErrorMessage(t("edits_invalid"), edit_error.value, classes=["edit-error"])
    MechanismPanel()


def district_note(held: DistrictShares) -> str:
    """What a district's community runs with here: the district's policies and the community's shares, round by
    round."""
    policies = t("list_sep").join(t("pool_policy", pool=t(f"pool_{pool}"), policy=t(f"policy_{policy}"))
                                  for pool, policy in held.policies.items())
    amounts = []
    for pool in held.pools:
        got = [round_[pool] for _, round_ in sorted(held.schedule.items()) if pool in round_]
        if not got:
            continue
        low, high = min(got), max(got)
        shown = f"{low:,}" if low == high else t("explore_district_range", low=f"{low:,}", high=f"{high:,}")
        amounts.append(f"{t(f'pool_{pool}')} {shown}")
    return t("explore_district_note", district=held.district, arm=t(f"district_arm_{held.arm}"), policies=policies,
             shares=t("list_sep").join(amounts))


@solara.component
def PlayBar():
    """Step, Play, Reset, the speed and "run to day": above the live view, so that on a phone they are at hand
    while the other controls wait in their drawer."""
    current = run.value
    finished = current is not None and not current.model.running
    day = current.model.day if current is not None else 0
    days = current.model.config.days if current is not None else 0
    waiting = awaited.value is not None  # a district run is running again for the community's shares
    with solara.Row(classes=["run-buttons"], style={"flex-wrap": "wrap", "align-items": "center", "gap": "6px"}):
        solara.Button(t("step"), on_click=step, disabled=playing.value or looping.value or finished or waiting,
                      color="primary", classes=["btn-step"])
        solara.Button(t("pause") if playing.value else t("play"), on_click=pause if playing.value else play,
                      disabled=finished or waiting or (looping.value and not playing.value), classes=["btn-play"])
        solara.Button(t("reset"), on_click=reset, disabled=waiting, classes=["btn-reset"])
    with solara.Row(classes=["speed-row"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(t("speed"), style={"font-size": "12px", "color": "#555"})
        solara.ToggleButtonsSingle(value=speed.value, on_value=speed.set, dense=True, classes=["speed"],
                                   children=[solara.Button(str(s) if s else t("speed_max"), value=s,
                                                           classes=[f"speed-{s or 'max'}"], text=True, small=True)
                                             for s in SPEEDS])
    with solara.Row(classes=["goto-row"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputInt(t("goto_day"), value=goto_day.value, on_value=lambda v: goto_day.set(int(v or 0)),
                        classes=["goto-day"], dense=True, style={"max-width": "110px"})
        solara.Button(t("goto_run"), on_click=lambda: play(goto_day.value), outlined=True,
                      disabled=finished or waiting or playing.value or looping.value or goto_day.value <= day,
                      classes=["btn-goto"])
        if days:
            solara.Text(t("goto_hint", days=days), style={"font-size": "12px", "color": "#555"})
    with solara.Div():
        if current is not None and current.settings != settings():
            solara.Warning(t("pending"), dense=True, classes=["pending"])


@solara.component
def ScenarioActions():
    try:
        scenario = configured()
    except ScenarioError:
        return
    # Compare runs scenarios on their own numbers, not a district's shares
    in_district = shares.value is not None or awaited.value is not None
    with solara.Row():
        solara.Button(t("add_to_compare"), on_click=lambda: add_to_compare(scenario), text=True,
                      classes=["btn-add-compare"], disabled=in_district)
        solara.FileDownload(lambda: scenarios.to_toml(scenario), filename=f"{scenario.name}.toml",
                            label=t("download_scenario"))
    with solara.Div():
        if in_district:
            solara.Text(t("district_no_compare"), classes=["district-no-compare"],
                        style={"font-size": "12px", "color": "#555"})
        if added.value:
            solara.Success(t("added_to_compare", name=scenario_name(added.value),
                             changes=describe_changes(saved_changes.value.get(added.value, {}))),
                           dense=True, classes=["added-note"])


def add_to_compare(scenario: Scenario) -> None:
    """Keep the scenario as edited for the Compare page, with a note of what was changed, and say so."""
    label = f"{scenario.name}*{len(saved.value) + 1}"
    saved_changes.value = {**saved_changes.value, label: {**edits.value, "seed": seed.value}}
    saved.value = [*saved.value, (label, scenario.model_copy(update={"name": label}))]
    added.value = label


def describe_changes(changes: dict) -> str:
    """What an edited scenario changed, in the page's language ("online groups: on; households: 600")."""
    words = []
    for key, value in changes.items():
        if key == "seed":
            continue  # the seed is Explore's, not the scenario's: Compare runs its own replications
        if key in SWITCHES:
            name = section_name(key.split(".")[0])
        elif key == "households":
            name = t("households")
        else:
            section, _, field_key = key.rpartition(".")
            name = field_name(key, field_key.replace("_", " "))
            if section in SECTIONS:
                name = f"{section_name(section)} · {name}"
        shown = t("switch_on") if value is True else t("switch_off") if value is False else f"{value:,}" \
            if isinstance(value, int) else str(value)
        words.append(f"{name} {shown}")
    return t("list_sep").join(words) or t("no_changes")


# --- live view ------------------------------------------------------------------------------------------------------
def events(config: Scenario) -> list[tuple[int, str]]:
    """The days mechanisms start or change in `config`, as (day, text key), in order of day."""
    found = []
    if config.online.enabled:
        found.append((config.online.start_day, "event_online"))
    if config.internal.leader_share > 0:
        found.append((config.internal.leader_start_day, "event_leaders"))
    if config.internal.sunk_cadres_per_1000 > 0:
        found.append((config.internal.sunk_arrival_day, "event_sunk"))
    if config.external.group_buy:
        found.append((config.external.group_buy_start_day, "event_group_buy"))
    if config.triage.enabled:
        found.append((config.triage.start_day, "event_triage"))
    if config.volunteers.enabled:
        found.append((config.volunteers.call_day, "event_call"))
    if config.organisations.enabled:
        found.append((config.organisations.start_day, "event_organisations"))
        if config.organisations.funding_after_drop < config.organisations.funding:
            found.append((config.organisations.funding_drop_day, "event_funding"))
    return sorted((day, key) for day, key in found if day < config.days)


def timeline_html(config: Scenario, day: int) -> str:
    """The run's phases as a bar across the page (each as wide as it lasts, its name inside, cut with an ellipsis
    when too narrow and whole in its tooltip), the mechanisms' start days as ticks, and today."""
    days = max(config.days, 1)
    starts = [p.start for p in config.phases] + [days]
    parts = []
    for i, phase in enumerate(config.phases):
        end = min(starts[i + 1], days)
        if phase.start >= days or end <= phase.start:
            continue
        name = html.escape(phase_name(phase.name))
        tip = html.escape(t("timeline_phase_tip", phase=phase_name(phase.name), start=phase.start, end=end - 1))
        parts.append(f'<div class="tl-phase tl-phase-{i % 2}" style="left:{100 * phase.start / days:.3f}%;'
                     f'width:{100 * (end - phase.start) / days:.3f}%" title="{tip}">{name}</div>')
    for d, key in events(config):
        tip = html.escape(t("timeline_event_tip", day=d, event=t(key)))
        parts.append(f'<div class="tl-event" style="left:{100 * d / days:.3f}%" title="{tip}"></div>')
    parts.append(f'<div class="tl-today" style="left:{100 * min(day, days) / days:.3f}%"></div>')
    return f'<div class="timeline" role="img" aria-label="{html.escape(t("timeline"))}">{"".join(parts)}</div>'


@solara.component
def Timeline(config: Scenario, day: int):
    solara.HTML(tag="div", unsafe_innerHTML=timeline_html(config, day), classes=["timeline-box"])
    upcoming = [(d, key) for d, key in events(config)]
    if upcoming:
        text = t("list_sep").join(t("timeline_event", day=d, event=t(key)) for d, key in upcoming)
        solara.Text(f"{t('timeline_events')}{text}", classes=["timeline-events"],
                    style={"font-size": "12px", "color": "#555"})


@solara.component
def SummaryCards(summary: dict):
    """The summary keys as cards, in one HTML block: eleven card components cost more to re-render every day than
    all the rest of the page."""
    cards = "".join(
        f'<div class="summary-card card-{key}" title="{html.escape(t(f"def_{key}"))}">'
        f'<div class="card-label">{html.escape(t(f"key_{key}"))}</div>'
        f'<div class="card-value">{html.escape(meaning.value(key, summary.get(key)) if key in summary else "–")}'
        f"</div></div>" for key in SUMMARY_KEYS)
    solara.HTML(tag="div", unsafe_innerHTML=cards, classes=["summary-cards"])


def serving(model: CommunityModel) -> dict[int, dict[str, int]]:
    """Who serves each grid cell today: cadres (grid and community workers), sunk cadres, active volunteers and
    building leaders at work."""
    grids = {g: {"cadres": 0, "sunk": 0, "volunteers": 0, "leaders": 0} for g in range(model.network.n_grids)}
    for cadre in model.cadres:
        for g in cadre.grids:
            if g in grids:
                grids[g]["sunk" if cadre.role == "sunk" else "cadres"] += 1
    pool = mechanism(model, "volunteers")
    if pool is not None:
        active = np.bincount(pool.grid[pool.status == ACTIVE], minlength=model.network.n_grids)
        for g in grids:
            grids[g]["volunteers"] = int(active[g])
    internal = mechanism(model, "internal")
    if internal is not None and model.day >= internal.cfg.leader_start_day:
        net = model.network
        led = np.unique(net.building[internal.led_household])
        first_home = np.searchsorted(net.building, led)
        for g in net.grid[first_home]:
            grids[int(g)]["leaders"] += 1
    return grids


def community_figures(model: CommunityModel, b: int) -> tuple[dict, dict, str]:
    """The community from above, the selected building floor by floor, and a line on who serves its grid cell."""
    net, hh = model.network, model.households
    needs = hh.open_per_household()
    hidden = hh.open_per_household(hh.hidden)
    count = n_buildings(model)
    first_home = np.searchsorted(net.building, np.arange(count))  # households are numbered building by building
    grid_of = net.grid[first_home]
    homes_of = np.bincount(net.building, minlength=count)
    needing = np.bincount(net.building, weights=needs > 0, minlength=count).astype(int)
    n_cells = int(grid_of.max()) + 1
    columns = max(1, math.ceil(math.sqrt(n_cells * 1.6)))
    rows = math.ceil(n_cells / columns)
    width, height = 0.96 / columns, 0.88 / rows
    serve = serving(model)
    cells, buildings = [], []
    for g in range(n_cells):
        cx, cy = 0.02 + (g % columns) * width, 0.08 + (rows - 1 - g // columns) * height
        s = serve[g]
        label = t("cell_label", grid=g + 1, cadres=s["cadres"] + s["sunk"], volunteers=s["volunteers"],
                  leaders=s["leaders"])
        cells.append({"x": cx + 0.004, "x2": cx + width - 0.004, "y": cy + 0.006, "y2": cy + height - 0.006,
                      "label": label, "short": t("cell_short", grid=g + 1)})
        members = np.flatnonzero(grid_of == g)
        per_row = max(1, math.ceil(math.sqrt(len(members) * 1.5)))
        n_rows = math.ceil(len(members) / per_row)
        bw, bh = (width - 0.02) / per_row, (height * 0.78) / max(n_rows, 1)
        for i, k in enumerate(members):
            n_homes, with_needs = int(homes_of[k]), int(needing[k])
            x0 = cx + 0.01 + (i % per_row) * bw
            y0 = cy + 0.01 + (n_rows - 1 - i // per_row) * bh
            buildings.append({"building": int(k), "x": x0 + bw * 0.12, "x2": x0 + bw * 0.88, "y": y0 + bh * 0.1,
                              "y2": y0 + bh * 0.9, "households": n_homes, "with_needs": with_needs,
                              "share": round(with_needs / max(n_homes, 1), 3),
                              "name": t("building_name", building=int(k) + 1)})
    tips = {"cell": t("grid_cell"), "share": t("share_with_needs"), "building": t("building"),
            "households": t("households"), "with_needs": t("households_with_needs")}
    overview = charts.community(buildings, cells, b, t("chart_community"), tips, t("gate"))
    homes = np.flatnonzero(net.building == b)
    floors = math.ceil(len(homes) / charts.DOORS)
    rows_ = []
    for i, h in enumerate(homes):
        floor, unit, door = i // charts.DOORS + 1, (i % charts.DOORS) // 2 + 1, i % 2 + 1
        rows_.append({"floor": floor, "door": t("door_label", unit=unit, door=door), "needs": int(needs[h]),
                      "hidden": int(hidden[h]), "where": t("household_where", floor=floor, unit=unit, door=door),
                      "who": t("known_needs", known=int(needs[h]) - int(hidden[h]))})
    grid = int(grid_of[b])
    detail = charts.building_floors(rows_, floors, t("chart_floors", building=b + 1, grid=grid + 1),
                                    {"door": t("axis_door"), "floor": t("axis_floor"), "needs": t("open_needs"),
                                     "household": t("household"), "hidden": t("hidden_needs"),
                                     "who": t("known")})
    s = serve[grid]
    line = t("serving_line", grid=grid + 1, cadres=s["cadres"], sunk=s["sunk"], volunteers=s["volunteers"],
             leaders=s["leaders"])
    return overview, detail, line


@solara.component
def Live():
    _ = version.value  # re-render after every step
    current = run.value
    if current is None:
        return
    model, config = current.model, current.model.config
    with current.lock:  # read the day whole: the Play thread may be stepping the model meanwhile
        day, running, phase = model.day, model.running, model.phase.name
        daily = model.daily() if day else pd.DataFrame({c: [] for c in DAILY_COLUMNS})
        daily["applicants"] = current.applicants[:len(daily)]
        summary = model.summary() if day else {}
        count = n_buildings(model)
        b = min(building.value, count - 1)
        overview, floors, serving_line = community_figures(model, b)
    DayAck.element(day=day, settled=not looping.value, on_shown=acknowledge)
    with solara.Row(classes=["day-line"]):
        solara.Text(t("day", day=day, days=config.days), classes=["day-label"],
                    style={"font-size": "18px", "font-weight": "600"})
        solara.Text(t("phase", phase=phase_name(phase)) if day else scenario_name(config.name),
                    style={"color": "#555"}, classes=["phase-label"])
        if not running:
            solara.Text(t("finished"), style={"color": "#2e7d32"})
    Timeline(config, day)
    # The same elements on every day, day 0 included, so that charts are updated in place, never replaced.
    with solara.Div(classes=["notice"]):
        if day == 0:
            solara.Info(t("no_data"), dense=True)
    SummaryCards(summary)
    phases = [(p.start, phase_name(p.name)) for p in config.phases]
    x = t("axis_day")

    def lines(series: dict[str, str], title: str, y_title: str, dashed: tuple = ()) -> dict:
        return charts.lines(daily, series, title, y_title, x, phases, config.days, dashed, t("series"),
                            t("phase_word"))

    figures = [
        lines({f"unmet_{c}": t(f"cat_{c}") for c in CATEGORIES}, t("chart_categories"), t("axis_needs")),
        lines({f"unmet_{g}": t(f"grp_{g}") for g in GROUPS}, t("chart_groups"), t("axis_needs")),
        lines({"applicants": t("vol_applicants"), "volunteers_vetting": t("vol_vetting"),
               "volunteers_active": t("vol_active"), "volunteers_burnt_out": t("vol_burnt_out")},
              t("chart_volunteers"), t("axis_count")),
        lines({"coordinator_load": t("load_cadres"), "coordinator_capacity": t("cap_cadres"),
               "volunteer_coordinator_load": t("load_volunteers"),
               "volunteer_coordinator_capacity": t("cap_volunteers")},
              t("chart_coordination"), t("axis_hours"),
              dashed=("coordinator_capacity", "volunteer_coordinator_capacity")),
        lines({"price_index": t("price_index")}, t("chart_prices"), t("axis_index")),
    ]
    names = list(CHART_NAMES)
    present = {k: n for k, n in model.compounds.households().items() if n} if model.compounds.declared else {}
    if present:  # a scenario with compound types: who is left behind, per 1,000 households of each type
        for kind, n in present.items():
            daily[f"per_1000_{kind}"] = daily[f"unmet_{kind}"] / n * 1000.0
        figures.insert(2, lines({f"per_1000_{k}": t(f"compound_{k}") for k in present}, t("chart_compounds"),
                                t("axis_needs_per_1000")))
        names.insert(2, "needs-by-compound")
    presenting = charts.presenting.value
    if presenting:  # one chart at a time, as large as the screen allows
        solara.ToggleButtonsSingle(value=min(shown_chart.value, len(figures) + 1), on_value=shown_chart.set,
                                   classes=["chart-picker"],
                                   children=[solara.Button(f["title"]["text"], value=i, text=True)
                                             for i, f in enumerate(figures)]
                                   + [solara.Button(t("chart_community_short"), value=len(figures), text=True),
                                      solara.Button(t("chart_floors_short"), value=len(figures) + 1, text=True)])
    chosen = min(shown_chart.value, len(figures) + 1) if presenting else None
    with solara.ColumnsResponsive(default=12, large=12 if presenting else 6, classes=["charts"]):
        for i, figure in enumerate(figures):
            with solara.Div(classes=["chart"], style={"display": "none"} if chosen not in (None, i) else {}):
                charts.show(figure, f"liandong-{names[i]}-day{day}")
        with solara.Div(classes=["chart", "network-chart"],
                        style={"display": "none"} if chosen not in (None, len(figures)) else {}):
            charts.show(overview, f"liandong-community-day{day}")
            solara.Text(t("community_note"), classes=["note"])
        with solara.Div(classes=["chart", "building-chart"],
                        style={"display": "none"} if chosen not in (None, len(figures) + 1) else {}):
            # buildings and grid cells are numbered from 1 on the page (from 0 in the model)
            solara.SliderInt(t("building"), value=b + 1, min=1, max=count, on_value=lambda n: building.set(n - 1))
            charts.show(floors, f"liandong-building{b + 1}-day{day}")
            solara.Text(serving_line, classes=["note", "serving-line"])


@solara.component
def Explore():
    """The Explore page."""
    if run.value is None and not ended.value:
        reset()

    solara.use_thread(play_loop, [playing.value], intrusive_cancel=False)
    # Two columns on a laptop or a projector; on a phone the controls are a drawer opened from the top of the page
    # (CSS in app.py), and Step, Play and Reset stay above the charts.
    with solara.Div(classes=["explore", "drawer-open" if drawer.value else "drawer-closed"]):
        with solara.Div(classes=["explore-controls"]):
            solara.Button(t("drawer_close"), icon_name="mdi-close", on_click=lambda: drawer.set(False), text=True,
                          classes=["drawer-close"])
            Controls()
        with solara.Div(classes=["explore-live"]):
            solara.Button(t("drawer_open"), icon_name="mdi-tune", on_click=lambda: drawer.set(True), outlined=True,
                          classes=["drawer-toggle"])
            PlayBar()
            Live()
