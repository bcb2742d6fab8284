"""Referrals: households one responder has assessed and handed on to a service, waiting for it.

Social workers, who "assess and screen needs and link residents to the right expert quickly" and "rarely do crisis
intervention themselves" (sources: needs first), hand a household in psychological crisis on to the remote
psychological services rather than counselling it themselves. The hand-over is this queue: the responder who
assesses calls `refer(service, rows, day)`; the service calls `take(service, k, day, still)` when it plans its day
and serves the households it takes before anyone else who asks it. Neither touches the other's state.

The model holds one `Referrals` for the whole run (`model.referrals`): a household referred and not taken today
waits, in order of referral, until the service takes it, or until it no longer needs the service (`still`). A
household waits at most once per service. The queue holds a few dozen households a day; its operations are
NumPy calls on them, none per household of the community.
"""

from __future__ import annotations

import numpy as np

SERVICES: tuple[str, ...] = (
    "remote_psych",  # the remote psychological services (simulation/linkage/online.py): crisis cases
)


class Referrals:
    """The waiting households of each service, oldest referral first, and the day's counts."""

    def __init__(self) -> None:
        self._rows = {s: np.zeros(0, dtype=np.int64) for s in SERVICES}
        self._days = {s: np.zeros(0, dtype=np.int64) for s in SERVICES}
        self._made: dict[str, tuple[int, int]] = {}  # service -> (day, households referred that day)
        self._taken: dict[str, tuple[int, int]] = {}  # service -> (day, households taken that day)

    @staticmethod
    def _check(service: str) -> None:
        if service not in SERVICES:
            raise KeyError(f"unknown referral service {service!r}; the services are {', '.join(SERVICES)}")

    def refer(self, service: str, rows: np.ndarray, day: int) -> np.ndarray:
        """Refer the households `rows` (unique) to `service` on `day`; those already waiting keep their place.
        Returns the households newly referred."""
        self._check(service)
        rows = np.asarray(rows, dtype=np.int64)
        new = rows[~np.isin(rows, self._rows[service])] if len(self._rows[service]) else rows
        self._rows[service] = np.concatenate([self._rows[service], new])
        self._days[service] = np.concatenate([self._days[service], np.full(len(new), day, dtype=np.int64)])
        self._count(self._made, service, day, len(new))
        return new

    def waiting(self, service: str) -> np.ndarray:
        """The households waiting for `service`, oldest referral first (a copy)."""
        self._check(service)
        return self._rows[service].copy()

    def take(self, service: str, k: int, day: int, still: np.ndarray | None = None) -> np.ndarray:
        """The service takes up to `k` waiting households, oldest referral first, and they leave the queue.
        With `still` (a mask over all households), those who no longer need the service leave it untaken first."""
        self._check(service)
        rows, days = self._rows[service], self._days[service]
        if still is not None and len(rows):
            keep = still[rows]
            rows, days = rows[keep], days[keep]
        k = max(int(k), 0)
        taken = rows[:k]
        self._rows[service], self._days[service] = rows[k:], days[k:]
        self._count(self._taken, service, day, len(taken))
        return taken

    def made(self, service: str, day: int) -> int:
        """Households newly referred to `service` on `day` (0 for another day)."""
        return self._today(self._made, service, day)

    def taken(self, service: str, day: int) -> int:
        """Households `service` took on `day` (0 for another day)."""
        return self._today(self._taken, service, day)

    @staticmethod
    def _count(counts: dict[str, tuple[int, int]], service: str, day: int, n: int) -> None:
        then, before = counts.get(service, (day, 0))
        counts[service] = (day, (before if then == day else 0) + n)

    def _today(self, counts: dict[str, tuple[int, int]], service: str, day: int) -> int:
        self._check(service)
        then, n = counts.get(service, (day, 0))
        return n if then == day else 0
