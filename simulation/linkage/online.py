"""Emergency online linkage: online groups where digital households report, and remote professional volunteers.

Source: the source panel, "Three kinds of linkage" (Song): *emergency linkage — doctors, social workers, residents and
volunteers link up online and provide services remotely in the emergency*; Chen opened a QQ group on 23 Jan and
recruited volunteers online for medical-visit and vegetable-buying needs. Figures: sources, one online
social-work team: 200+ regular volunteers, 6,252 people served in 75 days, peak 5,000+ messages a day (M); the
mental-health survey of 27 Jan-2 Feb: 10.2% felt they needed help, 1.9% used a service, 83% of those in need met
barriers, hotline at 10x capacity (H); stylized fact 10: mental-health uptake tiny, mostly online or by phone.

From `start_day`, a share of the digital households belong to the groups; a member with open needs posts them with
`report_prob` a day, and the groups' `moderators` volunteer moderators pass the posts on to the responders at
`post_hours` of their own `moderator_hours` a post, without costing cadre time (they report before anyone phones
the cadres); the posts their hours do not reach are lost that day. Offline households gain nothing directly: the
digital divide widens unless someone reports for them.

The remote psychological services (hotlines and online counselling, citywide) answer the households in need of
help who reach them, not the cadres' queue: each day a household in need tries with `psych_seek_prob` (the others
meet barriers), and the services give `psych_sessions_per_1000` sessions a day per 1,000 households to callers in
random order (a busy line: who gets through is chance); the rest find the line busy. The households social workers
have referred in crisis (the referral queue, simulation/referrals.py, service `remote_psych`) come before the
callers: each day the services take as many of those still in need as the day's capacity allows, oldest referral
first, and give each a session, whether or not it calls. A session lowers distress (a
larger effect than a cadre's conversation) and meets the household's open request for support, if it has one.
Remote medical volunteers consult and prescribe (a refill delivered by a pharmacy), serving medicine needs from the
queue before the cadres do.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulation.delivery import Queue, Team, serve_teams
from simulation.households import CATEGORIES, MEDICINE, PSYCH
from simulation.linkage.base import Mechanism
from simulation.reporting import waiting_rows


class EmergencyOnline(Mechanism):
    name = "emergency_online"
    # `remote_volunteers_active`: the remote volunteers at work (`volunteers_active` is resident volunteers)
    COLUMNS = {"remote_volunteers_active": 0, "psych_help_sought": 0, "psych_help_capacity": 0}

    def setup(self, model) -> None:
        self.cfg = c = model.config.online
        hh = model.households
        self.member = hh.digital & (model.streams("online:members").random(hh.n) < c.group_share)
        # Sessions a day the remote psychological services can give this community, and the volunteers they take.
        self.psych_capacity = c.psych_sessions_per_1000 * hh.n / 1000.0
        self.psych_volunteers = (math.ceil(self.psych_capacity * c.psych_hours / c.hours_per_day - 1e-9)
                                 if c.hours_per_day > 0 else 0)
        self.sought = self.capacity = 0  # today's callers and sessions the services could give
        self._medical: Team | None = None  # the remote medical pool's team, made on its first day

    def start_day(self, model) -> None:
        if self.active(model):
            c = self.cfg
            model.hours.offer("moderator", c.moderators * c.moderator_hours)
            model.hours.offer("remote_medical", c.medical_volunteers * c.hours_per_day)
        self.sought = self.capacity = 0

    def observe(self, model) -> dict:
        if not self.active(model):
            return {}
        return {"remote_volunteers_active": self.psych_volunteers + self.cfg.medical_volunteers,
                "psych_help_sought": self.sought, "psych_help_capacity": self.capacity}

    def active(self, model) -> bool:
        return model.day >= self.cfg.start_day

    def report(self, model) -> None:
        if not self.active(model):
            return
        hh = model.households
        waiting = waiting_rows(hh, self.member)
        streams, day = model.streams, model.day  # stream `online:report`: one number per household, then an order
        posting = waiting[streams.random("online:report", day, len(waiting)) < self.cfg.report_prob]
        c = self.cfg
        capacity = int(model.hours.left("moderator") / c.post_hours + 1e-9)
        if len(posting) > capacity:  # moderators pass on what their hours allow, in random order
            posting = streams.permutation("online:report", day, posting, after=len(waiting))[:capacity]
        model.hours.spend("moderator", "posts", len(posting) * c.post_hours)
        model.ledger.report(hh, posting, model.day)

    def deliver(self, model, queue: Queue) -> Queue:
        if not self.active(model):
            return queue
        queue = self._counsel(model, queue)
        if self._medical is None:  # a community-wide pool of medical volunteers (the same every day)
            cost = np.full(len(CATEGORIES), np.inf)
            cost[MEDICINE] = self.cfg.medicine_hours
            self._medical = Team((MEDICINE,), None, cost, "online_medical", kind="remote_medical")
        queue, _ = serve_teams(model, queue, [self._medical])
        return queue

    def _counsel(self, model, queue: Queue) -> Queue:
        """The remote psychological services' day (stream `online:psych`): who calls, who gets through, the
        sessions, their hours (offered and spent in the ledger). One uniform number per household in need (does it
        call today), one for the fraction of a session in the day's capacity, then one permutation of the callers
        (who gets through)."""
        c, hh, streams, day = self.cfg, model.households, model.streams, model.day
        n_need = int(np.count_nonzero(hh.in_need))
        u = streams.random("online:psych", day, n_need + 1)
        callers = _callers(hh.in_need, u[:n_need], c.psych_seek_prob)
        whole = math.floor(self.psych_capacity)
        self.capacity = whole + int(u[n_need] < self.psych_capacity - whole)
        self.sought = len(callers)
        model.hours.offer("remote_psych", self.capacity * c.psych_hours)
        referred = model.referrals.take("remote_psych", self.capacity, model.day, still=hh.in_need)
        if len(referred):  # a referred household is called back: it does not wait on the line
            callers = callers[~np.isin(callers, referred)]
        room = self.capacity - len(referred)
        permuted = len(callers) > room
        if permuted:
            callers = streams.permutation("online:psych", day, callers, after=n_need + 1)[:room]
        if permuted or len(referred):  # (else the callers are in row order already)
            callers = np.sort(np.concatenate([referred, callers]))
        if len(callers) == 0:
            return queue
        model.hours.spend("remote_psych", "counselling", len(callers) * c.psych_hours)
        requests = _counselled(callers, c.counselling_effect, hh.distress, hh.open.view(np.uint8))
        model.ledger.count_sessions(len(callers) - len(requests))  # the requests met are counted by `meet`
        if len(requests) == 0:
            return queue
        model.ledger.meet_rows(hh, requests, PSYCH, model.day, "online_psych")
        return queue.less_closed(hh.open, PSYCH)


@njit(cache=True)
def _counselled(callers, effect, distress, open_):
    """A session each for `callers` (distinct rows): distress[callers] = maximum(distress[callers] - effect, 0);
    returns the callers with a psychological request open, callers[open[callers, PSYCH]] (`open_`: the needs
    table's bytes)."""
    requests = np.empty(len(callers) + 1, np.int64)
    k = 0
    for r in callers:
        distress[r] = max(distress[r] - effect, 0.0)
        requests[k] = r
        k += open_[r, PSYCH]
    return requests[:k]


@njit(cache=True)
def _callers(in_need, u, chance):
    """flatnonzero(in_need)[u < chance]: the households in need who call, one number of `u` each, in row order."""
    out = np.empty(len(u) + 1, np.int64)
    j = m = 0
    if len(u):
        last = len(u) - 1
        for r in range(len(in_need)):  # without branches: who is in need is unpredictable; each row written, and
            # kept when it calls, into one spare place past the end (u read at the next household in need's place,
            # or the last, which only a household in need keeps)
            out[m] = r
            m += in_need[r] & (u[min(j, last)] < chance)
            j += in_need[r]
    else:
        for r in range(len(in_need)):
            j += in_need[r]
    if j != len(u):
        raise ValueError("one number of u for each household in need")
    return out[:m]
