"""Internal linkage: cadres sunk from government units, and resident building leaders who report for neighbours.

Source: the source panel, "Three kinds of linkage" (Song): *internal linkage — inside the community, community workers
and cadres sunk to the grassroots keep the usual linkage of community social organisations, resident self-organisations
and social workers going*; Chen: finding resident leaders made volunteer work "very smooth". Figures: sources, 34,000+
sunk cadres in ~1,100 communities by 11 Feb, about 25-50 per community (H/M); stylized fact 1: needs fall as sunk cadres
arrive (from day 19).

Sunk cadres join on `sunk_arrival_day` as ordinary cadres serving every grid cell (with their own fatigue). In a
share of buildings a resident leader, from `leader_start_day`, learns of neighbours' open needs through the
building's ties and reports them in one list (no cadre time per household): each household with hidden needs is
reported with chance `leader_reach` times the mean trust of its ties, at `leader_report_hours` of the leader's own
`leader_hours` a day each (task `posts`), as far as they go. A leader also sets its building an example
(sources: leaders set the example): from `leader_start_day`, `example` adds `leader_example` to the share of active
volunteers among the ties of every household in a led building when it decides whether to join as a volunteer
(simulation/linkage/volunteers.py). With compound types (simulation/compounds.py) a type's buildings have more or
fewer leaders (`leaders`), and its leaders may start late (`leader_delay_days`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulation.linkage.base import Mechanism
from simulation.reporting import waiting_rows


class InternalLinkage(Mechanism):
    name = "internal"

    def setup(self, model) -> None:
        self.cfg = model.config.internal
        net = model.network
        n_buildings = int(net.building[-1]) + 1
        share, layout = self.cfg.leader_share, model.compounds
        if layout.declared:  # each compound type's buildings: more or fewer leaders, some starting late
            share = np.minimum(share * layout.per_building(model.config, "leaders"), 1.0)
        led = model.streams("internal:leaders").random(n_buildings) < share
        self.led_buildings = led  # buildings with a resident leader (external linkage's organisers)
        self.led_household = led[net.building]
        self._led_all = self.led_household
        self._anyone_led = bool(self.led_household.any())
        self._late = None  # the day each household's building leader starts, where some start late
        self._building_start = np.full(n_buildings, self.cfg.leader_start_day, dtype=np.int64)
        if layout.declared:
            start = self.cfg.leader_start_day + layout.per_household(model.config, "leader_delay_days").astype(int)
            if (start[self._led_all] > self.cfg.leader_start_day).any():
                self._late = start
                # The led households change only on the days a late start falls due: the start days, and how many
                # of them had passed when the led households were last worked out.
                self._starts, self._starts_passed = np.unique(start[self._led_all]), -1
                self._building_start += layout.per_building(model.config, "leader_delay_days").astype(np.int64)
        self.leaders = int(led.sum())
        self.building = net.building
        self._example = np.where(self.led_household, self.cfg.leader_example, 0.0)
        degree = np.maximum(np.diff(net.ties.indptr), 1)
        self.trust = np.asarray(net.ties.sum(axis=1)).ravel() / degree  # mean trust of a household's ties
        per_1000 = self.cfg.sunk_cadres_per_1000
        self.sunk = max(1, int(per_1000 * model.config.households / 1000 + 0.5)) if per_1000 > 0 else 0
        self.held = 0  # sunk cadres serving the community now

    def leading(self, day: int) -> np.ndarray:
        """Per building: whether its resident leader is at work on `day` (from `leader_start_day`, later in a
        compound type whose leaders start late). External linkage's group buying reads it: a building's leader is
        its organiser once at work."""
        return self.led_buildings & (self._building_start <= day)

    def example(self, model) -> np.ndarray | None:
        """The example each household's building leader sets it today (`leader_example` in a led building from
        `leader_start_day`, 0 elsewhere), or None when no leader sets one."""
        if model.day < self.cfg.leader_start_day or self.cfg.leader_example == 0 or not self._anyone_led:
            return None
        return self._example

    def _leaders_today(self, model) -> None:
        """Buildings whose leader has started by today (a compound type may start late)."""
        passed = int(self._starts.searchsorted(model.day, side="right"))
        if passed == self._starts_passed:  # no start day since: the same households as when last worked out
            return
        self._starts_passed = passed
        led = self._led_all & (self._late <= model.day)
        if led.sum() != self.led_household.sum():
            self.led_household = led
            self._anyone_led = bool(led.any())
            self._example = np.where(led, self.cfg.leader_example, 0.0)
            self.leaders = int(len(np.unique(self.building[led])))

    def start_day(self, model) -> None:
        if self._late is not None:
            self._leaders_today(model)
        # From the arrival day the community holds its sunk cadres: the scenario's own number, or what a district
        # allocates it (which may move some away, the last to join first, or bring more).
        want = model.allocation("sunk_cadres", self.sunk)
        if want != self.held and model.day >= self.cfg.sunk_arrival_day:
            if want > self.held:
                for _ in range(want - self.held):
                    model.add_cadre("sunk", list(range(model.network.n_grids)))
            else:
                model.withdraw_cadres(self.held - want)
            self.held = want
        if model.day >= self.cfg.leader_start_day and self.leaders:
            model.hours.offer("building_leader", self.leaders * self.cfg.leader_hours)

    def report(self, model) -> None:
        if model.day < self.cfg.leader_start_day or not self._anyone_led:
            return
        hh = model.households
        c = self.cfg
        waiting = waiting_rows(hh, self.led_household)
        u = model.streams.random("internal:leaders", model.day, len(waiting))
        # each leader reports as many as its own hours allow, in row order inside its building (rows are sorted,
        # and buildings are runs of rows)
        reached = _reached(waiting, u, c.leader_reach, self.trust, self.building,
                           int(c.leader_hours / c.leader_report_hours + 1e-9))
        model.hours.spend("building_leader", "posts", len(reached) * c.leader_report_hours)
        model.ledger.report(hh, reached, model.day)


@njit(cache=True)
def _reached(waiting, u, reach, trust, building, per_leader):
    """The waiting households a leader reaches, waiting[u < reach x trust[waiting]], and of them the first
    `per_leader` of each building in row order (`waiting` is in row order and buildings are runs of rows)."""
    out = np.empty(len(waiting) + 1, np.int64)
    k, current, count = 0, -1, 0
    for j in range(len(waiting)):  # without branches (who is reached is a draw): selects, each row written and kept
        r = waiting[j]  # when taken, into the place after the last kept
        hit = u[j] < reach * trust[r]
        b = building[r]
        first = hit & (b != current)  # the building's first household reached
        current = b if first else current
        count = 0 if first else count
        out[k] = r
        k += hit & (count < per_leader)
        count += hit
    return out[:k]
