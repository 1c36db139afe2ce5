"""What the modules of an app import, read from their source: for the tests that say which
module may import which (as import-linter's contracts would)."""

import ast
from dataclasses import dataclass

from tests.processes import ROOT


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted: `from courses import tasks` is courses.tasks
    at_call_time: bool  # inside a function rather than at the module's top


def imports_in(app: str) -> list[Import]:
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_function = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            found += [Import(module, target, id(node) in in_function) for target in targets]
    return found


def modules_importing_tasks(app: str) -> set[str]:
    """The modules of `app` that import a tasks module, of any app (plumbing.tasks is none)."""
    return {
        found.module
        for found in imports_in(app)
        if "tasks" in found.target.split(".")[1:] and not found.target.startswith("plumbing.")
    }
