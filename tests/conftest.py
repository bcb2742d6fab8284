"""Shared helpers for the test suite: small communities, so that the whole suite stays fast."""

from __future__ import annotations

import sys

import pytest

# A classroom-sized community over a month: big enough for every process to act, small enough to run in well
# under a second.
SMALL = {"households": 400, "days": 30}


@pytest.fixture
def small() -> dict:
    """Overrides for a small, short community (a fresh copy per test)."""
    return dict(SMALL)


@pytest.fixture
def liandong(monkeypatch, capsys):
    """`liandong(*args)` runs the console script's own entry point in this process, with plain output; returns
    (exit status, stdout, stderr)."""
    from liandong.cli import main

    for name, value in (("NO_COLOR", "1"), ("TERM", "dumb"), ("COLUMNS", "250")):
        monkeypatch.setenv(name, value)

    def run(*args) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["liandong", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
