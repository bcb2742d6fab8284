"""Linkage mechanisms: the switchable parts that change how needs are reported, served and mobilised.

Each mechanism is a small class in its own module here, built from its section of the scenario file, and acts at
fixed points of the model's day (simulation/model.py, `step`):

- `setup(model)`: once, after the community exists (add agents, replace the triage policy, ...);
- `start_day(model)`: before needs arise (arrivals on a schedule, supply deliveries, recruitment calls);
- `report(model)`: before the households phone or post to the cadres (channels that cost no cadre time: online
  groups, building leaders, social workers' screening);
- `deliver(model, queue)`: before the cadres serve the queue; serve part of it and return what is left;
- `mobilise(model)`: after delivery (volunteers join, tire and drop out);
- `end_day(model)`: after consequences, before observation;
- `observe(model) -> dict`: at observation, the values of the mechanism's own daily columns (`COLUMNS`).

A mechanism touches the model only through documented operations (docs/architecture.md): the day's ledger of hours
(`model.hours`, simulation/hours.py), the queue it is handed and returns, the needs ledger (`model.ledger`: a need
reported, met), the register and household arrays it reads, the triage policy slot (`model.triage`),
`model.add_cadre` and `model.withdraw_cadres`, `model.defer_agents` (its Mesa agents made when looked at), its
district pool's amount (`model.allocation`), and
`find(model, Kind)` for another mechanism; never another module's fields or private functions. Each mechanism
declares its daily columns in `COLUMNS` (name: value when it is off or has nothing to say); every run has every
mechanism's columns, and a column several mechanisms supply is the sum of their values
(`volunteers_active` is the volunteer pool's alone: resident volunteers at work; the remote volunteers and the
group-buy organisers have their own columns, `remote_volunteers_active` and `organisers_active`).

With no mechanism switched on the community is the `no_linkage` world: cadres are the only responders.
"""

from __future__ import annotations

from collections.abc import Collection

from scenarios import Scenario
from simulation.linkage.base import Mechanism, find
from simulation.linkage.external import ExternalLinkage
from simulation.linkage.internal import InternalLinkage
from simulation.linkage.needs_triage import NeedsTriage
from simulation.linkage.online import EmergencyOnline
from simulation.linkage.organisations import SocialOrganisations
from simulation.linkage.volunteers import VolunteerPool

__all__ = ["Mechanism", "find", "classes", "columns", "build"]


def classes() -> tuple[type[Mechanism], ...]:
    """Every mechanism class, in the order `build` would return them (for the columns every run has)."""
    return InternalLinkage, ExternalLinkage, SocialOrganisations, NeedsTriage, EmergencyOnline, VolunteerPool


def columns() -> dict[str, int | float]:
    """The mechanisms' daily columns, each with its value when no mechanism supplies it, in first-declared order."""
    out: dict[str, int | float] = {}
    for cls in classes():
        for name, value in cls.COLUMNS.items():
            out.setdefault(name, value)
    return out


def build(scenario: Scenario, pools: Collection[str] = ()) -> list[Mechanism]:
    """The mechanisms the scenario switches on, in the order they act each day.

    Internal linkage first (sunk cadres join before the day's hours are planned), then needs triage (its social
    workers screen before anyone serves), then emergency online linkage (remote volunteers serve before cadres).
    A community in a district's `pools` has the mechanism each pool allocates to (`sunk_cadres`: internal linkage;
    `supply`: external linkage; `social_workers`: social organisations; `volunteers`: the volunteer pool) even where
    its scenario's numbers alone would not switch it on.
    """
    found: list[Mechanism] = []
    if scenario.internal.sunk_cadres_per_1000 > 0 or scenario.internal.leader_share > 0 or "sunk_cadres" in pools:
        found.append(InternalLinkage())
    ext = scenario.external  # external linkage: after internal (its leaders organise), before triage and online
    if ext.group_buy or (ext.supply_days and ext.supply_per_1000 > 0) or (ext.donation_days
                                                                          and ext.donation_per_1000 > 0) \
            or "supply" in pools:
        found.append(ExternalLinkage())
    if scenario.organisations.enabled or "social_workers" in pools:  # before triage: its workers screen and counsel
        found.append(SocialOrganisations())
    if scenario.triage.enabled:
        found.append(NeedsTriage())
    if scenario.online.enabled:
        found.append(EmergencyOnline())
    if scenario.volunteers.enabled or "volunteers" in pools:
        found.append(VolunteerPool())
    return found
