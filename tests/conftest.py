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



@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Under `--dist loadgroup` (the Makefile's), the tests that use a module-scoped fixture of their own module run
    on one worker, so that each such fixture (often ten seeds of a community) is built once rather than once on
    every worker that gets one of its tests. Other tests are shared out one by one. Without xdist (`-p no:xdist`)
    there are no workers to group for."""
    if not getattr(config.option, "loadgroup", False):  # xdist sets it on its workers under --dist loadgroup
        return
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        module = item.nodeid.split("::")[0]
        if any(defs and defs[-1].scope == "module" and defs[-1].baseid == module
               for defs in map(info.name2fixturedefs.get, info.names_closure)):
            item.add_marker(pytest.mark.xdist_group(module))
