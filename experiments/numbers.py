"""How the documents write numbers: thousands separators, fixed decimals, percentages, signs, and a true minus sign
(U+2212) wherever a number is negative. experiments/odd_figures.py and experiments/quoted.py format with these."""

from __future__ import annotations

from collections.abc import Callable

MINUS = "\u2212"
DASH = "\u2013"


def _neg(text: str) -> str:
    return text.replace("-", MINUS)


def n0(x: float) -> str:
    """A whole number with thousands separators: 16,843."""
    return _neg(f"{x:,.0f}")


def fixed(digits: int) -> Callable[[float], str]:
    def f(x: float) -> str:
        return _neg(f"{x:,.{digits}f}")
    return f


n1, n2, n3 = fixed(1), fixed(2), fixed(3)


def pct(digits: int = 0) -> Callable[[float], str]:
    def f(x: float) -> str:
        return _neg(f"{100 * x:.{digits}f}%")
    return f


p0, p1, p2 = pct(0), pct(1), pct(2)


def signed(fmt: Callable[[float], str]) -> Callable[[float], str]:
    """+1,271 / −1,271 (and 0 unsigned)."""
    def f(x: float) -> str:
        text = fmt(x)
        return text if text.lstrip(MINUS).strip("0.,%") == "" or text.startswith(MINUS) else "+" + text
    return f
