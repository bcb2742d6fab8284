"""Community social organisations, leader demonstration, funding and three-social integration.

Sources: the source panel, "Leaders set the example" (Chen): *in many organisations people wanted to act but did not
move because their leader did not*; "Funding strain" (Chen): *purchased-service funding dried up; 80% of one agency's
projects served groups in difficulty and had to be re-planned*; Actors: social workers are *funded through purchased
services and not part of the formal community system*, they *assess and screen needs and link residents to the right
expert quickly; they rarely do crisis intervention themselves*; "Needs first" (Chen); "Last-mile precision" (Song,
Huang); three-social linkage (三社联动) of community, social organisations and social workers.

Each organisation has a leader who acts or not (drawn once); its social workers, as many as its funding keeps, act
when their leader acts, and only `follow_share` of them otherwise. Integration I (0-1) is the share of the
community's vulnerable households whose case the cadres and the social workers hold jointly (each vulnerable
household is joint when its own uniform number, drawn once, is below I, so a higher I only adds joint cases).

From `start_day`, each day, in their own hours (`hours_per_day` each, ODD 7.19):

1. *screen* the next households of their roster (their own clients, low-income and disabled households, and every
   joint case; the register's households first), `screen_hours` a call, up to `screens_per_worker` each;
2. *assess* every screened household with an open need, `assess_hours` each, and link each need to the right
   responder: a household in psychological crisis (distress above `triage.crisis_threshold`) is referred to the
   remote psychological services through the referral queue (simulation/referrals.py) when online linkage runs;
   its needs, like every assessed household's, are referred to the cadres;
3. a *joint* case's referral is accepted at once: its needs become known (reported). On the days social workers
   are at work the cadres order every joint case's needs by need, the social workers' method (`needs_triage.
   ranked_classes`: urgent, crisis, medicine, vulnerable), ahead of the general line, where everyone else's needs
   wait first come;
4. a referral from *outside* the system (a household with a need the cadres do not know of, not a joint case)
   waits behind the residents' own calls: the cadres take such referrals, in the social workers' order, as far as
   what is left of their report budget allows, at (1 - I) x `friction_hours` each (task `referral_friction`);
   taken, the household's needs are reported and join today's queue in the general line;
5. *counsel* the psychological needs of the queue that are not in crisis, at most `counselling_hours` each, from
   the hours left: they assess and link more than they treat (stylized fact 10).

The register the cadres share, the chance a referral is accepted and the friction per referral therefore all grade
continuously with I; the three mappings are assumptions (ODD 7.19).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from agents.organisation import Organisation
from simulation.delivery import Queue, pool_team, serve_part
from simulation.hours import COUNSELLING_TASKS
from simulation.households import PSYCH
from simulation.linkage.base import Mechanism, find
from simulation.linkage.needs_triage import ranked_classes
from simulation.linkage.online import EmergencyOnline
from simulation.reporting import round_of

COUNSELLING = 0.3  # a social worker's session, as the remote professionals' (online.py)
SERVICE = "remote_psych"  # where a crisis is referred (simulation/referrals.py)
# What a screened household is to the social workers (`_kinds`): nothing open; a joint case with an open need; from
# outside the system, a need the cadres do not know of besides a request for support; only a request for support
# the cadres do not know of; open needs all known already.
NOTHING, JOINT, FOR_CADRES, OWN_CASE, KNOWN = -1, 0, 1, 2, 3


class SocialOrganisations(Mechanism):
    name = "organisations"
    COLUMNS = {
        "social_workers_active": 0,
        "households_assessed": 0,      # screened households with an open need, assessed today
        "referrals_made": 0,           # assessed households referred to the cadres today
        "referrals_accepted": 0,       # of them, taken up by the cadres today (joint cases, and outside ones)
        "crisis_referrals": 0,         # households in crisis newly referred to the remote psychological services
        "crisis_referrals_waiting": 0,  # households referred in crisis that the services have not yet taken
        "joint_cases_ordered": 0,      # joint cases whose needs the cadres order by need today
        "assessed_households_total": 0,  # distinct households the social workers have assessed so far
        "crisis_households_total": 0,  # distinct households they have referred in crisis so far
    }

    def setup(self, model) -> None:
        self.cfg = c = model.config.organisations
        leaders = model.streams("organisations:leaders").random(c.count) < c.leader_active_prob
        self.organisations = [Organisation(model, bool(active), c.social_workers_per_org) for active in leaders]
        self.staff = c.count * c.social_workers_per_org  # at full funding: the scenario's, or a district's
        hh = model.households
        shared = model.streams("organisations:register").random(hh.n) < c.integration
        self.joint = hh.vulnerable & shared  # cases held jointly with the cadres
        self.n_joint = int(np.count_nonzero(self.joint))
        self._team = None  # the social workers' counselling team (`deliver`)
        own = hh.low_income | hh.disabled  # the groups in difficulty the organisations' projects served
        register = model.register
        self.roster = np.concatenate([register[(own | self.joint)[register]],
                                      np.flatnonzero(self.joint & ~hh.on_register)])
        self.pointer = 0
        self.ever_assessed = np.zeros(hh.n, dtype=bool)
        self.ever_crisis = np.zeros(hh.n, dtype=bool)
        self.orders = not model.config.triage.enabled  # with [triage] on, its own policy orders the whole queue
        self.first_come = model.triage
        self.threshold = model.config.triage.crisis_threshold
        self.online = find(model, EmergencyOnline)
        self.outside = np.zeros(0, dtype=np.int64)  # today's referrals from outside, waiting for the line
        self.workers = 0.0
        self._day_counts()

    def _day_counts(self) -> None:
        self.assessed = self.made = self.accepted = self.crisis = 0

    def funding(self, day: int) -> float:
        c = self.cfg
        return c.funding if day < c.funding_drop_day else min(c.funding, c.funding_after_drop)

    def active(self, model) -> bool:
        return model.day >= self.cfg.start_day

    def start_day(self, model) -> None:
        self._day_counts()
        self.outside = self.outside[:0]
        staff = model.allocation("social_workers", self.staff)
        if staff != self.staff and self.organisations:  # a district's staff, shared evenly, the first orgs first
            n = len(self.organisations)
            for i, org in enumerate(self.organisations):
                org.social_workers = staff // n + (i < staff % n)
            self.staff = staff
        if not self.active(model):
            return
        funding = self.funding(model.day)
        self.workers = sum(org.workers_acting(funding, self.cfg.follow_share) for org in self.organisations)
        model.hours.offer("social_worker", self.workers * self.cfg.hours_per_day, owner=self.name)
        if self.orders:
            model.triage = self.classes if self.workers > 0 else self.first_come

    def classes(self, model, rows: np.ndarray, cats: np.ndarray) -> np.ndarray:
        """The cadres' order: the joint cases' needs by need, everyone else's first come (in the general line)."""
        return ranked_classes(model, rows, cats, self.joint, self.threshold)

    def observe(self, model) -> dict:
        if not self.active(model):
            return {}
        return {
            "social_workers_active": round(self.workers, 3),
            "households_assessed": self.assessed,
            "referrals_made": self.made,
            "referrals_accepted": self.accepted,
            "crisis_referrals": self.crisis,
            "crisis_referrals_waiting": len(model.referrals.waiting(SERVICE)),
            "joint_cases_ordered": self.n_joint if self.orders and self.workers > 0 else 0,
            "assessed_households_total": int(np.count_nonzero(self.ever_assessed)),
            "crisis_households_total": int(np.count_nonzero(self.ever_crisis)),
        }

    def report(self, model) -> None:
        """Screen, assess and refer (steps 1-3 of the module's docstring; step 4 waits for the residents' calls)."""
        if not self.active(model) or self.workers == 0 or len(self.roster) == 0:
            return
        c, hours, hh, day = self.cfg, model.hours, model.households, model.day
        planned = round_of(self.roster, self.pointer, min(int(self.workers * c.screens_per_worker), len(self.roster)))
        kinds = _kinds(planned, hh.open.view(np.uint8), hh.reported.view(np.uint8), self.joint, PSYCH)
        booked = self.workers * c.counselling_hours  # their counselling sessions are booked: kept for step 5
        free = max(hours.left("social_worker", self.name) - booked, 0.0)
        k, assessed, n_joint, outside, to_report = _screened(planned, kinds, c.screen_hours,
                                                             c.screen_hours + c.assess_hours, free + 1e-9)
        self.pointer = (self.pointer + k) % len(self.roster)
        hours.spend("social_worker", "screening", k * c.screen_hours, owner=self.name)
        hours.spend("social_worker", "assessment", len(assessed) * c.assess_hours, owner=self.name)
        self.assessed = len(assessed)
        self.ever_assessed[assessed] = True
        if self.online is not None and self.online.active(model):  # the right expert for a crisis
            crisis = assessed[hh.distress[assessed] > self.threshold]
            self.crisis = len(model.referrals.refer(SERVICE, crisis, day))
            self.ever_crisis[crisis] = True
        self.outside = outside
        model.ledger.report(hh, to_report, day)
        self.made = n_joint + len(self.outside)
        self.accepted = n_joint

    def deliver(self, model, queue: Queue) -> Queue:
        """Take the outside referrals as the line allows (step 4), then counsel (step 5)."""
        if not self.active(model):
            return queue
        if len(self.outside):
            queue = self._take_outside(model, queue)
        if self.workers == 0:
            return queue
        # crises go to the experts; with nobody to refer a crisis to, they counsel it themselves
        referring = self.online is not None and self.online.active(model)
        mine, n_mine = _theirs(queue.rows, queue.cats, model.households.distress,
                               self.threshold if referring else np.inf, PSYCH, *queue.span(PSYCH))
        if n_mine == 0:
            return queue
        if self._team is None:  # the same team every day, with the day's hours
            self._team = pool_team((PSYCH,), 0.0, {PSYCH: model.config.cadres.psych_hours}, "social_worker",
                                   COUNSELLING, kind="social_worker", owner=self.name, tasks=COUNSELLING_TASKS)
        self._team.capacity = np.array([float(self.workers * self.cfg.counselling_hours)])
        return serve_part(model, queue, mine, [self._team])

    def _take_outside(self, model, queue: Queue) -> Queue:
        """The cadres sort out the referrals from outside the system with what is left of their report budget,
        (1 - I) x friction_hours each; those they take are reported and join today's queue."""
        hours, hh = model.hours, model.households
        per = (1.0 - self.cfg.integration) * self.cfg.friction_hours
        taken = self.outside
        if per > 0.0:
            n = min(len(taken), int(hours.budget("reports") / per + 1e-9))
            granted = hours.spend("cadre", "referral_friction", n * per, budget="reports") if n else 0.0
            taken = taken[:min(n, int(granted / per + 1e-9))]
        self.outside = self.outside[:0]
        if len(taken) == 0:
            return queue
        new = hh.open[taken] & ~hh.reported[taken]
        model.ledger.report(hh, taken, model.day)
        self.accepted += len(taken)
        cats, at = np.nonzero(new.T)  # category by category, as the queue is built
        rows = taken[at]
        return Queue(np.concatenate([queue.rows, rows]), np.concatenate([queue.cats, cats.astype(np.int64)]),
                     np.concatenate([queue.classes, model.triage(model, rows, cats.astype(np.int64))]))


