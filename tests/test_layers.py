"""The project's import graph runs one way: no cycle among its modules, and no module imports a higher layer.

The layers, lowest first (an arrow reads "is imported by"):

    scenarios  <-  simulation, agents  <-  experiments  <-  dashboard  <-  liandong (the command line)

Every `import` and `from ... import` of the packages' .py files counts, at module level and inside functions
alike (a function-level import is a dependency too, only a later one), relative imports resolved. `from pkg import
name` is an import of the submodule `pkg.name` when there is one, else of `pkg` itself (its `__init__`); the
parent packages that Python runs on the way to a submodule are not counted, as the code does not ask for them.
Imports made by name at run time (`importlib.import_module`, as `experiments/__init__.py` does for its lazy
names) are not seen. benchmarks/ and tests/ stand outside the layers and may import anything.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"scenarios": 0, "simulation": 1, "agents": 1, "experiments": 2, "dashboard": 3, "liandong": 4}


@dataclass(frozen=True)
class Import:
    """One import statement's dependency of module `importer` on module `imported`."""

    importer: str
    imported: str
    path: Path
    line: int
    end_line: int
    in_function: bool

    def __str__(self) -> str:
        where = "inside a function" if self.in_function else "at module level"
        return f"{self.path}:{self.line}: {self.importer} imports {self.imported} ({where})"


