"""What external linkage draws on: the community's suppliers' finite stock of food, and the food budgets of
low-income households.

**Stock.** The community's suppliers (the supermarkets and platforms that fill its group-buy orders, and the
channels that bring love vegetables and subsidised packs) hold a stock of packages, counted in days of the
community's food need: one package per household every `needs.package_days` days, scaled by household size (a
package lasts a small household longer), so `need` packages a day. The stock starts full at `stock_days` of need
(the city's stock of 31 Jan was about a week: sources, Supply and group buying, H) and receives
`deliveries_days` of need each morning, up to `stock_days` held (suppliers do not hold more than that). Whatever
draws on it takes whole packages while any are left; what it cannot fill waits for a later delivery.

Scaling (docs/odd.md 7.18): the sources give the city's tonnes; one community's share is its households over the
city's 4.08 M (the default community of 3,000 households is the mean community, 4.08 M / 1,406 ≈ 2,900). Tonnes do
not turn into packages one for one (the model's package is all the food a household buys in three days; the
tonnes are vegetables through the channels the sources count), so the stock and the deliveries are set in days of
need, through the source's own equivalence of 34,400 t with about a week.

**Purses.** A low-income household has `prices.low_income_budget` yuan a day for food (for a household of
average size, scaled by size), holds at most `prices.budget_days` of it and starts with that much. It pays for a
group-buy package when it signs up (at `prices.package_price` x the day's price index; refunded if the sign-up is
dropped) and for a subsidised pack when it takes one; it signs up only when it has the price. Other households are
not held back by money. Shop purchases follow the price rule of needs.py (7.3), not the purse.
"""

from __future__ import annotations

import numpy as np


class Stock:
    """The community's suppliers' stock of packages (see the module's docstring)."""

    def __init__(self, need: float, stock_days: float, deliveries_days: float) -> None:
        self.need = float(need)  # packages a day that feed every household
        self.most = stock_days * self.need
        self.level = self.most
        self.delivery = deliveries_days * self.need
        self.drawn_total = 0

    def restock(self) -> float:
        """The morning's delivery, up to the most the suppliers hold; returns the packages delivered."""
        d = min(self.delivery, max(self.most - self.level, 0.0))
        self.level += d
        return d

    def take(self, k: int) -> int:
        """Draw up to `k` whole packages; returns how many the stock had."""
        granted = int(min(max(k, 0), np.floor(self.level + 1e-9)))
        self.level = max(self.level - granted, 0.0)
        self.drawn_total += granted
        return granted

    def days(self) -> float:
        """What is held, in days of the community's food need."""
        return self.level / self.need if self.need > 0 else 0.0


class Purses:
    """Low-income households' food money (see the module's docstring); other households' entries stay 0 and every
    price is within their reach."""

    def __init__(self, low_income: np.ndarray, food_days_factor: np.ndarray, budget: float, days: float) -> None:
        self.low = low_income
        self.daily = np.where(low_income, budget / food_days_factor, 0.0)  # scaled by size / mean size
        self.most = days * self.daily
        self.cash = self.most.copy()

    def accrue(self) -> None:
        """A day's budget, up to the most a household holds."""
        np.minimum(self.cash + self.daily, self.most, out=self.cash)

    def afford(self, rows: np.ndarray, price: float) -> np.ndarray:
        """Which of `rows` can pay `price` now."""
        return ~self.low[rows] | (self.cash[rows] >= price - 1e-9)

    def pay(self, rows: np.ndarray, price: float) -> None:
        """`rows` (unique, each able to pay) pay `price`; only low-income households' purses are kept."""
        low = rows[self.low[rows]]
        self.cash[low] -= price

    def refund(self, rows: np.ndarray, paid: np.ndarray) -> None:
        """Give back what `rows` (unique) paid for a sign-up that was dropped."""
        self.cash[rows] += np.where(self.low[rows], paid, 0.0)
