"""The lever audit: does every lever of the scenario schema change the main outcomes, and if not, why not?

For every numeric, bool and enum field of every section of the schema and of every phase of `wuhan_2020` (a
*lever*), the audit sets it to each end of its range (an enum to each of its other values, a bool to the other
value) and measures the paired effect on the main summary keys (`AUDIT_KEYS`) over ten common seeds: the mean
difference from the unchanged scenario and its 95% paired t-interval (`experiments.stats.paired_differences`). It
does so in `wuhan_2020` and, for the levers of a mechanism, in the preset where that mechanism is the one switched on
(`HOMES`). A lever has a *clear* effect where some key's interval excludes 0. A lever with no clear effect anywhere is
either explained (`NO_EFFECT_REASONS`: inert for a stated reason) or listed at the top of the page as *unexplained
inert*, a defect to fix.

    python -m experiments.lever_audit --write docs/levers.md

The runs go through the experiments runner (one comparison per context, common seeds, local processes; a fresh
results folder under the system's temporary directory unless `--out` keeps it, so a rerun after changing the model
never reuses old runs). The seeds come from the runner's root seed and the replication alone, so the page is the
same whatever the number of workers.

Ranges: the schema documents most as "assumed, lo-hi" in a field's source, which is parsed (`schema_range`); the
others are given in `RANGES` and `PHASE_RANGES` with the reason for each. A field with neither (a field added since)
gets half to one and a half times its value, marked as such on the page.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
import time
import typing
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import scenarios
from experiments.errors import ExperimentError
from experiments.executors import ProcessExecutor
from experiments.plan import compare_plan
from experiments.reports import fmt
from experiments.runner import execute
from scenarios.schema import COMPOUND_TYPES, TARGETING_MODES, CompoundType, Phase, Scenario, Section
from simulation.provenance import code_version

MAIN = "wuhan_2020"
SEEDS = 10
AUDIT_KEYS = ("unmet_need_days", "hidden_need_share", "critical_failures", "mean_days_to_meet", "equity_ratio",
              "wait_ratio")
EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Context:
    """A scenario the levers are audited in: a preset, with overrides where no preset switches the section on."""

    label: str
    preset: str
    overrides: dict = field(default_factory=dict, hash=False)
    why: str = ""


WUHAN = Context(MAIN, MAIN, why="the headline scenario: every lever is audited here")

# Where each mechanism's levers are audited besides wuhan_2020: the preset where the mechanism is the one switched
# on (or switched on in the way wuhan_2020 does not: the organised call, integration). Sections not named here
# (population, network, needs, reporting, cadres, distress, prices, the phases, the top-level fields) are always
# in force, so wuhan_2020 is where they are switched on.
HOMES: dict[str, Context] = {
    "online": Context("emergency_online", "emergency_online",
                      why="online linkage alone on cadres; in wuhan_2020 it runs beside every other linkage"),
    "internal": Context("internal", "internal", why="sunk cadres and building leaders alone on cadres"),
    "external": Context("external", "external", why="group buying, supply and donations alone on cadres"),
    "triage": Context("wuhan_2020+triage", MAIN, {"triage.enabled": True},
                      why="no preset switches triage on, so wuhan_2020 with `triage.enabled` = true"),
    "volunteers": Context("categorized_recruitment", "categorized_recruitment",
                          why="the organised call (leaders mode, incentives, conflict handling); wuhan_2020 has an "
                              "open call without them"),
    "organisations": Context("three_social", "three_social",
                             why="social organisations integrated (integration 1); in wuhan_2020 they are not (0.3)"),
}
# Cadres alone (the baseline of every comparison), for the sections always in force whose levers act where needs
# wait for the cadres: in wuhan_2020 the linkages leave the cadres hours to spare after the closure weeks, and no
# chronic patient runs out of medicine.
CADRES_ALONE = Context("no_linkage", "no_linkage",
                       why="cadres alone: every need waits for the cadres' phone line and hours (in wuhan_2020 "
                           "the linkages leave the cadres hours to spare after the closure weeks, and few chronic "
                           "patients run out of medicine)")
for _section in ("needs", "reporting", "cadres"):
    HOMES[_section] = CADRES_ALONE

# Levers audited in a further preset, where what they act on is switched on (the organisations' leaders inactive).
EXTRA_CONTEXTS: dict[str, list[Context]] = {
    key: [Context("leader_inactive", "leader_inactive",
                  why="social organisations whose leaders do not act (`leader_active_prob` 0), where the staff who "
                      "follow anyway matter")]
    for key in ("organisations.follow_share", "organisations.leader_active_prob")
}
# The open call (one coordinator swamped by 270 sign-ups), where coordination decides how many volunteers work;
# wuhan_2020's two coordinators have most of their hours to spare after its drive of 37 (docs/odd.md 7.17).
EXTRA_CONTEXTS.update({
    key: [Context("open_recruitment", "open_recruitment",
                  why="the open call: one coordinator swamped by 270 sign-ups, where coordination decides how many "
                      "volunteers work (wuhan_2020's drive, at the citywide rate, brings its two coordinators a few "
                      "dozen)")]
    for key in ("volunteers.supervision_hours", "volunteers.vetting_hours_open", "volunteers.open_multiplier",
                "volunteers.unsuitable_share", "volunteers.approval_days", "volunteers.incentive_attrition",
                "volunteers.coordinators", "volunteers.coordinator_hours", "volunteers.overload_attrition",
                "volunteers.resident_supervision_share")
})
# Resident leaders as sub-coordinators widen the span of control only where supervision binds: the organised call
# of `categorized_recruitment` brings 90 referred sign-ups, which its coordinator supervises with hours to spare.
EXTRA_CONTEXTS["volunteers.leader_span"] = [Context(
    "categorized_recruitment+call x3", "categorized_recruitment", {"volunteers.applicants_per_1000": 270.0},
    why="the organised call three times as large (270 referred sign-ups), where supervision binds")]
EXTRA_CONTEXTS["volunteers.conflict_hours"] = [Context(
    "open_recruitment+conflict_handling", "open_recruitment", {"volunteers.conflict_handling": True},
    why="conflict handling by a swamped coordinator, whose conflict hours come out of vetting")]

# A compound type is a tenth to two fifths of wuhan_2020's community, whose linkages leave the cadres hours to spare
# after the closure weeks: a type's gates, staff and make-up show where the cadres' hours bind, alone or with the
# building leaders and sunk cadres, and in a community of that type's compounds alone, where every household and
# every hour of the cadres is the type's.
TYPE_ALONE: dict[str, Context] = {
    _t: Context(f"{MAIN}, {_t} alone", MAIN, {"compounds.mix": {_t: 1.0}},
                why=f"wuhan_2020 made of {_t.replace('_', ' ')} compounds alone: the type's households are the whole "
                    "community, and not a tenth to two fifths of it beside the other types'")
    for _t in COMPOUND_TYPES}
for _t in COMPOUND_TYPES:
    for _name in CompoundType.model_fields:
        EXTRA_CONTEXTS.setdefault(f"compounds.{_t}.{_name}", []).extend(
            [CADRES_ALONE, HOMES["internal"], TYPE_ALONE[_t]])

# Ranges of the fields whose schema source gives none as "assumed, lo-hi": (low, high, why).
RANGES: dict[str, tuple[float, float, str]] = {
    **{f"compounds.{t}.property_staff_per_1000": (0.0, 2.0, "none by the type's definition; up to 2 per 1,000 "
                                                  "hired for the lockdown (assumed)")
       for t in ("old_open", "resettlement")},
    **{f"compounds.{t}.leader_delay_days": (0, 14, "on time by default; as late as the resettlement compounds' "
                                            "leaders (assumed)")
       for t in ("old_open", "commodity", "work_unit")},
    "households": (1500, 8000, "community sizes in the sources' examples, 1,315-8,424 households (M)"),
    "days": (77, 120, "from the day after reopening (76) to six weeks past it"),
    "mass_base": (0.1, 0.9, "the weak and strong mass-base presets"),
    "population.persons_per_household": (2.0, 3.0, "around the census's 2.47 for one community"),
    "population.elderly_share": (0.2, 0.4, "around 0.30 derived from the census (17.2% aged 60+)"),
    "population.chronic_share_elderly": (0.6, 0.9, "around the national 75%"),
    "population.dialysis_share": (0.0006, 0.0024, "half to twice the sourced share (4,700 patients)"),
    "population.digital_share_elderly": (0.3, 0.5, "around the sourced ~40% of people 60+ online"),
    "network.building_size": (30, 120, "half to twice the assumed 60"),
    "network.grid_cells": (5, 20, "half to twice the sourced ~10 per community"),
    "needs.food_stock_days": (3.0, 10.0, "a few days to more than the city's week"),
    "needs.package_days": (2.0, 5.0, "around the sourced ~3 people x 3 days"),
    "needs.refill_days": (14.0, 60.0, "two weeks to two months of medicine a refill"),
    "needs.dialysis_interval": (2, 4, "around the sourced 2-3 sessions a week"),
    "needs.medical_deadline_days": (0, 3, "the same day to three days"),
    "needs.psych_threshold": (0.55, 0.7, "around the calibrated 0.62"),
    "reporting.call_hours": (0.05, 0.12, "100-200 calls in a 12-hour day, and faster"),
    "reporting.screen_hours": (0.05, 0.2, "half to twice the assumed 0.1"),
    "cadres.per_1000_households": (2.5, 7.1, "one worker per 1,000 to one per 350 residents (M/H)"),
    "cadres.hours_per_day": (8.0, 16.0, "a normal day to round-the-clock duty"),
    "cadres.fatigue_recovery": (0.0, 0.05, "nobody relieves them, to relief"),
    "distress.initial_mean": (0.42, 0.54, "the calibration's prior (calibration/params.toml)"),
    "distress.initial_concentration": (6.0, 24.0, "the calibration's prior"),
    "distress.support": (0.002, 0.008, "half to twice the assumed 0.004"),
    "distress.distressed_threshold": (0.4, 0.6, "around the middle of the scale"),
    "prices.package_price": (80.0, 150.0, "around the sourced ~100 yuan a package"),
    "prices.normal_need_share": (0.1, 0.3, "around 1 / shop_purchase_days for purchases of 3-10 days"),
    "prices.cap": (1.0, 1.5, "prices held at the pre-lockdown level, or allowed up by half (0 = no cap)"),
    "online.start_day": (0, 14, "the groups open with the lockdown, or two weeks into it"),
    "online.psych_sessions_per_1000": (1.2, 5.3, "the city's services as 60-260 teams the size of the one reported"),
    "online.medical_volunteers": (1, 10, "a quarter to two and a half times the assumed 4"),
    "internal.sunk_cadres_per_1000": (8.0, 17.0, "25-50 sunk cadres per community of 3,000 households (H/M)"),
    "internal.sunk_arrival_day": (15, 25, "around the sourced day 19"),
    "internal.leader_start_day": (14, 25, "around closed management, day 18"),
    "external.group_buy_start_day": (20, 30, "around the sourced days 24-26"),
    "external.batch_min": (20, 100, "small batches to the sourced 100 packages"),
    "external.lead_days_initial": (3, 7, "around the sourced early waits of 5-6 days"),
    "external.lead_days_final": (1, 3, "next day (sourced) to three days"),
    "external.maturation_days": (14, 42, "half to one and a half times the assumed 28"),
    "external.supply_per_1000": (0.0, 140.0, "none to twice the preset's 70 a round"),
    "external.stock_days": (4.0, 10.0, "around the city's stock of about a week (H)"),
    "external.subsidised_per_1000": (35.0, 52.0, "the sourced 20-30 packs per compound (L)"),
    "external.subsidised_price": (5.0, 20.0, "half to twice the sourced 10 yuan"),
    "external.subsidised_pack_days": (2.0, 3.0, "around the sourced 5 kg a pack"),
    "triage.start_day": (20, 35, "around the social workers' start, day 28"),
    "triage.social_workers": (0, 6, "none (only the order changes) to three times the assumed 2"),
    "triage.crisis_threshold": (0.64, 0.9, "the calibration's lowest, to far fewer crises"),
    "volunteers.call_day": (25, 38, "a week either side of the sourced day 31"),
    "volunteers.applicants_per_1000": (6.0, 25.0, "half to twice the drive's 12.3 (H); the presets set 90"),
    "volunteers.drive_days": (1, 7, "every sign-up on the first day, to a week (the drive took four)"),
    "volunteers.first_day_share": (0.1, 0.5, "around the drive's 10,000 of 50,000 (H)"),
    "volunteers.coordinators": (1, 4, "the one person of the source to four"),
    "volunteers.coordinator_hours": (8.0, 16.0, "as cadres: a normal day to round-the-clock duty"),
    "volunteers.attrition": (0.005, 0.02, "the sourced 0.5-2% a day (L)"),
    "volunteers.overload_attrition": (1.0, 5.0, "as on the pattern-sensitivity page"),
    "volunteers.mobilisation_threshold": (0.15, 0.5, "half to about one and a half times the assumed 0.3"),
    "volunteers.spontaneous_rate": (0.0001, 0.002, "a fifth to four times the assumed 0.0005"),
    "organisations.start_day": (20, 35, "around the sourced day 28"),
    "organisations.leader_active_prob": (0.0, 1.0, "no leader acts, to every leader"),
    "organisations.funding": (0.3, 1.0, "a third of full funding, to full"),
    "organisations.funding_drop_day": (28, 60, "from the organisations' first day (28; a drop before it is the same "
                                               "as a drop on it) to past the easing (day 55)"),
    "organisations.funding_after_drop": (0.3, 1.0, "a deep cut, to none"),
    "organisations.integration": (0.0, 1.0, "the whole 0-1 scale"),
}

# Phase fields, for every phase (the start day per phase: it must stay between its neighbours'): (low, high, why).
PHASE_RANGES: dict[str, tuple[float, float, str]] = {
    "outing_interval": (0, 3, "nobody out, to one outing every 3 days (the timeline's rules)"),
    "self_medical": (0.15, 0.95, "the span of the default phases"),
    "food_supply": (0.5, 1.0, "the span of the default phases"),
}
PHASE_START_RANGES: dict[str, tuple[int, int, str]] = {
    "closed_compound": (16, 20, "around the sourced days 18-19"),
    "full_closure": (20, 26, "around the sourced day 22, and the trip caps of days 24-26"),
    "easing": (50, 60, "around the sourced day 55"),
    "reopened": (70, 80, "around the sourced day 76"),
}

# Levers inert in every context for a stated reason (the page's "why none"). A reason whose lever shows a clear
# effect after all is listed on the page as no longer holding.
NO_EFFECT_REASONS: dict[str, str] = {
    **{f"compounds.{t}.property_staff_hours": f"{t.replace('_', ' ')} compounds have no property staff "
       "(`property_staff_per_1000` 0), so their staff's hours change nothing" for t in ("old_open", "resettlement")},
    "distress.distressed_threshold": "a measure's cut-off, not a process: it says who is counted in "
                                     "`distressed_households` (and the target `distressed_survey_week`); no "
                                     "household's needs or any responder reads it, so the runs are identical",
    "online.psych_hours": "the remote services' capacity is given in sessions a day (`psych_sessions_per_1000`, "
                          "from the one reported team's 6,252 people served); the length of a session converts it "
                          "into the hours columns and the number of remote volunteers (`remote_volunteers_active`), "
                          "and changes no household's service: the runs are identical",
    "internal.leader_hours": "a leader passes on up to `leader_hours` / `leader_report_hours` reports a day (10 to 40 "
                             "over this range), more than the open needs of a building's neighbours who have not "
                             "reported on any day: the hours never bind (they do below about 0.3 a day)",
    "internal.leader_report_hours": "as `internal.leader_hours`: over this range a leader's hours pass on every "
                                    "neighbour's report (at 0.02 the runs are identical; at 0.15 a few reports wait "
                                    "a day)",
    "external.stock_days": "the suppliers' stock never runs out in wuhan_2020 or `external` (three days of need at "
                           "its lowest: the target `stock_days_min`), with or without the counted deliveries: a "
                           "larger opening stock changes nothing (identical runs), a smaller one a few orders",
    "phases.closed_compound.self_medical": "the phase lasts four days in wuhan_2020 (days 18-21), and patients who "
                                           "may reach a clinic have a few medical needs in four days",
    "phases.easing.food_supply": "food supply acts through the price index (see `phases.sealed_city.food_supply`); "
                                 "in easing (from day 55) the index is falling back and group buying feeds most "
                                 "households",
    "phases.easing.gate_hours_per_1000": "from day 55 the cadres have hours to spare (the backlog is gone: "
                                         "pattern 1), so what the gates take then changes no need's service",
    "triage.screens_per_worker": "the day's screens are the fewest of the plan (`social_workers` x "
                                 "`screens_per_worker`) and what the hours buy (`hours_per_day` / `screen_hours`), "
                                 "80 either way at the defaults: above that the runs are identical; below it fewer "
                                 "register households are screened a day, but the cadres screen the same register "
                                 "(7.4), so a need found a day later changes no summary key clearly",
    "triage.hours_per_day": "as `triage.screens_per_worker`: the hours cap the screens at 80 a day at the defaults",
    "triage.screen_hours": "as `triage.screens_per_worker`: faster calls cannot pass the plan of 80 a day "
                           "(identical runs); slower ones leave a few register households for the cadres' screening",
    "volunteers.first_day_share": "the drive's sign-ups arrive over four days either way, their checks take 3-7 "
                                  "days, and the coordinators vet them with hours to spare: whether a tenth or a half "
                                  "sign up on the first day moves approvals by a day or two",
    "phases.reopened.gate_hours_per_1000": "as `phases.easing.gate_hours_per_1000`: after reopening (day 76) the "
                                           "cadres have hours to spare",
    "phases.full_closure.shop_access": "in full closure nobody may go out to shop (`outing_interval` 0), so the "
                                       "shops' access is never read: the runs are identical",
    "phases.closed_compound.food_supply": "the phase lasts four days in wuhan_2020 (days 18-21), and food supply "
                                          "acts only through the price index (see `phases.sealed_city.food_supply`)",
    "phases.full_closure.outing_interval": "in full closure the shops sell to group buyers only (`shop_access` 0), "
                                           "so an outing buys nothing; it only lets a household fetch its own "
                                           "package from the gate, which an organiser or a cadre would otherwise "
                                           "carry: the same food arrives, at most a day sooner (the runs differ a "
                                           "little)",
    "population.digital_share_alone": "elderly people living alone are about one household in twenty-two (elderly "
                                      "share 0.30 x alone share 0.15): over this range about one household in a "
                                      "hundred moves between offline and online, too few to move a community-wide "
                                      "key beyond the seeds' noise (the runs differ)",
    "online.psych_seek_prob": "the remote services run at capacity: at both ends of the range more households call "
                              "than the day's sessions on almost every day (daily `psych_help_sought` against "
                              "`psych_help_capacity`), as the source's hotline ran at ten times its capacity (H); "
                              "who calls changes who gets through, not how many are helped",
    "organisations.friction_hours": "at wuhan_2020's integration (0.3) the cadres' report budget has room for "
                                    "nearly every outside referral at either end of the range (daily "
                                    "`referrals_accepted` against `referrals_made`), so the friction costs cadre "
                                    "hours (`hours_referral_friction`) but turns few referrals away; in "
                                    "`three_social` (integration 1) it costs nothing",
    "cadres.relief_recovery": "it acts on the community's own cadres' fatigue, and only while sunk cadres are on "
                              "duty beside them: it changes `cadre_overload_days` and `coordinator_overload_days` "
                              "clearly in wuhan_2020, but the sunk cadres arrive after the closure weeks' peak of "
                              "calls, when the linkages already leave the cadres hours to spare, so faster or slower "
                              "relief moves the residents' outcomes less than the noise of 10 seeds; `no_linkage` "
                              "has no sunk cadres (identical runs)",
    "prices.low_income_response": "it scales only what a low-income household buys at the shop on its own outing "
                                  "days; in wuhan_2020 the price index is highest in the full closure, when nobody "
                                  "goes out, and near 1 on the days households shop, so the purchases it changes "
                                  "are few and small (the price levers that act on the group-buy packages, "
                                  "`prices.cap`, `prices.elasticity` and `prices.adjustment`, have clear effects)",
}

# Levers whose effect is on an outcome of their own, outside `AUDIT_KEYS`: (the summary key, why that key). Such a
# lever counts as acting where its interval on that key excludes 0. One declared key per lever, not a search over
# every key, so that noise on a dozen keys cannot pass for an effect.
OWN_OUTCOMES: dict[str, tuple[str, str]] = {
    "distress.scar": ("mean_distress_end", "the share of a bad day's distress that stays: it shapes distress after "
                                           "the lockdown, not the needs during it"),
    "distress.bereavement": ("mean_distress_end", "grief after a death that care could not prevent: distress"),
    "distress.key_group_recovery": ("mean_distress_end", "how fast the key groups' distress eases after reopening"),
    "reporting.message_hours": ("coordinator_overload_days", "the coordination budget's cost of a message: whether "
                                                             "the coordinators are overloaded"),
    "reporting.call_hours": ("coordinator_overload_days", "the coordination budget's cost of a call: whether the "
                                                          "coordinators are overloaded"),
    # A compound type's trait acts on its own households, a tenth to two fifths of the community in the city mix.
    **{f"compounds.{t}.{name}": (f"unmet_need_days_per_1000_{t}", f"a trait of the {t.replace('_', ' ')} "
                                 "compounds: their own households' unmet need-days")
       for t in COMPOUND_TYPES for name in CompoundType.model_fields},
}

# Fields of the schema that are not levers, and why.
NOT_LEVERS: dict[str, str] = {
    "name": "a label",
    "description": "a label",
    "phases.<phase>.name": "a label",
    "phases.sealed_city.start": "the first phase must start on day 0",
    "external.supply_days": "a schedule of days, not a level; the level is `external.supply_per_1000`",
    "external.donation_days": "a schedule of days, not a level; the level is `external.donation_per_1000`",
    "external.subsidised_days": "a schedule of days, not a level; the level is `external.subsidised_per_1000`",
}

_ASSUMED = re.compile(r"assumed,?\s+(-?\d+(?:\.\d+)?)\s*(?:-|to)\s*(-?\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Lever:
    """One lever: its dotted key, kind, the values the audit sets, and where its range comes from."""

    key: str
    section: str  # a section of the schema, "phases" or "scenario" (the top-level fields)
    kind: str  # float, int, bool, enum or mix (a compound mix)
    values: tuple  # the range's ends (float, int, mix), or every value (bool, enum)
    range_from: str  # "schema", a reason from RANGES / PHASE_RANGES, "fallback", or "every value"


def schema_range(source: str) -> tuple[float, float] | None:
    """The (low, high) a field's documented source gives as "assumed, lo-hi" (or "lo to hi"), if any."""
    m = _ASSUMED.search(source)
    return (float(m.group(1)), float(m.group(2))) if m else None


