"""Linkage mechanisms: the switchable parts that change how needs are reported, served and mobilised.

Each mechanism is a small class in its own module here, built from its section of the scenario file, and acts at
fixed points of the model's day (simulation/model.py, `step`):

- `setup(model)`: once, after the community exists (add agents, replace the triage policy, ...);
- `start_day(model)`: before needs arise (arrivals on a schedule, supply deliveries, recruitment calls);
- `report(model)`: before the households phone or post to the cadres (channels that cost no cadre time: online
  groups, building leaders, social workers' screening);
- `deliver(model, queue)`: before the cadres serve the queue; serve part of it and return what is left;
- `mobilise(model)`: after delivery (volunteers join, tire and drop out);
- `end_day(model)`: after consequences, before observation.

With no mechanism switched on the community is the `no_linkage` world: cadres are the only responders.
"""

from __future__ import annotations

from scenarios import Scenario
from simulation.delivery import Queue


class Mechanism:
    """Base class: every hook does nothing unless the mechanism overrides it."""

    name = "mechanism"

    def setup(self, model) -> None:
        pass

    def start_day(self, model) -> None:
        pass

    def report(self, model) -> None:
        pass

    def deliver(self, model, queue: Queue) -> Queue:
        return queue

    def mobilise(self, model) -> None:
        pass

    def end_day(self, model) -> None:
        pass


def build(scenario: Scenario) -> list[Mechanism]:
    """The mechanisms the scenario switches on, in the order they act each day.

    Internal linkage first (sunk cadres join before the day's hours are planned), then needs triage (its social
    workers screen before anyone serves), then emergency online linkage (remote volunteers serve before cadres).
    """
    from simulation.linkage.internal import InternalLinkage
    from simulation.linkage.needs_triage import NeedsTriage
    from simulation.linkage.online import EmergencyOnline

    found: list[Mechanism] = []
    if scenario.internal.sunk_cadres_per_1000 > 0 or scenario.internal.leader_share > 0:
        found.append(InternalLinkage())
    ext = scenario.external  # external linkage: after internal (its leaders organise), before triage and online
    if ext.group_buy or (ext.supply_days and ext.supply_per_1000 > 0) or (ext.donation_days
                                                                          and ext.donation_per_1000 > 0):
        from simulation.linkage.external import ExternalLinkage

        found.append(ExternalLinkage())
    if scenario.organisations.enabled:  # before triage: its social workers screen and counsel too
        from simulation.linkage.organisations import SocialOrganisations

        found.append(SocialOrganisations())
    if scenario.triage.enabled:
        found.append(NeedsTriage())
    if scenario.online.enabled:
        found.append(EmergencyOnline())
    if scenario.volunteers.enabled:
        from simulation.linkage.volunteers import VolunteerPool

        found.append(VolunteerPool())
    return found
