"""Community social organisations, leader demonstration, funding and three-social integration.

Sources: the source panel, "Leaders set the example" (Song): *in many organisations people wanted to act but did not move
because their leader did not*; "Funding strain" (Chen): *purchased-service funding dried up; 80% of one agency's
projects served groups in difficulty and had to be re-planned*; Actors: social workers are *funded through purchased
services and not part of the formal community system*, they *assess and screen needs and link residents to the
right expert quickly*; "Last-mile precision" (Song, Huang): resources reach the right people when community-based
social workers who know them direct them; three-social linkage (三社联动) of community, social organisations and
social workers.

Each organisation has a leader who acts or not (drawn once); its social workers, as many as its funding keeps, act
when their leader acts, and only `follow_share` of them otherwise. From `start_day` the acting social workers phone
`screens_per_worker` households a day each, as far as their hours go (`screen_hours` a call, from the
`hours_per_day` each gives; of what is left, up to `counselling_hours` each goes to counselling): when three-social integration is at least 0.5, the community's
register of special groups (cadres share it) and then every other vulnerable household they assess (offline,
chronically ill), otherwise only their own clients (low-income and disabled
households, the groups in difficulty their projects served); below 0.5 every household they refer costs the cadres
`friction_hours`, spent from the hours set aside for taking reports (task `referral_friction`), so fewer households
get through on the phone that day. With integration the cadres accept their referrals: the queue is ordered
by need (the triage policy of simulation/linkage/needs_triage.py). The social workers also counsel, serving
psychological needs before the cadres do, but only a little: they assess and link residents to the right expert
and rarely do crisis intervention themselves (the source panel, Actors; stylized fact 10).
"""

from __future__ import annotations

import numpy as np

from agents.organisation import Organisation
from simulation.delivery import Queue, serve_pool
from simulation.hours import COUNSELLING_TASKS
from simulation.households import PSYCH
from simulation.linkage import Mechanism
from simulation.linkage.needs_triage import NeedsTriage
from simulation.reporting import count_waiting, round_of

COUNSELLING = 0.3  # a social worker's session, as the remote professionals' (online.py)


class SocialOrganisations(Mechanism):
    name = "organisations"
    COLUMNS = {"social_workers_active": 0}

    def setup(self, model) -> None:
        self.cfg = c = model.config.organisations
        leaders = model.streams("organisations:leaders").random(c.count) < c.leader_active_prob
        self.organisations = [Organisation(model, bool(active), c.social_workers_per_org) for active in leaders]
        hh = model.households
        integrated = c.integration >= 0.5
        if integrated:  # the shared register first, then the other vulnerable households the workers assess
            others = np.flatnonzero(hh.vulnerable & ~hh.on_register)
            self.roster = np.concatenate([model.register, others])
        else:
            self.roster = np.flatnonzero(hh.low_income | hh.disabled)
        self.pointer = 0
        self.triage = None
        if integrated and not model.config.triage.enabled:
            self.triage = NeedsTriage()
            self.triage.setup(model)
            self.triage.cfg = model.config.triage.model_copy(update={"start_day": c.start_day})
        self.workers = 0

    def funding(self, day: int) -> float:
        c = self.cfg
        return c.funding if day < c.funding_drop_day else min(c.funding, c.funding_after_drop)

    def start_day(self, model) -> None:
        if model.day < self.cfg.start_day:
            return
        funding = self.funding(model.day)
        self.workers = sum(org.workers_acting(funding, self.cfg.follow_share) for org in self.organisations)
        model.hours.offer("social_worker", self.workers * self.cfg.hours_per_day, owner=self.name)
        if self.triage is not None:
            self.triage.start_day(model)

    def observe(self, model) -> dict:
        return {"social_workers_active": round(self.workers, 3) if model.day >= self.cfg.start_day else 0}

    def report(self, model) -> None:
        if model.day < self.cfg.start_day or self.workers == 0 or len(self.roster) == 0:
            return
        c, hours = self.cfg, model.hours
        affordable = int(hours.left("social_worker", self.name) / c.screen_hours + 1e-9)
        k = min(int(self.workers * c.screens_per_worker), affordable, len(self.roster))
        rows = round_of(self.roster, self.pointer, k)
        self.pointer = (self.pointer + k) % len(self.roster)
        hours.spend("social_worker", "screening", k * c.screen_hours, owner=self.name)
        hh = model.households
        if c.integration < 0.5:  # referrals from outside the system take the cadres' report time to sort out
            referred = count_waiting(hh, rows)
            hours.spend("cadre", "referral_friction", referred * c.friction_hours, budget="reports")
        model.ledger.report(hh, rows, model.day)

    def deliver(self, model, queue: Queue) -> Queue:
        if model.day < self.cfg.start_day or self.workers == 0:
            return queue
        # They counsel at most `counselling_hours` each: they assess and link more than they treat.
        return serve_pool(model, queue, (PSYCH,), self.workers * self.cfg.counselling_hours,
                          {PSYCH: model.config.cadres.psych_hours}, "social_worker", COUNSELLING, kind="social_worker",
                          owner=self.name, tasks=COUNSELLING_TASKS)