def _kind(annotation) -> tuple[str, tuple] | None:
    if annotation is bool:
        return "bool", (False, True)
    if annotation is int:
        return "int", ()
    if annotation is float:
        return "float", ()
    if typing.get_origin(annotation) is typing.Literal:
        return "enum", tuple(typing.get_args(annotation))
    return None


ENUMS: dict[str, tuple] = {"external.targeting": TARGETING_MODES}  # str fields with a fixed set of values


def _lever(key: str, section: str, info, current, explicit: tuple | None) -> Lever | None:
    kind = _kind(info.annotation)
    if key in ENUMS:
        kind = ("enum", ENUMS[key])
    if kind is None:
        return None
    kind, choices = kind
    if kind in ("bool", "enum"):
        return Lever(key, section, kind, choices, "every value")
    if explicit is not None:
        low, high, why = explicit
        source = why
    elif (found := schema_range((info.json_schema_extra or {}).get("source", ""))) is not None:
        (low, high), source = found, "schema"
    else:
        low, high, source = 0.5 * current, 1.5 * current, "fallback"
    cast = int if kind == "int" else float
    values = (cast(round(low)) if kind == "int" else cast(low), cast(round(high)) if kind == "int" else cast(high))
    return Lever(key, section, kind, values, source)


class Mix(tuple):
    """A compound mix as a lever's value: (type, share) pairs, hashable like the other values; `dict(value)` is the
    mix a scenario takes."""

    def __str__(self) -> str:
        return "{" + ", ".join(f"{t} {share:g}" for t, share in self) + "}"


