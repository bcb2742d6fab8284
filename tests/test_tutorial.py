"""docs/tutorial.md runs as written: its code blocks are executed in order in a fresh folder (bash blocks through
bash with the project's environment on PATH, Python blocks in one shared namespace, a block announced by
`<!-- file: NAME -->` written to NAME), so a step that stops working fails here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w+)\n(?P<code>.*?)```", re.S)


def blocks() -> list[tuple[str, str, str | None]]:
    return [(m["lang"], m["code"], m["file"]) for m in BLOCK.finditer(TUTORIAL.read_text(encoding="utf-8"))]


def test_the_tutorial_has_each_step():
    langs = [lang for lang, _, _ in blocks()]
    assert langs.count("bash") >= 3 and langs.count("python") >= 3 and "toml" in langs
    text = TUTORIAL.read_text(encoding="utf-8")
    for command in ("liandong run", "liandong compare", "liandong sweep", "liandong report", "duckdb"):
        assert command in text, command


def test_every_code_block_of_the_tutorial_runs(tmp_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(ROOT)}
    namespace: dict = {}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        for i, (lang, code, file) in enumerate(blocks()):
            if file:
                (tmp_path / file).write_text(code, encoding="utf-8")
            elif lang == "bash":
                done = subprocess.run(["bash", "-e", "-c", code], cwd=tmp_path, env=env, capture_output=True,
                                      text=True, timeout=600)
                assert done.returncode == 0, f"block {i}:\n{code}\n{done.stdout}\n{done.stderr}"
            elif lang == "python":
                exec(compile(code, f"{TUTORIAL.name}, block {i}", "exec"), namespace)
            else:
                raise AssertionError(f"block {i}: a {lang} block that is neither run nor written to a file")
    finally:
        os.chdir(cwd)
    assert (tmp_path / "results" / "sweep" / "runs.parquet").exists()
