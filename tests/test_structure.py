"""The modules of app/ import one another downward only: no import cycle, and no threads.

The graph is read from the source with `ast`, whatever order the modules are loaded in. Every
import counts, at the top of a module or inside a function: `import app.x`, `from app.x import y` (an
edge to app.x, and to app.x.y when that is a module) and relative imports alike.

Importing app.x.y runs app/x/__init__.py first, so an edge to a module is an edge to each of its
packages too: a package that imports its routes pulls them in for anyone importing its models.

One kind of edge is left out: a module importing a package it sits in (app.auth.routes taking `bp`
from app.auth, any module doing `from app import audit`, which still counts as an edge to app.audit).
The package's `__init__` imports that module back to register its routes on the blueprint (or, for
app/__init__.py, the factory imports every blueprint): the usual Flask pattern, and the package
runs first, so the back edge never meets a half-made module.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def module_files() -> dict[str, Path]:
    """app.* module name → source file."""
    modules = {}
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def run_time_nodes(path: Path):
    """Every node of a module's source except what sits under `if TYPE_CHECKING:`, which never runs."""
    pending = [ast.parse(path.read_text(encoding="utf-8"), str(path))]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The app.* modules that module `name` imports, anywhere in its source."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in run_time_nodes(path):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    # Importing app.x.y runs app/x/__init__.py first: an edge to a module is one to its packages too.
    found |= {target.rsplit(".", depth)[0] for target in found for depth in range(1, target.count(".") + 1)}
    return {target for target in found if target in known and not (name + ".").startswith(target + ".")}


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {name: imported_modules(name, path, known) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, …, a], or None (an iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(graph):
        if state.get(root):
            continue
        path, stack = [root], [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(target) == 1:
                return path[path.index(target) :] + [target]
            elif not state.get(target):
                state[target] = 1
                path.append(target)
                stack.append(iter(sorted(graph[target])))
    return None


def test_the_graph_sees_top_level_function_level_and_package_imports():
    graph = import_graph()
    assert "app.extensions" in graph["app.audit"]  # at the top of the module
    assert "app.models.users" not in graph["app.models.places"]  # only under TYPE_CHECKING
    assert "app.auth" in graph["app"]  # inside create_app()
    assert "app.audit" in graph["app.campaign.services"]  # from app import audit
    assert "app.auth" not in graph["app.auth.routes"]  # its own package, for bp
    assert "app" not in graph["app.campaign.services"]
    # app.accounts.routes imports app.accounts.forms, which runs app/accounts/__init__.py: its own package
    assert "app.accounts" not in graph["app.accounts.routes"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_app():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_no_threads_in_app():
    """Background work runs on the job queue (app/tasks.py), never in a thread of a web worker."""
    users = []
    for name, path in module_files().items():
        for node in run_time_nodes(path):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module or ""]
            if any(module.split(".")[0] in ("threading", "_thread") for module in modules):
                users.append(name)
    # app.tasks: a job's heartbeat beside it in a consumer (Heartbeat), never in a web worker.
    assert users == ["app.tasks"]


def test_the_figures_import_no_feature():
    """reports, imports, progress, exports and maps read the figures; the figures read only the
    shared tables below them."""
    below = ("app.extensions", "app.formatting", "app.timeutil", "app.models", "app.figures")
    graph = import_graph()
    upward = {
        (name, target)
        for name, targets in graph.items()
        if name.startswith("app.figures")
        for target in targets
        if not target.startswith(below)
    }
    assert graph["app.figures.queries"] and upward == set()