def mix_range(city: dict[str, float], low: float = 0.25, high: float = 0.56) -> tuple[Mix, Mix]:
    """The city mix with its old open share at each end of its range (ODD 7.22: 0.25-0.56), the other types
    keeping their proportions."""
    def at(share: float) -> Mix:
        rest = 1.0 - city["old_open"]
        return Mix((t, round(share if t == "old_open" else city[t] * (1.0 - share) / rest, 6)) for t in city)
    return at(low), at(high)


_TYPE_FIELDS = {"elderly": "elderly", "alone": "alone", "digital": "digital", "low income": "low_income",
                "ties": "ties", "gates": "gates", "property staff": "property_staff_per_1000",
                "leaders start": "leader_delay_days", "leaders": "leaders"}
_TYPE_RANGE = re.compile(r"(" + "|".join(sorted(map(re.escape, _TYPE_FIELDS), key=len, reverse=True))
                         + r")\b(?:[^(,;]|,\d)*?\((\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")


def type_ranges(source: str) -> dict[str, tuple[float, float, str]]:
    """A compound type's ranges from its documented source ("elderly 1.4 (1.1-1.8), ..."), by field."""
    return {_TYPE_FIELDS[m.group(1)]: (float(m.group(2)), float(m.group(3)), "the type's source (ODD 7.22)")
            for m in _TYPE_RANGE.finditer(source)}


