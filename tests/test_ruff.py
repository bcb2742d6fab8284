"""The repository passes `ruff check` with the settings in pyproject.toml ([tool.ruff]: 120 columns; pycodestyle,
pyflakes and import order). Only the linter runs: nothing here reformats code."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    assert importlib.util.find_spec("ruff") is not None, (
        "ruff is not installed in this environment; `make setup` installs it (pip install -e '.[test]')")
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, (f"ruff check found problems (fix them by hand; `# noqa: CODE` only with a reason):\n"
                                  f"{proc.stdout}{proc.stderr}")