@njit(cache=True)
def _theirs(rows, cats, distress, threshold, category, lo, hi):
    """(cats == category) & (distress[rows] <= threshold), and how many: the queue's entries the social workers
    counsel (a threshold of inf: every entry of the category). The category's entries lie in [lo, hi): those
    alone are read."""
    mine = np.zeros(len(rows), np.bool_)
    n = 0
    for i in range(lo, hi):
        m = cats[i] == category and distress[rows[i]] <= threshold
        mine[i] = m
        n += m
    return mine, n


@njit(cache=True)
def _screened(planned, kinds, screen_hours, screen_and_assess_hours, free):
    """The households the social workers get through today, of the round `planned` (kinds `kinds`): the first k,
    k = searchsorted(cumsum(where(kinds >= JOINT, screen_and_assess_hours, screen_hours)), free, side="right")
    (the running hours never fall, so k is how many of them fit in `free`); and among them, in order, those
    assessed (kinds >= JOINT), how many are joint cases (JOINT), the cases for the cadres (FOR_CADRES), and the joint
    cases followed by those whose only hidden need is psychological (OWN_CASE: they keep the case themselves), whose
    needs the social workers report."""
    total, k = 0.0, 0
    for j in range(len(kinds)):
        step = screen_and_assess_hours if kinds[j] >= JOINT else screen_hours
        total = step if j == 0 else total + step
        if total > free:
            break
        k = j + 1
    n_assessed = n_joint = n_outside = n_own = 0
    for j in range(k):
        n_assessed += kinds[j] >= JOINT
        n_joint += kinds[j] == JOINT
        n_outside += kinds[j] == FOR_CADRES
        n_own += kinds[j] == OWN_CASE
    assessed, outside = np.empty(n_assessed, np.int64), np.empty(n_outside, np.int64)
    to_report = np.empty(n_joint + n_own, np.int64)
    a = o = t = 0
    u = n_joint  # the own cases follow the joint ones
    for j in range(k):
        r, kind = planned[j], kinds[j]
        if kind >= JOINT:
            assessed[a] = r
            a += 1
        if kind == JOINT:
            to_report[t] = r
            t += 1
        elif kind == FOR_CADRES:
            outside[o] = r
            o += 1
        elif kind == OWN_CASE:
            to_report[u] = r
            u += 1
    return k, assessed, n_joint, outside, to_report


@njit(cache=True)
def _kinds(rows, open_, reported, joint, psych):
    """The kind of each screened household rows[j] (NOTHING, JOINT, FOR_CADRES, OWN_CASE, KNOWN; see above), from
    the needs table's bytes; a few dozen rows a day."""
    out = np.empty(len(rows), np.int8)
    for j in range(len(rows)):
        r = rows[j]
        any_open = hidden_other = hidden_psych = False
        for c in range(open_.shape[1]):
            if open_[r, c]:
                any_open = True
                if not reported[r, c]:
                    if c == psych:
                        hidden_psych = True
                    else:
                        hidden_other = True
        if not any_open:
            out[j] = NOTHING
        elif joint[r]:
            out[j] = JOINT
        elif hidden_other:
            out[j] = FOR_CADRES
        elif hidden_psych:
            out[j] = OWN_CASE
        else:
            out[j] = KNOWN
    return out