def _section_levers(prefix: str, section: str, annotation, values, ranges: dict | None = None) -> list[Lever]:
    """The levers of a section (or of a section inside one: a compound type), in the schema's order."""
    out: list[Lever] = []
    for field_name, field_info in annotation.model_fields.items():
        key = f"{prefix}.{field_name}"
        inner = field_info.annotation
        if isinstance(inner, type) and issubclass(inner, Section):
            source = (field_info.json_schema_extra or {}).get("source", "")
            out.extend(_section_levers(key, section, inner, getattr(values, field_name), type_ranges(source)))
            continue
        if key in MIX_LEVERS:
            low, high = MIX_LEVERS[key](getattr(values, field_name))
            out.append(Lever(key, section, "mix", (low, high), "old open 0.25-0.56 of the households, the other "
                             "types in proportion (ODD 7.22)"))
            continue
        explicit = RANGES.get(key) or (ranges or {}).get(field_name)
        lever = _lever(key, section, field_info, getattr(values, field_name), explicit)
        if lever:
            out.append(lever)
    return out


MIX_LEVERS = {"compounds.mix": mix_range}  # table-valued fields audited as levers, and their two ends


def levers(base: Scenario | None = None) -> list[Lever]:
    """Every lever of the schema, in the schema's order, with the phases of `base` (default wuhan_2020)."""
    base = base or scenarios.load(MAIN)
    out: list[Lever] = []
    for name, info in Scenario.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            out.extend(_section_levers(name, name, annotation, getattr(base, name)))
        elif name == "phases":
            for phase in base.phases:
                for field_name, field_info in Phase.model_fields.items():
                    if field_name == "name" or (field_name == "start" and phase.start == 0):
                        continue
                    explicit = (PHASE_START_RANGES.get(phase.name) if field_name == "start"
                                else PHASE_RANGES.get(field_name))
                    lever = _lever(f"phases.{phase.name}.{field_name}", "phases", field_info,
                                   getattr(phase, field_name), explicit)
                    if lever:
                        out.append(lever)
        elif name not in NOT_LEVERS:
            lever = _lever(name, "scenario", info, getattr(base, name), RANGES.get(name))
            if lever:
                out.append(lever)
    return out


