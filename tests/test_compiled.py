"""The compiled loops (Numba): each calls compiled functions of its own module only.

Numba's on-disk cache is invalidated when the file defining a function changes, not when a compiled function it
calls from another file does: a cross-module call would keep running the old code after an edit, silently. So
modules compose compiled loops through Python, and this test keeps it that way.
"""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

import agents
import simulation


def _modules() -> list[types.ModuleType]:
    found = []
    for package in (simulation, agents):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith(".cli"):
                continue
            found.append(importlib.import_module(info.name))
    return found


def _compiled(module: types.ModuleType) -> dict:
    return {name: obj for name, obj in vars(module).items()
            if hasattr(obj, "py_func") and getattr(obj.py_func, "__module__", None) == module.__name__}


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


MODULES = _modules()


def test_there_are_compiled_loops_to_check() -> None:
    assert sum(len(_compiled(m)) for m in MODULES) >= 8


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_compiled_functions_call_only_their_own_modules_compiled_functions(module: types.ModuleType) -> None:
    for name, function in _compiled(module).items():
        for used in _names(function.py_func.__code__):
            target = vars(module).get(used)
            if hasattr(target, "py_func"):
                assert target.py_func.__module__ == module.__name__, (
                    f"{module.__name__}.{name} calls {target.py_func.__module__}.{used}, a compiled function of "
                    "another module: Numba's cache would not see that module change. Call it from Python.")
