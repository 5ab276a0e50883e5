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


# -- one shape for every feature ------------------------------------------------------------------
# A feature package keeps its screens in route modules named routes*.py that only route (read a form,
# check scope, call a service or a page builder, commit, render), its read side in pages*.py and query
# modules, its write commands' input in forms.py and its labels in labels.py, registered once.

ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
# Reads every field of any post to fingerprint it (a replay must be the same post): not a form.
READS_RAW_POSTS = {"app.idempotency"}
LONGEST_ROUTE_MODULE = 300
LONGEST_FUNCTION = 80


def is_route_module(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
                    return True
    return False


def route_modules() -> dict[str, Path]:
    return {name: path for name, path in module_files().items() if is_route_module(path)}


def feature_of(name: str) -> str:
    return ".".join(name.split(".")[:2])


def test_route_modules_say_so_in_their_name():
    """A newcomer tells a route module from a query module by its name: routes.py or routes_<screen>.py."""
    misnamed = sorted(name for name in route_modules() if not name.rpartition(".")[2].startswith("routes"))
    assert misnamed == []


def test_no_module_outside_a_feature_imports_its_route_modules():
    routes = set(route_modules())
    graph = import_graph()
    reaching = sorted(
        f"{name} → {target}"
        for name, targets in graph.items()
        for target in targets & routes
        if feature_of(name) != feature_of(target)
    )
    assert reaching == []


def calls_select(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name == "select":
                lines.append(node.lineno)
    return lines


def test_no_route_module_builds_a_select():
    """Queries live on the read side (pages, figures, services); a route module only routes."""
    building = {name: lines for name, path in route_modules().items() if (lines := calls_select(path))}
    assert building == {}


def registered_filters() -> list[tuple[str, str]]:
    """(filter name, module) for every template filter registration in app/, read from the source."""
    found = []
    for name, path in module_files().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    call = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(call, ast.Attribute) and call.attr in (
                        "app_template_filter",
                        "template_filter",
                    ):
                        args = decorator.args if isinstance(decorator, ast.Call) else []
                        label = args[0].value if args and isinstance(args[0], ast.Constant) else node.name
                        found.append((label, name))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("add_app_template_filter", "add_template_filter"):
                    if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                        label = node.args[1].value
                    else:
                        label = ast.unparse(node.args[0]) if node.args else "?"
                    found.append((label, name))
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("jinja_env.filters"):
                if isinstance(node.ctx, ast.Store) and isinstance(node.slice, ast.Constant):
                    found.append((node.slice.value, name))
    return found


class _CountingFilters(dict):
    """jinja_env.filters that remembers every name set, and how often."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sets: dict[str, int] = {}

    def __setitem__(self, key, value):
        self.sets[key] = self.sets.get(key, 0) + 1
        super().__setitem__(key, value)


def filters_set_while_building(monkeypatch) -> dict[str, int]:
    """Build an app and count, per name, how often a template filter was set on it: however it was
    registered (a blueprint's decorator, add_template_filter in a loop, jinja_env.filters[...])."""
    import flask

    counting: list[_CountingFilters] = []
    original = flask.Flask.create_jinja_environment

    def create_jinja_environment(self):
        env = original(self)
        env.filters = _CountingFilters(env.filters)
        counting.append(env.filters)
        return env

    monkeypatch.setattr(flask.Flask, "create_jinja_environment", create_jinja_environment)
    from app import create_app

    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "structure"})
    return counting[0].sets


def test_the_filter_count_sees_a_second_registration(monkeypatch):
    from app import formatting

    once = formatting.init_app

    def twice(app):
        once(app)
        once(app)  # num, pct, day, lname set a second time

    monkeypatch.setattr(formatting, "init_app", twice)
    sets = filters_set_while_building(monkeypatch)
    assert sets["num"] == 2 and sets["pct"] == 2
    assert sets["organisation_label"] == 1  # a blueprint's filter, counted too


def test_no_template_filter_is_registered_twice(monkeypatch):
    """One namespace for every template: a name registered twice shows whichever was imported last."""
    sets = filters_set_while_building(monkeypatch)
    assert {name: count for name, count in sets.items() if count > 1} == {}


def test_no_route_module_registers_a_filter():
    """Labels live in the feature's labels.py (or app/formatting.py), registered once by the package."""
    routes = set(route_modules())
    assert sorted({module for _, module in registered_filters()} & routes) == []


def reads_request_form(path: Path) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "form" and ast.unparse(node.value) == "request"
    ]


def test_posts_are_read_by_forms():
    """What a person posts is read by a Flask-WTF form (forms.py): typed, bounded, its refusal in
    their language, never by hand in a route or a service."""
    by_hand = {
        name: lines
        for name, path in module_files().items()
        if name.rpartition(".")[2] != "forms"
        and name not in READS_RAW_POSTS
        and (lines := reads_request_form(path))
    }
    assert by_hand == {}


def test_route_modules_stay_short():
    long = {
        name: count
        for name, path in route_modules().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST_ROUTE_MODULE
    }
    assert long == {}


def test_no_function_over_80_lines_outside_the_demo():
    long = {}
    for name, path in module_files().items():
        if name.startswith("app.demo"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > LONGEST_FUNCTION:
                    long[f"{name}.{node.name}"] = length
    assert long == {}
