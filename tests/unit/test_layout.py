"""The codebase's shape: no import cycle in gan_core, the dashboard never imports the
trainer, no function over 100 lines, no page script over 400 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_FUNCTION_LINES = 100
MAX_SCRIPT_LINES = 400


def _gan_core_imports() -> dict[str, set[str]]:
    """module -> the gan_core modules it imports anywhere (top level or inside a function)."""
    modules = {p.stem: p for p in (ROOT / "gan_core").glob("*.py")}
    graph = {}
    for name, path in modules.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] != "gan_core":
                    continue
                deps |= {a.name for a in node.names} if len(parts) == 1 else {parts[1]}
            elif isinstance(node, ast.Import):
                deps |= {a.name.split(".")[1] for a in node.names if a.name.startswith("gan_core.")}
        graph[name] = (deps & set(modules)) - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_gan_core_has_no_import_cycle():
    graph = _gan_core_imports()
    assert "training" in graph and "evaluation" in graph
    assert _cycle(graph) is None


def test_the_dashboard_does_not_import_the_trainer():
    code = (
        "import sys\n"
        "from dashboard.app import create_app\n"
        "create_app()\n"
        "import dashboard.worker, dashboard.wsgi\n"
        "print(sorted(m for m in sys.modules if m.startswith('gan_core.training')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_no_function_is_over_100_lines():
    long = []
    for package in ("gan_core", "dashboard", "gan_explorer"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines = node.end_lineno - node.lineno + 1
                    if lines > MAX_FUNCTION_LINES:
                        long.append(f"{path.relative_to(ROOT)}:{node.name} ({lines} lines)")
    assert not long, long


def test_no_page_script_is_over_400_lines():
    scripts = [p for p in (ROOT / "assets").rglob("*.js") if "vendor" not in p.parts]
    assert len(scripts) > 3
    long = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for p in scripts
        if (n := len(p.read_text().splitlines())) > MAX_SCRIPT_LINES
    ]
    assert not long, long


def test_clientside_callbacks_name_functions_in_the_assets():
    """Every clientside callback names a function of assets/clientside.js (no JS in Python)."""
    inline, found = [], 0
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(getattr(node, "func", None), "id", None) or getattr(
                getattr(node, "func", None), "attr", None
            )
            if not isinstance(node, ast.Call) or name != "clientside_callback":
                continue
            found += 1
            first = node.args[0] if node.args else None
            if not (
                isinstance(first, ast.Call)
                and getattr(first.func, "id", None) == "ClientsideFunction"
            ):
                inline.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found > 10
    assert not inline, inline
