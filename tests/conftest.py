"""Shared helpers for the test suite: small communities, so that the whole suite stays fast."""

from __future__ import annotations

import pytest

# A classroom-sized community over a month: big enough for every process to act, small enough to run in well
# under a second.
SMALL = {"households": 400, "days": 30}


@pytest.fixture
def small() -> dict:
    """Overrides for a small, short community (a fresh copy per test)."""
    return dict(SMALL)