def contexts(lever: Lever) -> list[Context]:
    """Where a lever is audited: wuhan_2020, its mechanism's home if it has one, and any further context."""
    home = HOMES.get(lever.section)
    return [WUHAN, *([home] if home else []), *EXTRA_CONTEXTS.get(lever.key, [])]


def _value(scenario: Scenario, key: str):
    node = scenario
    parts = key.split(".")
    if parts[0] == "phases":
        node = next(p for p in scenario.phases if p.name == parts[1])
        parts = parts[2:]
    for part in parts:
        node = getattr(node, part)
    return node


def _label(key: str, value) -> str:
    return f"{key}={_show(value)}"


@dataclass
class Audit:
    """The audit's measurements: one row per (lever, context, value) with each summary key's paired difference."""

    rows: pd.DataFrame  # lever, context, value, key, n_pairs, mean_diff, sd_diff, ci_low, ci_high
    base_means: pd.DataFrame  # context, key, mean
    levers: list[Lever]
    contexts: list[Context]
    seeds: int
    overrides: dict
    seconds: float = 0.0


def run(selected: list[Lever] | None = None, seeds: int = SEEDS, overrides: dict | None = None,
        workers: int | None = None, out: str | Path | None = None, executor=None, quiet: bool = True) -> Audit:
    """Measure every lever of `selected` (default: all) at its values in its contexts, `seeds` common seeds each.

    `overrides` (e.g. {"households": 300, "days": 40}) apply to every context before the lever is set. Runs go to
    `executor` (default: local processes, `workers` of them); each context's runs are one comparison in a folder
    under `out` (default: a temporary folder, removed afterwards)."""
    if not isinstance(seeds, int) or isinstance(seeds, bool) or seeds < 2:
        raise ExperimentError(f"--seeds {seeds!r}: a paired interval needs at least 2 seeds.")
    selected = levers() if selected is None else selected
    overrides = dict(overrides or {})
    plans: dict[Context, list[Lever]] = {}
    for lever in selected:
        for context in contexts(lever):
            plans.setdefault(context, []).append(lever)
    start = time.perf_counter()
    owned = executor is None
    executor = executor or ProcessExecutor(workers)
    temporary = tempfile.TemporaryDirectory(prefix="lever-audit-") if out is None else None
    root = Path(temporary.name if temporary else out)
    records, base_means = [], []
    try:
        for context, members in plans.items():
            base = scenarios.load(context.preset, {**context.overrides, **overrides})
            sources = [base.model_copy(update={"name": "base"})]
            variants: dict[str, tuple[Lever, object]] = {}
            for lever in members:
                current = _value(base, lever.key)
                for value in dict.fromkeys(lever.values):
                    setting = dict(value) if isinstance(value, Mix) else value
                    if setting == current and type(setting) is type(current):
                        continue  # that end is the context itself
                    label = _label(lever.key, value)
                    try:
                        variant = scenarios.apply_overrides(base, {lever.key: setting},
                                                            label=f"lever audit, {label}")
                    except scenarios.ScenarioError as exc:
                        raise ExperimentError(f"lever audit: {label} is not a valid setting in {context.label} "
                                              f"({exc}); fix its range in experiments/lever_audit.py") from None
                    variants[label] = (lever, value)
                    sources.append(variant.model_copy(update={"name": label}))
            plan = compare_plan(sources, replications=seeds, daily=False, name=f"lever-audit-{context.label}")
            result = execute(plan, root / _slug(context.label), executor=executor, quiet=quiet, fsync=False,
                             figures=False)
            failed = result.runs[result.runs["status"] != "ok"]
            if len(failed):
                first = failed.iloc[0]
                raise ExperimentError(f"lever audit: {len(failed)} run(s) failed in {context.label}, e.g. "
                                      f"{first['scenario']} seed {first['seed']}: {first['error']}")
            means = result.tables["means"]
            for _, m in means[means["scenario"] == "base"].iterrows():
                base_means.append({"context": context.label, "key": m["key"], "mean": m["mean"]})
            for _, d in result.tables["differences"].iterrows():
                lever, value = variants[d["scenario"]]
                records.append({"lever": lever.key, "context": context.label, "value": value, "key": d["key"],
                                "n_pairs": int(d["n_pairs"]), "mean_diff": d["mean_diff"], "sd_diff": d["sd_diff"],
                                "ci_low": d["ci_low"], "ci_high": d["ci_high"]})
    finally:
        if owned:
            executor.close()
        if temporary:
            temporary.cleanup()
    columns = ["lever", "context", "value", "key", "n_pairs", "mean_diff", "sd_diff", "ci_low", "ci_high"]
    return Audit(pd.DataFrame(records, columns=columns), pd.DataFrame(base_means, columns=["context", "key", "mean"]),
                 selected, list(plans), seeds, overrides, time.perf_counter() - start)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def clear(row) -> bool:
    """Whether a paired difference is clear: its 95% interval excludes 0."""
    return bool(row["n_pairs"] >= 2 and (row["ci_low"] > 0 or row["ci_high"] < 0))


