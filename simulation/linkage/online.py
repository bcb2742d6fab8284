"""Emergency online linkage: online groups where digital households report, and remote professional volunteers.

Source: domain.md, "Three kinds of linkage" (Song): *emergency linkage — doctors, social workers, residents and
volunteers link up online and provide services remotely in the emergency*; Chen opened a QQ group on 23 Jan and
recruited volunteers online for medical-visit and vegetable-buying needs. Figures: domain-facts, one online
social-work team: 200+ regular volunteers, 6,252 people served, peak 5,000+ messages a day (M); stylized fact 10:
mental-health uptake tiny, mostly online or by phone (H).

From `start_day`, a share of the digital households belong to the groups; a member with open needs posts them with
`report_prob` a day, and the groups' `moderators` volunteer moderators pass the posts on to the responders at
`post_hours` of their own `moderator_hours` a post, without costing cadre time (they report before anyone phones
the cadres); the posts their hours do not reach are lost that day. Offline households gain nothing directly: the digital divide widens unless
someone reports for them. Remote psychological volunteers counsel (a larger effect than a cadre's conversation) and
remote medical volunteers consult and prescribe (a refill delivered by a pharmacy), serving those needs before the
cadres do.
"""

from __future__ import annotations

import numpy as np

from simulation.delivery import Queue, Team, serve_teams
from simulation.hours import COUNSELLING_TASKS
from simulation.households import CATEGORIES, MEDICINE, PSYCH
from simulation.linkage import Mechanism
from simulation.reporting import waiting_rows


class EmergencyOnline(Mechanism):
    name = "emergency_online"
    COLUMNS = {"remote_volunteers_active": 0}  # the remote volunteers at work (`volunteers_active` is residents)

    def setup(self, model) -> None:
        self.cfg = model.config.online
        hh = model.households
        self.member = hh.digital & (model.streams("online:members").random(hh.n) < self.cfg.group_share)

    def start_day(self, model) -> None:
        if self.active(model):
            c = self.cfg
            model.hours.offer("moderator", c.moderators * c.moderator_hours)
            model.hours.offer("remote_psych", c.psych_volunteers * c.hours_per_day)
            model.hours.offer("remote_medical", c.medical_volunteers * c.hours_per_day)

    def observe(self, model) -> dict:
        return {"remote_volunteers_active": self.cfg.psych_volunteers + self.cfg.medical_volunteers
                if self.active(model) else 0}

    def active(self, model) -> bool:
        return model.day >= self.cfg.start_day

    def report(self, model) -> None:
        if not self.active(model):
            return
        hh = model.households
        waiting = waiting_rows(hh, self.member)
        rng = model.streams("online:report", model.day)
        posting = waiting[rng.random(len(waiting)) < self.cfg.report_prob]
        c = self.cfg
        capacity = int(model.hours.left("moderator") / c.post_hours + 1e-9)
        if len(posting) > capacity:  # moderators pass on what their hours allow, in random order
            posting = rng.permutation(posting)[:capacity]
        model.hours.spend("moderator", "posts", len(posting) * c.post_hours)
        model.ledger.report(hh, posting, model.day)

    def deliver(self, model, queue: Queue) -> Queue:
        if not self.active(model):
            return queue
        c = self.cfg
        cost = np.full(len(CATEGORIES), np.inf)
        cost[PSYCH], cost[MEDICINE] = c.psych_hours, c.medicine_hours
        queue, _ = serve_teams(model, queue, [  # two community-wide pools, each its own category
            Team((PSYCH,), None, cost, "online_psych", c.counselling_effect, "remote_psych", tasks=COUNSELLING_TASKS),
            Team((MEDICINE,), None, cost, "online_medical", kind="remote_medical")])
        return queue
