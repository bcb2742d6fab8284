"""The model benchmark writes the page `make bench` commits (docs/performance.md): every measurement and every
target's verdict, from one small run. No timing is asserted here (timing limits live in the benchmark)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_model_writes_its_page_with_every_target(tmp_path):
    page = tmp_path / "performance.md"
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_model.py"), "--repeats", "1",
                          "--households", "300", "--days", "5", "--markdown", str(page)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n")
    assert "--households 300 --days 5" in text and "load average" in text
    for scenario in ("no_linkage", "three_social"):
        for row in ("ratio to virus (medians)", "ratio to virus, CPU time (medians)", "whole run, default, CPU time"):
            assert f"| {scenario}: {row} |" in text
        for target in ("ratio to VirusOnNetwork per agent-step >= 10", "the same ratio in CPU time >= 10",
                       "whole default run <", "init < 1 s"):
            line = next(x for x in text.splitlines() if x.startswith(f"| `{scenario}`: {target}"))
            assert line.endswith("| PASS |") or line.endswith("| MISS |")