def identical(row) -> bool:
    """Whether the runs did not differ at all on this key (every seed's difference 0)."""
    return bool(row["n_pairs"] >= 1 and row["mean_diff"] == 0 and (row["sd_diff"] == 0 or row["n_pairs"] == 1))


def verdicts(audit: Audit, keys=AUDIT_KEYS) -> pd.DataFrame:
    """Per lever: clear anywhere (on `keys`)?, whether any run differed on any summary key, the keys outside
    `keys` with a clear effect, and the largest relative mean difference on `keys` (against the context's mean)."""
    rows = audit.rows
    means = audit.base_means.set_index(["context", "key"])["mean"]
    out = []
    for lever in audit.levers:
        mine = rows[rows["lever"] == lever.key]
        own = OWN_OUTCOMES.get(lever.key)
        mine_keys = [*keys, own[0]] if own is not None else list(keys)  # its declared outcome counts as a key
        main = mine[mine["key"].isin(mine_keys)]
        other = mine[~mine["key"].isin(mine_keys)]
        largest, where, largest_clear, clear_where, unmet = 0.0, "", 0.0, "", 0.0
        for _, r in main.iterrows():
            ref = means.get((r["context"], r["key"]), math.nan)
            if math.isfinite(r["mean_diff"]) and ref and math.isfinite(ref):
                rel = abs(r["mean_diff"] / ref)
                at = f"`{r['key']}` in `{r['context']}` at {_show(r['value'])}"
                if rel > largest:
                    largest, where = rel, at
                if r["key"] == "unmet_need_days":
                    unmet = max(unmet, rel)
                if clear(r) and rel > largest_clear:
                    largest_clear, clear_where = rel, at
        is_clear = main.apply(clear, axis=1) if len(main) else pd.Series(dtype=bool)
        out.append({"lever": lever.key, "clear": bool(is_clear.any()),
                    "clear_in_main": bool(is_clear[main["context"] == MAIN].any()) if len(main) else False,
                    "runs_differ": not bool(mine.apply(identical, axis=1).all()) if len(mine) else False,
                    "clear_elsewhere": sorted(set(other[other.apply(clear, axis=1)]["key"])) if len(other) else [],
                    "largest_relative": largest, "largest_where": where, "largest_unmet_relative": unmet,
                    "largest_clear_relative": largest_clear, "largest_clear_where": clear_where})
    return pd.DataFrame(out)


