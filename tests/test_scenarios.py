"""Scenario files: presets load, files round-trip, overrides apply, and every kind of bad input is a
ScenarioError whose message names the file (or label), the field and what is allowed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import scenarios
from scenarios import Scenario, ScenarioError


def _error(source, overrides=None) -> str:
    with pytest.raises(ScenarioError) as info:
        scenarios.load(source, overrides)
    return str(info.value)


def _file(tmp_path: Path, text: str | bytes, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- presets ------------------------------------------------------------------------------------------------

def test_presets_listed_no_linkage_first():
    names = scenarios.names()
    assert names[0] == "no_linkage"
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", scenarios.names())
def test_every_preset_loads_and_is_valid(name):
    s = scenarios.load(name)
    assert isinstance(s, Scenario)
    assert s.name == name
    assert s.phases[0].start == 0
    assert [p.start for p in s.phases] == sorted({p.start for p in s.phases})
    assert 1 <= s.households <= scenarios.MAX_HOUSEHOLDS
    assert scenarios.describe(name).endswith(".")


@pytest.mark.parametrize("name", scenarios.names())
def test_preset_round_trips_through_toml(name, tmp_path):
    s = scenarios.load(name)
    path = _file(tmp_path, scenarios.to_toml(s), "rt.toml")
    assert scenarios.load(path) == s
    # save() writes the same text
    saved = scenarios.save(s, tmp_path / "saved.toml")
    assert saved.read_text(encoding="utf-8") == scenarios.to_toml(s)
    assert scenarios.load(saved) == s


def test_custom_scenario_round_trips_exactly(tmp_path):
    s = scenarios.load("no_linkage", {
        "name": "社区 test", "description": 'quotes " and\nnewlines', "households": 777,
        "mass_base": 0.123456789,
        "reporting.call_prob": 0.1 + 0.2,  # not exactly representable in decimal
        "phases": [{"name": "a", "start": 0, "food_supply": 0.3},
                   {"name": "b", "start": 9, "outing_interval": 0}],
    })
    back = scenarios.load(_file(tmp_path, scenarios.to_toml(s)))
    assert back == s
    assert back.reporting.call_prob == 0.1 + 0.2
    assert back.phases[1].outing_interval == 0


def test_dict_source_and_scenario_source():
    s = scenarios.load({"households": 321})
    assert s.households == 321 and s.name == "custom"
    assert scenarios.load(s) is s
    assert scenarios.load(s, {"days": 5}).days == 5


# --- overrides ----------------------------------------------------------------------------------------------

def test_top_level_override():
    base = scenarios.load("no_linkage")
    s = scenarios.load("no_linkage", {"households": 500, "days": 12})
    assert (s.households, s.days) == (500, 12)
    assert s.model_copy(update={"households": base.households, "days": base.days}) == base


def test_dotted_overrides_and_with_overrides_do_not_mutate():
    base = scenarios.load("no_linkage")
    s = base.with_overrides({"reporting.call_prob": 0.2, "cadres.hours_per_day": 8.0,
                             "population.elderly_share": 0})
    assert s.reporting.call_prob == 0.2
    assert s.cadres.hours_per_day == 8.0
    assert s.population.elderly_share == 0
    assert base == scenarios.load("no_linkage")  # the original is untouched
    assert s.needs == base.needs  # untouched sections stay


def test_override_replaces_phase_schedule():
    s = scenarios.load("no_linkage", {"phases": [{"name": "only", "start": 0, "outing_interval": 0}]})
    assert [p.name for p in s.phases] == ["only"]
    assert s.phase_on(50).name == "only"


def test_overrides_are_validated():
    msg = _error("no_linkage", {"reporting.call_prob": 2.0})
    assert "reporting.call_prob" in msg and "<= 1" in msg


@pytest.mark.parametrize("key, suggestion", [
    ("reporting.cal_prob", "call_prob"),
    ("reportin.call_prob", "reporting"),
    ("houshold", "households"),
])
def test_unknown_override_names_key_and_suggests(key, suggestion):
    msg = _error("no_linkage", {key: 1})
    assert "override" in msg
    assert key.split(".")[0] in msg
    assert f"Did you mean '{suggestion}'" in msg
    assert "Allowed here:" in msg


@pytest.mark.parametrize("key, field", [("households.x", "households"),
                                        ("phases.start", "phases")])
def test_override_into_non_section_gets_a_sensible_message(key, field):
    msg = _error("no_linkage", {key: 3})
    assert f"Did you mean '{field}'" not in msg
    assert f"'{field}' is not a section" in msg


def test_a_phase_field_is_overridden_by_the_phase_name():
    s = scenarios.load("no_linkage", {"phases.full_closure.hospital_access": 0.3, "phases.easing.start": 60})
    assert s.phase_on(30).hospital_access == 0.3 and s.phase_on(57).name == "full_closure"
    assert s.phase_on(10).hospital_access == scenarios.load("no_linkage").phase_on(10).hospital_access
    msg = _error("no_linkage", {"phases.0.start": 3})
    assert "'phases.0': unknown key" in msg and "full_closure" in msg
    msg = _error("no_linkage", {"phases.easing.start": 90})  # past 'reopened' (day 76): the order is checked
    assert "phases[4].start" in msg and "overlaps" in msg


# --- errors from files --------------------------------------------------------------------------------------

def test_unknown_top_level_key_suggests_spelling(tmp_path):
    path = _file(tmp_path, "housholds = 500\n")
    msg = _error(path)
    assert str(path) in msg
    assert "'housholds'" in msg and "unknown key" in msg
    assert "Did you mean 'households'" in msg
    assert "Allowed here:" in msg and "mass_base" in msg


def test_unknown_key_in_section_and_phase(tmp_path):
    msg = _error(_file(tmp_path, "[reporting]\ncal_prob = 0.2\n"))
    assert "reporting.cal_prob" in msg and "Did you mean 'call_prob'" in msg
    msg = _error(_file(tmp_path, "[[phases]]\nname = 'a'\nstart = 0\noutng_interval = 3\n", "p.toml"))
    assert "phases[0].outng_interval" in msg and "Did you mean 'outing_interval'" in msg


@pytest.mark.parametrize("text, field", [
    ('households = "3000"\n', "households"),      # strict: a string is not an int
    ("households = true\n", "households"),        # nor is a bool
    ("households = 300.0\n", "households"),       # nor a float
    ('mass_base = "0.5"\n', "mass_base"),
    ('[cadres]\nhours_per_day = "12"\n', "cadres.hours_per_day"),
    ("reporting = 3\n", "reporting"),
])
def test_wrong_type_is_rejected_not_coerced(tmp_path, text, field):
    path = _file(tmp_path, text)
    msg = _error(path)
    assert str(path) in msg
    assert f"'{field}'" in msg
    assert "Allowed:" in msg


def test_wrong_type_message_says_what_is_allowed(tmp_path):
    msg = _error(_file(tmp_path, 'households = "3000"\n'))
    assert "valid integer" in msg and '(got "3000")' in msg  # the value as written in TOML
    assert "int >= 1" in msg and f"<= {scenarios.MAX_HOUSEHOLDS}" in msg


def test_probability_above_one(tmp_path):
    path = _file(tmp_path, "[reporting]\ncall_prob = 1.5\n")
    msg = _error(path)
    assert str(path) in msg and "'reporting.call_prob'" in msg and "1.5" in msg
    assert ">= 0.0 and <= 1.0" in msg


def test_probability_in_phase_above_one(tmp_path):
    msg = _error(_file(tmp_path, "[[phases]]\nname = 'a'\nstart = 0\nshop_access = 1.5\n"))
    assert "phases[0].shop_access" in msg and "<= 1.0" in msg


def test_negative_households(tmp_path):
    path = _file(tmp_path, "households = -5\n")
    msg = _error(path)
    assert str(path) in msg and "'households'" in msg and "-5" in msg and ">= 1" in msg


def test_zero_days(tmp_path):
    msg = _error(_file(tmp_path, "days = 0\n"))
    assert "'days'" in msg and ">= 1" in msg


def _phases(*starts: int) -> str:
    return "".join(f"[[phases]]\nname = 'p{i}'\nstart = {s}\n" for i, s in enumerate(starts))


def test_phases_out_of_order(tmp_path):
    path = _file(tmp_path, _phases(0, 20, 10))
    msg = _error(path)
    assert str(path) in msg
    assert "phases[2].start" in msg and "'p2'" in msg and "increasing start day" in msg


def test_phases_same_start_day(tmp_path):
    msg = _error(_file(tmp_path, _phases(0, 18, 18)))
    assert "phases[2].start" in msg and "day 18" in msg and "increasing" in msg


def test_first_phase_not_on_day_zero(tmp_path):
    msg = _error(_file(tmp_path, _phases(5, 10)))
    assert "phases[0].start" in msg and "day 0" in msg


def test_no_phases(tmp_path):
    msg = _error(_file(tmp_path, "phases = []\n"))
    assert "phases" in msg and "day 0" in msg


def test_households_above_maximum(tmp_path):
    msg = _error(_file(tmp_path, f"households = {scenarios.MAX_HOUSEHOLDS + 1}\n"))
    assert "'households'" in msg and f"<= {scenarios.MAX_HOUSEHOLDS}" in msg


def test_households_times_days_too_large(tmp_path):
    path = _file(tmp_path, f"households = {scenarios.MAX_HOUSEHOLDS}\ndays = 400\n")
    msg = _error(path)
    assert str(path) in msg and "households x days" in msg and "too large" in msg and "keep it under" in msg


def test_days_above_maximum(tmp_path):
    msg = _error(_file(tmp_path, f"households = 10\ndays = {scenarios.MAX_DAYS + 1}\n"))
    assert "'days'" in msg and f"<= {scenarios.MAX_DAYS}" in msg


def test_not_utf8(tmp_path):
    path = _file(tmp_path, b"name = '\xff\xfe'\n")
    msg = _error(path)
    assert str(path) in msg and "UTF-8" in msg


def test_invalid_toml_syntax(tmp_path):
    path = _file(tmp_path, "households = = 3\n")
    msg = _error(path)
    assert str(path) in msg and "TOML" in msg and "line 1" in msg


def test_folder_instead_of_file(tmp_path):
    msg = _error(tmp_path)
    assert str(tmp_path) in msg and "folder" in msg


def test_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    msg = _error(path)
    assert str(path) in msg and "no such" in msg and "no_linkage" in msg


def test_misspelt_preset_suggests_name():
    msg = _error("no_linkag")
    assert "no_linkag:" in msg and "Did you mean 'no_linkage'" in msg


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read files without permission")
def test_unreadable_file(tmp_path):
    path = _file(tmp_path, "households = 5\n")
    path.chmod(0)
    try:
        msg = _error(path)
    finally:
        path.chmod(0o644)
    assert str(path) in msg and "cannot be read" in msg


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_file_that_exists_but_cannot_be_read():
    """Reading /proc/self/mem from offset 0 fails with EIO even for root: the OSError path of the loader."""
    msg = _error(Path("/proc/self/mem"))
    assert "/proc/self/mem" in msg and "cannot be read" in msg


def test_several_problems_are_all_reported(tmp_path):
    msg = _error(_file(tmp_path, "households = -1\n[reporting]\ncall_prob = 3.0\n"))
    assert "'households'" in msg and "'reporting.call_prob'" in msg


def test_scenario_error_is_a_value_error():
    assert issubclass(ScenarioError, ValueError)