def modules(root: Path, packages) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, whether it is a package's __init__), for every .py file of the packages."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def imports(root: Path, packages) -> list[Import]:
    """Every dependency of one of the packages' modules on another of their modules."""
    known = modules(root, packages)

    def resolve(name: str) -> str | None:  # the longest leading part of a dotted name that is one of the modules
        parts = name.split(".")
        while parts and ".".join(parts) not in known:
            parts.pop()
        return ".".join(parts) or None

    found = []
    for module, (path, is_package) in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        in_function = {id(node) for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
                       for node in ast.walk(fn)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [resolve(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the module's own package, one level up per extra dot
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[:len(base) - (node.level - 1)]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else resolve(source)
                           for alias in node.names]
            else:
                continue
            rel = path.relative_to(root)
            found += [Import(module, target, rel, node.lineno, node.end_lineno, id(node) in in_function)
                      for target in dict.fromkeys(targets) if target is not None and target != module]
    return found


def graph(found: list[Import]) -> nx.DiGraph:
    g = nx.DiGraph()
    for imp in found:
        if not g.has_edge(imp.importer, imp.imported):
            g.add_edge(imp.importer, imp.imported, first=imp)
    return g


def cycles(found: list[Import]) -> list[list[Import]]:
    """One cycle (as its imports, in order) in each group of modules that import each other, directly or not."""
    g = graph(found)
    out = []
    for group in sorted(nx.strongly_connected_components(g), key=min):
        if len(group) > 1:
            out.append([g.edges[a, b]["first"] for a, b in nx.find_cycle(g.subgraph(group), source=min(group))])
    return out


def upward(found: list[Import], layers: dict[str, int]) -> list[Import]:
    """The imports of a module of a higher layer by one of a lower layer."""
    def layer(module: str) -> int:
        return layers[module.split(".")[0]]

    return [imp for imp in found if layer(imp.imported) > layer(imp.importer)]


def unexplained(root: Path, found: list[Import]) -> list[Import]:
    """Function-level imports without a comment saying why: on the statement's lines, or on the line above it or
    above the block of import lines it is part of."""
    out = []
    for imp in found:
        if imp.in_function:
            lines = (root / imp.path).read_text(encoding="utf-8").splitlines()
            above = imp.line - 2
            while above >= 0 and lines[above].lstrip().startswith(("import ", "from ")) and "#" not in lines[above]:
                above -= 1
            if not any("#" in lines[i] for i in range(max(above, 0), imp.end_line)):
                out.append(imp)
    return out


@pytest.fixture(scope="module")
def project() -> list[Import]:
    return imports(ROOT, LAYERS)


def test_the_graph_is_read(project):
    """The reader sees the imports that hold the model together (so an empty graph cannot pass the tests below)."""
    pairs = {(imp.importer, imp.imported) for imp in project}
    assert ("simulation.model", "scenarios") in pairs  # import scenarios
    assert ("simulation.model", "simulation.delivery") in pairs  # from simulation import ..., delivery, ...
    assert ("simulation.run", "simulation.model") in pairs  # from simulation.model import CommunityModel
    assert ("liandong.cli", "simulation.run") in pairs  # inside the `run` command
    assert len(pairs) > 150


def test_no_import_cycle(project):
    found = cycles(project)
    assert not found, "import cycles (each line: which file imports what):\n" + "\n\n".join(
        "\n".join(f"  {imp}" for imp in cycle) for cycle in found)


def test_no_layer_imports_a_higher_one(project):
    found = sorted(upward(project, LAYERS), key=lambda imp: (imp.path, imp.line))
    assert not found, (f"imports from a lower layer to a higher one (layers: {LAYERS}):\n"
                       + "\n".join(f"  {imp}" for imp in found))


def test_function_level_imports_say_why(project):
    """An import of the project's own modules inside a function (to keep a command's start-up fast) says so."""
    found = sorted(unexplained(ROOT, project), key=lambda imp: (imp.path, imp.line))
    assert not found, ("imports inside functions without a comment saying why they are not at the top of the "
                       "module (move them there, or say what start-up time they save):\n"
                       + "\n".join(f"  {imp}" for imp in found))


def test_the_command_line_starts_without_the_heavy_layers():
    """The reason for the command line's function-level imports: loading it (`liandong --help`, `scenarios`,
    `validate`) loads neither the model nor the experiments' runner nor the dashboard's server stack."""
    code = ("import sys, liandong.cli; print(' '.join(sorted(m for m in ('simulation', 'mesa', 'numba', 'pandas', "
            "'matplotlib', 'dask', 'distributed', 'solara', 'experiments.runner') if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == []


def test_the_checks_find_cycles_and_upward_imports(tmp_path):
    """On a small tree of two packages: a cycle through a relative import inside a function, and an upward import,
    are both found and named with their files and lines."""
    (tmp_path / "low").mkdir()
    (tmp_path / "high").mkdir()
    (tmp_path / "low" / "__init__.py").write_text("from low.a import f\n")
    (tmp_path / "low" / "a.py").write_text("def f():\n    from . import b\n    return b\n")
    (tmp_path / "low" / "b.py").write_text("import os\nfrom low import a\n")
    (tmp_path / "low" / "c.py").write_text("def g():\n    import high.d\n")
    (tmp_path / "low" / "e.py").write_text("def h():\n    # saves start-up time\n    from low import b\n"
                                           "    from low import c\n")
    (tmp_path / "high" / "__init__.py").write_text("")
    (tmp_path / "high" / "d.py").write_text("from low import b as bee\nfrom low.a import f\n")
    layers = {"low": 0, "high": 1}
    found = imports(tmp_path, layers)
    [cycle] = cycles(found)
    assert {(imp.importer, imp.imported) for imp in cycle} == {("low.a", "low.b"), ("low.b", "low.a")}
    assert "low/a.py:2: low.a imports low.b (inside a function)" in {str(imp) for imp in cycle}
    [up] = upward(found, layers)
    assert str(up) == "low/c.py:2: low.c imports high.d (inside a function)"
    assert {(imp.importer, imp.imported) for imp in found if imp.importer == "high.d"} == {
        ("high.d", "low.b"), ("high.d", "low.a")}
    assert ("low", "low.a") in {(imp.importer, imp.imported) for imp in found}
    assert {(imp.importer, imp.imported) for imp in unexplained(tmp_path, found)} == {("low.a", "low.b"),
                                                                                      ("low.c", "high.d")}