WEAK = 0.01  # a clear effect below this share of the context's mean, on every key, is listed as weak


def _off_in_main(lever: Lever, main: Scenario) -> bool:
    """Whether the lever's section is switched off in wuhan_2020 (then it cannot act there)."""
    section = getattr(main, lever.section, None)
    return isinstance(section, Section) and getattr(section, "enabled", True) is False


def _context_why(where: str, contexts: list[Context]) -> str:
    """The reason a lever's clearest context gives for auditing it there (the context named in `where`)."""
    found = re.search(r" in `([^`]+)` at ", where)
    for context in contexts:
        if found and context.label == found.group(1):
            return f"`{context.label}`: {context.why}"
    return ""


def _show(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cell(r) -> str:
    if r["n_pairs"] == 0:
        return "–"
    if identical(r):
        return "0"
    text = f"{_signed(r['mean_diff'])} [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]"
    if r["n_pairs"] < _cell.seeds:
        text += f" (n={r['n_pairs']})"
    return f"**{text}**" if clear(r) else text


_cell.seeds = SEEDS


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + fmt(x)


def page(audit: Audit, command: str = "python -m experiments.lever_audit --write docs/levers.md") -> str:
    """The Markdown page: unexplained inert levers first, then every lever's paired effects, section by section."""
    _cell.seeds = audit.seeds
    verdict = verdicts(audit).set_index("lever")
    rows = audit.rows
    by_lever = {lever.key: lever for lever in audit.levers}
    unexplained = [k for k in verdict.index if not verdict.loc[k, "clear"] and k not in NO_EFFECT_REASONS]
    stale = [k for k in NO_EFFECT_REASONS if k in verdict.index and verdict.loc[k, "clear"]]
    n_settings = len(rows[["lever", "context", "value"]].astype(str).drop_duplicates())
    n_runs = (n_settings + len(audit.contexts)) * audit.seeds
    size = ", ".join(f"`{k}` = {v}" for k, v in audit.overrides.items()) or "the default community (each preset's size)"
    lines = [
        "# Lever audit",
        "",
        f"*Generated by `{command}` at code {code_version()} ({n_runs:,} runs); rerun it after changing the "
        "model.*",
        "",
        f"Every lever of the scenario schema (each numeric, bool and enum field of each section, and of each phase "
        f"of `{MAIN}`), set to each end of its range (a bool to its other value, an enum to each other value), in "
        f"`{MAIN}` and, for a mechanism's levers, in the preset where that mechanism is switched on. Each cell is "
        f"the mean paired difference from the unchanged scenario over {audit.seeds} common seeds, with its 95% "
        f"t-interval; **bold** where the interval excludes 0. A row's effect is *clear* where some key's is. "
        f"`0` means the runs did not differ in any seed; `–` that the key was undefined in every seed (a ratio "
        f"with nothing to divide); `(n=k)` that it was defined in k seeds only. Size: {size}.",
        "",
        "With six keys, two ends and up to two contexts, a lever whose runs differ only by noise can show one "
        "interval that excludes 0 by chance; a lever whose runs are identical (every cell `0`) cannot.",
        "",
        "## Unexplained inert levers",
        "",
    ]
    if unexplained:
        lines += [f"{len(unexplained)} lever(s) with no clear effect on {', '.join(f'`{k}`' for k in AUDIT_KEYS)} "
                  "in any context and no reason in `NO_EFFECT_REASONS`:", "",
                  "| lever | runs differ? | largest mean difference (relative to the context's mean) | largest on "
                  "`unmet_need_days` | clear on other summary keys |", "|---|---|---|---|---|"]
        for k in unexplained:
            v = verdict.loc[k]
            largest = (f"{v['largest_relative']:.2%} ({v['largest_where']})" if v["largest_relative"]
                       else "0: the six keys did not move")
            lines.append(f"| `{k}` | {'yes' if v['runs_differ'] else 'no: identical runs'} | {largest} | "
                         f"{v['largest_unmet_relative']:.2%} | "
                         f"{', '.join(f'`{x}`' for x in v['clear_elsewhere']) or '–'} |")
    else:
        lines.append("None: every lever has a clear effect somewhere, or a stated reason why not.")
    main = scenarios.load(MAIN)
    only_home = [k for k in verdict.index if verdict.loc[k, "clear"] and not verdict.loc[k, "clear_in_main"]]
    if only_home:
        lines += ["", f"### Clear elsewhere, inert in `{MAIN}`", "",
                  f"{len(only_home)} lever(s) with a clear effect in another context but none in `{MAIN}`:", "",
                  "| lever | why (where known) | largest clear effect |", "|---|---|---|"]
        for k in only_home:
            v, lever = verdict.loc[k], by_lever[k]
            why = (f"`{lever.section}.enabled` is false in `{MAIN}`" if _off_in_main(lever, main)
                   else _context_why(v["largest_clear_where"], audit.contexts))
            lines.append(f"| `{k}` | {why} | {v['largest_clear_relative']:.2%} ({v['largest_clear_where']}) |")
    weak = [k for k in verdict.index if verdict.loc[k, "clear"] and verdict.loc[k, "largest_clear_relative"] < WEAK]
    if weak:
        lines += ["", "### Clear but weak", "",
                  f"{len(weak)} lever(s) whose every clear effect is below {WEAK:.0%} of the context's mean:", "",
                  "| lever | largest clear effect |", "|---|---|"]
        lines += [f"| `{k}` | {verdict.loc[k, 'largest_clear_relative']:.2%} "
                  f"({verdict.loc[k, 'largest_clear_where']}) |" for k in weak]
    if stale:
        lines += ["", "Reasons in `NO_EFFECT_REASONS` that no longer hold (the lever has a clear effect): "
                  + ", ".join(f"`{k}`" for k in stale) + "."]
    if OWN_OUTCOMES:
        lines += ["", "### Levers with an outcome of their own", "",
                  "These levers act on an outcome outside the six keys; each is judged on that one declared key as "
                  "well (the row's `effect?` says so where only that key's interval excludes 0):", "",
                  "| lever | its outcome | why that outcome | clear |", "|---|---|---|---|"]
        for k, (key, why) in OWN_OUTCOMES.items():
            if k in verdict.index:
                lines.append(f"| `{k}` | `{key}` | {why} | {'yes' if verdict.loc[k, 'clear'] else 'no'} |")
    lines += ["", "## Contexts", "", "| context | what it is | levers audited there |", "|---|---|---|"]
    for context in audit.contexts:
        here = set(rows[rows["context"] == context.label]["lever"])
        parts = []
        for section in dict.fromkeys(x.section for x in audit.levers if x.key in here):
            keys = [x.key for x in audit.levers if x.section == section]
            parts += [f"`[{section}]`"] if set(keys) <= here else [f"`{k}`" for k in keys if k in here]
        there = "all" if context == WUHAN else ", ".join(parts)
        preset = f"`{context.preset}`" + ("".join(f", `{k}` = {_show(v)}" for k, v in context.overrides.items()))
        lines.append(f"| `{context.label}` | {preset}: {context.why} | {there} |")
    lines += ["", "Means of the unchanged contexts over the seeds (the scale of the differences below):", "",
              "| context | " + " | ".join(f"`{k}`" for k in AUDIT_KEYS) + " |",
              "|---" * (len(AUDIT_KEYS) + 1) + "|"]
    means = audit.base_means.set_index(["context", "key"])["mean"]
    for context in audit.contexts:
        lines.append(f"| `{context.label}` | " + " | ".join(fmt(means.get((context.label, k), math.nan))
                                                          for k in AUDIT_KEYS) + " |")
    header = ("| lever | context | value | " + " | ".join(f"`{k}`" for k in AUDIT_KEYS) + " | effect? | why none |")
    sections = list(dict.fromkeys(lever.section for lever in audit.levers))
    for section in sections:
        title = {"scenario": "Top-level fields", "phases": f"Phases of `{MAIN}`"}.get(section, f"`[{section}]`")
        lines += ["", f"## {title}", "", header, "|---" * (len(AUDIT_KEYS) + 5) + "|"]
        for lever in (x for x in audit.levers if x.section == section):
            mine = rows[rows["lever"] == lever.key]
            reason = NO_EFFECT_REASONS.get(lever.key, "")
            for (context, value), group in mine.groupby(["context", mine["value"].map(_show)], sort=False):
                cells = group.set_index("key")
                own = OWN_OUTCOMES.get(lever.key)
                effect = ("clear" if any(clear(cells.loc[k]) for k in AUDIT_KEYS if k in cells.index) else
                          f"clear on `{own[0]}`" if own and own[0] in cells.index and clear(cells.loc[own[0]])
                          else "none")
                why = reason if effect == "none" else ""
                lines.append(f"| `{lever.key}` | `{context}` | {value} | "
                             + " | ".join(_cell(cells.loc[k]) if k in cells.index else "–" for k in AUDIT_KEYS)
                             + f" | {effect} | {why} |")
            if not len(mine):
                lines.append(f"| `{lever.key}` | – | every value is the context's own | " + " | ".join(
                    "–" for _ in AUDIT_KEYS) + f" | none | {reason} |")
    lines += ["", "## Ranges", "",
              "Where each lever's values come from: `schema` is the range its source documents as \"assumed, lo-hi\" "
              "(`docs/scenario-reference.md`); `fallback` is half to one and a half times its value, for a field "
              "documented with neither (add its range to `RANGES`); otherwise the reason given in "
              "`experiments/lever_audit.py`.", "", "| lever | values | from |", "|---|---|---|"]
    for lever in audit.levers:
        lines.append(f"| `{lever.key}` | {', '.join(_show(v) for v in lever.values)} | {lever.range_from} |")
    lines += ["", "Not levers: " + "; ".join(f"`{k}` ({v})" for k, v in NOT_LEVERS.items()) + "."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m experiments.lever_audit", description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the Markdown page here (else print it)")
    parser.add_argument("--seeds", type=int, default=SEEDS, help=f"common seeds per setting (default {SEEDS})")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    parser.add_argument("--households", type=int, default=None, help="override every context's households")
    parser.add_argument("--days", type=int, default=None, help="override every context's days")
    parser.add_argument("--only", nargs="*", default=None, metavar="PREFIX",
                        help="audit only the levers whose key starts with one of these (a partial page)")
    parser.add_argument("--out", type=Path, default=None,
                        help="keep the runs in this folder (a rerun on it resumes); default a temporary folder")
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in (("households", args.households), ("days", args.days)) if v is not None}
    try:
        chosen = levers()
        if args.only is not None:
            chosen = [x for x in chosen if any(x.key.startswith(p) for p in args.only)]
            if not chosen:
                raise ExperimentError(f"--only {' '.join(args.only)}: no lever's key starts with that.")
        audit = run(chosen, seeds=args.seeds, overrides=overrides, workers=args.workers, out=args.out,
                    quiet=False)
    except (ExperimentError, scenarios.ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    command = "python -m experiments.lever_audit" + (f" --write {args.write}" if args.write else "")
    command += "".join(f" --{k} {v}" for k, v in overrides.items())
    command += f" --seeds {args.seeds}" if args.seeds != SEEDS else ""
    command += (" --only " + " ".join(args.only)) if args.only is not None else ""
    text = page(audit, command)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        print(f"wrote {args.write} ({len(audit.levers)} levers, {len(audit.rows)} differences) in "
              f"{audit.seconds:.0f} s")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
