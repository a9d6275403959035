"""The package's import structure (docs/architecture.md): no private name crosses a
subpackage, no module imports itself back through others, and the layers point one way."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "integrity_eval"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level:
        base = base[: len(base) - (level - 1)]
        return ".".join([*base, *(target.split(".") if target else [])])
    return target or ""


def _imports(name: str, path: Path) -> list[tuple[str, str | None]]:
    """``(module imported, name taken from it or None)`` for every import anywhere in the
    file (module level, inside functions, under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(name, is_package, node.level, node.module)
            for a in node.names:
                sub = f"{mod}.{a.name}"
                out.append((sub, None) if sub in MODULES else (mod, a.name))
    return [(m, n) for m, n in out if m.startswith("integrity_eval")]


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _subpackage(module: str) -> str:
    path = MODULES[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def test_no_private_name_crosses_a_subpackage():
    crossing = [
        f"{mod} imports {name} from {target}"
        for mod, edges in GRAPH.items()
        for target, name in edges
        if name
        and name.startswith("_")
        and not name.startswith("__")
        and target in MODULES
        and _subpackage(target) != _subpackage(mod)
    ]
    assert not crossing, crossing


def _cycles(nodes: set[str]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    edges = {m: {t for t, _ in GRAPH[m] if t in nodes and t != m} for m in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles():
    # every import counts (inside functions and under TYPE_CHECKING too); a package's
    # __init__ is its public face and is left out, as are the lazy tools it loads
    modules = {m for m, p in MODULES.items() if p.name != "__init__.py"}
    # TODO(this round): read_idata moves out of io (it reads data against a framework)
    assert _cycles(modules) == [["integrity_eval.framework", "integrity_eval.io"]]


def test_the_core_never_imports_report_or_the_command_line():
    core = [m for m in MODULES if not m.startswith(("integrity_eval.report", "integrity_eval.cli"))]
    core = [m for m in core if m != "integrity_eval"]
    bad = [
        f"{m} imports {t}"
        for m in core
        for t, _ in GRAPH[m]
        if t.startswith(("integrity_eval.report", "integrity_eval.cli"))
    ]
    assert not bad, bad


def test_stages_never_import_the_core():
    stages = ["denominate", "impute", "screen", "treat", "normalise", "aggregate", "mcda"]
    core = ("build", "evaluation", "pipeline", "spec", "panel")
    bad = [
        f"{s} imports {t}"
        for s in stages
        for t, _ in GRAPH[f"integrity_eval.{s}"]
        if t.removeprefix("integrity_eval.").split(".")[0] in core
    ]
    assert not bad, bad
